"""The PostgreSQL schema of the chat-session store, as forward migrations.

``MIGRATIONS[n - 1]`` takes a schema from version ``n - 1`` to ``n``; the versions applied
are rows of the ``chatsession_schema`` table (version, when, what). ``migrate`` runs the
missing ones in one transaction that first takes ``pg_advisory_xact_lock`` on the schema,
then reads the version again: several instances starting at once wait for each other and
migrate once, and a crash leaves the old version or the new one (PostgreSQL's DDL is
transactional). Migrations are only ever appended; a released one is never edited.

The tables have the shape of the SQLite store's: ``chat_session`` after SuperOffice's
table (its column names, the ``(status, topic_id, id)`` index) plus the library's
``version`` and ``transfer_requested_at``; the outbox numbered by an identity column;
topics (settings as one JSON document), their agents and presence; the message log;
the associates' accounts and API tokens.
Times are ``timestamptz``; booleans ``boolean``; enums their integer values; session ids
and topic ids come from the sequences ``chat_session_id_seq`` and ``chat_topic_id_seq``.
Every statement names the schema: the store never depends on ``search_path``.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from chatsession.ports.errors import ForeignStoreError, SchemaVersionError

if TYPE_CHECKING:  # psycopg is the postgres extra's: imported where a connection is used
    import psycopg

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the session table (SuperOffice's chat_session) and its lookups (the queue index,
    #    a user's active sessions), the outbox and its lookups, the session id sequence.
    (
        """
        CREATE TABLE {s}.chat_session (
            id                    integer     PRIMARY KEY CHECK (id > 0),
            topic_id              integer     NOT NULL,
            user_id               integer,
            customer_id           integer,
            customer_alias        text        NOT NULL DEFAULT '',
            status                smallint    NOT NULL,
            when_requested        timestamptz NOT NULL,
            when_started          timestamptz,
            when_ended            timestamptz,
            idle                  timestamptz,
            customer_fetch        timestamptz,
            session_key           text        NOT NULL DEFAULT '',
            initial_queue_pos     integer     NOT NULL DEFAULT 0,
            customer_host         text        NOT NULL DEFAULT '',
            alert_level           integer     NOT NULL DEFAULT 0,
            rank                  integer     NOT NULL DEFAULT 0,
            name                  text        NOT NULL DEFAULT '',
            company_name          text        NOT NULL DEFAULT '',
            email                 text        NOT NULL DEFAULT '',
            phone                 text        NOT NULL DEFAULT '',
            first_message         text        NOT NULL DEFAULT '',
            last_message          text        NOT NULL DEFAULT '',
            flags                 integer     NOT NULL DEFAULT 0,
            project_id            integer,
            sale_id               integer,
            ticket_id             integer,
            contact_id            integer,
            transfer_to           integer,
            consented             boolean     NOT NULL DEFAULT false,
            chatbot_isactive      boolean     NOT NULL DEFAULT false,
            country               integer,
            rating                integer,
            transfer_requested_at timestamptz,
            version               bigint      NOT NULL CHECK (version >= 1)
        )
        """,
        "CREATE INDEX chat_session_status_topic_id ON {s}.chat_session (status, topic_id, id)",
        "CREATE INDEX chat_session_status_id ON {s}.chat_session (status, id)",
        "CREATE INDEX chat_session_user_status ON {s}.chat_session (user_id, status)",
        "CREATE SEQUENCE {s}.chat_session_id_seq AS bigint MINVALUE 1",
        """
        CREATE TABLE {s}.chat_session_outbox (
            sequence        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            chat_session_id integer     NOT NULL,
            version         bigint      NOT NULL,
            event_name      text        NOT NULL,
            occurred_at     timestamptz NOT NULL,
            payload         json        NOT NULL,
            published_at    timestamptz
        )
        """,
        "CREATE INDEX chat_session_outbox_session ON {s}.chat_session_outbox "
        "(chat_session_id, version)",
        "CREATE INDEX chat_session_outbox_unpublished ON {s}.chat_session_outbox (sequence) "
        "WHERE published_at IS NULL",
    ),
    # 2: topics (SuperOffice's chat_topic; the settings as one JSON document), their id
    #    sequence, the agents of a topic (the four rights, keyed by topic and user, looked
    #    up by user too; deleted with their topic) and the users' presence.
    (
        """
        CREATE TABLE {s}.chat_topic (
            id       integer PRIMARY KEY CHECK (id > 0),
            settings json    NOT NULL
        )
        """,
        "CREATE SEQUENCE {s}.chat_topic_id_seq AS bigint MINVALUE 1",
        """
        CREATE TABLE {s}.chat_topic_agent (
            topic_id    integer NOT NULL REFERENCES {s}.chat_topic (id) ON DELETE CASCADE,
            user_id     integer NOT NULL,
            can_listen  boolean NOT NULL,
            can_respond boolean NOT NULL,
            can_manage  boolean NOT NULL,
            can_notify  boolean NOT NULL,
            PRIMARY KEY (topic_id, user_id)
        )
        """,
        "CREATE INDEX chat_topic_agent_user_id ON {s}.chat_topic_agent (user_id, topic_id)",
        """
        CREATE TABLE {s}.chat_presence (
            user_id      integer   PRIMARY KEY,
            present      boolean   NOT NULL,
            display_name text      NOT NULL DEFAULT '',
            topic_ids    integer[] NOT NULL DEFAULT ARRAY[]::integer[]
        )
        """,
    ),
    # 3: the message log (SuperOffice's chat_message): one identity for the store, read by
    #    session in id order.
    (
        """
        CREATE TABLE {s}.chat_message (
            id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            chat_session_id  integer     NOT NULL,
            type             smallint    NOT NULL,
            message          text        NOT NULL,
            author           text        NOT NULL,
            read_by_customer boolean     NOT NULL DEFAULT false,
            special_type     smallint    NOT NULL DEFAULT 0,
            special_param    text        NOT NULL DEFAULT '',
            when_posted      timestamptz NOT NULL
        )
        """,
        "CREATE INDEX chat_message_session ON {s}.chat_message (chat_session_id, id)",
    ),
    # 4: associates who may sign in (their user name unique by its casefold key when not
    #    empty, the password's scrypt hash) and their API tokens, stored by SHA-256.
    (
        """
        CREATE TABLE {s}.associate_account (
            associate_id  integer PRIMARY KEY CHECK (associate_id > 0),
            user_name     text    NOT NULL DEFAULT '',
            user_name_key text    NOT NULL DEFAULT '',
            full_name     text    NOT NULL DEFAULT '',
            deleted       boolean NOT NULL DEFAULT false,
            admin         boolean NOT NULL DEFAULT false,
            password_hash text    NOT NULL DEFAULT ''
        )
        """,
        "CREATE UNIQUE INDEX associate_account_user_name ON {s}.associate_account "
        "(user_name_key) WHERE user_name_key <> ''",
        """
        CREATE TABLE {s}.associate_token (
            id           integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            associate_id integer     NOT NULL REFERENCES {s}.associate_account (associate_id),
            token_hash   text        NOT NULL UNIQUE,
            created      timestamptz NOT NULL,
            revoked      timestamptz
        )
        """,
        "CREATE INDEX associate_token_associate ON {s}.associate_token (associate_id, id)",
    ),
)
"""The forward migrations; a schema's version is how many of them it has had."""

