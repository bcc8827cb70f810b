"""The SQLite adapter: ``SqliteChatSessionRepository`` on one file (stdlib ``sqlite3``).

Two layers, imports in one direction: ``datastore`` (with ``connections``, ``fork_gate``
and ``driver_errors``) knows SQLite and nothing of chat sessions; ``tables`` and
``migrations`` hold the chat-session SQL; ``repository`` answers the store base's
primitives with them.
"""

from chatsession.adapters.sqlite.migrations import MIGRATIONS, SCHEMA_VERSION
from chatsession.adapters.sqlite.repository import SqliteChatSessionRepository, SqliteUnitOfWork

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SqliteChatSessionRepository",
    "SqliteUnitOfWork",
]
