"""The SuperOffice wire format: pydantic v2 models of ``ChatSessionEntity`` and friends.

Parse and dump::

    from chatsession.wire import parse_chat_session, dump_chat_session

    entity = parse_chat_session(response_text)   # str, bytes or a decoded mapping
    document = dump_chat_session(entity)         # same keys as read, PascalCase names

Every model is a ``WireModel``: ``Model.from_wire(data)`` and ``model.to_wire()``.
Any bad input raises ``pydantic.ValidationError``. See ``docs/wire.md``.
"""

from chatsession.wire.agent_mapping import (
    from_presence_carrier,
    from_topic_agent_carrier,
    to_presence_carrier,
    to_topic_agent_carrier,
)
from chatsession.wire.base import WireInput, WireModel
from chatsession.wire.carriers import Associate, Contact, Person, Project, Sale, Ticket
from chatsession.wire.codec import (
    dump_chat_session,
    dump_wire_list,
    parse_chat_session,
    parse_chat_sessions,
    parse_wire_list,
)
from chatsession.wire.entity import ChatSessionEntity
from chatsession.wire.enums import FlagsField, StatusField
from chatsession.wire.errors import (
    InvalidPatchError,
    PatchTestFailedError,
    UnknownPatchPathError,
    UnsupportedPatchOperationError,
)
from chatsession.wire.mapping import from_entity, to_entity
from chatsession.wire.message import ChatMessage
from chatsession.wire.patch import apply_patch
from chatsession.wire.presence import ChatPresence
from chatsession.wire.rights import FieldProperties, FieldProperty, FieldRight, TableRight
from chatsession.wire.schema import chat_session_entity_json_schema
from chatsession.wire.topic import ChatTopicEntity
from chatsession.wire.topic_agent import ChatTopicAgent
from chatsession.wire.topic_mapping import from_topic_entity, to_topic_entity
from chatsession.wire.types import (
    INT32_MAX,
    INT32_MIN,
    AwareDateTime,
    BoolField,
    DateTimeField,
    Double,
    DoubleField,
    EnumNameField,
    Int32,
    Int32Field,
    JsonObject,
    JsonObjectField,
    TextField,
    WireDateTime,
)

__all__ = [
    "INT32_MAX",
    "INT32_MIN",
    "Associate",
    "AwareDateTime",
    "BoolField",
    "ChatMessage",
    "ChatPresence",
    "ChatSessionEntity",
    "ChatTopicAgent",
    "ChatTopicEntity",
    "Contact",
    "DateTimeField",
    "Double",
    "DoubleField",
    "EnumNameField",
    "FieldProperties",
    "FieldProperty",
    "FieldRight",
    "FlagsField",
    "Int32",
    "Int32Field",
    "InvalidPatchError",
    "JsonObject",
    "JsonObjectField",
    "PatchTestFailedError",
    "Person",
    "Project",
    "Sale",
    "StatusField",
    "TableRight",
    "TextField",
    "Ticket",
    "UnknownPatchPathError",
    "UnsupportedPatchOperationError",
    "WireDateTime",
    "WireInput",
    "WireModel",
    "apply_patch",
    "chat_session_entity_json_schema",
    "dump_chat_session",
    "dump_wire_list",
    "from_entity",
    "from_presence_carrier",
    "from_topic_agent_carrier",
    "from_topic_entity",
    "parse_chat_session",
    "parse_chat_sessions",
    "parse_wire_list",
    "to_entity",
    "to_presence_carrier",
    "to_topic_agent_carrier",
    "to_topic_entity",
]
