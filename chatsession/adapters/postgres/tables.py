"""The chat-session SQL for PostgreSQL: rows of ``chat_session`` and the outbox, and the queries.

The columns come from the session's field declarations (``SESSION_FIELDS``: SuperOffice's
column names, such as ``customer_id`` for ``person_id``), as in the SQLite store. Stored
forms: datetimes as ``timestamptz`` (bound in UTC; read back as the same instants in UTC
whatever the connection's ``TimeZone``), ``status`` and ``flags`` as their integer values,
booleans as ``boolean``, the outbox payload as ``json`` text (``event_codec.dumps``).

Text: PostgreSQL's ``text`` cannot hold U+0000, which the domain allows in every text field.
``store_text`` writes U+0000 as U+FFFF ``0`` and U+FFFF (a noncharacter, never in real
text) as U+FFFF U+FFFF; ``load_text`` reverses it. Text without either is stored as it is.

Every statement names its schema (``Tables(schema)``) and binds every value.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from chatsession.adapters.base import NewRecord
from chatsession.adapters.event_codec import dumps, loads
from chatsession.adapters.queries import OutboxQuery, SessionQuery
from chatsession.adapters.session_rows import COLUMN_NAMES, SessionRows, enum_member
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.session_key import SessionKey
from chatsession.ports.errors import CorruptStoreError
from chatsession.ports.stores import OutboxRecord

assert COLUMN_NAMES[0] == "id"

SESSION_QUERY_FIELDS = frozenset({"after", "limit", "statuses", "topic_id", "user_id", "with_bots"})
"""The ``SessionQuery`` fields ``select_sessions`` answers (a test compares with the class)."""

# ----------------------------------------------------------------- text

ESCAPE = "\uffff"
_ESCAPED = re.compile("\uffff(.)", re.S)


def store_text(value: str) -> str:
    """``value`` as a plain ``str`` PostgreSQL can hold (see the module docstring)."""
    plain = str.__str__(value)  # a SessionKey's real value, not its mask
    if "\x00" not in plain and ESCAPE not in plain:
        return plain
    return plain.replace(ESCAPE, ESCAPE + ESCAPE).replace("\x00", ESCAPE + "0")


def _unescape(match: re.Match[str]) -> str:
    char = match.group(1)
    return "\x00" if char == "0" else char


def load_text(value: object) -> str:
    """The text ``store_text`` stored; ``TypeError`` for what is no text."""
    if type(value) is not str:
        raise TypeError(f"{type(value).__name__} is no text")
    return value if ESCAPE not in value else _ESCAPED.sub(_unescape, value)


def utc_time(value: object) -> datetime:
    """A ``timestamptz`` read back as the same instant in UTC; ``TypeError`` for others."""
    if type(value) is not datetime or value.tzinfo is None:
        raise TypeError(f"{value!r} is no timestamptz")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def bound_time(value: datetime) -> datetime:
    """An aware datetime as the same instant in UTC, to bind."""
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def flag(value: object) -> bool:
    """A stored ``boolean``; anything else is damage."""
    if type(value) is not bool:
        raise TypeError(f"{value!r} is no boolean")
    return value


# ----------------------------------------------------------------- session rows


def _to_column(kind: type) -> Callable[[Any], Any] | None:
    if kind is datetime:
        return bound_time  # stored times are UTC, whatever offset a caller gave
    if kind is bool:
        return None
    if issubclass(kind, Enum):
        return int
    if issubclass(kind, str):
        return store_text
    return None


def _from_column(kind: type) -> Callable[[Any], Any] | None:
    if kind is SessionKey:
        return lambda value: SessionKey(load_text(value))
    if kind is str:
        return load_text
    if kind is datetime:
        return utc_time
    if kind is bool:
        return flag
    if issubclass(kind, Enum):
        return enum_member(kind)
    return None


_ROWS = SessionRows(_to_column, _from_column)
session_to_row = _ROWS.session_to_row
row_to_session = _ROWS.row_to_session
"""The session a row holds; ``CorruptStoreError`` naming ``where`` (the store) if damaged."""
insert_params = _ROWS.insert_params
update_params = _ROWS.update_params


def record_params(record: NewRecord) -> tuple[Any, ...]:
    """The parameters of one row of ``Tables.insert_records``."""
    return (
        record.chat_session_id,
        record.version,
        record.event_name,
        bound_time(record.occurred_at),
        dumps(record.payload),
    )


def record_from_row(row: Sequence[Any], where: str) -> OutboxRecord:
    """The outbox record of a row of ``Tables.select_records``; ``CorruptStoreError`` if damaged."""
    try:
        if not all(type(row[i]) is int for i in (0, 1, 2)) or type(row[3]) is not str:
            raise TypeError("sequence, chat_session_id and version must be integers")
        return OutboxRecord(
            sequence=row[0],
            chat_session_id=row[1],
            version=row[2],
            event_name=row[3],
            occurred_at=utc_time(row[4]),
            payload=loads(row[5]),
            published_at=None if row[6] is None else utc_time(row[6]),
        )
    except (ValueError, TypeError, ChatSessionError) as exc:
        raise CorruptStoreError(
            f"{where}: chat_session_outbox row sequence={row[0]!r} is damaged "
            f"({type(exc).__name__}: {exc})"
        ) from exc


# ----------------------------------------------------------------- statements


class Tables:
    """The statements on the session and outbox tables of one schema (a quoted name)."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        sessions = f"{schema}.chat_session"
        self.outbox = f"{schema}.chat_session_outbox"
        self.id_sequence = f"{schema}.chat_session_id_seq"
        self._select = f"SELECT {', '.join(COLUMN_NAMES)} FROM {sessions}"
        self._count = f"SELECT count(*) FROM {sessions}"
        self.select_one = f"{self._select} WHERE id = %s"
        self.select_one_for_update = f"{self.select_one} FOR UPDATE"
        self.select_version = f"SELECT version FROM {sessions} WHERE id = %s"
        # Inserts a row and says whether its id is at or past the sequence's next value
        # (then the id sequence must be moved past it: ``keep_id``).
        self.insert = (
            f"WITH inserted AS (INSERT INTO {sessions} ({', '.join(COLUMN_NAMES)}) "
            f"VALUES ({', '.join('%s' for _ in COLUMN_NAMES)}) RETURNING id) "
            "SELECT inserted.id >= seq.last_value + seq.is_called::int "
            f"FROM inserted, {self.id_sequence} AS seq"
        )
        self.update = (
            f"UPDATE {sessions} SET "
            + ", ".join(f"{c} = %s" for c in COLUMN_NAMES[1:])
            + " WHERE id = %s AND version = %s"
        )
        self.keep_id = keep_sequence(self.id_sequence)
        self.purge_published = (
            f"DELETE FROM {self.outbox} WHERE published_at IS NOT NULL AND published_at < %s"
        )
        self.mark_published = (
            f"UPDATE {self.outbox} SET published_at = %s "
            "WHERE sequence = ANY(%s::bigint[]) AND published_at IS NULL"
        )
        self._select_records = (
            "SELECT sequence, chat_session_id, version, event_name, occurred_at, payload::text, "
            f"published_at FROM {self.outbox} WHERE sequence > %s"
        )
        self._insert_records: dict[int, str] = {}

    def insert_records(self, count: int) -> str:
        """The INSERT of ``count`` outbox rows, and the ``NOTIFY`` of the outbox's channel.

        Parameters: ``record_params`` of each row, flattened, then the channel
        (``outbox_channel``). One statement, one round trip: the notification is queued in
        the transaction (and in its savepoint), so listeners hear it only when it commits;
        PostgreSQL folds a transaction's identical notifications into one.
        """
        sql = self._insert_records.get(count)
        if sql is None:
            rows = ", ".join("(%s, %s, %s, %s, %s::json)" for _ in range(count))
            sql = self._insert_records[count] = (
                f"WITH appended AS (INSERT INTO {self.outbox} (chat_session_id, version, "
                f"event_name, occurred_at, payload) VALUES {rows}) SELECT pg_notify(%s, '')"
            )
        return sql

    def select_sessions(
        self, query: SessionQuery, *, count: bool = False, skip_locked: bool = False
    ) -> tuple[str, list[Any]]:
        """The SQL and parameters of ``query`` (or of counting its matches).

        ``skip_locked``: lock the rows read (``FOR UPDATE``), passing over those another
        transaction holds (``SKIP LOCKED``).
        """
        clauses = ["id > %s"]
        params: list[Any] = [query.after]
        if query.statuses is not None:
            if query.statuses:
                clauses.append("status = ANY(%s::smallint[])")
                params.append(sorted(int(s) for s in query.statuses))
            else:
                clauses.append("false")
        if query.topic_id is not None:
            clauses.append("topic_id = %s")
            params.append(query.topic_id)
        if query.user_id is not None:
            clauses.append("user_id = %s")
            params.append(query.user_id)
        if not query.with_bots:
            clauses.append("NOT chatbot_isactive")
        where = " WHERE " + " AND ".join(clauses)
        if count:
            return self._count + where, params
        sql = self._select + where + " ORDER BY id"
        if query.limit is not None:
            sql += " LIMIT %s"
            params.append(query.limit)
        if skip_locked:
            sql += " FOR UPDATE SKIP LOCKED"
        return sql, params

    def select_records(self, query: OutboxQuery) -> tuple[str, list[Any]]:
        """The SQL and parameters of an outbox read."""
        sql = self._select_records
        params: list[Any] = [query.after]
        if not query.include_published:
            sql += " AND published_at IS NULL"
        if query.chat_session_id is not None:
            sql += " AND chat_session_id = %s"
            params.append(query.chat_session_id)
        sql += " ORDER BY sequence LIMIT %s"
        params.append(query.limit)  # None: LIMIT NULL, no limit
        return sql, params


