"""ChatTopicAgent: a user's roles in one chat topic, as SuperOffice carries them."""

from __future__ import annotations

from chatsession.wire.base import WireModel
from chatsession.wire.carriers import Associate
from chatsession.wire.types import BoolField, Int32Field


class ChatTopicAgent(WireModel):
    """A user assigned to a chat topic (``ChatTopicAgent``): the topic, the user, four rights.

    The carrier of the agent methods ``GetChatTopicUserAgent``, ``AddChatTopicUserAgent``,
    ``UpdateChatTopicUserAgent(s)`` and ``CreateDefaultChatTopicAgent``. It has no
    ``TableRight`` nor ``FieldProperties`` (unknown keys are kept all the same).
    """

    topic_id: Int32Field = None
    user: Associate | None = None
    can_listen: BoolField = None
    can_respond: BoolField = None
    can_manage: BoolField = None
    can_notify: BoolField = None
