"""ChatMessage: one message of a chat session, as SuperOffice carries it."""

from __future__ import annotations

from chatsession.wire.base import WireModel
from chatsession.wire.types import DateTimeField, EnumNameField, Int32Field, TextField


class ChatMessage(WireModel):
    """A chat message (``ChatMessage``).

    ``Type`` (``Invalid``, ``ToCustomer``, ``ToUser``, ``Special``) and ``SpecialType``
    (``None``, ``Welcome``, ``Url``, ... ``Options``) are carried as enum names without
    checking them against a list: the list has grown between SuperOffice versions
    (``IllegalFileType``) and this library does not interpret them yet.
    """

    chat_message_id: Int32Field = None
    chat_session_id: Int32Field = None
    type: EnumNameField = None
    message: TextField = None
    author: TextField = None
    read_by_customer: Int32Field = None
    special_type: EnumNameField = None
    special_param: TextField = None
    when_posted: DateTimeField = None
