"""Associate: a SuperOffice user (the agent on ``User`` and ``TransferTo``)."""

from __future__ import annotations

from chatsession.wire.base import WireModel
from chatsession.wire.rights import FieldProperties, TableRight
from chatsession.wire.types import BoolField, EnumNameField, Int32Field, TextField


class Associate(WireModel):
    """A SuperOffice associate (user) as carried inside a chat session."""

    associate_id: Int32Field = None
    name: TextField = None
    person_id: Int32Field = None
    rank: Int32Field = None
    tooltip: TextField = None
    type: EnumNameField = None
    group_idx: Int32Field = None
    full_name: TextField = None
    formal_name: TextField = None
    deleted: BoolField = None
    ej_user_id: Int32Field = None
    user_name: TextField = None
    table_right: TableRight | None = None
    field_properties: FieldProperties = None
