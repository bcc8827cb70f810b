"""``python -m chatsession``: the command-line program."""

from chatsession.entrypoints.cli import main

raise SystemExit(main())
