"""Person: the customer person of a chat session, when known."""

from __future__ import annotations

from chatsession.wire.base import WireModel
from chatsession.wire.rights import FieldProperties, TableRight
from chatsession.wire.types import BoolField, Int32Field, TextField


class Person(WireModel):
    """A SuperOffice person as carried inside a chat session."""

    position: TextField = None
    person_id: Int32Field = None
    mrmrs: TextField = None
    firstname: TextField = None
    lastname: TextField = None
    middle_name: TextField = None
    title: TextField = None
    description: TextField = None
    email: TextField = None
    full_name: TextField = None
    direct_phone: TextField = None
    formal_name: TextField = None
    country_id: Int32Field = None
    contact_id: Int32Field = None
    contact_name: TextField = None
    retired: Int32Field = None
    rank: Int32Field = None
    active_interests: Int32Field = None
    contact_department: TextField = None
    contact_country_id: Int32Field = None
    contact_org_nr: TextField = None
    fax_phone: TextField = None
    mobile_phone: TextField = None
    contact_phone: TextField = None
    associate_name: TextField = None
    associate_id: Int32Field = None
    use_person_address: BoolField = None
    contact_fax: TextField = None
    kanafname: TextField = None
    kanalname: TextField = None
    post1: TextField = None
    post2: TextField = None
    post3: TextField = None
    email_name: TextField = None
    contact_full_name: TextField = None
    active_erp_links: Int32Field = None
    ticket_priority_id: Int32Field = None
    support_language_id: Int32Field = None
    support_associate_id: Int32Field = None
    category_name: TextField = None
    table_right: TableRight | None = None
    field_properties: FieldProperties = None
