"""SqliteChatSessionRepository: the repository port on one SQLite file (stdlib ``sqlite3``).

* One connection per thread (and per process: a forked child opens its own), in
  autocommit mode (``isolation_level=None``) with explicit ``BEGIN IMMEDIATE``/``COMMIT``.
* ``PRAGMA journal_mode=WAL``: readers never block the writer nor the writer them.
* ``PRAGMA synchronous=FULL`` by default: a committed outbox event survives a power
  loss, not only a process crash (``synchronous="NORMAL"`` trades that for speed).
* ``busy_timeout`` (``timeout`` seconds, default 5): a writer waits for the lock
  rather than failing at once; after it, ``RepositoryBusyError`` is raised.
* Units of work start with ``BEGIN IMMEDIATE``: the write lock is taken up front, so a
  load-then-save never fails to upgrade a read lock (``SQLITE_BUSY`` that no timeout
  can cure) and two units of work on one session run one after the other.
* Only parameterised SQL: every value is bound; the SQL text is built from constants.
* The driver's errors do not escape raw: "database is locked"/"busy" becomes
  ``RepositoryBusyError``; a value the store refuses on a write (``IntegrityError``,
  ``OverflowError``, ``UnicodeEncodeError``) becomes ``UnstorableSessionError``. Each
  ``add``/``save`` runs in a savepoint, so a refused write leaves nothing behind even
  when the caller catches the error and goes on with the unit of work.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from chatsession.adapters.clock import SystemClock
from chatsession.adapters.event_codec import dumps, encode_event
from chatsession.adapters.pending_writes import PendingWrites
from chatsession.adapters.query_args import (
    INT32_MAX,
    check_id,
    check_optional_id,
    check_page_args,
    status_filter,
)
from chatsession.adapters.sqlite.outbox import SqliteOutbox
from chatsession.adapters.sqlite.rows import COLUMN_NAMES, row_to_session, session_to_row
from chatsession.adapters.sqlite.schema import SCHEMA_VERSION, migrate, schema_version
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.events import ChatSessionEvent
from chatsession.domain.invariants import check_invariants
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE, ChatSessionStatus
from chatsession.ports.clock import Clock
from chatsession.ports.repository import (
    ChatSessionNotFoundError,
    ChatSessionPage,
    ConcurrencyError,
    DuplicateChatSessionError,
    RepositoryBusyError,
    SchemaVersionError,
    TransactionError,
    UnstorableSessionError,
)

Synchronous = Literal["FULL", "NORMAL", "EXTRA"]

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

# Connections inherited over fork() are never closed nor garbage-collected in the child:
# closing one would drop the child's own POSIX locks on the file (see SQLite's
# "how to corrupt" page, section 2.6).
_INHERITED: list[sqlite3.Connection] = []


_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_REFUSED = (sqlite3.IntegrityError, OverflowError, UnicodeEncodeError)
_MAX_BUSY_TIMEOUT_MS = 2**31 - 1  # the C int busy_timeout takes


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """True for SQLite's "database is locked"/"database is busy" (SQLITE_BUSY/LOCKED)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return True
    message = str(exc).lower()
    return "locked" in message or "busy" in message


class _DriverErrors:
    """``with _DriverErrors(repo):`` turns the driver's errors into the port's, chained.

    A busy/locked ``sqlite3.OperationalError`` becomes ``RepositoryBusyError``; a value
    the store refused (``IntegrityError``, ``OverflowError``, ``UnicodeEncodeError``)
    becomes ``UnstorableSessionError``. Everything else passes unchanged.
    """

    __slots__ = ("_repo", "_sid")

    def __init__(self, repo: SqliteChatSessionRepository, sid: int | None = None) -> None:
        self._repo = repo
        self._sid = sid

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            return
        repo = self._repo
        if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
            raise RepositoryBusyError(
                f"{repo.path}: the database stayed locked by another connection for more "
                f"than the {repo.timeout:g} s timeout ({exc}); nothing was stored, try again"
            ) from exc
        if isinstance(exc, _REFUSED):
            what = "a value" if self._sid is None else f"a value of chat session {self._sid}"
            raise UnstorableSessionError(
                f"{repo.path}: the store refused {what} ({type(exc).__name__}: {exc}); "
                "nothing was stored"
            ) from exc


