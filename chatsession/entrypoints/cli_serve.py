"""``chatsession serve``: the REST face (and the agent console) over HTTP, with uvicorn.

``chatsession serve --db FILE --host 127.0.0.1 --port 8000`` serves the SQLite file (or
a ``postgresql://`` database) until interrupted. It needs the ``web`` extra
(``pip install 'chatsession[web]'``). Associates and their passwords are managed with
``chatsession associate ...``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from chatsession.adapters.open_store import describe, open_repository
from chatsession.ports.errors import StoreUnavailableError


def add_command(sub: Any) -> None:
    """Add ``serve`` to the CLI's subcommands."""
    serve = sub.add_parser("serve", help="serve the REST API and the agent console (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port (0: any free one)")
    serve.add_argument("--trusted-header", metavar="NAME", default=None,
                       help="also accept the user name a gateway sets in header NAME "
                       "(only behind such a gateway)")
    serve.add_argument("--no-customer-requests", action="store_true",
                       help="refuse CreateChatSessionForTopic without credentials")
    serve.add_argument("--log-level", default="info",
                       choices=["critical", "error", "warning", "info", "debug"])


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; the exit status."""
    try:
        import uvicorn

        from chatsession.web.app import create_app
        from chatsession.web.auth import Authenticator, FirstOf, StoredCredentials, TrustedHeader
    except ImportError as missing:
        raise StoreUnavailableError(
            f"serve needs the web extra: pip install 'chatsession[web]' ({missing})"
        ) from missing
    repository = open_repository(args.db)
    with repository:
        authenticator: Authenticator = StoredCredentials(repository)
        if args.trusted_header:
            authenticator = FirstOf(
                [authenticator, TrustedHeader(repository, args.trusted_header)]
            )
        app = create_app(
            repository, authenticator=authenticator,
            customer_requests=not args.no_customer_requests,
        )
        print(f"chatsession: serving {describe(args.db)} on http://{args.host}:{args.port}",
              file=sys.stderr, flush=True)
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                    server_header=False)
    return 0
