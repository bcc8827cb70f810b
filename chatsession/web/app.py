"""``create_app``: the REST face as an ASGI app (FastAPI), over any chat-session repository.

::

    from chatsession.adapters.sqlite import SqliteChatSessionRepository
    from chatsession.web import create_app

    app = create_app(SqliteChatSessionRepository("chat.sqlite3"))
    # uvicorn module:app, or mount it in your own app: host.mount("/chat", app)

Every endpoint of SuperOffice's ``ChatSession`` resource and Chat agent is under
``/api/v1``; ``/docs`` shows the OpenAPI page, ``/openapi.json`` the document; ``/`` is
the agent console. Callers are authenticated by ``authenticator`` (by default the
associates' stored passwords and tokens, ``StoredCredentials``); customers by their
session's SessionKey.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from chatsession.adapters.clock import SystemClock
from chatsession.ports.clock import Clock
from chatsession.ports.stores import ChatSessionRepository
from chatsession.web.auth import Authenticator, StoredCredentials
from chatsession.web.context import STATE_KEY, WebContext
from chatsession.web.docs import nullable_properties
from chatsession.web.problems import install as install_problems
from chatsession.web.routes import (
    agent_presence,
    agent_sessions,
    agent_topics,
    console,
    listing,
    session_entities,
    sessions,
)

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    """Every endpoint of the REST table, under ``/api/v1``."""
    api = APIRouter(prefix=API_PREFIX)
    for module in (listing, sessions, session_entities, agent_sessions, agent_topics,
                   agent_presence):
        api.include_router(module.router)
    return api


def create_app(
    repository: ChatSessionRepository,
    *,
    authenticator: Authenticator | None = None,
    clock: Clock | None = None,
    customer_requests: bool = True,
    console_page: bool = True,
    title: str = "chatsession",
) -> FastAPI:
    """The REST face over ``repository`` (which also holds the associates' accounts).

    ``authenticator`` turns a request into an associate (default: ``StoredCredentials``
    over ``repository``); ``clock`` is every command's time; ``customer_requests`` lets a
    chat widget start sessions (``CreateChatSessionForTopic``) and ask
    ``IsWithinOpeningHours`` without credentials; ``console_page`` serves the agent
    console at ``/``.
    """
    from chatsession import __version__

    app = FastAPI(
        title=title,
        version=__version__,
        summary="SuperOffice's chat-session endpoints: ChatSession/* and Agents/Chat/*",
    )
    context = WebContext(
        repository=repository,
        authenticator=authenticator or StoredCredentials(repository),
        clock=clock or SystemClock(),
        customer_requests=customer_requests,
    )
    setattr(app.state, STATE_KEY, context)
    install_problems(app)
    app.include_router(api_router())
    if console_page:
        app.include_router(console.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = nullable_properties(get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes,
            ))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
