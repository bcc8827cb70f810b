"""Ticket: the ticket (request) a chat session is connected to, when known."""

from __future__ import annotations

from chatsession.wire.base import WireModel
from chatsession.wire.rights import FieldProperties, TableRight
from chatsession.wire.types import (
    BoolField,
    DateTimeField,
    EnumNameField,
    Int32Field,
    TextField,
)


class Ticket(WireModel):
    """A SuperOffice ticket as carried inside a chat session."""

    ticket_id: Int32Field = None
    title: TextField = None
    created_at: DateTimeField = None
    last_changed: DateTimeField = None
    read_by_owner: DateTimeField = None
    read_by_customer: DateTimeField = None
    first_read_by_user: DateTimeField = None
    activate: DateTimeField = None
    closed_at: DateTimeField = None
    replied_at: DateTimeField = None
    alert_timeout: DateTimeField = None
    deadline: DateTimeField = None
    created_by: Int32Field = None
    created_by_name: TextField = None
    author: TextField = None
    owned_by: Int32Field = None
    owned_by_name: TextField = None
    category: Int32Field = None
    category_name: TextField = None
    category_fullname: TextField = None
    slevel: EnumNameField = None
    priority: Int32Field = None
    priority_name: TextField = None
    base_status: EnumNameField = None
    ticket_status: Int32Field = None
    ticket_status_display_value: TextField = None
    origin: EnumNameField = None
    cust_id: Int32Field = None
    person_firstname: TextField = None
    person_middle_name: TextField = None
    person_lastname: TextField = None
    person_fullname: TextField = None
    alert_level: Int32Field = None
    connect_id: Int32Field = None
    read_status: EnumNameField = None
    time_to_reply: Int32Field = None
    real_time_to_reply: Int32Field = None
    time_to_close: Int32Field = None
    real_time_to_close: Int32Field = None
    time_spent_internally: Int32Field = None
    time_spent_externally: Int32Field = None
    time_spent_queue: Int32Field = None
    real_time_spent_internally: Int32Field = None
    real_time_spent_externally: Int32Field = None
    real_time_spent_queue: Int32Field = None
    has_attachment: BoolField = None
    num_replies: Int32Field = None
    num_messages: Int32Field = None
    from_address: TextField = None
    contact_id: Int32Field = None
    contact_name: TextField = None
    owned_by_associate_id: Int32Field = None
    table_right: TableRight | None = None
    field_properties: FieldProperties = None
