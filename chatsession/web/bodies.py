"""The named JSON bodies of the Chat agent's methods (``{"ChatSessionId": 435}``).

Each agent page lists its body's keys in PascalCase; clients written for SuperOffice's
.NET binder send them in any case, so the keys are matched case-insensitively. Unknown
keys are ignored, as SuperOffice ignores them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_pascal

from chatsession.wire.message import ChatMessage
from chatsession.wire.presence import ChatPresence
from chatsession.wire.topic_agent import ChatTopicAgent
from chatsession.wire.types import Int32


class AgentBody(BaseModel):
    """Base of the agent bodies: PascalCase keys, matched case-insensitively."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        alias_generator=to_pascal, validate_by_name=True, validate_by_alias=True,
        extra="ignore", hide_input_in_errors=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _any_case(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        names = {
            (f.alias or name).casefold(): f.alias or name for name, f in cls.model_fields.items()
        }
        return {names.get(str(k).casefold(), k): v for k, v in data.items()}


class SessionBody(AgentBody):
    """``{"ChatSessionId": ...}``."""

    chat_session_id: Int32


class TransferBody(SessionBody):
    """``{"ChatSessionId": ..., "ToAssociate": "name or id"}``."""

    to_associate: str = Field(min_length=1, max_length=255)


class TranscriptBody(SessionBody):
    """``{"ChatSessionId": ..., "Html": true}``."""

    html: bool = False


class MessagesBody(SessionBody):
    """``{"ChatSessionId": ..., "After": message id}``."""

    after: Int32 = 0


class AddMessageBody(SessionBody):
    """``{"ChatSessionId": ..., "Message": ChatMessage}``."""

    message: ChatMessage | None = None


class TopicBody(AgentBody):
    """``{"ChatTopicId": ...}``."""

    chat_topic_id: Int32


class TopicUserBody(TopicBody):
    """``{"ChatTopicId": ..., "Username": ...}``."""

    username: str = Field(min_length=1, max_length=255)


class AddTopicAgentBody(TopicBody):
    """``{"ChatTopicId": ..., "Useragent": ChatTopicAgent}``."""

    useragent: ChatTopicAgent | None = None


class UpdateTopicAgentBody(TopicUserBody):
    """``{"ChatTopicId": ..., "Username": ..., "Useragent": ChatTopicAgent}``."""

    useragent: ChatTopicAgent | None = None


class UpdateTopicAgentsBody(TopicBody):
    """``{"ChatTopicId": ..., "Useragents": [ChatTopicAgent, ...]}``."""

    useragents: list[ChatTopicAgent] = Field(default_factory=list, max_length=10_000)


class PresenceBody(AgentBody):
    """``{"ChatPresence": [ChatPresence, ...]}``."""

    chat_presence: list[ChatPresence] = Field(default_factory=list, max_length=10_000)


class UserAgentListBody(AgentBody):
    """``{"Flat": true, "OnlyPresent": true}``."""

    flat: bool = True
    only_present: bool = False
