"""Sale: the sale a chat session is connected to, when known."""

from __future__ import annotations

from chatsession.wire.base import WireModel
from chatsession.wire.rights import FieldProperties, TableRight
from chatsession.wire.types import (
    DateTimeField,
    DoubleField,
    EnumNameField,
    Int32Field,
    TextField,
)


class Sale(WireModel):
    """A SuperOffice sale as carried inside a chat session."""

    contact_name: TextField = None
    sale_date: DateTimeField = None
    sale_id: Int32Field = None
    probability: Int32Field = None
    title: TextField = None
    amount: DoubleField = None
    currency: TextField = None
    project_name: TextField = None
    associate_full_name: TextField = None
    description: TextField = None
    status: EnumNameField = None
    weighted_amount: DoubleField = None
    project_id: Int32Field = None
    earning_percent: DoubleField = None
    earning: DoubleField = None
    contact_id: Int32Field = None
    associate_id: Int32Field = None
    person_id: Int32Field = None
    sale_type_id: Int32Field = None
    sale_type_name: TextField = None
    person_full_name: TextField = None
    completed: EnumNameField = None
    active_erp_links: Int32Field = None
    next_due_date: DateTimeField = None
    number: TextField = None
    table_right: TableRight | None = None
    field_properties: FieldProperties = None
