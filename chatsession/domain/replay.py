"""A session rebuilt from its events: the fold of their ``changes``.

A session's first event (``SessionRequested``) carries every stored field; each later
event carries the fields it set, with their values after it. Folding them in order gives
the session's data; the version is not in the events (a repository counts saves), so it
is given by the caller, from the outbox records' ``version``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.events import ChatSessionEvent, SessionRequested
from chatsession.domain.session import ChatSession


def replay(events: Iterable[ChatSessionEvent], *, version: int = 0) -> ChatSession:
    """The session that ``events`` (its own, oldest first, from its request on) describe.

    Raises ``InvalidArgumentError`` if the first event is not a ``SessionRequested``, or an
    event belongs to another session. The result has no pending events.
    """
    fields: dict[str, Any] | None = None
    session_id = 0
    for event in events:
        if fields is None:
            if not isinstance(event, SessionRequested):
                raise InvalidArgumentError(
                    f"a session's events start with SessionRequested, not {event.name}"
                )
            session_id = event.chat_session_id
            fields = dict(event.changes)
        elif event.chat_session_id != session_id:
            raise InvalidArgumentError(
                f"event {event.name} is of chat session {event.chat_session_id}, "
                f"not {session_id}"
            )
        else:
            fields.update(event.changes)
    if fields is None:
        raise InvalidArgumentError("no events: a session is rebuilt from its SessionRequested on")
    return ChatSession(**fields, version=version)
