"""The SQLite schema of the chat-session store, as forward migrations.

``MIGRATIONS[n - 1]`` takes a file from ``PRAGMA user_version`` ``n - 1`` to ``n``. Each
migration runs in one ``BEGIN IMMEDIATE`` transaction together with the new
``user_version``, so a crash leaves the file at the old or the new version, never between.
Migrations are only ever appended; a released one is never edited.

The ``chat_session`` table follows SuperOffice's table of the same name (column names,
the ``(status, topic_id, id)`` index), plus the library's ``version`` and
``transfer_requested_at``. Times are ISO 8601 text with the UTC offset; enums and
booleans are integers.

``chat_topic`` keeps each topic's settings as one JSON document (``ChatTopic``'s own JSON,
read back strictly): a release that adds a topic setting appends a migration that writes
it into the stored documents, so that an older release refuses the file (its schema is
newer) rather than a document it does not know.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from chatsession.ports.errors import ForeignStoreError, SchemaVersionError

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
    # 3: mark the file as chatsession's (``PRAGMA application_id``, in the file header), so
    #    that neither chatsession nor another application takes one for its own.
    (f"PRAGMA application_id = {0x43485353}",),
    # 4: topics (SuperOffice's chat_topic; the settings as one JSON document), their id
    #    sequence, the agents of a topic (chat_topic_agent: the four rights, keyed by topic
    #    and user, looked up by user too) and the users' presence.
    (
        """
        CREATE TABLE chat_topic (
            id       INTEGER PRIMARY KEY,
            settings TEXT    NOT NULL
        )
        """,
        """
        CREATE TABLE chat_topic_id_sequence (
            only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
            last_id  INTEGER NOT NULL
        )
        """,
        "INSERT INTO chat_topic_id_sequence (only_row, last_id) VALUES (1, 0)",
        """
        CREATE TABLE chat_topic_agent (
            topic_id    INTEGER NOT NULL,
            user_id     INTEGER NOT NULL,
            can_listen  INTEGER NOT NULL,
            can_respond INTEGER NOT NULL,
            can_manage  INTEGER NOT NULL,
            can_notify  INTEGER NOT NULL,
            PRIMARY KEY (topic_id, user_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX chat_topic_agent_user_id ON chat_topic_agent (user_id, topic_id)",
        """
        CREATE TABLE chat_presence (
            user_id      INTEGER PRIMARY KEY,
            present      INTEGER NOT NULL,
            display_name TEXT    NOT NULL DEFAULT '',
            topic_ids    TEXT    NOT NULL DEFAULT '[]'
        )
        """,
    ),
    # 5: the message log (SuperOffice's chat_message): one id sequence for the store,
    #    read by session in id order.
    (
        """
        CREATE TABLE chat_message (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_session_id  INTEGER NOT NULL,
            type             INTEGER NOT NULL,
            message          TEXT    NOT NULL,
            author           TEXT    NOT NULL,
            read_by_customer INTEGER NOT NULL DEFAULT 0,
            special_type     INTEGER NOT NULL DEFAULT 0,
            special_param    TEXT    NOT NULL DEFAULT '',
            when_posted      TEXT    NOT NULL
        )
        """,
        "CREATE INDEX chat_message_session ON chat_message (chat_session_id, id)",
    ),
    # 6: associates who may sign in (their user name unique by its casefold key when not
    #    empty, the password's scrypt hash) and their API tokens, stored by SHA-256.
    (
        """
        CREATE TABLE associate_account (
            associate_id  INTEGER PRIMARY KEY,
            user_name     TEXT    NOT NULL DEFAULT '',
            user_name_key TEXT    NOT NULL DEFAULT '',
            full_name     TEXT    NOT NULL DEFAULT '',
            deleted       INTEGER NOT NULL DEFAULT 0,
            admin         INTEGER NOT NULL DEFAULT 0,
            password_hash TEXT    NOT NULL DEFAULT ''
        )
        """,
        "CREATE UNIQUE INDEX associate_account_user_name ON associate_account (user_name_key) "
        "WHERE user_name_key <> ''",
        """
        CREATE TABLE associate_token (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            associate_id INTEGER NOT NULL REFERENCES associate_account (associate_id),
            token_hash   TEXT    NOT NULL UNIQUE,
            created      TEXT    NOT NULL,
            revoked      TEXT
        )
        """,
        "CREATE INDEX associate_token_associate ON associate_token (associate_id, id)",
    ),
)
"""The forward migrations; the schema version of a file is how many of them it has had."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes and reads."""

APPLICATION_ID = 0x43485353
"""The ``PRAGMA application_id`` of a chatsession file (``"CHSS"``), set by migration 3."""

OUR_TABLES = frozenset({"chat_session", "chat_session_outbox", "chat_session_id_sequence"})
"""The tables every chatsession file has from schema version 1 on (so a file of any release
is recognised as chatsession's; the topic tables of version 4 are not among them)."""


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's ``PRAGMA user_version``."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def check_store(
    conn: sqlite3.Connection, *, supported: int = SCHEMA_VERSION, where: str = ""
) -> int:
    """Make sure the file of ``conn`` is a chatsession store (or empty); return its version.

    Only reads, in one read transaction (so a migration committing meanwhile is seen
    whole or not at all): it runs before anything changes the file. Raises
    ``ForeignStoreError`` for another application's file: one with an
    ``application_id`` that is not ``APPLICATION_ID``; at version 0 with any schema
    object at all (a chatsession file gets its tables and version 1 in one
    transaction); at a version this code knows, without chatsession's tables; or newer,
    with neither chatsession's ``application_id`` nor its tables. Raises
    ``SchemaVersionError`` for a chatsession file newer than ``supported``.
    """
    conn.execute("BEGIN")
    try:
        found = schema_version(conn)
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        names = sorted(
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            )
        )
        objects = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # it only read

    def foreign(reason: str) -> ForeignStoreError:
        return ForeignStoreError(found, supported, where, reason)

    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    if app_id not in (0, APPLICATION_ID):
        raise foreign(f"its application_id is {app_id:#x}, not chatsession's")
    has_ours = OUR_TABLES.issubset(names)
    if found > supported:
        if app_id == APPLICATION_ID or has_ours:
            raise SchemaVersionError(found, supported, where)
        raise foreign(f"schema version {found} without chatsession's tables: {shown or 'none'}")
    if found == 0:
        if objects:
            raise foreign(f"it holds a schema of its own: {shown or 'views, indexes'}")
        return found
    if not has_ours:
        raise foreign(f"schema version {found} without chatsession's tables: {shown or 'none'}")
    return found


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
