"""The SQLite adapter: ``SqliteChatSessionRepository`` on one file (stdlib ``sqlite3``)."""

from chatsession.adapters.sqlite.outbox import SqliteOutbox
from chatsession.adapters.sqlite.repository import SqliteChatSessionRepository
from chatsession.adapters.sqlite.schema import MIGRATIONS, SCHEMA_VERSION
from chatsession.adapters.sqlite.transaction import SqliteTransaction

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SqliteChatSessionRepository",
    "SqliteOutbox",
    "SqliteTransaction",
]
