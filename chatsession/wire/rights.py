"""Access rights carried by every SuperOffice carrier: TableRight and FieldProperties."""

from __future__ import annotations

from chatsession.wire.base import WireModel
from chatsession.wire.types import EnumNameField, Int32Field, TextField


class TableRight(WireModel):
    """The caller's rights on a carrier's table: a mask name and a reason text."""

    mask: EnumNameField = None
    reason: TextField = None


class FieldRight(WireModel):
    """The caller's rights on one field: a mask name (``"FULL"``) and a reason text."""

    mask: EnumNameField = None
    reason: TextField = None


class FieldProperty(WireModel):
    """What the server says about one field: its right, .NET type name and length."""

    field_right: FieldRight | None = None
    field_type: TextField = None
    field_length: Int32Field = None


FieldProperties = dict[str, FieldProperty] | None
"""``FieldProperties``: field name to ``FieldProperty``; absent or ``null`` allowed."""
