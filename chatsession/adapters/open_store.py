"""``open_repository``: the store a ``--db`` names, a SQLite file or a PostgreSQL database.

A ``postgresql://`` or ``postgres://`` connection string opens a
``PostgresChatSessionRepository`` (the ``postgres`` extra); anything else is the path of
a SQLite file. The backends load only when asked for: opening a SQLite file imports no
psycopg, and a PostgreSQL string without the extra is a ``StoreUnavailableError`` that
names the extra to install.
"""

from __future__ import annotations

from typing import Protocol, Self, runtime_checkable
from urllib.parse import parse_qsl, urlencode, urlsplit

from chatsession.ports.errors import StoreUnavailableError
from chatsession.ports.stores import ChatSessionRepository

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
"""The URI schemes libpq takes for a PostgreSQL connection string."""


@runtime_checkable
class ClosableRepository(ChatSessionRepository, Protocol):
    """A repository that holds connections: close it (or use it as a context manager)."""

    def close(self) -> None:
        """Close every connection the repository opened."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


def is_postgres(db: str) -> bool:
    """True if ``db`` is a PostgreSQL connection URI rather than a file path."""
    return db.strip().lower().startswith(POSTGRES_SCHEMES)


def open_repository(db: str) -> ClosableRepository:
    """The repository ``db`` names: a PostgreSQL URI, or the path of a SQLite file.

    ``postgresql://user@host/dbname`` (or ``postgres://``; libpq's parameters, such as
    ``?options=-csearch_path%3Dchat`` for the schema, in the query string) opens the
    database and migrates its schema; a path opens (or creates) the SQLite file. Raises
    ``StoreUnavailableError`` for a PostgreSQL URI without the ``postgres`` extra
    installed, and what the repository raises otherwise.
    """
    if is_postgres(db):
        try:
            from chatsession.adapters.postgres import PostgresChatSessionRepository

            return PostgresChatSessionRepository(db.strip())
        except ImportError as missing:
            raise StoreUnavailableError(
                "a PostgreSQL database needs the postgres extra: "
                f"pip install 'chatsession[postgres]' ({missing})"
            ) from missing
    from chatsession.adapters.sqlite import SqliteChatSessionRepository

    return SqliteChatSessionRepository(db)


def describe(db: str) -> str:
    """``db`` fit for a message: a PostgreSQL URI without its password (wherever it is)."""
    if not is_postgres(db):
        return db
    parts = urlsplit(db.strip())
    netloc = parts.netloc
    credentials, at, place = netloc.rpartition("@")
    if at:
        user = credentials.partition(":")[0]
        netloc = f"{user}@{place}" if user else place
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"],
        safe="/",
    )
    return f"{parts.scheme}://{netloc}{parts.path}{'?' if query else ''}{query}"