class _WriteGuard(_DriverErrors):
    """One ``add``/``save`` in a savepoint: all of its statements, or none of them."""

    __slots__ = ("_conn",)

    def __init__(
        self, repo: SqliteChatSessionRepository, conn: sqlite3.Connection, sid: int
    ) -> None:
        super().__init__(repo, sid)
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("SAVEPOINT chatsession_write")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self._conn.execute("RELEASE chatsession_write")
            return
        try:
            self._conn.execute("ROLLBACK TO chatsession_write")
            self._conn.execute("RELEASE chatsession_write")
        except sqlite3.Error:
            pass  # the unit of work is rolled back as the error leaves it
        super().__exit__(kind, exc, tb)


class SqliteTransaction:
    """The store on one connection: inside a unit of work, or one autocommit read."""

    __slots__ = ("_clock", "_conn", "_repo", "active", "writes")

    def __init__(
        self, repo: SqliteChatSessionRepository, conn: sqlite3.Connection, *, writable: bool
    ) -> None:
        self._repo = repo
        self._conn = conn
        self._clock = repo.clock
        self.writes: PendingWrites | None = PendingWrites() if writable else None
        self.active = True

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
        return self._conn

    def _writable_conn(self) -> sqlite3.Connection:
        if self.writes is None:
            raise TransactionError("this store is read-only (no unit of work is open)")
        if not self.active or not self._conn.in_transaction:
            raise TransactionError("this transaction has ended")
        return self._conn

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


