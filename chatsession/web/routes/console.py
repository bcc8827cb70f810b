"""``/``: the agent console, a static page (HTML, CSS and a little JavaScript) over the API.

The files live in ``chatsession/web/console/``; nothing is built. The page asks for a
user name and password and sends them as HTTP Basic on each API call (kept in the
page's memory only, never in storage).
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter(include_in_schema=False)

_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
_SECURITY = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _file(name: str) -> Response:
    data = resources.files("chatsession.web.console").joinpath(name).read_bytes()
    return Response(data, media_type=_TYPES[name], headers=_SECURITY)


@router.get("/")
def console_page() -> Response:
    """The console's page."""
    return _file("index.html")


@router.get("/console.js")
def console_script() -> Response:
    """The console's script."""
    return _file("console.js")


@router.get("/console.css")
def console_style() -> Response:
    """The console's style sheet."""
    return _file("console.css")
