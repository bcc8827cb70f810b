"""The OpenAPI description of the replies: which carrier each route answers with.

The routes answer with ``Response`` objects (the carriers' documents exactly as the wire
format writes them), so their reply schemas are declared here, once, with the problem
replies every route may give.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chatsession.wire.entity import ChatSessionEntity
from chatsession.wire.message import ChatMessage
from chatsession.wire.presence import ChatPresence
from chatsession.wire.topic import ChatTopicEntity
from chatsession.wire.topic_agent import ChatTopicAgent


class Problem(BaseModel):
    """An error reply (``application/problem+json``) with the library's stable ``code``."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


class ListItem(BaseModel):
    """An MDO list item (GetUserAgentList): a chat user."""

    Id: int
    Name: str
    ToolTip: str = ""
    Deleted: bool = False
    Rank: int = 0
    Type: str = ""
    ChildItems: list[ListItem] = Field(default_factory=list)
    IconHint: str = ""
    ColorBlock: int = 0
    ExtraInfo: str = ""
    StyleHint: str = ""
    FullName: str = ""
    TableRight: dict[str, Any] | None = None
    FieldProperties: dict[str, Any] | None = None


class ODataSlimResponse(BaseModel):
    """GetAll's reply: one page of rows and the link to the next."""

    metadata: str = Field(alias="odata.metadata")
    next_link: str | None = Field(default=None, alias="odata.nextLink")
    value: list[dict[str, Any]]


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text, "content": {"application/problem+json": {}}}
    for status, text in (
        (400, "Bad input"),
        (401, "No valid credentials"),
        (403, "No right to this session or topic"),
        (404, "Unknown session, topic or agent"),
        (409, "Not allowed in the session's state"),
        (412, "If-Match names another version"),
        (422, "The request does not validate"),
        (503, "The store is busy: retry after Retry-After seconds"),
    )
}


def _ok(model: Any, description: str = "OK", **extra: Any) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "description": description, **extra}, **_PROBLEMS}


ENTITY = _ok(ChatSessionEntity, "The ChatSessionEntity")
NULLABLE_ENTITY = _ok(ChatSessionEntity | None, "The ChatSessionEntity, or null")
ENTITY_LIST = _ok(list[ChatSessionEntity], "ChatSessionEntity list")
MESSAGE = _ok(ChatMessage, "The stored ChatMessage")
MESSAGE_LIST = _ok(list[ChatMessage], "ChatMessage list")
TEXT = _ok(str, "The transcript")
BOOL = _ok(bool, "True or false")
TOPIC = _ok(ChatTopicEntity, "The ChatTopicEntity")
TOPIC_LIST = _ok(list[ChatTopicEntity], "ChatTopicEntity list")
TOPIC_AGENT = _ok(ChatTopicAgent, "The ChatTopicAgent")
TOPIC_AGENT_LIST = _ok(list[ChatTopicAgent], "ChatTopicAgent list")
PRESENCE_LIST = _ok(list[ChatPresence], "ChatPresence list")
USER_LIST = _ok(list[ListItem], "Chat users as MDO list items")
ODATA = _ok(ODataSlimResponse, "One page of sessions")
NO_CONTENT: dict[int | str, dict[str, Any]] = {
    204: {"description": "Done (no body)"}, **_PROBLEMS
}


def nullable_properties(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (an OpenAPI document) with every carrier property allowed to be null.

    ``$select`` returns the properties it does not name as null, so a reply may carry
    null in any property; the carriers' own schemas (which the wire format writes) say
    which are never null when all are returned. Schemas that are not carriers (the
    problem, the OData page, the request bodies of the agent) are left as they are.
    """
    schemas = document.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if name.split("-")[0] in _NOT_CARRIERS or not isinstance(schema, dict):
            continue
        for key, prop in list(schema.get("properties", {}).items()):
            if _allows_null(prop):
                continue
            schema["properties"][key] = {"anyOf": [prop, {"type": "null"}]}
    return document


def _allows_null(prop: Any) -> bool:
    """True if the property's schema already admits null (itself, or one of its anyOf)."""
    if not isinstance(prop, dict):
        return True
    options = [prop, *prop.get("anyOf", ())]
    return any(isinstance(o, dict) and o.get("type") == "null" for o in options)


_NOT_CARRIERS = frozenset({
    "Problem", "ListItem", "ODataSlimResponse", "HTTPValidationError", "ValidationError",
    "SessionBody", "TransferBody", "TranscriptBody", "MessagesBody", "AddMessageBody",
    "TopicBody", "TopicUserBody", "AddTopicAgentBody", "UpdateTopicAgentBody",
    "UpdateTopicAgentsBody", "PresenceBody", "UserAgentListBody",
})
