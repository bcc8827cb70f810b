"""Driver errors of sqlite3 mapped to the repository's typed errors (busy, unstorable, ...)."""

from __future__ import annotations

import sqlite3
from types import TracebackType
from typing import TYPE_CHECKING

from chatsession.ports.repository import (
    RepositoryBusyError,
    RepositoryError,
    StoreUnavailableError,
    TransactionError,
    UnstorableSessionError,
)

if TYPE_CHECKING:
    from chatsession.adapters.sqlite.repository import SqliteChatSessionRepository

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_REFUSED = (sqlite3.IntegrityError, OverflowError, UnicodeEncodeError)
_DRIVER = (sqlite3.Error, OverflowError, UnicodeEncodeError)  # what _DriverErrors maps
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

    A value the store refused (``IntegrityError``, ``OverflowError``,
    ``UnicodeEncodeError``) becomes ``UnstorableSessionError``; a driver error of a
    closed repository ``TransactionError``; a busy/locked ``sqlite3.OperationalError``
    ``RepositoryBusyError``; every other ``sqlite3.Error``
    ``StoreUnavailableError``. If SQLite rolled back the thread's open unit of work with
    the error, the unit of work is marked dead (``SqliteTransaction.failure``).
    Everything else passes unchanged.
    """

    __slots__ = ("_opening", "_repo", "_sid")

    def __init__(
        self, repo: SqliteChatSessionRepository, sid: int | None = None, *, opening: bool = False
    ) -> None:
        self._repo = repo
        self._sid = sid
        self._opening = opening

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
        typed = self.typed(exc)
        if typed is not None:
            raise typed from exc

    def typed(self, exc: BaseException) -> RepositoryError | None:
        """The port's error for the driver's ``exc`` (None: not the driver's)."""
        if not isinstance(exc, _DRIVER):
            return None
        repo = self._repo
        if isinstance(exc, _REFUSED):
            what = "a value" if self._sid is None else f"a value of chat session {self._sid}"
            return UnstorableSessionError(
                f"{repo.path}: the store refused {what} ({type(exc).__name__}: {exc}); "
                "nothing was stored"
            )
        if isinstance(exc, sqlite3.Error) and repo._closed:  # its connection closed under it
            return TransactionError(
                f"{repo!r} was closed under this call ({exc}); nothing of it was stored"
            )
        dead = repo._dead_unit_of_work()
        outcome = (
            "SQLite rolled back the whole unit of work: nothing of it was stored"
            if dead is not None
            else "nothing was stored"
        )
        error: RepositoryError
        if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
            error = RepositoryBusyError(
                f"{repo.path}: the database stayed locked by another connection for more "
                f"than the {repo.timeout:g} s timeout ({exc}); {outcome}, try again"
            )
        elif self._opening:
            error = StoreUnavailableError(
                f"{repo.path}: cannot open it as a chatsession SQLite store "
                f"({type(exc).__name__}: {exc})"
            )
        else:
            error = StoreUnavailableError(
                f"{repo.path}: the SQLite store failed ({type(exc).__name__}: {exc}); {outcome}"
            )
        if dead is not None:
            dead.failure = error
        return error


class _WriteGuard(_DriverErrors):
    """One ``add``/``save`` in a savepoint: all of its statements, or none of them."""

    __slots__ = ("_conn",)

    def __init__(
        self, repo: SqliteChatSessionRepository, conn: sqlite3.Connection, sid: int
    ) -> None:
        super().__init__(repo, sid)
        self._conn = conn

    def __enter__(self) -> None:
        try:
            self._conn.execute("SAVEPOINT chatsession_write")
        except sqlite3.Error as failed:
            super().__exit__(type(failed), failed, failed.__traceback__)
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            try:
                self._conn.execute("RELEASE chatsession_write")
            except sqlite3.Error as failed:
                super().__exit__(type(failed), failed, failed.__traceback__)
                raise
            return
        try:
            self._conn.execute("ROLLBACK TO chatsession_write")
            self._conn.execute("RELEASE chatsession_write")
        except sqlite3.Error as failed:
            # With a driver error, SQLite may have rolled back the whole unit of work
            # (mapped below). Otherwise undoing this write failed: that is the error.
            if not isinstance(exc, _DRIVER):
                super().__exit__(type(failed), failed, failed.__traceback__)
                raise
        super().__exit__(kind, exc, tb)


