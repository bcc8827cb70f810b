"""Entry points: the command-line program."""
