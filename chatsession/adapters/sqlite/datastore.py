"""SqliteDatastore: one SQLite file, shared by threads and processes; nothing of chat sessions.

It knows connections, transactions and the driver's errors, and nothing else:

* one connection per thread (and per process), in autocommit mode
  (``isolation_level=None``) with explicit ``BEGIN IMMEDIATE``/``COMMIT``, closed when its
  thread ends (``connections.ThreadConnections``);
* ``PRAGMA journal_mode=WAL`` (readers and the writer never block each other), the
  ``synchronous`` level asked for, and ``busy_timeout``: a writer waits ``timeout``
  seconds for the lock before ``RepositoryBusyError``;
* every use of the file passes the fork gate (``fork_gate``): a ``fork()`` waits for the
  open transactions, and a child forked while one was open refuses the file;
* the driver's errors leave only as the store's typed errors (``driver_errors.translate``);
  when SQLite itself rolled a transaction back with an error (a full disk, an I/O error),
  the transaction is dead: the rest of it and its end raise the same kind of error.

The caller supplies what the file must hold: ``inspect`` looks at an existing file before
anything in it changes (and may refuse it), ``prepare`` brings it up to date (migrations).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from types import TracebackType
from typing import Literal

import chatsession.adapters.sqlite.fork_gate as fork_gate
from chatsession.adapters.sqlite.connections import ThreadConnections
from chatsession.adapters.sqlite.driver_errors import (
    DRIVER,
    MAX_BUSY_TIMEOUT_MS,
    REFUSED,
    after_rollback,
    is_busy,
    translate,
)
from chatsession.adapters.translated_errors import TranslatedErrors
from chatsession.ports.errors import (
    CorruptStoreError,
    RepositoryError,
    StoreUnavailableError,
    TransactionError,
)

Synchronous = Literal["FULL", "NORMAL", "EXTRA"]
Hook = Callable[[sqlite3.Connection], object]

CROSSED_FORK = (
    "this unit of work was opened in the parent process: a unit of work cannot cross "
    "fork() (nothing it does in this process is stored); fork only when no unit of work "
    "is open"
)


class SqliteTransaction:
    """One ``BEGIN IMMEDIATE`` transaction on one thread's connection."""

    __slots__ = ("active", "conn", "failure", "pid")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.pid = os.getpid()
        self.active = True
        # The error with which SQLite rolled this transaction back (then it is dead).
        self.failure: RepositoryError | None = None


