"""The agent console's static files (HTML, CSS, JavaScript), served at ``/``."""
