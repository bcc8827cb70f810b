"""Domain events: immutable facts recorded by state-changing commands.

Every event carries the session id, the time it happened (from the clock port), the
acting associate (``by``, ``None`` for the customer, a bot or the system) and the
session's status after the change. Events are taken with ``ChatSession.pull_events()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from chatsession.domain.status import ChatSessionStatus


class MessageAuthor(StrEnum):
    """Who wrote a chat message."""

    CUSTOMER = "customer"
    USER = "user"
    BOT = "bot"


class EndReason(StrEnum):
    """Why an active session ended; mirrors SuperOffice's ClosedBy* special messages."""

    BY_CUSTOMER = "by_customer"
    BY_USER = "by_user"
    BY_BOT = "by_bot"
    IDLE = "idle"


ALL_FIELDS = ("*",)
"""``sets`` of an event that carries every stored field of the session (its first one)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatSessionEvent:
    """Base of every domain event.

    ``changes`` holds the session's fields that the event set, with their values after it
    (``sets`` names them): folding a session's events rebuilds it
    (``chatsession.domain.replay``), and a webhook can say what changed.
    """

    sets: ClassVar[tuple[str, ...]] = ()
    """The session fields this kind of event sets (``ALL_FIELDS``: every one)."""

    chat_session_id: int
    occurred_at: datetime
    status: ChatSessionStatus
    by: int | None = None
    changes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The event's type name, e.g. ``"TransferRejected"``."""
        return type(self).__name__


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRequested(ChatSessionEvent):
    """A customer asked for a chat on a topic."""

    sets = ALL_FIELDS

    topic_id: int
    chatbot_is_active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChanged(ChatSessionEvent):
    """The status moved for a form, FAQ, queue, reopen, close or delete command."""

    sets = ("status", "when_ended", "initial_queue_pos", "rank", "alert_level")

    command: str
    previous_status: ChatSessionStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPickedUp(ChatSessionEvent):
    """A user answered a session waiting in the queue."""

    sets = ("status", "user_id", "when_started", "alert_level")

    user_id: int
    welcome: str = ""
    """The topic's welcome message, sent to the customer at the pick-up ("" for none)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePosted(ChatSessionEvent):
    """A message was added to the session."""

    sets = ("status", "first_message", "last_message", "when_idle", "alert_level")

    author: MessageAuthor
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferRequested(ChatSessionEvent):
    """The handling user asked to hand the session to another user."""

    sets = ("transfer_to", "transfer_requested_at")

    to: int
    replaced: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferAccepted(ChatSessionEvent):
    """The transfer target took the session over."""

    sets = ("user_id", "transfer_to", "transfer_requested_at", "rank")

    previous_user_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferRejected(ChatSessionEvent):
    """The transfer target sent the session back; the handling user goes on."""

    sets = ("transfer_to", "transfer_requested_at")

    to: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferCancelled(ChatSessionEvent):
    """The handling user withdrew a pending transfer."""

    sets = ("transfer_to", "transfer_requested_at")

    to: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferExpired(ChatSessionEvent):
    """A pending transfer waited too long and lapsed."""

    sets = ("transfer_to", "transfer_requested_at")

    to: int
    waited: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferDropped(ChatSessionEvent):
    """A pending transfer was dropped because the session ended, was reset, closed or deleted."""

    sets = ("transfer_to", "transfer_requested_at")

    to: int
    command: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionEnded(ChatSessionEvent):
    """An active session finished."""

    sets = ("status", "when_ended", "rank", "alert_level")

    reason: EndReason


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionReset(ChatSessionEvent):
    """The session went back to the queue (a bot handed off, or a user put it back)."""

    sets = ("status", "user_id", "chatbot_is_active", "initial_queue_pos", "rank", "alert_level")

    previous_status: ChatSessionStatus
    previous_user_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionReopened(ChatSessionEvent):
    """The customer wrote again after the end, and the chat was reactivated (ReopenedByCustomer).

    The status is CustomerLast (its user or bot is still there), or InQueue when nobody is
    on the other side.
    """

    sets = ("status", "when_ended", "initial_queue_pos")


@dataclass(frozen=True, slots=True, kw_only=True)
class RankAssigned(ChatSessionEvent):
    """The service gave the session its rank among its user's active sessions."""

    sets = ("rank",)

    rank: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRaised(ChatSessionEvent):
    """The session waited unanswered past a topic's warning delay: its alert level rose."""

    sets = ("alert_level",)

    level: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRated(ChatSessionEvent):
    """The customer rated the chat (the topic's rating widget)."""

    sets = ("rating",)

    rating: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFetched(ChatSessionEvent):
    """The customer's client fetched the session (a sign of life)."""

    sets = ("when_fetched",)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionAmended(ChatSessionEvent):
    """The session was saved whole (SuperOffice's SaveChatSessionEntity, PUT or PATCH).

    A raw save: ``changes`` holds exactly the fields whose values differed, with their new
    values, and which those are varies from one event to the next, so ``sets`` names
    none (``chatsession.domain.amend`` lists the fields a save may set).
    """

    sets = ()


EVENT_TYPES: dict[str, type[ChatSessionEvent]] = {
    cls.__name__: cls
    for cls in (
        SessionRequested,
        StatusChanged,
        SessionPickedUp,
        MessagePosted,
        TransferRequested,
        TransferAccepted,
        TransferRejected,
        TransferCancelled,
        TransferExpired,
        TransferDropped,
        SessionEnded,
        SessionReset,
        SessionReopened,
        RankAssigned,
        AlertRaised,
        SessionRated,
        CustomerFetched,
        SessionAmended,
    )
}
"""Every concrete event type by name (for serialisation in outboxes)."""