class SqliteDatastore:
    """Connections, transactions and typed errors for one SQLite file (a path, not ``:memory:``)."""

    def __init__(
        self,
        path: str,
        *,
        timeout: float = 5.0,
        synchronous: Synchronous = "FULL",
        inspect: Hook | None = None,
        prepare: Hook | None = None,
    ) -> None:
        self.path = path
        self.timeout = timeout
        self._busy_ms = int(min(timeout, MAX_BUSY_TIMEOUT_MS / 1000) * 1000)
        self._synchronous = synchronous
        self._gate_key = os.path.realpath(path)
        self._connections = ThreadConnections(
            path,
            timeout=self._busy_ms / 1000,
            gate_key=self._gate_key,
            configure=self._configure,
            open_error=self._open_error,
        )
        try:
            with fork_gate.Passage(self._gate_key), self.errors(opening=True):
                check_whole_pages(path)
                if inspect is not None and os.path.exists(path):
                    self._inspect(inspect)
                conn = self._connections.get()
                if prepare is not None:
                    prepare(conn)
        except BaseException:
            self.close()
            raise

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._connections.closed

    # ------------------------------------------------------------ transactions

    def begin(self) -> SqliteTransaction:
        """``BEGIN IMMEDIATE`` on this thread's connection: the write lock, taken up front.

        The transaction is a passage of the fork gate until ``commit`` or ``rollback``.
        """
        fork_gate.enter(self._gate_key)
        try:
            conn = self._connections.get()
            with self.errors():
                conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            fork_gate.leave(self._gate_key)
            raise
        return SqliteTransaction(conn)

    def commit(self, txn: SqliteTransaction) -> None:
        """COMMIT ``txn``, unless it cannot be: then raise (and ``rollback`` it after)."""
        self.check_usable(txn)
        if not txn.conn.in_transaction:
            raise TransactionError(
                "the unit of work's transaction was ended behind the repository's back (a "
                "COMMIT or ROLLBACK on its connection); it was not committed"
            )
        with self.errors(txn):
            txn.conn.execute("COMMIT")
        txn.active = False
        fork_gate.leave(self._gate_key)

    def rollback(self, txn: SqliteTransaction) -> None:
        """Roll ``txn`` back (never the parent's, in a forked child); never raises."""
        if not txn.active:
            return
        txn.active = False
        try:
            if txn.pid == os.getpid():
                self._rollback(txn.conn)
        finally:
            fork_gate.leave(self._gate_key)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection for one read outside any transaction (a gate passage)."""
        fork_gate.enter(self._gate_key)
        try:
            yield self._connections.get()
        finally:
            fork_gate.leave(self._gate_key)

    def check_usable(self, txn: SqliteTransaction | None) -> None:
        """Raise if the store is closed, ``txn`` crossed a fork, or SQLite rolled it back."""
        if self.closed:
            raise TransactionError(f"the store at {self.path} is closed")
        if txn is None:
            return
        if not txn.active:
            raise TransactionError("this transaction has ended")
        if txn.pid != os.getpid():
            raise TransactionError(CROSSED_FORK)
        if txn.failure is not None:
            raise after_rollback(txn.failure, self.path)

    def errors(
        self,
        txn: SqliteTransaction | None = None,
        subject: str | None = None,
        *,
        opening: bool = False,
    ) -> TranslatedErrors:
        """``with store.errors(txn):`` turns the driver's errors into the store's, chained."""
        return TranslatedErrors(partial(self.translate, txn=txn, subject=subject, opening=opening))

    def savepoint(self, txn: SqliteTransaction, subject: str) -> _Savepoint:
        """``with store.savepoint(txn, "chat session 7"):``: its statements all, or none."""
        return _Savepoint(self, txn, subject)

    # ------------------------------------------------------------ lifecycle

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (for checks and tools; the datastore owns it)."""
        return self._connections.get()

    def open_connections(self) -> int:
        """How many connections the datastore holds open in this process."""
        return self._connections.count()

    def close(self) -> None:
        """Close every connection opened in this process, every thread's.

        Call it only once no other thread uses the store: a connection closed under a
        thread's running transaction fails it (rolled back, ``TransactionError``).
        """
        self._connections.close()

    # ------------------------------------------------------------ internals

    def translate(
        self,
        exc: BaseException,
        txn: SqliteTransaction | None,
        subject: str | None = None,
        *,
        opening: bool = False,
    ) -> RepositoryError | None:
        """The typed error for ``exc``; marks ``txn`` dead if SQLite rolled it back."""
        if not isinstance(exc, DRIVER):
            return None
        closed = self.closed and isinstance(exc, sqlite3.Error)
        dead = not closed and not isinstance(exc, REFUSED) and _rolled_back(txn)
        error = translate(
            exc,
            path=self.path,
            timeout=self.timeout,
            subject=subject,
            opening=opening,
            closed=closed,
            rolled_back=dead,
        )
        if dead and txn is not None:
            txn.failure = error
        return error

    def _inspect(self, inspect: Hook) -> None:
        probe = sqlite3.connect(self.path, timeout=self._busy_ms / 1000, isolation_level=None)
        try:
            inspect(probe)
        finally:
            probe.close()

    def _configure(self, conn: sqlite3.Connection) -> None:
        with self.errors(opening=True):
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_ms)}")
            self._ensure_wal(conn)
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")

    def _open_error(self, exc: sqlite3.Error) -> RepositoryError:
        error = self.translate(exc, None, opening=True)
        assert error is not None
        return error

    def _ensure_wal(self, conn: sqlite3.Connection) -> None:
        """Put the file in WAL mode (once in its life: the mode is stored in the file).

        Switching needs an exclusive lock, and SQLite answers ``SQLITE_BUSY`` at once
        (no busy handler) when another connection opens a new file at the same moment:
        retry until ``timeout``.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
                if mode != "wal":
                    mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.005)
                continue
            if mode != "wal":
                raise StoreUnavailableError(f"{self.path}: cannot use WAL journal mode ({mode})")
            return

    def _rollback(self, conn: sqlite3.Connection) -> None:
        """Roll back; a connection that cannot is dropped (closing it rolls back)."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            self._connections.drop_current()


_HEADER = b"SQLite format 3\x00"


def check_whole_pages(path: str) -> None:
    """Refuse a SQLite file whose size is not a whole number of its pages (truncated).

    SQLite would go on writing to such a file; ``CorruptStoreError`` leaves it untouched.
    A file that is not SQLite at all is left to the driver (``StoreUnavailableError``).
    """
    try:
        with open(path, "rb") as file:
            header = file.read(100)
            size = os.fstat(file.fileno()).st_size
    except OSError:
        return  # a new file, or one the driver will refuse (or open) with its own words
    if len(header) < 100 or not header.startswith(_HEADER):
        return
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size and size % page_size:
        raise CorruptStoreError(
            f"{path}: its size ({size} bytes) is not a whole number of its {page_size}-byte "
            "pages: the file is truncated or damaged; it was left untouched"
        )


def _rolled_back(txn: SqliteTransaction | None) -> bool:
    """True if SQLite just rolled ``txn`` back (its connection left the transaction)."""
    if txn is None or not txn.active or txn.failure is not None or txn.pid != os.getpid():
        return False
    try:
        return not txn.conn.in_transaction
    except sqlite3.Error:  # a closed connection: not SQLite's doing
        return False


class _Savepoint:
    """The context manager of ``SqliteDatastore.savepoint``: one write, all or nothing."""

    __slots__ = ("_conn", "_errors", "_txn")

    def __init__(self, store: SqliteDatastore, txn: SqliteTransaction, subject: str) -> None:
        self._conn = txn.conn
        self._txn = txn
        self._errors = store.errors(txn, subject)

    def __enter__(self) -> None:
        with self._errors:
            self._conn.execute("SAVEPOINT chatsession_write")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            with self._errors:
                self._conn.execute("RELEASE chatsession_write")
            return
        try:
            self._conn.execute("ROLLBACK TO chatsession_write")
            self._conn.execute("RELEASE chatsession_write")
        except sqlite3.Error:
            # With a driver error, SQLite may have rolled back the whole transaction (and
            # the savepoint with it): mapped below, or already mapped by an ``errors``
            # inside this write, which marked the transaction dead. Otherwise undoing this
            # write failed: that is the error.
            if not isinstance(exc, DRIVER) and self._txn.failure is None:
                with self._errors:
                    raise
        self._errors.__exit__(kind, exc, tb)
