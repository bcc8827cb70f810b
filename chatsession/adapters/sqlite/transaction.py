"""SqliteTransaction: one unit of work on one connection (the SQL of the store lives here)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from chatsession.adapters.event_codec import dumps, encode_event
from chatsession.adapters.pending_writes import PendingWrites
from chatsession.adapters.query_args import (
    INT32_MAX,
    check_id,
    check_optional_id,
    check_page_args,
    status_filter,
)
from chatsession.adapters.sqlite.driver_errors import _WriteGuard
from chatsession.adapters.sqlite.rows import COLUMN_NAMES, row_to_session, session_to_row
from chatsession.domain.events import ChatSessionEvent
from chatsession.domain.invariants import check_invariants
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE, ChatSessionStatus
from chatsession.ports.repository import (
    ChatSessionNotFoundError,
    ChatSessionPage,
    ConcurrencyError,
    DuplicateChatSessionError,
    RepositoryBusyError,
    RepositoryError,
    StoreUnavailableError,
    TransactionError,
)

if TYPE_CHECKING:
    from chatsession.adapters.sqlite.repository import SqliteChatSessionRepository

_SELECT = f"SELECT {', '.join(COLUMN_NAMES)} FROM chat_session"
_INSERT = (
    f"INSERT INTO chat_session ({', '.join(COLUMN_NAMES)}) "
    f"VALUES ({', '.join('?' for _ in COLUMN_NAMES)})"
)
_UPDATE = (
    "UPDATE chat_session SET "
    + ", ".join(f"{c} = ?" for c in COLUMN_NAMES[1:])
    + " WHERE id = ? AND version = ?"
)
_INSERT_EVENT = (
    "INSERT INTO chat_session_outbox (chat_session_id, version, event_name, occurred_at, "
    "payload) VALUES (?, ?, ?, ?, ?)"
)
_IN_QUEUE = int(ChatSessionStatus.InQueue)
_ACTIVE = tuple(sorted(int(s) for s in ACTIVE))

_CROSSED_FORK = (
    "this unit of work was opened in the parent process: a unit of work cannot cross "
    "fork() (nothing it does in this process is stored); fork only when no unit of work "
    "is open"
)


class SqliteTransaction:
    """The store on one connection: inside a unit of work, or one autocommit read."""

    __slots__ = ("_clock", "_conn", "_pid", "_repo", "active", "failure", "writes")

    def __init__(
        self, repo: SqliteChatSessionRepository, conn: sqlite3.Connection, *, writable: bool
    ) -> None:
        self._repo = repo
        self._conn = conn
        self._clock = repo.clock
        self._pid = os.getpid() if writable else 0  # a read-only one lives for one call
        self.writes: PendingWrites | None = PendingWrites() if writable else None
        self.active = True
        # The error with which SQLite rolled back this unit of work (then it is dead).
        self.failure: RepositoryError | None = None

    # ------------------------------------------------------------- writes

    def next_id(self) -> int:
        """A new id: greater than every id stored or drawn by a committed transaction.

        The draw is part of this unit of work: a rollback releases the id.
        """
        conn = self._writable_conn()
        with self._repo._errors:
            conn.execute("UPDATE chat_session_id_sequence SET last_id = last_id + 1")
            row = conn.execute("SELECT last_id FROM chat_session_id_sequence").fetchone()
        return int(row[0])

    def add(self, session: ChatSession) -> None:
        """Insert ``session`` as version 1, with its pending events."""
        self._writable_conn()
        check_invariants(session)
        self._add(session)

    def save(self, session: ChatSession) -> None:
        """Update ``session`` if the stored version is ``session.version``."""
        self._writable_conn()
        check_invariants(session)
        self._save(session)

    def _add(self, session: ChatSession) -> None:
        """``add`` of a session whose invariants were checked."""
        conn = self._writable_conn()
        sid = session.chat_session_id
        with _WriteGuard(self._repo, conn, sid):
            if conn.execute("SELECT 1 FROM chat_session WHERE id = ?", (sid,)).fetchone():
                raise DuplicateChatSessionError(sid)
            row = session_to_row(session)
            conn.execute(_INSERT, (*row[:-1], 1))
            conn.execute("UPDATE chat_session_id_sequence SET last_id = max(last_id, ?)", (sid,))
            events = self._write_events(conn, session, 1)
        self._wrote(session, 1, events)

    def _save(self, session: ChatSession) -> None:
        """``save`` of a session whose invariants were checked."""
        conn = self._writable_conn()
        sid, version = session.chat_session_id, session.version
        with _WriteGuard(self._repo, conn, sid):
            row = session_to_row(session)
            cur = conn.execute(_UPDATE, (*row[1:-1], version + 1, sid, version))
            if cur.rowcount != 1:
                found = conn.execute("SELECT version FROM chat_session WHERE id = ?", (sid,))
                stored = found.fetchone()
                if stored is None:
                    raise ChatSessionNotFoundError(sid)
                raise ConcurrencyError(sid, version, int(stored[0]))
            events = self._write_events(conn, session, version + 1)
        self._wrote(session, version + 1, events)

    # ------------------------------------------------------------- reads

    def get(self, chat_session_id: int) -> ChatSession:
        """The stored session; raises ``ChatSessionNotFoundError``."""
        check_id(chat_session_id, "chat_session_id")
        conn = self._read_conn()
        with self._repo._errors:
            row = conn.execute(f"{_SELECT} WHERE id = ?", (chat_session_id,)).fetchone()
        if row is None:
            raise ChatSessionNotFoundError(chat_session_id)
        return row_to_session(row, self._clock)

    def first_in_queue(
        self, topic_id: int | None = None, *, include_bot_sessions: bool = False
    ) -> ChatSession | None:
        """The waiting session with the lowest id (on ``topic_id`` if given)."""
        check_optional_id(topic_id, "topic_id")
        sql = f"{_SELECT} WHERE status = ?"
        params: list[Any] = [_IN_QUEUE]
        if topic_id is not None:
            sql += " AND topic_id = ?"
            params.append(topic_id)
        if not include_bot_sessions:
            sql += " AND chatbot_isactive = 0"
        conn = self._read_conn()
        with self._repo._errors:
            row = conn.execute(sql + " ORDER BY id LIMIT 1", params).fetchone()
        return None if row is None else row_to_session(row, self._clock)

    def count_in_queue(self, topic_id: int | None = None) -> int:
        """The number of sessions InQueue (on ``topic_id`` if given)."""
        check_optional_id(topic_id, "topic_id")
        conn = self._read_conn()
        with self._repo._errors:
            if topic_id is None:
                cur = conn.execute(
                    "SELECT count(*) FROM chat_session WHERE status = ?", (_IN_QUEUE,)
                )
            else:
                cur = conn.execute(
                    "SELECT count(*) FROM chat_session WHERE status = ? AND topic_id = ?",
                    (_IN_QUEUE, topic_id),
                )
            return int(cur.fetchone()[0])

    def active_sessions_of(self, user_id: int) -> list[ChatSession]:
        """The active sessions ``user_id`` handles, in id order."""
        check_id(user_id, "user_id")
        conn = self._read_conn()
        with self._repo._errors:
            rows = conn.execute(
                f"{_SELECT} WHERE user_id = ? AND status IN (?, ?) ORDER BY id",
                (user_id, *_ACTIVE),
            ).fetchall()
        return [row_to_session(r, self._clock) for r in rows]

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
        check_page_args(after, limit)
        check_optional_id(topic_id, "topic_id")
        check_optional_id(user_id, "user_id")
        statuses = status_filter(status)
        sql = f"{_SELECT} WHERE id > ?"
        params: list[Any] = [after]
        if statuses is not None:
            if not statuses:
                return ChatSessionPage((), None)
            sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
            params.extend(sorted(int(s) for s in statuses))
        if topic_id is not None:
            sql += " AND topic_id = ?"
            params.append(topic_id)
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        params.append(min(limit, INT32_MAX) + 1)  # more rows than ids can exist
        conn = self._read_conn()
        with self._repo._errors:
            rows = conn.execute(sql + " ORDER BY id LIMIT ?", params).fetchall()
        items = tuple(row_to_session(r, self._clock) for r in rows[:limit])
        more = len(rows) > limit
        return ChatSessionPage(items, items[-1].chat_session_id if more else None)

    # ------------------------------------------------------------ internals

    def _read_conn(self) -> sqlite3.Connection:
        if not self.active:
            raise TransactionError("this transaction has ended")
        self._check_usable()
        return self._conn

    def _writable_conn(self) -> sqlite3.Connection:
        if self.writes is None:
            raise TransactionError("this store is read-only (no unit of work is open)")
        if not self.active:
            raise TransactionError("this transaction has ended")
        self._check_usable()
        if not self._conn.in_transaction:
            raise TransactionError("this transaction has ended")
        return self._conn

    def _check_usable(self) -> None:
        """Raise if the repository is closed, the process forked, or SQLite rolled us back."""
        if self._repo._closed:
            raise TransactionError(f"{self._repo!r} is closed")
        if self._pid and self._pid != os.getpid():
            raise TransactionError(_CROSSED_FORK)
        if self.failure is not None:
            self._raise_dead()

    def _raise_dead(self) -> None:
        """Raise: SQLite rolled this unit of work back after ``failure`` (chained to its cause)."""
        failure = self.failure
        assert failure is not None
        kind = (
            RepositoryBusyError
            if isinstance(failure, RepositoryBusyError)
            else StoreUnavailableError
        )
        cause = failure.__cause__ or failure
        raise kind(
            f"{self._repo.path}: SQLite rolled back this unit of work after an error "
            f"({type(cause).__name__}: {cause}); it can do nothing more, and nothing of it "
            "was stored"
        ) from cause

    def _write_events(
        self, conn: sqlite3.Connection, session: ChatSession, version: int
    ) -> Sequence[ChatSessionEvent]:
        """Insert the events of ``session`` this unit of work has not written; return them."""
        assert self.writes is not None
        events = self.writes.events_to_write(session)
        if events:
            sid = session.chat_session_id
            conn.executemany(
                _INSERT_EVENT,
                [
                    (sid, version, e.name, e.occurred_at.isoformat(), dumps(encode_event(e)))
                    for e in events
                ],
            )
        return events

    def _wrote(
        self, session: ChatSession, version: int, events: Sequence[ChatSessionEvent]
    ) -> None:
        """After the savepoint was released: the session is at ``version`` in this unit."""
        assert self.writes is not None
        self.writes.wrote(session, version, events)


