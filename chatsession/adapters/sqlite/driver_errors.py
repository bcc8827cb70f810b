"""The driver's errors (``sqlite3``) as the store's typed errors: one pure function.

``translate`` knows nothing of chat sessions: the caller says what was being written
(``subject``) and in which situation (opening the file, the store closed, the unit of
work rolled back by SQLite).
"""

from __future__ import annotations

import sqlite3

from chatsession.ports.errors import (
    RepositoryBusyError,
    RepositoryError,
    StoreUnavailableError,
    TransactionError,
    UnstorableSessionError,
)

SQLITE_BUSY, SQLITE_LOCKED = 5, 6
REFUSED = (sqlite3.IntegrityError, OverflowError, UnicodeEncodeError)
"""Errors of a value the store refused on a write."""
DRIVER = (sqlite3.Error, OverflowError, UnicodeEncodeError)
"""Every error ``translate`` maps; anything else passes unchanged."""
MAX_BUSY_TIMEOUT_MS = 2**31 - 1
"""The largest ``busy_timeout`` (a C int of milliseconds)."""


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """True for SQLite's "database is locked"/"database is busy" (SQLITE_BUSY/LOCKED)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED):
        return True
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def translate(
    exc: BaseException,
    *,
    path: str,
    timeout: float,
    subject: str | None = None,
    opening: bool = False,
    closed: bool = False,
    rolled_back: bool = False,
) -> RepositoryError | None:
    """The store's error for the driver's ``exc``; None if ``exc`` is not the driver's.

    * a value the store refused (``IntegrityError``, ``OverflowError``,
      ``UnicodeEncodeError``): ``UnstorableSessionError``, naming ``subject``;
    * any driver error of a ``closed`` store: ``TransactionError``;
    * "database is locked"/"busy": ``RepositoryBusyError``;
    * every other ``sqlite3.Error``: ``StoreUnavailableError`` (``opening``: it cannot be
      opened at all).

    ``rolled_back`` says SQLite rolled the whole unit of work back with the error; the
    message says so.
    """
    if not isinstance(exc, DRIVER):
        return None
    if isinstance(exc, REFUSED):
        what = "a value" if subject is None else f"a value of {subject}"
        return UnstorableSessionError(
            f"{path}: the store refused {what} ({type(exc).__name__}: {exc}); nothing was stored"
        )
    if closed:
        return TransactionError(
            f"the store at {path} was closed under this call ({exc}); nothing of it was stored"
        )
    outcome = (
        "SQLite rolled back the whole unit of work: nothing of it was stored"
        if rolled_back
        else "nothing was stored"
    )
    if isinstance(exc, sqlite3.OperationalError) and is_busy(exc):
        return RepositoryBusyError(
            f"{path}: the database stayed locked by another connection for more than the "
            f"{timeout:g} s timeout ({exc}); {outcome}, try again"
        )
    if opening:
        return StoreUnavailableError(
            f"{path}: cannot open it as a chatsession SQLite store ({type(exc).__name__}: {exc})"
        )
    return StoreUnavailableError(
        f"{path}: the SQLite store failed ({type(exc).__name__}: {exc}); {outcome}"
    )


def after_rollback(failure: RepositoryError, path: str) -> RepositoryError:
    """The error every later call of a unit of work gets once SQLite rolled it back."""
    busy = isinstance(failure, RepositoryBusyError)
    kind = RepositoryBusyError if busy else StoreUnavailableError
    cause = failure.__cause__ or failure
    error = kind(
        f"{path}: SQLite rolled back this unit of work after an error "
        f"({type(cause).__name__}: {cause}); it can do nothing more, and nothing of it "
        "was stored"
    )
    error.__cause__ = cause
    return error
