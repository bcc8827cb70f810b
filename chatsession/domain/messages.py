"""Chat messages: what the customer, the agents, the bot and the system wrote in a session.

A message is not a command of its own: the session's events say what was written, and
``messages_of(event)`` turns each event into the messages SuperOffice's log holds for it
(a posted message; a system message for a pick-up with a welcome text, a transfer, a
rejected transfer, an end, a reactivation). A store writes them in the same unit of work as
the event, numbering them (``ChatMessage.chat_message_id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from chatsession.domain.events import (
    ChatSessionEvent,
    EndReason,
    MessageAuthor,
    MessagePosted,
    SessionEnded,
    SessionPickedUp,
    SessionReopened,
    TransferRejected,
    TransferRequested,
)


class ChatMessageType(IntEnum):
    """Who a message is for: SuperOffice's ``ChatMessageType``."""

    Invalid = 0
    ToCustomer = 1
    ToUser = 2
    Special = 3


class SpecialType(IntEnum):
    """What a system message says: SuperOffice's ``ChatMessageSpecialType`` (4 is unused)."""

    None_ = 0
    Welcome = 1
    Url = 2
    Block = 3
    NewSession = 5
    TransferedSession = 6
    Error = 7
    SessionDeleted = 8
    FaqSuccessQuestion = 9
    ClosedByUser = 10
    ClosedByCustomer = 11
    ClosedByIdle = 12
    TransferRejected = 13
    ReopenedByCustomer = 14
    ClickedOption = 15
    BotMessage = 16
    Options = 17

    @property
    def wire_name(self) -> str:
        """The name SuperOffice writes (``"None"`` for ``None_``)."""
        return "None" if self is SpecialType.None_ else self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDraft:
    """A message on its way into the log: a ``ChatMessage`` but for its id."""

    chat_session_id: int
    text: str
    type: ChatMessageType
    author: str
    when: datetime
    special_type: SpecialType = SpecialType.None_
    special_param: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatMessage(MessageDraft):
    """A stored message: ``chat_message_id`` orders a session's messages."""

    chat_message_id: int
    read_by_customer: bool = False


_END_SPECIALS = {
    EndReason.BY_USER: SpecialType.ClosedByUser,
    EndReason.BY_CUSTOMER: SpecialType.ClosedByCustomer,
    EndReason.BY_BOT: SpecialType.ClosedByUser,
    EndReason.IDLE: SpecialType.ClosedByIdle,
}


def author_name(author: MessageAuthor, by: int | None) -> str:
    """The ``Author`` of a message: ``customer``, ``bot``, or ``user:<associate id>``."""
    if author is MessageAuthor.USER and by is not None:
        return f"user:{by}"
    return author.value


def messages_of(event: ChatSessionEvent) -> list[MessageDraft]:
    """The log messages ``event`` writes (none for most events)."""
    sid, when = event.chat_session_id, event.occurred_at
    if isinstance(event, MessagePosted):
        to = ChatMessageType.ToUser if event.author is MessageAuthor.CUSTOMER else (
            ChatMessageType.ToCustomer
        )
        return [MessageDraft(chat_session_id=sid, text=event.text, type=to,
                             author=author_name(event.author, event.by), when=when)]
    special: SpecialType | None = None
    param = ""
    text = ""
    if isinstance(event, SessionPickedUp) and event.welcome:
        special, text, param = SpecialType.Welcome, event.welcome, str(event.user_id)
    elif isinstance(event, TransferRequested):
        special, param = SpecialType.TransferedSession, str(event.to)
    elif isinstance(event, TransferRejected):
        special, param = SpecialType.TransferRejected, str(event.to)
    elif isinstance(event, SessionEnded):
        special = _END_SPECIALS[event.reason]
    elif isinstance(event, SessionReopened):
        special = SpecialType.ReopenedByCustomer
    if special is None:
        return []
    return [MessageDraft(chat_session_id=sid, text=text, type=ChatMessageType.Special,
                         author="system", when=when, special_type=special,
                         special_param=param)]
