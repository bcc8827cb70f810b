"""Verify a store: every session equals the fold of its outbox records.

The outbox records every change a session went through (its first event carries every
field); ``verify_store`` rebuilds each stored session from them and reports any that
differ, field by field. A store written only through the library's commands has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatsession.adapters.event_codec import decode_event
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.replay import replay
from chatsession.domain.session import ChatSession
from chatsession.domain.session_data import FIELDS
from chatsession.ports.stores import ChatSessionRepository


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A stored session its events do not describe: ``fields`` differ, or ``problem``."""

    chat_session_id: int
    fields: tuple[str, ...] = ()
    problem: str = ""

    def __str__(self) -> str:
        what = self.problem or f"differs from the fold of its events in {', '.join(self.fields)}"
        return f"chat session {self.chat_session_id}: {what}"


def rebuilt(repository: ChatSessionRepository, chat_session_id: int) -> ChatSession:
    """Session ``chat_session_id`` rebuilt from its outbox records (published ones too)."""
    records = repository.outbox.read(
        chat_session_id=chat_session_id, limit=None, include_published=True
    )
    events = [decode_event(r.event_name, r.payload) for r in records]
    return replay(events, version=records[-1].version if records else 0)


def verify_store(repository: ChatSessionRepository, *, page: int = 500) -> list[Mismatch]:
    """Every stored session that is not the fold of its outbox records, in id order."""
    found: list[Mismatch] = []
    after = 0
    while True:
        sessions = repository.list_page(after=after, limit=page)
        for session in sessions:
            found.extend(_check(repository, session))
        if sessions.next_after is None:
            return found
        after = sessions.next_after


def _check(repository: ChatSessionRepository, session: ChatSession) -> list[Mismatch]:
    sid = session.chat_session_id
    try:
        again = rebuilt(repository, sid)
    except ChatSessionError as error:
        return [Mismatch(sid, problem=f"cannot be rebuilt from its events ({error})")]
    if again.version != session.version:
        return [Mismatch(sid, ("version",))]
    differ = tuple(
        name for name in FIELDS if getattr(again, name) != getattr(session, name)
    )
    return [Mismatch(sid, differ)] if differ else []
