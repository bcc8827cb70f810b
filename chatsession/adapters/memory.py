"""InMemoryChatSessionRepository: the repository port in a dict, for tests and small tools.

Thread-safe: one re-entrant lock guards the store. A ``transaction()`` holds the lock
from start to end (like SQLite's ``BEGIN IMMEDIATE``), so units of work run one at a
time and other threads' calls wait for it. Everything a unit of work does is staged in
it (sessions, outbox records, ``mark_published`` marks, the ids ``next_id`` drew) and
applied on commit or dropped on rollback, as SQLite does. Sessions are stored and
returned as copies: changing a loaded session changes nothing stored until it is saved.
Events go through ``chatsession.adapters.event_codec``, so the outbox holds the same
JSON objects as the SQLite outbox does; ``outbox.read`` hands out copies of them.
"""

from __future__ import annotations

import copy
import threading
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from chatsession.adapters.clock import SystemClock
from chatsession.adapters.event_codec import encode_event
from chatsession.adapters.pending_writes import PendingWrites
from chatsession.adapters.query_args import (
    check_id,
    check_optional_id,
    check_outbox_args,
    check_page_args,
    check_sequence,
    status_filter,
)
from chatsession.domain.aware import require_aware
from chatsession.domain.invariants import check_invariants
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE, ChatSessionStatus
from chatsession.ports.clock import Clock
from chatsession.ports.repository import (
    ChatSessionNotFoundError,
    ChatSessionPage,
    ConcurrencyError,
    DuplicateChatSessionError,
    OutboxRecord,
    TransactionError,
)

_InQueue = ChatSessionStatus.InQueue


class _State:
    """The committed contents of an in-memory repository."""

    __slots__ = ("last_id", "last_sequence", "outbox", "queued", "sessions")

    def __init__(self) -> None:
        self.sessions: dict[int, ChatSession] = {}
        self.queued: list[int] = []  # the InQueue ids, sorted: the queue queries' index
        self.outbox: dict[int, OutboxRecord] = {}
        self.last_id = 0
        self.last_sequence = 0


