"""WebContext: what every request handler of the REST face works with.

One per app: the repository (which also holds the associates' accounts and is the
associate directory), the authenticator, the clock, and whether customers may start
sessions without credentials. ``agent()`` builds the ``ChatAgent`` of one request,
optionally held to the version an ``If-Match`` header names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import Headers

from chatsession.adapters.clock import SystemClock
from chatsession.domain.account import AssociateAccount
from chatsession.domain.session import ChatSession
from chatsession.ports.clock import Clock
from chatsession.ports.stores import ChatSessionRepository, ChatStore
from chatsession.service import rights
from chatsession.service.agent import ChatAgent
from chatsession.service.conditional import checking_loads, version_check
from chatsession.service.errors import NotAuthenticatedError
from chatsession.web.auth import Authenticator


@dataclass(frozen=True, slots=True)
class WebContext:
    """The app's repository, authenticator and clock."""

    repository: ChatSessionRepository
    authenticator: Authenticator
    clock: Clock = field(default_factory=SystemClock)
    customer_requests: bool = True
    """Whether ``CreateChatSessionForTopic`` may be called without credentials (a widget)."""

    def agent(
        self,
        *,
        session: int | None = None,
        version: frozenset[int] | None = None,
        caller: AssociateAccount | None = None,
    ) -> ChatAgent:
        """The ``ChatAgent`` of one request.

        Each load of ``session`` inside its commands first checks that ``caller`` (if
        given) may see it (403) and that it is at one of ``version`` (if given, 412).
        """
        repository = self.repository
        if session is not None and (caller is not None or version is not None):
            entitled, at_version = caller, None if version is None else version_check(version)

            def check(store: ChatStore, loaded: ChatSession) -> None:
                if entitled is not None:
                    rights.check_session(store, entitled, loaded)
                if at_version is not None:
                    at_version(store, loaded)

            repository = checking_loads(repository, session, check)
        return ChatAgent(repository, clock=self.clock, associates=self.repository)

    def caller(self, headers: Headers) -> AssociateAccount | None:
        """The associate the request's credentials prove, or ``None`` without credentials."""
        return self.authenticator.authenticate(headers)

    def associate(self, headers: Headers) -> AssociateAccount:
        """The associate the credentials prove; ``NotAuthenticatedError`` without any."""
        account = self.caller(headers)
        if account is None:
            raise NotAuthenticatedError("this call needs an associate's credentials")
        return account


STATE_KEY = "chatsession"
"""Where the app keeps its ``WebContext`` (``app.state.chatsession``)."""


def context_of(request: Request) -> WebContext:
    """The ``WebContext`` of the app serving ``request`` (a FastAPI dependency)."""
    found: WebContext = getattr(request.app.state, STATE_KEY)
    return found
