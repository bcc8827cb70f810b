"""ChatTopic: the topic settings that steer a session's lifecycle."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ChatTopic(BaseModel):
    """The settings of a chat topic that carry a rule for sessions.

    Named after SuperOffice's ``ChatTopicEntity`` where it has the setting:
    ``bot_enabled`` is ``BotEnabled``. ``use_prechat_form`` and ``use_faq`` are the widget
    settings that show the pre-chat form and the FAQ prompt before the queue.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    id: int = Field(gt=0, le=2**31 - 1, description="ChatTopicId")
    use_prechat_form: bool = False
    use_faq: bool = False
    bot_enabled: bool = False
