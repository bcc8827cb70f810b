"""ChatPresence: a chat user's presence, as SuperOffice carries it."""

from __future__ import annotations

from chatsession.wire.base import WireModel
from chatsession.wire.rights import FieldProperties, TableRight
from chatsession.wire.types import BoolField, Int32, Int32Field, TextField


class ChatPresence(WireModel):
    """A chat user's presence (``ChatPresence``: ``GetChatPresence``, ``SaveChatPresence``).

    ``OngoingChats`` is computed by the server (the user's chats going on now);
    ``ChatTopics`` are the ids of the user's topics. Saving uses ``UserId`` and ``Present``
    (and this library ``ChatTopics`` and ``DisplayName`` when they are given).
    """

    user_id: Int32Field = None
    display_name: TextField = None
    ongoing_chats: Int32Field = None
    present: BoolField = None
    chat_topics: list[Int32] | None = None
    table_right: TableRight | None = None
    field_properties: FieldProperties = None
