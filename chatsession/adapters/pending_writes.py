"""PendingWrites: what a unit of work owes the sessions it wrote, until commit or rollback."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatsession.domain.events import ChatSessionEvent
    from chatsession.domain.session import ChatSession


class PendingWrites:
    """What a unit of work owes the sessions it wrote, once it knows its fate.

    An adapter calls ``wrote(session, new_version, n_events)`` after writing a session
    and its first pending events; ``session.version`` becomes ``new_version`` at once
    (so the session can be saved again in the same transaction). After the commit,
    ``committed()`` takes the written events off the sessions; after a rollback,
    ``rolled_back()`` puts the old versions back and leaves every event pending.
    """

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        # id(session) -> [session, version before this unit of work, events written]
        self._entries: dict[int, tuple[ChatSession, int, int]] = {}

    def events_to_write(self, session: ChatSession) -> Sequence[ChatSessionEvent]:
        """The pending events of ``session`` that this unit of work has not written yet."""
        entry = self._entries.get(id(session))
        done = entry[2] if entry is not None and entry[0] is session else 0
        return session.pending_events[done:]

    def wrote(self, session: ChatSession, new_version: int, n_events: int) -> None:
        """Record that ``session`` was written as ``new_version`` with ``n_events`` more events."""
        entry = self._entries.get(id(session))
        if entry is None or entry[0] is not session:
            entry = (session, session.version, 0)
        self._entries[id(session)] = (session, entry[1], entry[2] + n_events)
        session.version = new_version

    def committed(self) -> None:
        """The writes are durable: the written events leave their sessions."""
        entries, self._entries = self._entries, {}
        for session, _old_version, n_written in entries.values():
            session.pull_events(n_written)

    def rolled_back(self) -> None:
        """Nothing was stored: the sessions get their versions back and keep their events."""
        entries, self._entries = self._entries, {}
        for session, old_version, _n_written in entries.values():
            session.version = old_version