class InMemoryTransaction:
    """A unit of work on an ``InMemoryChatSessionRepository``: writes staged until commit."""

    __slots__ = (
        "_active",
        "_first_last_id",
        "_first_sequence",
        "_repo",
        "_sessions",
        "outbox",
        "published",
        "writes",
    )

    def __init__(self, repo: InMemoryChatSessionRepository) -> None:
        self._repo = repo
        self._sessions: dict[int, ChatSession] = {}
        self.outbox: dict[int, OutboxRecord] = {}  # staged records by sequence
        self.published: dict[int, datetime] = {}  # staged marks of committed records
        self._first_sequence = repo._state.last_sequence
        self._first_last_id = repo._state.last_id
        self._active = True
        self.writes = PendingWrites()

    # ------------------------------------------------------------ the store

    def next_id(self) -> int:
        """A new id; a rollback releases the ids drawn in this unit of work, as in SQLite."""
        self._check()
        return self._repo._allocate_id()

    def add(self, session: ChatSession) -> None:
        """Stage ``session`` as version 1 with its pending events."""
        self._check()
        check_invariants(session)
        self._add(session)

    def _add(self, session: ChatSession) -> None:
        """``add`` of a session whose invariants were checked."""
        self._check()
        sid = session.chat_session_id
        if sid in self._sessions or sid in self._repo._state.sessions:
            raise DuplicateChatSessionError(sid)
        self._write(session, 1)
        # Like SQLite's id sequence row: the staged id counts for next_id() in this unit of
        # work at once (a rollback puts last_id back to where the unit of work found it).
        state = self._repo._state
        state.last_id = max(state.last_id, sid)

    def get(self, chat_session_id: int) -> ChatSession:
        """A copy of the session as this unit of work sees it."""
        self._check()
        check_id(chat_session_id, "chat_session_id")
        stored = self._lookup(chat_session_id)
        if stored is None:
            raise ChatSessionNotFoundError(chat_session_id)
        return stored.copy(clock=self._repo.clock)

    def save(self, session: ChatSession) -> None:
        """Stage ``session`` if its version is the stored one."""
        self._check()
        check_invariants(session)
        self._save(session)

    def _save(self, session: ChatSession) -> None:
        """``save`` of a session whose invariants were checked."""
        self._check()
        sid = session.chat_session_id
        stored = self._lookup(sid)
        if stored is None:
            raise ChatSessionNotFoundError(sid)
        if stored.version != session.version:
            raise ConcurrencyError(sid, session.version, stored.version)
        self._write(session, session.version + 1)

    def first_in_queue(
        self, topic_id: int | None = None, *, include_bot_sessions: bool = False
    ) -> ChatSession | None:
        """The waiting session with the lowest id (on ``topic_id`` if given)."""
        self._check()
        check_optional_id(topic_id, "topic_id")
        best: ChatSession | None = None
        for s in self._queue(topic_id):  # committed ones in id order, then staged ones
            if not include_bot_sessions and s.chatbot_is_active:
                continue
            if best is None or s.chat_session_id < best.chat_session_id:
                best = s
            if not self._sessions:
                break  # nothing staged: the first committed match is the oldest
        return None if best is None else best.copy(clock=self._repo.clock)

    def count_in_queue(self, topic_id: int | None = None) -> int:
        """The number of sessions InQueue (on ``topic_id`` if given)."""
        self._check()
        check_optional_id(topic_id, "topic_id")
        return sum(1 for _ in self._queue(topic_id))

    def active_sessions_of(self, user_id: int) -> list[ChatSession]:
        """Copies of the active sessions ``user_id`` handles, in id order."""
        self._check()
        check_id(user_id, "user_id")
        found = [s for s in self._view() if s.user_id == user_id and s.status in ACTIVE]
        found.sort(key=lambda s: s.chat_session_id)
        return [s.copy(clock=self._repo.clock) for s in found]

    def list_page(
        self,
        *,
        after: int = 0,
        limit: int = 50,
        status: ChatSessionStatus | Iterable[ChatSessionStatus] | None = None,
        topic_id: int | None = None,
        user_id: int | None = None,
    ) -> ChatSessionPage:
        """Up to ``limit`` sessions with id greater than ``after``, in id order."""
        self._check()
        check_page_args(after, limit)
        check_optional_id(topic_id, "topic_id")
        check_optional_id(user_id, "user_id")
        statuses = status_filter(status)
        found = sorted(
            (
                s
                for s in self._view()
                if s.chat_session_id > after
                and (statuses is None or s.status in statuses)
                and (topic_id is None or s.topic_id == topic_id)
                and (user_id is None or s.user_id == user_id)
            ),
            key=lambda s: s.chat_session_id,
        )
        items = tuple(s.copy(clock=self._repo.clock) for s in found[:limit])
        more = len(found) > limit
        return ChatSessionPage(items, items[-1].chat_session_id if more else None)

    # ------------------------------------------------------------ internals

    def _check(self) -> None:
        if not self._active:
            raise TransactionError("this transaction has ended")

    def _lookup(self, chat_session_id: int) -> ChatSession | None:
        staged = self._sessions.get(chat_session_id)
        if staged is not None:
            return staged
        return self._repo._state.sessions.get(chat_session_id)

    def _queue(self, topic_id: int | None) -> Iterator[ChatSession]:
        """The InQueue sessions this unit of work sees (on ``topic_id`` if given).

        The committed ones come first, in id order; then the staged ones.
        """
        state = self._repo._state
        staged = self._sessions
        for sid in state.queued:
            if sid not in staged:
                s = state.sessions[sid]
                if topic_id is None or s.topic_id == topic_id:
                    yield s
        for s in staged.values():
            if s.status is _InQueue and (topic_id is None or s.topic_id == topic_id):
                yield s

    def _view(self) -> Iterator[ChatSession]:
        committed = self._repo._state.sessions
        yield from self._sessions.values()
        for sid, s in committed.items():
            if sid not in self._sessions:
                yield s

    def _write(self, session: ChatSession, new_version: int) -> None:
        """Stage ``session`` and its events; all of it or, if anything raises, none."""
        events = self.writes.events_to_write(session)
        payloads = [encode_event(event) for event in events]  # may raise: nothing staged yet
        stored = session.copy(clock=self._repo.clock)
        stored.pull_events()
        stored.version = new_version
        self._sessions[session.chat_session_id] = stored
        state = self._repo._state
        for event, payload in zip(events, payloads, strict=True):
            state.last_sequence += 1  # the unit of work holds the lock: no one else numbers
            self.outbox[state.last_sequence] = OutboxRecord(
                sequence=state.last_sequence,
                chat_session_id=session.chat_session_id,
                version=new_version,
                event_name=event.name,
                occurred_at=event.occurred_at,
                payload=payload,
            )
        self.writes.wrote(session, new_version, events)

    def _commit(self) -> None:
        state = self._repo._state
        state.sessions.update(self._sessions)
        for seq, when in self.published.items():
            state.outbox[seq] = replace(state.outbox[seq], published_at=when)
        state.outbox.update(self.outbox)
        for sid, session in self._sessions.items():
            state.last_id = max(state.last_id, sid)
            at = bisect_left(state.queued, sid)
            listed = at < len(state.queued) and state.queued[at] == sid
            if session.status is _InQueue and not listed:
                state.queued.insert(at, sid)
            elif session.status is not _InQueue and listed:
                del state.queued[at]
        self._end()
        self.writes.committed()

    def _rollback(self) -> None:
        # The unit of work held the lock throughout: nobody else numbered records or
        # drew ids meanwhile, so both counters go back as in SQLite (no gaps).
        self._repo._state.last_sequence = self._first_sequence
        self._repo._state.last_id = self._first_last_id
        self._end()
        self.writes.rolled_back()

    def _end(self) -> None:
        self._active = False
        self._sessions = {}
        self.outbox = {}
        self.published = {}