class SqliteChatSessionRepository:
    """The repository port on a SQLite file, shared by threads and processes.

    ``SqliteChatSessionRepository("chat.db", clock=SystemClock())`` creates or migrates
    the file. Close it with ``close()`` (or use it as a context manager) once no thread
    uses it any more: ``close()`` closes every thread's connection.

    ``timeout`` is how many seconds a writer waits for another connection's write lock
    (a finite number >= 0) before ``RepositoryBusyError``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Clock | None = None,
        timeout: float = 5.0,
        synchronous: Synchronous = "FULL",
    ) -> None:
        self._path = os.fspath(path)
        if self._path == ":memory:" or self._path.startswith("file:") or not self._path:
            raise InvalidArgumentError(
                "SqliteChatSessionRepository needs a file path (each thread opens its own "
                "connection); for a store in memory use InMemoryChatSessionRepository"
            )
        if synchronous not in ("FULL", "NORMAL", "EXTRA"):
            raise InvalidArgumentError(
                f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}"
            )
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout < 0
        ):
            raise InvalidArgumentError(
                f"timeout must be a finite number of seconds >= 0, got {timeout!r}"
            )
        self._clock: Clock = SystemClock() if clock is None else clock
        self._timeout = float(timeout)
        self._busy_ms = min(int(self._timeout * 1000), _MAX_BUSY_TIMEOUT_MS)
        self._errors = _DriverErrors(self)
        self._synchronous = synchronous
        self._local = threading.local()
        self._registry_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._pid = os.getpid()
        self._closed = False
        self._outbox = SqliteOutbox(self)
        with self._errors:
            self._refuse_newer_schema()
        try:
            with self._errors:
                migrate(self._connection(), where=f"at {self._path}")
        except BaseException:
            self.close()
            raise

    @property
    def path(self) -> Path:
        """The database file."""
        return Path(self._path)

    @property
    def timeout(self) -> float:
        """Seconds a writer waits for the write lock before ``RepositoryBusyError``."""
        return self._timeout

    @property
    def clock(self) -> Clock:
        """The clock loaded sessions are given."""
        return self._clock

    @property
    def outbox(self) -> SqliteOutbox:
        """The events written with the sessions."""
        return self._outbox

    @contextmanager
    def transaction(self) -> Iterator[SqliteTransaction]:
        """A unit of work in one ``BEGIN IMMEDIATE`` transaction."""
        if self._current() is not None:
            raise TransactionError("a transaction is already open on this thread")
        conn = self._connection()
        with self._errors:
            conn.execute("BEGIN IMMEDIATE")
        tx = SqliteTransaction(self, conn, writable=True)
        assert tx.writes is not None
        self._local.tx = tx
        try:
            yield tx
            tx.active = False
            with self._errors:
                conn.execute("COMMIT")
        except BaseException:
            tx.active = False
            self._local.tx = None
            self._rollback(conn)
            tx.writes.rolled_back()
            raise
        self._local.tx = None
        tx.writes.committed()

    # ---------------------------------------- the store: each call is a transaction

    def next_id(self) -> int:
        """A new chat-session id, greater than every id stored or drawn by a committed unit.

        Outside a unit of work the id is drawn for good (in a short write transaction).
        Inside one (on this thread) it joins it: a rollback releases the id, and the next
        call hands it out again.
        """
        with self._writer() as tx:
            return tx.next_id()

    def add(self, session: ChatSession) -> None:
        """Store a new session as version 1, with its pending events."""
        check_invariants(session)  # before waiting for the write lock
        with self._writer() as tx:
            tx._add(session)

    def get(self, chat_session_id: int) -> ChatSession:
        """The stored session; raises ``ChatSessionNotFoundError``."""
        return self._reader().get(chat_session_id)

    def save(self, session: ChatSession) -> None:
        """Store a changed session if nobody saved it since it was loaded."""
        check_invariants(session)  # before waiting for the write lock
        with self._writer() as tx:
            tx._save(session)

    def first_in_queue(
        self, topic_id: int | None = None, *, include_bot_sessions: bool = False
    ) -> ChatSession | None:
        """The oldest session waiting InQueue (on ``topic_id`` if given)."""
        return self._reader().first_in_queue(topic_id, include_bot_sessions=include_bot_sessions)

    def count_in_queue(self, topic_id: int | None = None) -> int:
        """How many sessions wait InQueue (on ``topic_id`` if given)."""
        return self._reader().count_in_queue(topic_id)

    def active_sessions_of(self, user_id: int) -> list[ChatSession]:
        """The active sessions ``user_id`` handles, in id order."""
        return self._reader().active_sessions_of(user_id)

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
        return self._reader().list_page(
            after=after, limit=limit, status=status, topic_id=topic_id, user_id=user_id
        )

    # ------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close every connection this repository opened in this process, every thread's.

        Call it only once no other thread uses the repository: a connection closed
        under a thread's running unit of work fails it (rolled back). After ``close()``
        every method raises ``TransactionError``.
        """
        with self._registry_lock:
            self._closed = True
            if self._pid != os.getpid():
                return
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

    def __enter__(self) -> SqliteChatSessionRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteChatSessionRepository({self._path!r}, clock={self._clock!r})"

    # ------------------------------------------------------------ internals

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (for checks and tools; the repository owns it)."""
        return self._connection()

    def _current(self) -> SqliteTransaction | None:
        tx: SqliteTransaction | None = getattr(self._local, "tx", None)
        if tx is not None and getattr(self._local, "pid", None) != os.getpid():
            return None
        return tx

    def _reader(self) -> SqliteTransaction:
        tx = self._current()
        if tx is not None:
            return tx
        return SqliteTransaction(self, self._connection(), writable=False)

    @contextmanager
    def _writer(self) -> Iterator[SqliteTransaction]:
        tx = self._current()
        if tx is not None:
            yield tx
            return
        with self.transaction() as new:
            yield new

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise TransactionError(f"{self!r} is closed")
        pid = os.getpid()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == pid:
            return conn
        with self._registry_lock:
            if self._closed:
                raise TransactionError(f"{self!r} is closed")
            if self._pid != pid:  # a forked child: keep the parent's connections alive
                _INHERITED.extend(self._connections)
                self._connections = []
                self._pid = pid
            conn = sqlite3.connect(
                self._path,
                timeout=self._busy_ms / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            self._connections.append(conn)
        try:
            with self._errors:
                conn.execute(f"PRAGMA busy_timeout = {int(self._busy_ms)}")
                self._ensure_wal(conn)
                conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        except BaseException:
            with self._registry_lock:
                self._connections.remove(conn)
            conn.close()
            raise
        self._local.conn = conn
        self._local.pid = pid
        self._local.tx = None
        return conn

    def _refuse_newer_schema(self) -> None:
        """Raise ``SchemaVersionError`` before touching a file newer than this code."""
        if not os.path.exists(self._path):
            return
        probe = sqlite3.connect(self._path, timeout=self._busy_ms / 1000, isolation_level=None)
        try:
            found = schema_version(probe)
        finally:
            probe.close()
        if found > SCHEMA_VERSION:
            raise SchemaVersionError(found, SCHEMA_VERSION, f"at {self._path}")

    def _ensure_wal(self, conn: sqlite3.Connection) -> None:
        """Put the file in WAL mode (once in its life: the mode is stored in the file).

        Switching needs an exclusive lock, and SQLite answers ``SQLITE_BUSY`` at once
        (no busy handler) when another connection opens a new file at the same moment:
        retry until ``timeout``.
        """
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
                if mode != "wal":
                    mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.005)
                continue
            if mode != "wal":
                raise InvalidArgumentError(f"{self._path}: cannot use WAL journal mode ({mode})")
            return

    def _rollback(self, conn: sqlite3.Connection) -> None:
        """Roll back; a connection that cannot is dropped (closing it rolls back)."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            self._local.conn = None
            with self._registry_lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            conn.close()