DESCRIPTIONS: tuple[str, ...] = (
    "chat_session, its indexes, the outbox and the session id sequence",
    "topics, their agents and presence",
    "the message log",
    "associate accounts and their API tokens",
)
"""One line per migration, stored with its version."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes and reads."""

VERSION_TABLE = "chatsession_schema"
"""The table that records the versions applied."""

OUR_RELATIONS = frozenset(
    {
        "chat_session",
        "chat_session_outbox",
        "chat_session_id_seq",
        "chat_topic",
        "chat_topic_id_seq",
        "chat_topic_agent",
        "chat_presence",
        "chat_message",
        "associate_account",
        "associate_token",
    }
)
"""The tables and sequences the migrations create (with ``chatsession_schema``)."""

MIGRATION_LOCK = 0x43485353
"""The first key of the migration's advisory lock (``"CHSS"``); the second is the schema's."""

_CREATE_VERSION_TABLE = """
    CREATE TABLE {s}.chatsession_schema (
        version     integer     PRIMARY KEY CHECK (version >= 1),
        applied_at  timestamptz NOT NULL DEFAULT now(),
        description text        NOT NULL
    )
"""
assert len(DESCRIPTIONS) == len(MIGRATIONS)


def quote_ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (``"a""b"`` for ``a"b``)."""
    return '"' + name.replace('"', '""') + '"'


def lock_key(name: str) -> int:
    """A stable int32 advisory-lock key for ``name`` (CRC-32, signed)."""
    key = zlib.crc32(name.encode("utf-8"))
    return key - 2**32 if key >= 2**31 else key


def relations(conn: psycopg.Connection[Any], schema: str) -> set[str]:
    """The names of the tables, views and sequences of ``schema`` (none if it is missing)."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')",
        (schema,),
    ).fetchall()
    return {str(row[0]) for row in rows}


def check_store(
    conn: psycopg.Connection[Any],
    schema: str,
    *,
    supported: int = SCHEMA_VERSION,
    where: str = "",
) -> int:
    """Make sure ``schema`` is a chatsession store (or holds none of its names); its version.

    Raises ``ForeignStoreError`` if the schema holds a table or sequence with one of the
    store's names but no ``chatsession_schema`` record of creating it, a
    ``chatsession_schema`` table of another shape, or a version without the store's
    tables; ``SchemaVersionError`` for a store newer than ``supported``. Other
    applications' tables beside the store's are no concern of it.
    """
    names = relations(conn, schema)

    def foreign(found: int, reason: str) -> ForeignStoreError:
        return ForeignStoreError(found, supported, where, reason)

    if VERSION_TABLE not in names:
        clash = sorted(names & OUR_RELATIONS)
        if clash:
            raise foreign(0, f"it holds {', '.join(clash)} without chatsession's schema table")
        return 0
    from psycopg import Error as DriverError

    q = quote_ident(schema)
    try:
        row = conn.execute(
            f"SELECT max(version), count(description), min(applied_at) FROM {q}.{VERSION_TABLE}"
        ).fetchone()
    except DriverError as exc:
        raise foreign(0, f"its {VERSION_TABLE} table is not chatsession's ({exc})") from exc
    found = row[0] if row is not None and type(row[0]) is int else 0
    if found > supported:
        if "chat_session" in names:
            raise SchemaVersionError(found, supported, where)
        raise foreign(found, f"schema version {found} without chatsession's tables")
    if found == 0:
        raise foreign(0, f"its {VERSION_TABLE} table records no version")
    missing = sorted(_expected(found) - names)
    if missing:
        raise foreign(found, f"schema version {found} without {', '.join(missing)}")
    return found


def migrate(
    conn: psycopg.Connection[Any],
    schema: str,
    *,
    target: int = SCHEMA_VERSION,
    migrations: Sequence[Sequence[str]] = MIGRATIONS,
    where: str = "",
) -> int:
    """Bring ``schema`` up to ``target`` on ``conn`` (in autocommit mode); its old version.

    Creates the schema if it is missing. The steps run in one transaction that holds
    ``pg_advisory_xact_lock(MIGRATION_LOCK, lock_key(schema))`` and re-reads the version
    under it, so instances opening one database at the same moment migrate it once.
    Raises ``SchemaVersionError`` if the store is newer than ``migrations`` know, and
    ``ForeignStoreError`` (see ``check_store``) before changing anything.
    """
    supported = len(migrations)
    found = check_store(conn, schema, supported=supported, where=where)
    if found >= target:
        return found
    q = quote_ident(schema)
    conn.execute("BEGIN")
    try:
        conn.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", (MIGRATION_LOCK, lock_key(schema))
        )
        current = check_store(conn, schema, supported=supported, where=where)
        if current < target:
            exists = conn.execute("SELECT to_regnamespace(%s) IS NOT NULL", (schema,)).fetchone()
            if not (exists and exists[0]):
                conn.execute(f"CREATE SCHEMA {q}")
            if current == 0:
                conn.execute(_CREATE_VERSION_TABLE.format(s=q))
            for step in range(current + 1, target + 1):
                for statement in migrations[step - 1]:
                    conn.execute(statement.format(s=q))
                description = DESCRIPTIONS[step - 1] if step <= len(DESCRIPTIONS) else ""
                conn.execute(
                    f"INSERT INTO {q}.{VERSION_TABLE} (version, description) VALUES (%s, %s)",
                    (step, description),
                )
        conn.execute("COMMIT")
    except BaseException:
        from psycopg import pq

        if not conn.closed and conn.info.transaction_status != pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        raise
    return found


def _expected(version: int) -> set[str]:
    """The relations a store at ``version`` has (the first few of ``OUR_RELATIONS``)."""
    by_step = (
        {"chat_session", "chat_session_outbox", "chat_session_id_seq"},
        {"chat_topic", "chat_topic_id_seq", "chat_topic_agent", "chat_presence"},
        {"chat_message"},
        {"associate_account", "associate_token"},
    )
    out: set[str] = set()
    for names in by_step[: min(version, len(by_step))]:
        out |= names
    return out