class InMemoryOutbox:
    """The outbox of an ``InMemoryChatSessionRepository``."""

    __slots__ = ("_repo",)

    def __init__(self, repo: InMemoryChatSessionRepository) -> None:
        self._repo = repo

    def read(
        self,
        *,
        after: int = 0,
        limit: int | None = 100,
        include_published: bool = False,
        chat_session_id: int | None = None,
    ) -> list[OutboxRecord]:
        """Committed records after ``after``, in sequence order (and this thread's staged ones)."""
        check_outbox_args(after, limit, chat_session_id)
        out: list[OutboxRecord] = []
        with self._repo._lock:
            for seq, record in self._records():  # in sequence order
                if seq <= after:
                    continue
                if not include_published and record.published_at is not None:
                    continue
                if chat_session_id is not None and record.chat_session_id != chat_session_id:
                    continue
                # A copy of the payload, as SQLite hands out a fresh dict: a reader that
                # changes its record changes nothing stored.
                out.append(replace(record, payload=copy.deepcopy(record.payload)))
                if limit is not None and len(out) >= limit:
                    break
        return out

    def mark_published(self, sequences: Iterable[int], *, at: datetime | None = None) -> int:
        """Mark the records published; return how many were unpublished before.

        Inside a unit of work on this thread the marks are staged in it: applied when it
        commits, dropped when it rolls back (as SQLite's ``UPDATE`` is).
        """
        when = require_aware(self._repo.clock.now() if at is None else at, "published at")
        wanted = {check_sequence(seq) for seq in sequences}
        if not wanted:
            return 0
        with self._repo._unit() as tx:
            committed = self._repo._state.outbox
            changed = 0
            for seq in wanted:
                staged = tx.outbox.get(seq)
                if staged is not None:  # written by this unit of work: dropped with it
                    if staged.published_at is None:
                        tx.outbox[seq] = replace(staged, published_at=when)
                        changed += 1
                    continue
                record = committed.get(seq)
                unpublished = record is not None and record.published_at is None
                if unpublished and seq not in tx.published:
                    tx.published[seq] = when
                    changed += 1
            return changed

    def _records(self) -> Iterator[tuple[int, OutboxRecord]]:
        """Committed records, then those this thread's unit of work staged (numbered later).

        Inside a unit of work the committed records show its staged ``mark_published``.
        """
        tx = self._repo._thread_tx()
        if tx is None:
            yield from self._repo._state.outbox.items()
            return
        marks = tx.published
        for seq, record in self._repo._state.outbox.items():
            when = marks.get(seq)
            yield seq, record if when is None else replace(record, published_at=when)
        yield from tx.outbox.items()


