"""The chat-session SQL: rows of ``chat_session`` and ``chat_session_outbox``, and the queries.

The columns come from the session's field declarations (``SESSION_FIELDS``: SuperOffice's
column names, such as ``customer_id`` for ``person_id`` and ``idle`` for ``when_idle``);
the ``country`` column has no domain field and stays NULL. Stored forms: datetimes as ISO
8601 text with the offset (``datetime.fromisoformat`` reads back an equal aware datetime),
``status`` and ``flags`` as their integer values, booleans as 0/1. Only parameterised SQL:
every value is bound, the SQL text is built from these constants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from chatsession.adapters.base import NewRecord
from chatsession.adapters.event_codec import dumps, loads
from chatsession.adapters.queries import OutboxQuery, SessionQuery
from chatsession.adapters.session_rows import COLUMN_NAMES, SessionRows, enum_member
from chatsession.domain.session_key import SessionKey
from chatsession.ports.errors import CorruptStoreError
from chatsession.ports.stores import OutboxRecord

_SELECT = f"SELECT {', '.join(COLUMN_NAMES)} FROM chat_session"
SELECT_ONE = f"{_SELECT} WHERE id = ?"
SELECT_VERSION = "SELECT version FROM chat_session WHERE id = ?"
INSERT = (
    f"INSERT INTO chat_session ({', '.join(COLUMN_NAMES)}) "
    f"VALUES ({', '.join('?' for _ in COLUMN_NAMES)})"
)
UPDATE = (
    "UPDATE chat_session SET "
    + ", ".join(f"{c} = ?" for c in COLUMN_NAMES[1:])
    + " WHERE id = ? AND version = ?"
)
NEXT_ID = "UPDATE chat_session_id_sequence SET last_id = last_id + 1"
LAST_ID = "SELECT last_id FROM chat_session_id_sequence"
KEEP_ID = "UPDATE chat_session_id_sequence SET last_id = max(last_id, ?)"
INSERT_EVENT = (
    "INSERT INTO chat_session_outbox (chat_session_id, version, event_name, occurred_at, "
    "payload) VALUES (?, ?, ?, ?, ?)"
)
PURGE_PUBLISHED = (
    "DELETE FROM chat_session_outbox WHERE published_at IS NOT NULL AND published_at < ?"
)
MARK_PUBLISHED = (
    "UPDATE chat_session_outbox SET published_at = ? WHERE sequence = ? AND published_at IS NULL"
)
_SELECT_RECORDS = (
    "SELECT sequence, chat_session_id, version, event_name, occurred_at, payload, "
    "published_at FROM chat_session_outbox WHERE sequence > ?"
)

# ----------------------------------------------------------------- session rows


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _to_column(kind: type) -> Callable[[Any], Any] | None:
    if kind is datetime:
        return _utc_text  # stored times are UTC, whatever offset a caller gave
    if kind is bool:
        return int
    if issubclass(kind, Enum):
        return int
    return None


def _from_column(kind: type) -> Callable[[Any], Any] | None:
    if kind is SessionKey:
        return SessionKey
    if kind is datetime:
        return datetime.fromisoformat
    if kind is bool:
        return bool
    if issubclass(kind, Enum):
        return enum_member(kind)
    return None


_ROWS = SessionRows(_to_column, _from_column)
session_to_row = _ROWS.session_to_row
row_to_session = _ROWS.row_to_session
"""The session a row holds; ``CorruptStoreError`` naming ``where`` (the file) if damaged."""
insert_params = _ROWS.insert_params
update_params = _ROWS.update_params


def select_sessions(query: SessionQuery, *, count: bool = False) -> tuple[str, list[Any]]:
    """The SQL and parameters of ``query`` (or of counting its matches)."""
    sql = "SELECT count(*) FROM chat_session" if count else _SELECT
    clauses = ["id > ?"]
    params: list[Any] = [query.after]
    if query.statuses is not None:
        clauses.append(f"status IN ({', '.join('?' for _ in query.statuses)})")
        params.extend(sorted(int(s) for s in query.statuses))
    if query.topic_id is not None:
        clauses.append("topic_id = ?")
        params.append(query.topic_id)
    if query.user_id is not None:
        clauses.append("user_id = ?")
        params.append(query.user_id)
    if not query.with_bots:
        clauses.append("chatbot_isactive = 0")
    sql += " WHERE " + " AND ".join(clauses)
    if count:
        return sql, params
    sql += " ORDER BY id"
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    return sql, params


# ----------------------------------------------------------------- outbox rows


def event_row(record: NewRecord) -> tuple[Any, ...]:
    """The parameters of ``INSERT_EVENT`` for one new outbox record."""
    return (
        record.chat_session_id,
        record.version,
        record.event_name,
        record.occurred_at.isoformat(),
        dumps(record.payload),
    )


def select_records(query: OutboxQuery) -> tuple[str, list[Any]]:
    """The SQL and parameters of an outbox read."""
    sql = _SELECT_RECORDS
    params: list[Any] = [query.after]
    if not query.include_published:
        sql += " AND published_at IS NULL"
    if query.chat_session_id is not None:
        sql += " AND chat_session_id = ?"
        params.append(query.chat_session_id)
    sql += " ORDER BY sequence LIMIT ?"
    params.append(-1 if query.limit is None else query.limit)
    return sql, params


def record_from_row(row: Sequence[Any], where: str) -> OutboxRecord:
    """The outbox record of a row of ``select_records``; ``CorruptStoreError`` if damaged."""
    try:
        if not all(type(row[i]) is int for i in (0, 1, 2)) or type(row[3]) is not str:
            raise TypeError("sequence, chat_session_id and version must be integers")
        return OutboxRecord(
            sequence=row[0],
            chat_session_id=row[1],
            version=row[2],
            event_name=row[3],
            occurred_at=datetime.fromisoformat(row[4]),
            payload=loads(row[5]),
            published_at=None if row[6] is None else datetime.fromisoformat(row[6]),
        )
    except (ValueError, TypeError) as exc:
        raise CorruptStoreError(
            f"{where}: chat_session_outbox row sequence={row[0]!r} is damaged "
            f"({type(exc).__name__}: {exc})"
        ) from exc
