"""The REST face: SuperOffice's chat endpoints as an ASGI app (the ``web`` extra).

``create_app(repository)`` builds the app; ``api_router()`` gives the ``/api/v1``
routes alone. Authentication is pluggable (``StoredCredentials``, ``TrustedHeader``,
``FirstOf``, or any ``Authenticator``). Names load lazily, so that importing
``chatsession.web`` costs nothing until one is used; FastAPI is needed then.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatsession.web.app import api_router, create_app
    from chatsession.web.auth import Authenticator, FirstOf, StoredCredentials, TrustedHeader
    from chatsession.web.context import WebContext

_WHERE = {
    "create_app": "chatsession.web.app",
    "api_router": "chatsession.web.app",
    "Authenticator": "chatsession.web.auth",
    "StoredCredentials": "chatsession.web.auth",
    "TrustedHeader": "chatsession.web.auth",
    "FirstOf": "chatsession.web.auth",
    "WebContext": "chatsession.web.context",
}

__all__ = [
    "Authenticator",
    "FirstOf",
    "StoredCredentials",
    "TrustedHeader",
    "WebContext",
    "api_router",
    "create_app",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chatsession.web' has no attribute {name!r}")
