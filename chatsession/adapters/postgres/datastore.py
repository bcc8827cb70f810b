"""PostgresDatastore: one PostgreSQL database, shared by threads, processes and hosts.

It knows connections, transactions and the driver's errors, and nothing of chat sessions:

* connections come from a ``psycopg_pool.ConnectionPool`` (the embedding service's, or
  one made from a connection string) or from a connection factory the service supplies
  (``connections``); each unit of work (and each read outside one) borrows one and gives
  it back, in autocommit mode, with explicit ``BEGIN``/``COMMIT``/``ROLLBACK`` (a borrowed
  connection's own autocommit setting is put back when it is returned);
* a unit of work is one ``READ COMMITTED`` transaction with ``SET LOCAL lock_timeout``:
  a statement waits ``timeout`` seconds for a row or advisory lock before
  ``RepositoryBusyError``; so does borrowing a connection from an exhausted pool;
* savepoints make one write all or nothing inside a unit of work;
* the driver's errors leave only as the store's typed errors (``driver_errors.translate``);
  when PostgreSQL aborted a transaction with an error outside a savepoint, the
  transaction is dead: the rest of it and its end raise the same kind of error;
* a repository opened in one process is refused in a forked child (a psycopg connection
  must never be used from two processes): open one in each process.

The caller supplies what the database must hold: ``prepare`` runs once on a borrowed
connection before anything else (it checks and migrates the schema).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from types import TracebackType
from typing import Any

try:
    import psycopg
    from psycopg import pq
    from psycopg.conninfo import conninfo_to_dict
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError as missing:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "PostgreSQL support needs the postgres extra: pip install 'chatsession[postgres]' "
        f"(psycopg 3 and psycopg-pool): {missing}"
    ) from missing

from chatsession.adapters.postgres.connections import (
    Connection,
    ConnectionFactory,
    ConnectionSource,
    FactorySource,
    PoolSource,
)
from chatsession.adapters.postgres.driver_errors import (
    DRIVER,
    after_abort,
    translate,
)
from chatsession.adapters.translated_errors import TranslatedErrors
from chatsession.ports.errors import RepositoryError, StoreUnavailableError, TransactionError

Hook = Callable[[Connection], object]
Source = str | ConnectionPool[Any] | ConnectionFactory

_IDLE = pq.TransactionStatus.IDLE
_INTRANS = pq.TransactionStatus.INTRANS
_INERROR = pq.TransactionStatus.INERROR
MAX_LOCK_TIMEOUT_MS = 2**31 - 1
"""The largest ``lock_timeout`` PostgreSQL takes (an int of milliseconds)."""

CROSSED_FORK = (
    "this unit of work was opened in the parent process: a unit of work cannot cross "
    "fork() (nothing it does in this process is stored); fork only when no unit of work "
    "is open"
)


class PostgresTransaction:
    """One transaction on one borrowed connection."""

    __slots__ = ("active", "conn", "depth", "failure", "pid", "restore")

    def __init__(self, conn: Connection, restore: bool) -> None:
        self.conn = conn
        self.restore = restore  # the connection was not in autocommit mode when lent
        self.pid = os.getpid()
        self.active = True
        self.depth = 0  # open savepoints
        # The error with which PostgreSQL aborted this transaction (then it is dead).
        self.failure: RepositoryError | None = None


class PostgresDatastore:
    """Connections, transactions and typed errors for one PostgreSQL database.

    ``source`` is a connection string (``postgresql://...``; the datastore makes a pool of
    at most ``pool_size`` connections and closes it with itself), a ``ConnectionPool``
    (left open by ``close()``) or a callable that returns a new ``psycopg.Connection``.
    """

    def __init__(
        self,
        source: Source,
        *,
        timeout: float = 5.0,
        pool_size: int = 10,
        prepare: Hook | None = None,
    ) -> None:
        self.timeout = timeout
        self._pid = os.getpid()
        self._closed = False
        lock_ms = max(1, min(MAX_LOCK_TIMEOUT_MS, math.ceil(timeout * 1000)))
        self._begin_sql = (
            f"BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = {int(lock_ms)}"
        )
        self.where = _describe(source)
        self._source: ConnectionSource
        self._dsn: str | None = None  # for dedicated connections; never shown
        if isinstance(source, str):
            self._dsn = source
            conn = self._connect(source)
            try:
                self.where = describe_connection(conn)
                if prepare is not None:
                    with self.errors(opening=True):
                        prepare(conn)
            finally:
                conn.close()
            self._source = PoolSource(self._pool(source, pool_size), owned=True)
            return
        if isinstance(source, ConnectionPool):
            self._source = PoolSource(source, owned=False)
        elif callable(source):
            self._source = FactorySource(source)
        else:
            raise TypeError(
                "a PostgreSQL store takes a connection string, a psycopg_pool.ConnectionPool "
                f"or a connection factory, not {type(source).__name__}"
            )
        try:
            with self.borrowed(opening=True) as conn:
                self.where = describe_connection(conn)
                if prepare is not None:
                    with self.errors(opening=True):
                        prepare(conn)
        except BaseException:
            self.close()
            raise

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    # ------------------------------------------------------------ transactions

    def begin(self) -> PostgresTransaction:
        """``BEGIN`` on a borrowed connection, with the lock timeout of this datastore.

        A pooled connection the server dropped meanwhile (a restart, an idle timeout)
        fails at ``BEGIN``, before anything was done: it is discarded and ``BEGIN`` is
        tried once more on another.
        """
        for attempt in (1, 2):
            conn, restore = self._checkout()
            try:
                with self.errors():
                    conn.execute(self._begin_sql)
            except StoreUnavailableError:
                dead = conn.closed or conn.broken
                self._checkin(conn, restore)
                if dead and attempt == 1:
                    continue
                raise
            except BaseException:
                self._checkin(conn, restore)
                raise
            return PostgresTransaction(conn, restore)
        raise AssertionError("unreachable")  # pragma: no cover

    def commit(self, txn: PostgresTransaction) -> None:
        """COMMIT ``txn``, unless it cannot be: then raise (and ``rollback`` it after)."""
        self.check_usable(txn)
        status = txn.conn.info.transaction_status
        if status == _INERROR:
            raise StoreUnavailableError(
                f"{self.where}: the unit of work's transaction was aborted by an error that "
                "was caught and ignored; it was not committed"
            )
        if status != _INTRANS:
            raise TransactionError(
                "the unit of work's transaction was ended behind the repository's back (a "
                "COMMIT or ROLLBACK on its connection); it was not committed"
            )
        with TranslatedErrors(partial(self.translate, txn=txn, committing=True)):
            txn.conn.execute("COMMIT")
        txn.active = False
        self._checkin(txn.conn, txn.restore)

    def rollback(self, txn: PostgresTransaction) -> None:
        """Roll ``txn`` back and give its connection back; never raises.

        In a forked child the parent's connection is left alone.
        """
        if not txn.active:
            return
        txn.active = False
        if txn.pid != os.getpid():
            return
        conn = txn.conn
        try:
            if not conn.closed and conn.info.transaction_status != _IDLE:
                conn.execute("ROLLBACK")
        except Exception:  # a connection that cannot roll back is closed (that rolls back)
            conn.close()
        finally:
            self._checkin(conn, txn.restore)

    @contextmanager
    def borrowed(self, *, opening: bool = False) -> Iterator[Connection]:
        """A connection for one read outside any transaction (autocommit), given back after."""
        conn, restore = self._checkout(opening=opening)
        try:
            yield conn
        finally:
            self._checkin(conn, restore)

    def check_usable(self, txn: PostgresTransaction | None) -> None:
        """Raise if the store is closed, ``txn`` crossed a fork, or PostgreSQL aborted it."""
        if self._closed:
            raise TransactionError(f"the store at {self.where} is closed")
        if txn is None:
            return
        if not txn.active:
            raise TransactionError("this transaction has ended")
        if txn.pid != os.getpid():
            raise TransactionError(CROSSED_FORK)
        if txn.failure is not None:
            raise after_abort(txn.failure, self.where)

    def in_transaction(self, txn: PostgresTransaction) -> bool:
        """True while ``txn``'s connection is inside its transaction."""
        return not txn.conn.closed and txn.conn.info.transaction_status in (_INTRANS, _INERROR)

    def errors(
        self,
        txn: PostgresTransaction | None = None,
        subject: str | None = None,
        *,
        opening: bool = False,
    ) -> TranslatedErrors:
        """``with store.errors(txn):`` turns the driver's errors into the store's, chained."""
        return TranslatedErrors(partial(self.translate, txn=txn, subject=subject, opening=opening))

    def savepoint(self, txn: PostgresTransaction, subject: str) -> _Savepoint:
        """``with store.savepoint(txn, "chat session 7"):``: its statements all, or none."""
        return _Savepoint(self, txn, subject)

    def dedicated(self) -> DedicatedConnection:
        """A connection held apart from units of work, for a long session (``LISTEN``).

        From a connection string: a new direct connection, outside the pool (the pool's
        connections stay for units of work). From a pool or a factory: one borrowed until
        ``DedicatedConnection.close()``. In autocommit mode either way.
        """
        if self._dsn is not None:
            self._check_process()
            return DedicatedConnection(self, self._connect(self._dsn), direct=True)
        conn, restore = self._checkout()
        return DedicatedConnection(self, conn, direct=False, restore=restore)

    def give_back(self, conn: Connection, *, direct: bool, restore: bool) -> None:
        """End a dedicated connection: close a direct one, un-listen and return a borrowed one.

        In a forked child the parent's connection is left alone. Never raises.
        """
        if os.getpid() != self._pid:
            return
        if direct:
            conn.close()
            return
        if not conn.closed:
            try:
                conn.execute("UNLISTEN *")
            except Exception:
                conn.close()
        self._checkin(conn, restore)

    # ------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the pool the datastore made (or the factory's idle connections).

        A pool the embedding service supplied stays open. In a forked child nothing is
        touched (the connections are the parent's).
        """
        if self._closed:
            return
        self._closed = True
        if os.getpid() == self._pid:
            self._source.close()

    # ------------------------------------------------------------ internals

    def translate(
        self,
        exc: BaseException,
        txn: PostgresTransaction | None,
        subject: str | None = None,
        *,
        opening: bool = False,
        committing: bool = False,
    ) -> RepositoryError | None:
        """The typed error for ``exc``; marks ``txn`` dead if PostgreSQL aborted it."""
        if not isinstance(exc, DRIVER):
            return None
        aborted = (
            txn is not None
            and txn.active
            and txn.failure is None
            and txn.depth == 0
            and txn.pid == os.getpid()
            and (txn.conn.closed or txn.conn.info.transaction_status != _INTRANS)
        )
        error = translate(
            exc,
            where=self.where,
            timeout=self.timeout,
            subject=subject,
            opening=opening,
            closed=self._closed,
            exhausted=isinstance(exc, PoolTimeout) and self._exhausted(),
            aborted=aborted,
            committing=committing,
        )
        if aborted and txn is not None and error is not None and not committing:
            txn.failure = error
        return error

    def _checkout(self, *, opening: bool = False) -> tuple[Connection, bool]:
        """Borrow a connection and put it in autocommit mode; True if it was not in it."""
        self._check_process()
        with self.errors(opening=opening):
            conn = self._source.get(self.timeout)
        restore = False
        try:
            if not conn.autocommit:
                if conn.info.transaction_status != _IDLE:
                    conn.rollback()
                conn.autocommit = True
                restore = True
        except BaseException:
            self._source.put(conn)
            raise
        return conn, restore

    def _checkin(self, conn: Connection, restore: bool) -> None:
        """Give ``conn`` back: idle (rolled back if it is not), its autocommit put back."""
        try:
            if not conn.closed:
                if conn.info.transaction_status != _IDLE:
                    try:
                        conn.execute("ROLLBACK")
                    except Exception:
                        conn.close()
                if restore and not conn.closed:
                    conn.autocommit = False
        except Exception:
            conn.close()
        finally:
            self._source.put(conn)

    def _check_process(self) -> None:
        """Raise in a forked child, or once the datastore is closed."""
        if os.getpid() != self._pid:
            raise StoreUnavailableError(
                f"{self.where}: this repository was opened in process {self._pid}; a psycopg "
                "connection cannot be shared with a forked child: open a repository in each "
                "process"
            )
        if self._closed:
            raise TransactionError(f"the store at {self.where} is closed")

    def _exhausted(self) -> bool:
        try:
            return self._source.exhausted()
        except Exception:  # pragma: no cover - stats of a pool that is going away
            return False

    def _connect(self, dsn: str) -> Connection:
        """A direct connection (for ``prepare``): the driver's own words if it fails."""
        with self.errors(opening=True):
            params = conninfo_to_dict(dsn)
            extra: dict[str, Any] = _defaults(params)
            if "connect_timeout" not in params:
                extra["connect_timeout"] = max(2, math.ceil(min(self.timeout, 3600)))
            return psycopg.connect(dsn, **extra)

    def _pool(self, dsn: str, size: int) -> ConnectionPool[Any]:
        with self.errors(opening=True):
            pool: ConnectionPool[Any] = ConnectionPool(
                dsn,
                min_size=1,
                max_size=size,
                kwargs=_defaults(conninfo_to_dict(dsn)),
                timeout=self.timeout,
                name="chatsession",
                open=True,
            )
            try:
                pool.wait(timeout=max(self.timeout, 1.0))  # its first connection, made now
            except BaseException:
                pool.close(timeout=0)
                raise
        return pool


def _defaults(params: dict[str, Any]) -> dict[str, Any]:
    """What the datastore's own connections add to a connection string's parameters.

    Autocommit (the datastore begins and ends its transactions), and UTF-8 as the client
    encoding unless the string names one.
    """
    extra: dict[str, Any] = {"autocommit": True}
    if "client_encoding" not in params:
        extra["client_encoding"] = "UTF8"
    return extra


def _describe(source: object) -> str:
    """What a source is, for error messages (never with a password)."""
    if isinstance(source, str):
        return f"PostgreSQL {_safe_conninfo(source)}"
    if isinstance(source, ConnectionPool):
        conninfo = source.conninfo
        shown = _safe_conninfo(conninfo) if isinstance(conninfo, str) else "(pool)"
        return f"PostgreSQL {shown} (pool {source.name})"
    return "PostgreSQL (connections from a factory)"


def _safe_conninfo(conninfo: str) -> str:
    """``conninfo`` without its password; a string that does not parse is not shown."""
    try:
        params = conninfo_to_dict(conninfo)
    except Exception:
        return "(a connection string that does not parse)"
    shown = {k: params[k] for k in ("host", "port", "dbname", "user") if params.get(k)}
    return " ".join(f"{k}={v}" for k, v in shown.items()) or "(libpq defaults)"


def describe_connection(conn: Connection) -> str:
    """``PostgreSQL user@host:port/dbname`` of an open connection."""
    info = conn.info
    return f"PostgreSQL {info.user}@{info.host}:{info.port}/{info.dbname}"


class DedicatedConnection:
    """A connection ``PostgresDatastore.dedicated`` handed out; ``close()`` gives it back.

    A direct one is closed; a borrowed one stops listening (``UNLISTEN *``) and goes back
    to its pool or factory source. Used by one thread at a time.
    """

    __slots__ = ("_direct", "_done", "_restore", "_store", "conn")

    def __init__(
        self, store: PostgresDatastore, conn: Connection, *, direct: bool, restore: bool = False
    ) -> None:
        self._store = store
        self.conn = conn
        self._direct = direct
        self._restore = restore
        self._done = False

    @property
    def closed(self) -> bool:
        """True once the connection is closed (given back, or lost)."""
        return self._done or self.conn.closed

    def close(self) -> None:
        """Close (direct) or give back (borrowed) the connection, once; never raises."""
        if self._done:
            return
        self._done = True
        self._store.give_back(self.conn, direct=self._direct, restore=self._restore)

    def __repr__(self) -> str:
        state = "closed" if self.conn.closed else "open"
        return f"DedicatedConnection({self._store.where!r}, {state})"


class _Savepoint:
    """The context manager of ``PostgresDatastore.savepoint``: one write, all or nothing."""

    __slots__ = ("_errors", "_store", "_txn")

    def __init__(self, store: PostgresDatastore, txn: PostgresTransaction, subject: str) -> None:
        self._store = store
        self._txn = txn
        self._errors = store.errors(txn, subject)

    def __enter__(self) -> None:
        with self._errors:
            self._txn.conn.execute("SAVEPOINT chatsession_write")
        self._txn.depth += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        txn = self._txn
        txn.depth -= 1
        if exc is None:
            with self._errors:
                txn.conn.execute("RELEASE SAVEPOINT chatsession_write")
            return
        try:
            txn.conn.execute(
                "ROLLBACK TO SAVEPOINT chatsession_write; RELEASE SAVEPOINT chatsession_write"
            )
        except Exception as undo:
            # Undoing this write failed (the connection is gone, most likely): the whole
            # transaction is dead. The write's own error is what the caller sees.
            if txn.failure is None:
                failure = self._store.translate(undo, None) or StoreUnavailableError(
                    f"{self._store.where}: could not undo a refused write ({undo})"
                )
                failure.__cause__ = undo
                txn.failure = failure
        self._errors.__exit__(kind, exc, tb)
