"""Domain events: immutable facts recorded by state-changing commands.

Every event carries the session id, the time it happened (from the clock port), the
acting associate (``by``, ``None`` for the customer, a bot or the system) and the
session's status after the change. Events are taken with ``ChatSession.pull_events()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

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


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatSessionEvent:
    """Base of every domain event."""

    chat_session_id: int
    occurred_at: datetime
    status: ChatSessionStatus
    by: int | None = None

    @property
    def name(self) -> str:
        """The event's type name, e.g. ``"TransferRejected"``."""
        return type(self).__name__


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRequested(ChatSessionEvent):
    """A customer asked for a chat on a topic."""

    topic_id: int
    chatbot_is_active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChanged(ChatSessionEvent):
    """The status moved for a form, FAQ, queue, reopen, close or delete command."""

    command: str
    previous_status: ChatSessionStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPickedUp(ChatSessionEvent):
    """A user answered a session waiting in the queue."""

    user_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePosted(ChatSessionEvent):
    """A message was added to the session."""

    author: MessageAuthor
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferRequested(ChatSessionEvent):
    """The handling user asked to hand the session to another user."""

    to: int
    replaced: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferAccepted(ChatSessionEvent):
    """The transfer target took the session over."""

    previous_user_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferRejected(ChatSessionEvent):
    """The transfer target sent the session back; the handling user goes on."""

    to: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferCancelled(ChatSessionEvent):
    """The handling user withdrew a pending transfer."""

    to: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferExpired(ChatSessionEvent):
    """A pending transfer waited too long and lapsed."""

    to: int
    waited: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferDropped(ChatSessionEvent):
    """A pending transfer was dropped because the session ended, was reset, closed or deleted."""

    to: int
    command: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionEnded(ChatSessionEvent):
    """An active session finished."""

    reason: EndReason


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionReset(ChatSessionEvent):
    """The session went back to the queue (a bot handed off, or a user put it back)."""

    previous_status: ChatSessionStatus
    previous_user_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionReopened(ChatSessionEvent):
    """The customer wrote again after the end, and the chat was reactivated (ReopenedByCustomer).

    The status is CustomerLast (its user or bot is still there), or InQueue when nobody is
    on the other side.
    """


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFetched(ChatSessionEvent):
    """The customer's client fetched the session (a sign of life)."""


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
        CustomerFetched,
    )
}
"""Every concrete event type by name (for serialisation in outboxes)."""
