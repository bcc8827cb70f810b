"""Project: the project a chat session is connected to, when known."""

from __future__ import annotations

from pydantic import Field

from chatsession.wire.base import WireModel
from chatsession.wire.rights import FieldProperties, TableRight
from chatsession.wire.types import BoolField, DateTimeField, Int32Field, TextField


class Project(WireModel):
    """A SuperOffice project as carried inside a chat session."""

    project_id: Int32Field = None
    name: TextField = None
    description: TextField = None
    # to_pascal gives "Url"; SuperOffice spells it "URL".
    url: TextField = Field(default=None, alias="URL")
    type: TextField = None
    associate_id: Int32Field = None
    associate_full_name: TextField = None
    type_id: Int32Field = None
    updated: DateTimeField = None
    status_id: Int32Field = None
    status: TextField = None
    text_id: Int32Field = None
    publish_to: DateTimeField = None
    publish_from: DateTimeField = None
    is_published: BoolField = None
    # to_pascal gives "UrlName"; SuperOffice spells it "URLName".
    url_name: TextField = Field(default=None, alias="URLName")
    project_number: TextField = None
    active_erp_links: Int32Field = None
    table_right: TableRight | None = None
    field_properties: FieldProperties = None
