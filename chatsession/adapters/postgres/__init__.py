"""The PostgreSQL adapter: ``PostgresChatSessionRepository`` on one database (psycopg 3).

Two layers, imports in one direction: ``datastore`` (with ``connections`` and
``driver_errors``) knows PostgreSQL and nothing of chat sessions; ``tables``,
``topic_tables``, ``message_tables`` and ``migrations`` hold the chat-session SQL;
``repository`` answers the store base's primitives with them.

Importing this package needs nothing beyond the core: psycopg (the ``postgres`` extra,
``pip install 'chatsession[postgres]'``) is imported when a repository is opened, and
its absence is an ``ImportError`` that says which extra to install.
"""

from chatsession.adapters.postgres.migrations import MIGRATIONS, SCHEMA_VERSION
from chatsession.adapters.postgres.repository import (
    PostgresChatSessionRepository,
    PostgresUnitOfWork,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "PostgresChatSessionRepository",
    "PostgresUnitOfWork",
]
