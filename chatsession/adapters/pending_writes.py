"""PendingWrites: what a unit of work owes the sessions it wrote, until commit or rollback."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatsession.ports.errors import TransactionError

if TYPE_CHECKING:
    from chatsession.domain.events import ChatSessionEvent
    from chatsession.domain.session import ChatSession


class PendingWrites:
    """What a unit of work owes the sessions it wrote, once it knows its fate.

    An adapter calls ``wrote(session, new_version, events)`` after writing a session and
    the events ``events_to_write`` gave it; ``session.version`` becomes ``new_version``
    at once (so the session can be saved again in the same transaction). After the
    commit, ``committed()`` takes exactly the written events off the sessions (events
    recorded or pulled meanwhile are left alone); after a rollback, ``rolled_back()``
    puts the old versions back and leaves every event pending.
    """

    __slots__ = ("__weakref__", "_entries")

    def __init__(self) -> None:
        # id(session) -> (session, version before this unit of work, events written)
        self._entries: dict[int, tuple[ChatSession, int, list[ChatSessionEvent]]] = {}

    def _entry(self, session: ChatSession) -> tuple[ChatSession, int, list[ChatSessionEvent]]:
        entry = self._entries.get(id(session))
        if entry is None or entry[0] is not session:
            entry = (session, session.version, [])
            self._entries[id(session)] = entry
        return entry

    def events_to_write(self, session: ChatSession) -> Sequence[ChatSessionEvent]:
        """The pending events of ``session`` that this unit of work has not written yet."""
        entry = self._entries.get(id(session))
        if entry is None or entry[0] is not session or not entry[2]:
            return session.pending_events
        written = {id(event) for event in entry[2]}
        return [event for event in session.pending_events if id(event) not in written]

    def claim(self, session: ChatSession) -> None:
        """Make ``session`` this unit's to write until it ends; refuse one another unit holds.

        One session object saved by two units of work at once (two threads sharing it)
        would have its events written twice: its version and events change only when the
        first unit ends. Each thread loads a session of its own instead.
        """
        key = id(session)
        with _CLAIMS_LOCK:
            owner = _CLAIMS.get(key)
            if owner is not None and owner is not self and owner._holds(session):
                raise TransactionError(
                    f"chat session {session.chat_session_id}: this session object is being "
                    "written by another unit of work (another thread) that has not ended; "
                    "load a session of your own in each thread"
                )
            _CLAIMS[key] = self
        self._entry(session)

    def wrote(
        self, session: ChatSession, new_version: int, events: Sequence[ChatSessionEvent]
    ) -> None:
        """Record that ``session`` was written as ``new_version``, with ``events``."""
        self._entry(session)[2].extend(events)
        session.version = new_version

    def committed(self) -> None:
        """The writes are durable: the written events leave their sessions."""
        entries = self._release()
        for session, _old_version, written in entries.values():
            session.discard_events(written)

    def rolled_back(self) -> None:
        """Nothing was stored: the sessions get their versions back and keep their events."""
        entries = self._release()
        for session, old_version, _written in entries.values():
            session.version = old_version

    def _holds(self, session: ChatSession) -> bool:
        entry = self._entries.get(id(session))
        return entry is not None and entry[0] is session

    def _release(self) -> dict[int, tuple[ChatSession, int, list[ChatSessionEvent]]]:
        entries, self._entries = self._entries, {}
        with _CLAIMS_LOCK:
            for key in entries:
                if _CLAIMS.get(key) is self:
                    del _CLAIMS[key]
        return entries


_CLAIMS: dict[int, PendingWrites] = {}
"""id(session) -> the unit of work writing it (its entry keeps the session alive meanwhile)."""
_CLAIMS_LOCK = threading.Lock()
