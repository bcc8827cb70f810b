"""ChatSessionEntity: the SuperOffice carrier of one chat session."""

from __future__ import annotations

from typing import TypeAlias

from pydantic import Field

from chatsession.domain.limits import ALIAS_LIMIT, MESSAGE_TEXT_LIMIT, PHONE_LIMIT
from chatsession.wire.base import WireModel
from chatsession.wire.carriers import Associate, Contact, Person, Project, Sale, Ticket
from chatsession.wire.enums import FlagsField, StatusField
from chatsession.wire.rights import FieldProperties, TableRight
from chatsession.wire.types import (
    BoolField,
    DateTimeField,
    Int32Field,
    JsonObjectField,
    TextField,
    limited_text,
)

Alias: TypeAlias = limited_text(ALIAS_LIMIT)  # type: ignore[valid-type]
Phone: TypeAlias = limited_text(PHONE_LIMIT)  # type: ignore[valid-type]
MessageText: TypeAlias = limited_text(MESSAGE_TEXT_LIMIT)  # type: ignore[valid-type]


class ChatSessionEntity(WireModel):
    """A chat session as SuperOffice sends and receives it (``ChatSessionEntity``).

    Every attribute is ``None`` when its key was absent. ``Status`` and ``Flags`` hold
    the domain enums and are written as names. ``CustomerAlias``, ``CustomerPhone``,
    ``FirstMessage`` and ``LastMessage`` have the domain's limits (64, 32, 1024, 1024).
    ``Rating`` is not in the reference page's table of the seed endpoint but is sent by the
    others (int32).
    ``_Links`` is present on REST ``ChatSession/{id}`` responses only.
    """

    chat_session_id: Int32Field = None
    topic_id: Int32Field = None
    user: Associate | None = None
    person: Person | None = None
    customer_alias: Alias = None
    customer_host: TextField = None
    customer_name: TextField = None
    customer_email: TextField = None
    customer_phone: Phone = None
    customer_consented: BoolField = None
    customer_company_name: TextField = None
    status: StatusField = None
    first_message: MessageText = None
    last_message: MessageText = None
    when_requested: DateTimeField = None
    when_started: DateTimeField = None
    when_ended: DateTimeField = None
    when_idle: DateTimeField = None
    when_fetched: DateTimeField = None
    session_key: TextField = Field(default=None, repr=False)  # a secret: never in a repr
    initial_queue_pos: Int32Field = None
    alert_level: Int32Field = None
    rank: Int32Field = None
    flags: FlagsField = None
    contact: Contact | None = None
    project: Project | None = None
    sale: Sale | None = None
    ticket: Ticket | None = None
    transfer_to: Associate | None = None
    chatbot_is_active: BoolField = None
    rating: Int32Field = None
    table_right: TableRight | None = None
    field_properties: FieldProperties = None
    # A leading underscore would make the attribute private in pydantic, so the alias
    # generator cannot give "_Links": the attribute is ``links``, the alias written out.
    links: JsonObjectField = Field(default=None, alias="_Links")
