"""SqliteChatSessionRepository: the repository port on one SQLite file (stdlib ``sqlite3``).

* One connection per thread (and per process: a forked child opens its own), in
  autocommit mode (``isolation_level=None``) with explicit ``BEGIN IMMEDIATE``/``COMMIT``.
  A thread's connection is closed when the thread ends (a finalizer on an object in the
  thread's locals), so short-lived threads leave no connection nor file descriptor open.
* ``fork()``: SQLite's locks do not survive it. A fork waits for the units of work of
  the process's SQLite repositories to end (``fork_gate``); fork only when no unit of
  work is open, and prefer the ``spawn`` or ``forkserver`` start methods. A child forked
  while one was open anyway refuses that file with ``StoreUnavailableError``.
* Opening a file that is not a chatsession store (another application's database)
  raises ``ForeignStoreError`` before anything in it changes.
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
  ``OverflowError``, ``UnicodeEncodeError``) becomes ``UnstorableSessionError``; a
  file that cannot be opened, a full disk, an I/O error and any other driver error
  become ``StoreUnavailableError``; a call on a closed repository ``TransactionError``.
  Each ``add``/``save`` runs in a savepoint, so a refused write leaves nothing behind even
  when the caller catches the error and goes on with the unit of work. If SQLite itself
  rolled the whole transaction back (it does on a full disk or an I/O error), the unit of
  work is dead: the rest of it and its end raise the same kind of error, chained to the
  driver's, instead of committing half of it.
"""
from __future__ import annotations

import itertools
import math
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, TypeVar

from chatsession.adapters.clock import SystemClock
from chatsession.adapters.sqlite import fork_gate
from chatsession.adapters.sqlite.connections import (
    _INHERITED,
    _Registry,
    _release,
    _ThreadConnection,
)
from chatsession.adapters.sqlite.driver_errors import (
    _MAX_BUSY_TIMEOUT_MS,
    _DriverErrors,
    _is_busy,
)
from chatsession.adapters.sqlite.outbox import SqliteOutbox
from chatsession.adapters.sqlite.schema import check_store, migrate
from chatsession.adapters.sqlite.transaction import _CROSSED_FORK, SqliteTransaction
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.invariants import check_invariants
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ChatSessionStatus
from chatsession.ports.clock import Clock
from chatsession.ports.repository import (
    ChatSessionPage,
    StoreUnavailableError,
    TransactionError,
)

Synchronous = Literal["FULL", "NORMAL", "EXTRA"]
_T = TypeVar("_T")


