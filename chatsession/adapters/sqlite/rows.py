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

from collections.abc import Sequence
from datetime import datetime
from operator import attrgetter
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

# Only 10 of the 33 fields are stored in another form; the rest go in and out as they
# are. Both directions handle those few by position/name and leave the others alone.
_values = attrgetter(*FIELDS)
"""All the fields of a session, as a tuple in ``FIELDS`` order."""

_DT_AT = tuple(i for i, f in enumerate(FIELDS) if f in _DATETIMES)
_BOOL_AT = tuple(i for i, f in enumerate(FIELDS) if f in _BOOLS)
_STATUS_AT = FIELDS.index("status")
_FLAGS_AT = FIELDS.index("flags")
_DT_NAMES = tuple(f for f in FIELDS if f in _DATETIMES)
_BOOL_NAMES = tuple(f for f in FIELDS if f in _BOOLS)
_STATUSES: dict[int, ChatSessionStatus] = {int(s): s for s in ChatSessionStatus}
_FLAGS: dict[int, ChatSessionFlags] = {int(f): f for f in ChatSessionFlags}
_from_iso = datetime.fromisoformat


def session_to_row(session: ChatSession) -> tuple[Any, ...]:
    """The column values of ``session``, in ``COLUMN_NAMES`` order."""
    row = list(_values(session))
    for i in _DT_AT:
        value = row[i]
        if value is not None:
            row[i] = value.isoformat()
    for i in _BOOL_AT:
        row[i] = 1 if row[i] else 0
    row[_STATUS_AT] = int(row[_STATUS_AT])
    row[_FLAGS_AT] = int(row[_FLAGS_AT])
    return tuple(row)


def row_to_session(row: Sequence[Any], clock: Clock) -> ChatSession:
    """The session stored in ``row`` (``COLUMN_NAMES`` order), reading time from ``clock``."""
    kwargs = dict(zip(FIELDS, row, strict=True))
    for name in _DT_NAMES:
        value = kwargs[name]
        if value is not None:
            kwargs[name] = _from_iso(value)
    for name in _BOOL_NAMES:
        kwargs[name] = bool(kwargs[name])
    status, flags = kwargs["status"], kwargs["flags"]
    known_status, known_flags = _STATUSES.get(status), _FLAGS.get(flags)
    kwargs["status"] = ChatSessionStatus(status) if known_status is None else known_status
    kwargs["flags"] = ChatSessionFlags(flags) if known_flags is None else known_flags
    return ChatSession(clock=clock, **kwargs)
