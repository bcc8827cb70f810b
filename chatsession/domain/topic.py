"""ChatTopic: the topic settings that steer a session's lifecycle."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ChatTopic(BaseModel):
    """The settings of a chat topic that carry a rule for sessions.

    Named after SuperOffice's ``ChatTopicEntity`` where it has the setting:
    ``bot_enabled`` is ``BotEnabled``. ``use_prechat_form``, ``use_faq`` and
    ``post_form_enabled`` are the widget settings ``PreFormEnabled``, ``AutoFaqEnabled`` and
    ``PostFormEnabled``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    id: int = Field(gt=0, le=2**31 - 1, description="ChatTopicId")
    use_prechat_form: bool = False
    use_faq: bool = False
    bot_enabled: bool = False
    post_form_enabled: bool = False
    """``Widget.PostFormEnabled``: after the end "the customer may return to the chat. The
    chat will be reactivated" when the customer writes again."""
