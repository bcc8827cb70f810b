"""The driver's errors (psycopg 3) as the store's typed errors: one pure function.

``translate`` knows nothing of chat sessions: the caller says where the store is
(``where``, never with a password), what was being written (``subject``) and in which
situation (opening the store, the store closed, the pool exhausted, the transaction
aborted by PostgreSQL). It reads the error's class and SQLSTATE only.
"""

from __future__ import annotations

import psycopg
from psycopg_pool import PoolTimeout

from chatsession.ports.errors import (
    RepositoryBusyError,
    RepositoryError,
    StoreUnavailableError,
    TransactionError,
    UnstorableSessionError,
)

REFUSED = (psycopg.DataError, psycopg.IntegrityError, OverflowError, UnicodeEncodeError)
"""Errors of a value the store refused on a write (SQLSTATE classes 22 and 23 included)."""
DRIVER = (psycopg.Error, OverflowError, UnicodeEncodeError)
"""Every error ``translate`` maps; anything else passes unchanged."""
BUSY_STATES = frozenset({"40001", "40P01", "55P03", "57014"})
"""serialization_failure, deadlock_detected, lock_not_available, query_canceled (a timeout)."""
UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a server error (its class's, or its diagnostics'); None for others."""
    state = getattr(exc, "sqlstate", None)
    return state if isinstance(state, str) else None


def is_busy(exc: BaseException) -> bool:
    """True for what waiting (and trying again) cures: a lock or serialization conflict."""
    state = sqlstate(exc)
    return state in BUSY_STATES or (state is not None and state.startswith("40"))


def refused(exc: BaseException) -> bool:
    """True for a value the server (or the driver) refused to store."""
    if isinstance(exc, REFUSED):
        return True
    state = sqlstate(exc)
    return state is not None and state[:2] in ("22", "23")


def translate(
    exc: BaseException,
    *,
    where: str,
    timeout: float,
    subject: str | None = None,
    opening: bool = False,
    closed: bool = False,
    exhausted: bool = False,
    aborted: bool = False,
    committing: bool = False,
) -> RepositoryError | None:
    """The store's error for the driver's ``exc``; None if ``exc`` is not the driver's.

    * a value the store refused (``DataError``, ``IntegrityError``, SQLSTATE classes 22
      and 23, ``OverflowError``, ``UnicodeEncodeError``): ``UnstorableSessionError``,
      naming ``subject``;
    * any driver error of a ``closed`` store: ``TransactionError``;
    * a lock or statement timeout, a deadlock, a serialization failure (SQLSTATE 40xxx,
      55P03, 57014), or no pooled connection free in time while the pool is
      ``exhausted``: ``RepositoryBusyError``;
    * every other error (a connection refused or lost, a server shutting down, a missing
      table, no privilege): ``StoreUnavailableError`` (``opening``: the store cannot be
      opened at all).

    ``aborted`` says PostgreSQL aborted the whole unit of work with the error; the
    message says so. ``committing``: the error came from ``COMMIT``; a connection lost
    then leaves the outcome unknown, and the message says that instead.
    """
    if not isinstance(exc, DRIVER):
        return None
    if refused(exc):
        what = "a value" if subject is None else f"a value of {subject}"
        return UnstorableSessionError(
            f"{where}: the store refused {what} ({_named(exc)}); nothing was stored"
        )
    if closed:
        return TransactionError(
            f"the store at {where} was closed under this call ({exc}); nothing of it was stored"
        )
    outcome = (
        "PostgreSQL aborted the whole unit of work: nothing of it is stored"
        if aborted
        else "nothing was stored"
    )
    if is_busy(exc):
        return RepositoryBusyError(
            f"{where}: a lock stayed held by another transaction for more than the "
            f"{timeout:g} s timeout, or two transactions conflicted ({_named(exc)}); "
            f"{outcome}, try again"
        )
    if isinstance(exc, PoolTimeout):
        if exhausted:
            return RepositoryBusyError(
                f"{where}: every pooled connection stayed in use for more than the "
                f"{timeout:g} s timeout; {outcome}, try again"
            )
        return StoreUnavailableError(
            f"{where}: no connection to the server within {timeout:g} s (is it running and "
            f"reachable?); {outcome}"
        )
    if opening:
        return StoreUnavailableError(
            f"{where}: cannot open it as a chatsession PostgreSQL store ({_named(exc)})"
        )
    if committing:
        return StoreUnavailableError(
            f"{where}: COMMIT failed ({_named(exc)}); if the connection was lost, whether "
            "the unit of work was stored is unknown: read it back before trying again"
        )
    return StoreUnavailableError(f"{where}: the PostgreSQL store failed ({_named(exc)}); {outcome}")


def after_abort(failure: RepositoryError, where: str) -> RepositoryError:
    """The error every later call of a unit of work gets once PostgreSQL aborted it."""
    busy = isinstance(failure, RepositoryBusyError)
    kind = RepositoryBusyError if busy else StoreUnavailableError
    cause = failure.__cause__ or failure
    error = kind(
        f"{where}: PostgreSQL aborted this unit of work after an error "
        f"({type(cause).__name__}: {cause}); it can do nothing more, and nothing of it "
        "is stored"
    )
    error.__cause__ = cause
    return error


def _named(exc: BaseException) -> str:
    """``Class [SQLSTATE]: message``, on one line."""
    state = sqlstate(exc)
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}{f' [{state}]' if state else ''}: {text}"
