"""ChatTopic: the topic settings that steer a session's lifecycle and the service around it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chatsession.domain.opening_hours import OpeningHours
from chatsession.domain.values import INT32_MAX, is_valid_unicode, utc

TIMEOUT_LIMIT: Final = timedelta(days=365)
"""The longest ``transfer_timeout`` or ``idle_timeout``."""

DEFAULT_TRANSFER_TIMEOUT: Final = timedelta(minutes=2)
"""How long a transfer waits for its target by default (the library's own setting)."""

DEFAULT_IDLE_TIMEOUT: Final = timedelta(minutes=10)
"""How long a customer's widget may stay silent by default (the library's own setting)."""


def _count() -> Any:
    """A count of minutes, seconds or customers: an int32 from 0, 0 by default."""
    return Field(default=0, ge=0, le=INT32_MAX)


class ChatTopic(BaseModel):
    """The settings of a chat topic that carry a rule for sessions or for the service.

    Named after SuperOffice's ``ChatTopicEntity`` where it has the setting: ``name`` is
    ``Name``, ``bot_enabled`` is ``BotEnabled``, ``warn_new_chat_minutes`` is
    ``WarnNewChatMinutes``. ``use_prechat_form``, ``use_faq`` and ``post_form_enabled`` are
    the widget settings ``PreFormEnabled``, ``AutoFaqEnabled`` and ``PostFormEnabled``;
    ``rating_enabled`` is ``WidgetEnableRating``; ``opening_hours`` holds
    ``OpeningHoursEnabled`` and ``OpeningHours``. ``transfer_timeout`` and ``idle_timeout``
    are the library's own (SuperOffice documents no such setting).

    ``ChatTopic(id=n)`` is a topic with the defaults ``CreateDefaultChatTopicEntity`` gives
    (``docs/topics.md``): empty texts, every feature off, opening hours not used (always
    open), the warnings and the queue's offline-form limits at 0 (off), never accepted.
    Strict: ``id="1"``, ``use_faq=1`` or a naive ``last_accept`` are refused.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    id: int = Field(gt=0, le=INT32_MAX, description="ChatTopicId")
    use_prechat_form: bool = False
    """``Widget.PreFormEnabled``: the session starts in the pre-chat form."""
    use_faq: bool = False
    """``Widget.AutoFaqEnabled``: the customer's first message is a question for the FAQ."""
    bot_enabled: bool = False
    """``BotEnabled``: a chatbot takes every new session first."""
    post_form_enabled: bool = False
    """``Widget.PostFormEnabled``: after the end "the customer may return to the chat. The
    chat will be reactivated" when the customer writes again."""
    name: str = ""
    """``Name``."""
    description: str = ""
    """``Description``."""
    welcome_message: str = ""
    """``WelcomeMessage``: "sent to the customer when the chat session starts" (at pick-up)."""
    opening_hours: OpeningHours = OpeningHours()
    """``OpeningHoursEnabled`` and ``OpeningHours``; outside them the customer gets the
    offline form."""
    use_queue_offline_form: bool = False
    """``UseQueueOfflineForm``: the two limits below apply."""
    offline_form_queue_length: int = _count()
    """``OfflineFormQueueLength``: with that many customers waiting, the offline form becomes
    available (0: this limit is off)."""
    offline_form_time_limit: int = _count()
    """``OfflineFormTimeLimit``: after that many minutes in the queue, the offline form
    becomes available (0: this limit is off)."""
    ticket_enabled: bool = False
    """``TicketEnabled``: an offline request becomes a ticket (a request)."""
    rating_enabled: bool = False
    """``WidgetEnableRating``: the customer may rate the chat."""
    warn_new_chat_minutes: int = _count()
    """``WarnNewChatMinutes``: a new chat unanswered that long alerts the agents (0: off)."""
    warn_manager_new_chat_minutes: int = _count()
    """``WarnManagerNewChatMinutes``: ... and, that long, the managers (0: off)."""
    warn_chat_message_minutes: int = _count()
    """``WarnChatMessageMinutes``: a customer message unanswered that long alerts (0: off)."""
    warn_manager_chat_message_minutes: int = _count()
    """``WarnManagerChatMessageMinutes``: ... and, that long, the managers (0: off)."""
    last_accept: datetime | None = None
    """``LastAccept``: when a session of the topic was last picked up (UTC), or never."""
    seconds_pr_accept: int = _count()
    """``SecondsPrAccept``: the average seconds a session waited before its pick-up."""
    transfer_timeout: timedelta = Field(
        default=DEFAULT_TRANSFER_TIMEOUT, gt=timedelta(0), le=TIMEOUT_LIMIT
    )
    """The library's own: a transfer not answered in this time expires."""
    idle_timeout: timedelta = Field(default=DEFAULT_IDLE_TIMEOUT, gt=timedelta(0), le=TIMEOUT_LIMIT)
    """The library's own: a session whose customer has not fetched for this time ends idle."""

    @field_validator("name", "description", "welcome_message")
    @classmethod
    def _valid_unicode(cls, value: str) -> str:
        """Refuse lone surrogates: they can be neither stored nor sent as UTF-8."""
        if not is_valid_unicode(value):
            raise ValueError("holds a lone surrogate")  # pydantic reports it
        return value

    @field_validator("last_accept")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """An aware time, kept in UTC (as every time the library records); naive is refused."""
        if value is None:
            return None
        moment = utc(value, "last_accept")
        # a plain datetime, also of a subclass's value (the wire's, which keeps its text)
        return moment if type(moment) is datetime else datetime.combine(moment, moment.timetz())