def outbox_channel(schema: str) -> str:
    """The ``NOTIFY`` channel of the outbox of ``schema`` (an unquoted name).

    ``chatsession_outbox:<schema>`` when it fits PostgreSQL's 63 bytes, else the schema's
    SHA-256 (its first 40 hex digits) in its place: two schemas never share a channel.
    """
    channel = f"chatsession_outbox:{schema}"
    if len(channel.encode("utf-8")) <= 63:
        return channel
    return f"chatsession_outbox:{hashlib.sha256(schema.encode('utf-8')).hexdigest()[:40]}"


OUTBOX_CLAIM = "SELECT pg_try_advisory_xact_lock(%s)"
"""Try to take a session's outbox claim (a transaction-level advisory lock; ``claim_key``)."""


def claim_key(schema: str, chat_session_id: int) -> int:
    """The bigint advisory-lock key of a session's outbox claim: the schema's, then the id.

    The one-``bigint`` form of advisory locks, apart from the two-``int4`` keys the store's
    other locks use; the high half is the schema's CRC-32, so schemas do not contend.
    """
    high = zlib.crc32(schema.encode("utf-8"))
    key = (high << 32) | chat_session_id
    return key - 2**64 if key >= 2**63 else key


DRAW = "SELECT nextval(%s::regclass) FROM pg_advisory_xact_lock_shared(%s, %s)"
"""Draw from a sequence under a shared advisory lock, held to the transaction's end.

Parameters: the sequence's name (a ``regclass``) and the two lock keys. Draws never wait
for each other; they wait only for a ``keep_sequence`` in progress (its exclusive lock).
"""


def keep_sequence(sequence: str) -> tuple[str, str]:
    """Move ``sequence`` past a stored id: take the exclusive lock, then ``setval`` if behind.

    Two statements (the lock must be held before the sequence is read). Parameters: the
    two lock keys; then the sequence's name and the id, twice.
    """
    return (
        "SELECT pg_advisory_xact_lock(%s, %s)",
        f"SELECT setval(%s::regclass, %s) FROM {sequence} WHERE %s >= last_value + is_called::int",
    )
