"""Contact: the customer company of a chat session, when known."""

from __future__ import annotations

from pydantic import Field

from chatsession.wire.base import WireModel
from chatsession.wire.rights import FieldProperties, TableRight
from chatsession.wire.types import BoolField, Int32Field, JsonObjectField, TextField


class Contact(WireModel):
    """A SuperOffice contact (company) as carried inside a chat session."""

    contact_id: Int32Field = None
    name: TextField = None
    org_nr: TextField = None
    department: TextField = None
    # to_pascal gives "Url"; SuperOffice spells it "URL".
    url: TextField = Field(default=None, alias="URL")
    city: TextField = None
    direct_phone: TextField = None
    associate_id: Int32Field = None
    country_id: Int32Field = None
    email_address: TextField = None
    kananame: TextField = None
    email_address_name: TextField = None
    # to_pascal gives "UrlName"; SuperOffice spells it "URLName".
    url_name: TextField = Field(default=None, alias="URLName")
    associate_full_name: TextField = None
    business_name: TextField = None
    category_name: TextField = None
    country_name: TextField = None
    # An Address carrier: not modelled, carried as the JSON object it is.
    address: JsonObjectField = None
    formatted_address: TextField = None
    full_name: TextField = None
    is_owner_contact: BoolField = None
    active_erp_links: Int32Field = None
    table_right: TableRight | None = None
    field_properties: FieldProperties = None
