"""The data of a chat session, declared once.

``ChatSessionData`` is a slotted, keyword-only dataclass: SuperOffice's
``ChatSessionEntity`` fields in snake_case, then the library's own (``transfer_requested_at``
and ``version``). Each field carries, in its metadata, what every other layer derives from
it instead of writing it again:

* ``rule``: the value rule (type and range) the invariants check;
* ``column``: its column in SuperOffice's ``chat_session`` table, which the stores use;
* ``wire``: its ``ChatSessionEntity`` attribute (``None`` for the library's own fields),
  and ``carrier`` when the entity holds the id inside a carrier (``User`` is an
  ``Associate``, ``Person`` a ``Person`` ...).

``FIELDS`` and ``SESSION_FIELDS`` list them in declaration (entity) order.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from typing import Any

from chatsession.domain.events import ChatSessionEvent
from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.limits import ALIAS_LIMIT, MESSAGE_TEXT_LIMIT, PHONE_LIMIT
from chatsession.domain.session_key import SessionKey
from chatsession.domain.status import ChatSessionStatus
from chatsession.domain.values import (
    BOOL,
    ID,
    INT32,
    TEXT,
    TIME,
    VERSION,
    Rule,
    instance_rule,
    is_valid_unicode,
    text_rule,
)

_OPTIONAL_ID = ID.optional()
SECRET_TEXT = Rule(
    lambda v: isinstance(v, str) and is_valid_unicode(v),
    "a str (a SessionKey) of valid Unicode (no lone surrogates)",
)
_OPTIONAL_TIME = TIME.optional()


def _datum(
    rule: Rule,
    *,
    default: Any = MISSING,
    column: str | None = None,
    wire: str | None = "",
    carrier: str | None = None,
) -> Any:
    """A session field: its rule, column (default: its name) and wire attribute (same)."""
    return field(
        default=default,
        metadata={"rule": rule, "column": column, "wire": wire, "carrier": carrier},
    )


@dataclass(slots=True, kw_only=True, eq=False, repr=False, weakref_slot=True)
class ChatSessionData:
    """The stored fields of a chat session; ``ChatSession`` adds the behaviour.

    The keyword constructor takes the fields as they are (fast, no checks): call
    ``chatsession.check_invariants`` on data you do not trust.
    """

    chat_session_id: int = _datum(ID, column="id")
    topic_id: int = _datum(ID)
    status: ChatSessionStatus = _datum(instance_rule(ChatSessionStatus))
    user_id: int | None = _datum(_OPTIONAL_ID, default=None, wire="user", carrier="associate")
    person_id: int | None = _datum(
        _OPTIONAL_ID, default=None, column="customer_id", wire="person", carrier="person"
    )
    customer_alias: str = _datum(text_rule(ALIAS_LIMIT), default="")
    customer_host: str = _datum(TEXT, default="")
    customer_name: str = _datum(TEXT, default="", column="name")
    customer_email: str = _datum(TEXT, default="", column="email")
    customer_phone: str = _datum(text_rule(PHONE_LIMIT), default="", column="phone")
    customer_consented: bool = _datum(BOOL, default=False, column="consented")
    customer_company_name: str = _datum(TEXT, default="", column="company_name")
    first_message: str = _datum(text_rule(MESSAGE_TEXT_LIMIT), default="")
    last_message: str = _datum(text_rule(MESSAGE_TEXT_LIMIT), default="")
    when_requested: datetime = _datum(TIME)
    when_started: datetime | None = _datum(_OPTIONAL_TIME, default=None)
    when_ended: datetime | None = _datum(_OPTIONAL_TIME, default=None)
    when_idle: datetime | None = _datum(_OPTIONAL_TIME, default=None, column="idle")
    when_fetched: datetime | None = _datum(_OPTIONAL_TIME, default=None, column="customer_fetch")
    session_key: SessionKey = _datum(SECRET_TEXT, default=SessionKey(""))
    initial_queue_pos: int = _datum(INT32, default=0)
    alert_level: int = _datum(INT32, default=0)
    rank: int = _datum(INT32, default=0)
    flags: ChatSessionFlags = _datum(
        instance_rule(ChatSessionFlags), default=ChatSessionFlags.CustomerIsTyping
    )
    contact_id: int | None = _datum(_OPTIONAL_ID, default=None, wire="contact", carrier="contact")
    project_id: int | None = _datum(_OPTIONAL_ID, default=None, wire="project", carrier="project")
    sale_id: int | None = _datum(_OPTIONAL_ID, default=None, wire="sale", carrier="sale")
    ticket_id: int | None = _datum(_OPTIONAL_ID, default=None, wire="ticket", carrier="ticket")
    transfer_to: int | None = _datum(
        _OPTIONAL_ID, default=None, wire="transfer_to", carrier="associate"
    )
    chatbot_is_active: bool = _datum(BOOL, default=False, column="chatbot_isactive")
    rating: int | None = _datum(INT32.optional(), default=None)
    transfer_requested_at: datetime | None = _datum(_OPTIONAL_TIME, default=None, wire=None)
    version: int = _datum(VERSION, default=0, wire=None)
    # The events recorded and not yet pulled: None until the first one, so that a loaded
    # session that records none (most of a queue view) carries no list.
    _events: list[ChatSessionEvent] | None = field(
        default=None, init=False, repr=False, compare=False
    )


@dataclass(frozen=True, slots=True)
class SessionField:
    """What other layers need to know of one session field (read from its declaration)."""

    name: str
    """The attribute of ``ChatSession`` (and keyword of its constructor)."""
    rule: Rule
    """The value rule the invariants check."""
    column: str
    """Its column in SuperOffice's ``chat_session`` table."""
    wire: str | None
    """Its ``ChatSessionEntity`` attribute; ``None`` for the library's own fields."""
    carrier: str | None
    """The carrier the entity wraps the id in (``"associate"``, ``"person"`` ...), if any."""
    kind: type
    """The value type without ``None``: ``int``, ``str``, ``bool``, ``datetime`` or an enum."""
    optional: bool
    """True if the field may be ``None``."""


_KINDS: dict[str, tuple[type, bool]] = {
    "int": (int, False),
    "int | None": (int, True),
    "str": (str, False),
    "bool": (bool, False),
    "datetime": (datetime, False),
    "datetime | None": (datetime, True),
    "ChatSessionStatus": (ChatSessionStatus, False),
    "ChatSessionFlags": (ChatSessionFlags, False),
    "SessionKey": (SessionKey, False),
}


def _session_fields() -> tuple[SessionField, ...]:
    out = []
    for f in fields(ChatSessionData):
        if "rule" not in f.metadata:
            continue
        kind, optional = _KINDS[str(f.type)]
        wire = f.metadata["wire"]
        out.append(
            SessionField(
                name=f.name,
                rule=f.metadata["rule"],
                column=f.metadata["column"] or f.name,
                wire=f.name if wire == "" else wire,
                carrier=f.metadata["carrier"],
                kind=kind,
                optional=optional,
            )
        )
    return tuple(out)


SESSION_FIELDS: tuple[SessionField, ...] = _session_fields()
"""Every stored field of a session, in declaration (``ChatSessionEntity``) order."""

FIELDS: tuple[str, ...] = tuple(f.name for f in SESSION_FIELDS)
"""The names of the stored fields, in declaration order."""
