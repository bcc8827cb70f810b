"""ChatSessionStatus: the twelve SuperOffice chat-session statuses, and their groups."""

from __future__ import annotations

from enum import IntEnum


class ChatSessionStatus(IntEnum):
    """The status of a chat session, with SuperOffice's exact names and values."""

    Invalid = 0
    PreChatForm = 1
    Faq = 2
    OfflineForm = 3
    InQueue = 4
    CustomerLast = 5
    UserLast = 6
    Finished = 7
    Deleted = 8
    Closed = 9
    RequestPosted = 10
    ClosedFromQueue = 11

    @property
    def is_waiting(self) -> bool:
        """True while the customer waits for an agent (forms, FAQ, queue)."""
        return self in WAITING

    @property
    def is_active(self) -> bool:
        """True while a conversation is going on (CustomerLast or UserLast)."""
        return self in ACTIVE

    @property
    def is_ended(self) -> bool:
        """True once the session is over (finished, closed, posted, deleted)."""
        return self in ENDED


S = ChatSessionStatus

WAITING: frozenset[ChatSessionStatus] = frozenset({S.PreChatForm, S.Faq, S.OfflineForm, S.InQueue})
"""Statuses in which the customer waits: no conversation with an agent yet."""

ACTIVE: frozenset[ChatSessionStatus] = frozenset({S.CustomerLast, S.UserLast})
"""Statuses of a live conversation."""

ENDED: frozenset[ChatSessionStatus] = frozenset(
    {S.Finished, S.Deleted, S.Closed, S.RequestPosted, S.ClosedFromQueue}
)
"""Statuses of a session that is over; every one of them has ``when_ended``."""

TERMINAL: frozenset[ChatSessionStatus] = frozenset({S.Deleted})
"""Statuses that never change again."""

del S