class InMemoryChatSessionRepository:
    """The repository port kept in memory. Thread-safe; returns copies.

    ``InMemoryChatSessionRepository(clock=ManualClock(...))``: loaded sessions read the
    time from ``clock``.
    """

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock: Clock = SystemClock() if clock is None else clock
        self._lock = threading.RLock()
        self._local = threading.local()
        self._state = _State()
        self._outbox = InMemoryOutbox(self)

    @property
    def clock(self) -> Clock:
        """The clock loaded sessions are given."""
        return self._clock

    @property
    def outbox(self) -> InMemoryOutbox:
        """The events written with the sessions."""
        return self._outbox

    @contextmanager
    def transaction(self) -> Iterator[InMemoryTransaction]:
        """A unit of work; holds the repository's lock until it ends."""
        if getattr(self._local, "tx", None) is not None:
            raise TransactionError("a transaction is already open on this thread")
        with self._lock:
            tx = InMemoryTransaction(self)
            self._local.tx = tx
            try:
                yield tx
            except BaseException:
                tx._rollback()
                raise
            else:
                tx._commit()
            finally:
                self._local.tx = None

    # ---------------------------------------- the store: each call is a transaction

    def next_id(self) -> int:
        """A new chat-session id, greater than every id stored or drawn by a committed unit.

        Outside a unit of work the id is drawn for good. Inside one (on this thread) it
        joins it: a rollback releases the id, and the next call hands it out again.
        """
        return self._allocate_id()

    def add(self, session: ChatSession) -> None:
        """Store a new session as version 1, with its pending events."""
        check_invariants(session)  # before waiting for the lock
        with self._unit() as tx:
            tx._add(session)

    def get(self, chat_session_id: int) -> ChatSession:
        """A copy of the stored session; raises ``ChatSessionNotFoundError``."""
        with self._unit() as tx:
            return tx.get(chat_session_id)

    def save(self, session: ChatSession) -> None:
        """Store a changed session if nobody saved it since it was loaded."""
        check_invariants(session)  # before waiting for the lock
        with self._unit() as tx:
            tx._save(session)

    def first_in_queue(
        self, topic_id: int | None = None, *, include_bot_sessions: bool = False
    ) -> ChatSession | None:
        """The oldest session waiting InQueue (on ``topic_id`` if given)."""
        with self._unit() as tx:
            return tx.first_in_queue(topic_id, include_bot_sessions=include_bot_sessions)

    def count_in_queue(self, topic_id: int | None = None) -> int:
        """How many sessions wait InQueue (on ``topic_id`` if given)."""
        with self._unit() as tx:
            return tx.count_in_queue(topic_id)

    def active_sessions_of(self, user_id: int) -> list[ChatSession]:
        """The active sessions ``user_id`` handles, in id order."""
        with self._unit() as tx:
            return tx.active_sessions_of(user_id)

    def list_page(
        self,
        *,
        after: int = 0,
        limit: int = 50,
        status: ChatSessionStatus | Iterable[ChatSessionStatus] | None = None,
        topic_id: int | None = None,
        user_id: int | None = None,
    ) -> ChatSessionPage:
        """Up to ``limit`` sessions with id greater than ``after``, in id order."""
        with self._unit() as tx:
            return tx.list_page(
                after=after, limit=limit, status=status, topic_id=topic_id, user_id=user_id
            )

    def __len__(self) -> int:
        with self._lock:
            return len(self._state.sessions)

    def __repr__(self) -> str:
        return f"InMemoryChatSessionRepository({len(self)} sessions, clock={self._clock!r})"

    # ------------------------------------------------------------ internals

    def _allocate_id(self) -> int:
        with self._lock:
            self._state.last_id += 1
            return self._state.last_id

    def _thread_tx(self) -> InMemoryTransaction | None:
        tx: InMemoryTransaction | None = getattr(self._local, "tx", None)
        return tx

    @contextmanager
    def _unit(self) -> Iterator[InMemoryTransaction]:
        """The thread's open transaction, or a new one for this call."""
        tx = self._thread_tx()
        if tx is not None:
            yield tx
            return
        with self.transaction() as new:
            yield new
