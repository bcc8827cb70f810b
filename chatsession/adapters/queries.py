"""The two query shapes every store answers, built from checked arguments.

The store base turns each public query (``first_in_queue``, ``list_page``, ``read`` ...)
into a ``SessionQuery`` or an ``OutboxQuery`` after checking its arguments here, so every
adapter refuses bad input alike: a bad id is an ``InvalidArgumentError`` everywhere, never
a not-found on one adapter, a match on another (SQLite compares ``'1'`` equal to ``1``)
and an ``OverflowError`` on a third. An adapter answers the queries, and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.status import ChatSessionStatus
from chatsession.domain.values import INT32_MAX, INT64_MAX, check_flag, check_optional_id


@dataclass(frozen=True, slots=True)
class SessionQuery:
    """Sessions with id greater than ``after``, in id order, at most ``limit`` (None: all).

    ``statuses``, ``topic_id`` and ``user_id`` filter when not None; ``with_bots=False``
    leaves out the sessions a chatbot holds.
    """

    after: int = 0
    limit: int | None = None
    statuses: frozenset[ChatSessionStatus] | None = None
    topic_id: int | None = None
    user_id: int | None = None
    with_bots: bool = True

    def matches(self, session: Any) -> bool:
        """True if ``session`` passes every filter (``after`` included, ``limit`` aside)."""
        return (
            session.chat_session_id > self.after
            and (self.statuses is None or session.status in self.statuses)
            and (self.topic_id is None or session.topic_id == self.topic_id)
            and (self.user_id is None or session.user_id == self.user_id)
            and (self.with_bots or not session.chatbot_is_active)
        )


@dataclass(frozen=True, slots=True)
class OutboxQuery:
    """Outbox records with sequence greater than ``after``, in sequence order."""

    after: int = 0
    limit: int | None = 100
    include_published: bool = False
    chat_session_id: int | None = None


def status_filter(
    status: ChatSessionStatus | Iterable[ChatSessionStatus] | None,
) -> frozenset[ChatSessionStatus] | None:
    """Normalise a ``list_page`` status filter to a set (None: no filter).

    ``status`` is one ``ChatSessionStatus`` or an iterable (not a ``str``/``bytes``) of
    ``ChatSessionStatus`` members; anything else (``"InQueue"``, ``5``, ``[True]``,
    ``[4]``) raises ``InvalidArgumentError``.
    """
    if status is None:
        return None
    if isinstance(status, ChatSessionStatus):
        return frozenset((status,))
    if isinstance(status, str | bytes | bytearray) or not isinstance(status, Iterable):
        raise InvalidArgumentError(
            f"status must be a ChatSessionStatus or an iterable of them, got {status!r}"
        )
    members = tuple(status)
    for member in members:
        if not isinstance(member, ChatSessionStatus):
            raise InvalidArgumentError(
                f"status must hold ChatSessionStatus members only, got {member!r} in {status!r}"
            )
    return frozenset(members)


def page_query(
    after: Any,
    limit: Any,
    status: Any,
    topic_id: Any,
    user_id: Any,
) -> SessionQuery:
    """The query of one ``list_page`` call, asking one row more than the page (to see if more).

    ``after`` is 0 (from the start) or an id; ``limit`` any ``int`` >= 1 (capped at
    ``INT32_MAX + 1`` rows, more than ids exist).
    """
    if type(after) is not int or not 0 <= after <= INT32_MAX:
        raise InvalidArgumentError(f"after must be 0 or a positive int32, got {after!r}")
    if type(limit) is not int or limit < 1:
        raise InvalidArgumentError(f"limit must be an int >= 1, got {limit!r}")
    return SessionQuery(
        after=after,
        limit=min(limit, INT32_MAX) + 1,
        topic_id=check_optional_id(topic_id, "topic_id"),
        user_id=check_optional_id(user_id, "user_id"),
        statuses=status_filter(status),
    )


def outbox_query(
    after: Any, limit: Any, include_published: Any, chat_session_id: Any
) -> OutboxQuery:
    """The query of one ``Outbox.read`` call; ``InvalidArgumentError`` for a bad argument."""
    if type(after) is not int or not 0 <= after <= INT64_MAX:
        raise InvalidArgumentError(f"after must be 0 or a positive int64, got {after!r}")
    if limit is not None and (type(limit) is not int or limit < 1):
        raise InvalidArgumentError(f"limit must be an int >= 1 or None, got {limit!r}")
    return OutboxQuery(
        after=after,
        limit=None if limit is None else min(limit, INT64_MAX),
        include_published=check_flag(include_published, "include_published"),
        chat_session_id=check_optional_id(chat_session_id, "chat_session_id"),
    )


def check_sequence(value: Any, what: str = "sequence") -> int:
    """Return ``value`` if it is a positive int64 outbox sequence; else ``InvalidArgumentError``."""
    if type(value) is not int or not 0 < value <= INT64_MAX:
        raise InvalidArgumentError(f"{what} must be a positive int64, got {value!r}")
    return value