class SqliteChatSessionRepository:
    """The repository port on a SQLite file, shared by threads and processes.

    ``SqliteChatSessionRepository("chat.db", clock=SystemClock())`` creates or migrates
    the file; a file that is not a chatsession store (another application's database)
    raises ``ForeignStoreError`` untouched, one that cannot be opened
    ``StoreUnavailableError``. Close it with ``close()`` (or use it as a context manager)
    once no thread uses it any more: ``close()`` closes every thread's connection (and a
    thread's connection is closed when the thread ends).

    ``timeout`` is how many seconds a writer waits for another connection's write lock
    (a finite number >= 0) before ``RepositoryBusyError``.

    ``fork()`` only when no unit of work is open (prefer the ``spawn`` or ``forkserver``
    start methods): SQLite's locks do not survive a fork. A fork waits for the units of
    work other threads have open (``fork_gate.FORK_WAIT_SECONDS`` at most); a child
    forked while one was open anyway (by the forking thread itself, or past that wait)
    cannot use the file and gets ``StoreUnavailableError`` saying so.
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
        self._open_errors = _DriverErrors(self, opening=True)
        self._synchronous = synchronous
        self._local = threading.local()
        self._gate_key = os.path.realpath(self._path)
        self._gate = fork_gate.Passage(self._gate_key)
        self._registry_lock = threading.RLock()
        self._keys = itertools.count()
        self._connections: _Registry = {}  # each thread's connection and its finalizer
        self._pid = os.getpid()
        self._closed = False
        self._outbox = SqliteOutbox(self)
        try:
            with self._gate, self._open_errors:
                self._check_store()
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
        """A unit of work in one ``BEGIN IMMEDIATE`` transaction.

        A ``fork()`` made meanwhile (by another thread) waits for it to end.
        """
        if self._current() is not None:
            raise TransactionError("a transaction is already open on this thread")
        with self._gate:
            conn = self._connection()
            with self._errors:
                conn.execute("BEGIN IMMEDIATE")
            tx = SqliteTransaction(self, conn, writable=True)
            assert tx.writes is not None
            self._local.tx = tx
            try:
                yield tx
                tx.active = False
                self._commit(tx)
            except BaseException:
                tx.active = False
                self._local.tx = None
                if tx._pid == os.getpid():  # never touch the parent's transaction
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
        return self._read(lambda tx: tx.get(chat_session_id))

    def save(self, session: ChatSession) -> None:
        """Store a changed session if nobody saved it since it was loaded."""
        check_invariants(session)  # before waiting for the write lock
        with self._writer() as tx:
            tx._save(session)

    def first_in_queue(
        self, topic_id: int | None = None, *, include_bot_sessions: bool = False
    ) -> ChatSession | None:
        """The oldest session waiting InQueue (on ``topic_id`` if given)."""
        return self._read(
            lambda tx: tx.first_in_queue(topic_id, include_bot_sessions=include_bot_sessions)
        )

    def count_in_queue(self, topic_id: int | None = None) -> int:
        """How many sessions wait InQueue (on ``topic_id`` if given)."""
        return self._read(lambda tx: tx.count_in_queue(topic_id))

    def active_sessions_of(self, user_id: int) -> list[ChatSession]:
        """The active sessions ``user_id`` handles, in id order."""
        return self._read(lambda tx: tx.active_sessions_of(user_id))

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
        return self._read(
            lambda tx: tx.list_page(
                after=after, limit=limit, status=status, topic_id=topic_id, user_id=user_id
            )
        )

    # ------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close every connection this repository opened in this process, every thread's.

        Call it only once no other thread uses the repository: a connection closed
        under a thread's running unit of work fails it (rolled back, ``TransactionError``).
        After ``close()`` every method raises ``TransactionError``.
        """
        pid = os.getpid()
        if pid != self._pid and fork_gate.poisoned(self._gate_key):
            self._closed = True  # a child that cannot use the file: it opened nothing
            return
        with self._gate:
            with self._registry_lock:
                self._closed = True
                self._forget_inherited(pid)
                entries = list(self._connections.values())
            for _conn, release in entries:
                release()

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

    def _read(self, call: Callable[[SqliteTransaction], _T]) -> _T:
        """``call`` on the thread's open unit of work, or on a read-only one (a passage)."""
        tx = self._current()
        if tx is not None:
            return call(tx)
        key = self._gate_key
        fork_gate.enter(key)
        try:
            return call(SqliteTransaction(self, self._connection(), writable=False))
        finally:
            fork_gate.leave(key)

    def _commit(self, tx: SqliteTransaction) -> None:
        """COMMIT ``tx``, unless it cannot be: then raise (the caller rolls back)."""
        if tx._pid != os.getpid():
            raise TransactionError(_CROSSED_FORK)
        tx._check_usable()  # closed, or rolled back by SQLite after an error
        if not tx._conn.in_transaction:
            raise TransactionError(
                "the unit of work's transaction was ended behind the repository's back (a "
                "COMMIT or ROLLBACK on its connection); it was not committed"
            )
        with self._errors:
            tx._conn.execute("COMMIT")

    def _dead_unit_of_work(self) -> SqliteTransaction | None:
        """This thread's unit of work if SQLite just rolled it back (after an error)."""
        tx = self._current()
        if tx is None or tx.writes is None or not tx.active or tx.failure is not None:
            return None
        try:
            alive = tx._conn.in_transaction
        except sqlite3.Error:  # a closed connection: not SQLite's doing
            return None
        return None if alive else tx

    def _open_connections(self) -> int:
        """How many connections this repository holds open in this process (for tests)."""
        with self._registry_lock:
            return len(self._connections) if self._pid == os.getpid() else 0

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
        with self._gate:
            return self._open_connection(pid)

    def _open_connection(self, pid: int) -> sqlite3.Connection:
        """Open this thread's connection (in a passage of the fork gate)."""
        if fork_gate.poisoned(self._gate_key):
            raise StoreUnavailableError(
                f"{self._path}: this process (pid {pid}) was forked while a unit of work was "
                "open on this file, and SQLite's locks do not survive fork(): the file cannot "
                "be used in this process. Fork only when no unit of work is open, or start "
                "processes with the spawn or forkserver method"
            )
        with self._registry_lock:
            if self._closed:
                raise TransactionError(f"{self!r} is closed")
            self._forget_inherited(pid)
            try:
                conn = sqlite3.connect(
                    self._path,
                    timeout=self._busy_ms / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                )
            except sqlite3.Error as exc:
                typed = self._open_errors.typed(exc)
                assert typed is not None
                raise typed from exc
            key = next(self._keys)
            holder = _ThreadConnection()
            release = weakref.finalize(
                holder,
                _release,
                self._connections,
                self._registry_lock,
                key,
                conn,
                pid,
                self._gate_key,
            )
            self._connections[key] = (conn, release)
        try:
            with self._open_errors:
                conn.execute(f"PRAGMA busy_timeout = {int(self._busy_ms)}")
                self._ensure_wal(conn)
                conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        except BaseException:
            release()
            raise
        self._local.holder = holder  # replaces (and so releases) an earlier one
        self._local.release = release
        self._local.conn = conn
        self._local.pid = pid
        self._local.tx = None
        return conn

    def _forget_inherited(self, pid: int) -> None:
        """In a forked child: keep the parent's connections alive for good, never close them."""
        if self._pid == pid:
            return
        for conn, release in self._connections.values():
            release.detach()
            _INHERITED.append(conn)
        self._connections.clear()
        self._pid = pid

    def _check_store(self) -> None:
        """Refuse, before anything changes, a file newer than this code or not chatsession's.

        Raises ``SchemaVersionError`` or ``ForeignStoreError`` (``check_store``).
        """
        if not os.path.exists(self._path):
            return
        probe = sqlite3.connect(self._path, timeout=self._busy_ms / 1000, isolation_level=None)
        try:
            check_store(probe, where=f"at {self._path}")
        finally:
            probe.close()

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
            release = getattr(self._local, "release", None)
            self._local.conn = None
            self._local.holder = None
            if release is not None:
                release()
            else:  # pragma: no cover - every thread connection has its finalizer
                conn.close()
