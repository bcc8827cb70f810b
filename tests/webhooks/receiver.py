"""A real webhook receiver on loopback for the tests: verifies every signature, can fail."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chatsession.adapters.webhook_http import verify_signature


@dataclass
class Received:
    """What the receiver saw: accepted payloads in arrival order, refusals, bad signatures."""

    secret: str
    fail_every: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    bodies: dict[str, set[bytes]] = field(default_factory=dict)
    requests: int = 0
    refused: int = 0
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def receiver(secret: str, *, fail_every: int = 0) -> Iterator[tuple[str, Received]]:
    """An HTTP server on 127.0.0.1 (a free port); yields its URL and what it received."""
    seen = Received(secret, fail_every)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with seen.lock:
                seen.requests += 1
                if not verify_signature(body, self.headers.get("X-SuperOffice-Signature"),
                                        seen.secret):
                    seen.bad_signatures += 1
                    status = 401
                elif seen.fail_every and seen.requests % seen.fail_every == 0:
                    seen.refused += 1
                    status = 500
                else:
                    payload = json.loads(body)
                    seen.accepted.append(payload)
                    seen.headers.append(dict(self.headers.items()))
                    seen.bodies.setdefault(payload["EventId"], set()).add(body)
                    status = 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", seen
    finally:
        server.shutdown()
        server.server_close()
