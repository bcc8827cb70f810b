"""Mapping a ``ChatSession`` to a ``chat_session`` row and back.

``COLUMNS`` pairs each column with the session field it stores; the SuperOffice names
differ from the entity's in a few places (``customer_id`` is ``person_id``, ``idle`` is
``when_idle``, ``customer_fetch`` is ``when_fetched``, ``name``/``email``/``phone``/
``company_name``/``consented`` are the ``customer_*`` fields, ``chatbot_isactive`` is
``chatbot_is_active``). The ``country`` column has no domain field and stays NULL.

Stored forms: datetimes as ISO 8601 text with the offset (``datetime.isoformat()``;
``datetime.fromisoformat`` reads back an equal aware datetime with the same offset),
``status`` and ``flags`` as their integer values, booleans as 0/1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.session import FIELDS, ChatSession
from chatsession.domain.status import ChatSessionStatus
from chatsession.ports.clock import Clock

COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "chat_session_id"),
    ("topic_id", "topic_id"),
    ("status", "status"),
    ("user_id", "user_id"),
    ("customer_id", "person_id"),
    ("customer_alias", "customer_alias"),
    ("customer_host", "customer_host"),
    ("name", "customer_name"),
    ("email", "customer_email"),
    ("phone", "customer_phone"),
    ("consented", "customer_consented"),
    ("company_name", "customer_company_name"),
    ("first_message", "first_message"),
    ("last_message", "last_message"),
    ("when_requested", "when_requested"),
    ("when_started", "when_started"),
    ("when_ended", "when_ended"),
    ("idle", "when_idle"),
    ("customer_fetch", "when_fetched"),
    ("session_key", "session_key"),
    ("initial_queue_pos", "initial_queue_pos"),
    ("alert_level", "alert_level"),
    ("rank", "rank"),
    ("flags", "flags"),
    ("contact_id", "contact_id"),
    ("project_id", "project_id"),
    ("sale_id", "sale_id"),
    ("ticket_id", "ticket_id"),
    ("transfer_to", "transfer_to"),
    ("chatbot_isactive", "chatbot_is_active"),
    ("rating", "rating"),
    ("transfer_requested_at", "transfer_requested_at"),
    ("version", "version"),
)
"""(column, ``ChatSession`` field) for every stored field, in ``FIELDS`` order."""

assert tuple(f for _, f in COLUMNS) == FIELDS, "COLUMNS must cover ChatSession.FIELDS in order"

COLUMN_NAMES: tuple[str, ...] = tuple(c for c, _ in COLUMNS)
"""The stored columns, in ``FIELDS`` order."""

_DATETIMES = frozenset(
    {
        "when_requested",
        "when_started",
        "when_ended",
        "when_idle",
        "when_fetched",
        "transfer_requested_at",
    }
)
_BOOLS = frozenset({"customer_consented", "chatbot_is_active"})


def _dt_out(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt_in(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _bool_out(value: bool) -> int:
    return 1 if value else 0


def _bool_in(value: int) -> bool:
    return bool(value)


def _int_out(value: Any) -> Any:
    return None if value is None else int(value)


def _same(value: Any) -> Any:
    return value


def _encoder(field: str) -> Callable[[Any], Any]:
    if field in _DATETIMES:
        return _dt_out
    if field in _BOOLS:
        return _bool_out
    if field in ("status", "flags"):
        return _int_out
    return _same


def _decoder(field: str) -> Callable[[Any], Any]:
    if field in _DATETIMES:
        return _dt_in
    if field in _BOOLS:
        return _bool_in
    if field == "status":
        return ChatSessionStatus
    if field == "flags":
        return ChatSessionFlags
    return _same


_ENCODERS = tuple((f, _encoder(f)) for f in FIELDS)
_DECODERS = tuple((f, _decoder(f)) for f in FIELDS)


def session_to_row(session: ChatSession) -> tuple[Any, ...]:
    """The column values of ``session``, in ``COLUMN_NAMES`` order."""
    return tuple(encode(getattr(session, f)) for f, encode in _ENCODERS)


def row_to_session(row: Sequence[Any], clock: Clock) -> ChatSession:
    """The session stored in ``row`` (``COLUMN_NAMES`` order), reading time from ``clock``."""
    kwargs = {f: decode(value) for (f, decode), value in zip(_DECODERS, row, strict=True)}
    return ChatSession(clock=clock, **kwargs)
