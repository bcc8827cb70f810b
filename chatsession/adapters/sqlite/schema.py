"""The SQLite schema of the chat-session store, as forward migrations.

``MIGRATIONS[n - 1]`` takes a file from ``PRAGMA user_version`` ``n - 1`` to ``n``. Each
migration runs in one ``BEGIN IMMEDIATE`` transaction together with the new
``user_version``, so a crash leaves the file at the old or the new version, never between.
Migrations are only ever appended; a released one is never edited.

The ``chat_session`` table follows SuperOffice's table of the same name (column names,
the ``(status, topic_id, id)`` index), plus the library's ``version`` and
``transfer_requested_at``. Times are ISO 8601 text with the UTC offset; enums and
booleans are integers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from chatsession.ports.repository import SchemaVersionError

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the session table (SuperOffice's chat_session), its queue index, the outbox
    #    and the id sequence.
    (
        """
        CREATE TABLE chat_session (
            id                    INTEGER PRIMARY KEY,
            topic_id              INTEGER NOT NULL,
            user_id               INTEGER,
            customer_id           INTEGER,
            customer_alias        TEXT    NOT NULL DEFAULT '',
            status                INTEGER NOT NULL,
            when_requested        TEXT    NOT NULL,
            when_started          TEXT,
            when_ended            TEXT,
            idle                  TEXT,
            customer_fetch        TEXT,
            session_key           TEXT    NOT NULL DEFAULT '',
            initial_queue_pos     INTEGER NOT NULL DEFAULT 0,
            customer_host         TEXT    NOT NULL DEFAULT '',
            alert_level           INTEGER NOT NULL DEFAULT 0,
            rank                  INTEGER NOT NULL DEFAULT 0,
            name                  TEXT    NOT NULL DEFAULT '',
            company_name          TEXT    NOT NULL DEFAULT '',
            email                 TEXT    NOT NULL DEFAULT '',
            phone                 TEXT    NOT NULL DEFAULT '',
            first_message         TEXT    NOT NULL DEFAULT '',
            last_message          TEXT    NOT NULL DEFAULT '',
            flags                 INTEGER NOT NULL DEFAULT 0,
            project_id            INTEGER,
            sale_id               INTEGER,
            ticket_id             INTEGER,
            contact_id            INTEGER,
            transfer_to           INTEGER,
            consented             INTEGER NOT NULL DEFAULT 0,
            chatbot_isactive      INTEGER NOT NULL DEFAULT 0,
            country               INTEGER,
            rating                INTEGER,
            transfer_requested_at TEXT,
            version               INTEGER NOT NULL CHECK (version >= 1)
        )
        """,
        "CREATE INDEX chat_session_status_topic_id ON chat_session (status, topic_id, id)",
        """
        CREATE TABLE chat_session_outbox (
            sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_session_id INTEGER NOT NULL,
            version         INTEGER NOT NULL,
            event_name      TEXT    NOT NULL,
            occurred_at     TEXT    NOT NULL,
            payload         TEXT    NOT NULL,
            published_at    TEXT
        )
        """,
        """
        CREATE TABLE chat_session_id_sequence (
            only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
            last_id  INTEGER NOT NULL
        )
        """,
        "INSERT INTO chat_session_id_sequence (only_row, last_id) VALUES (1, 0)",
    ),
    # 2: the lookups the service makes often: the oldest waiting session of any topic,
    #    a user's active sessions, a session's outbox records, and the unpublished part
    #    of the outbox.
    (
        "CREATE INDEX chat_session_status_id ON chat_session (status, id)",
        "CREATE INDEX chat_session_user_status ON chat_session (user_id, status)",
        "CREATE INDEX chat_session_outbox_session ON chat_session_outbox (chat_session_id, "
        "version)",
        "CREATE INDEX chat_session_outbox_unpublished ON chat_session_outbox (sequence) "
        "WHERE published_at IS NULL",
    ),
)
"""The forward migrations; the schema version of a file is how many of them it has had."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes and reads."""


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's ``PRAGMA user_version``."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(
    conn: sqlite3.Connection,
    *,
    target: int = SCHEMA_VERSION,
    migrations: Sequence[Sequence[str]] = MIGRATIONS,
    where: str = "",
) -> int:
    """Bring the file of ``conn`` (in autocommit mode) up to ``target``; return its old version.

    Each step runs in its own ``BEGIN IMMEDIATE`` transaction and re-reads the version
    inside it, so processes opening one file at the same moment migrate it once.
    Raises ``SchemaVersionError`` if the file is newer than ``migrations`` know.
    """
    supported = len(migrations)
    found = schema_version(conn)
    if found > supported:
        raise SchemaVersionError(found, supported, where)
    for step in range(found + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)
            if current > supported:
                raise SchemaVersionError(current, supported, where)
            if current < step:
                for statement in migrations[step - 1]:
                    conn.execute(statement)
                # PRAGMA takes no bound parameters; ``step`` is our own int.
                conn.execute(f"PRAGMA user_version = {int(step)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return found
