"""Presence: whether a chat user is present (or away), and on which topics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.values import check_flag, check_id, check_text


@dataclass(frozen=True, slots=True)
class Presence:
    """A chat user's presence: SuperOffice's ``ChatPresence`` without its computed counts.

    ``present`` is Present (True) or NotPresent/away (False). ``topic_ids`` are the topics
    the user is present on; none listed means all of the user's topics (``is_present_on``).
    ``display_name`` is what others see. Any iterable of topic ids is kept as a
    ``frozenset``; a user whose presence was never set is away (``away``).
    """

    user_id: int
    present: bool
    topic_ids: frozenset[int] = field(default_factory=frozenset)
    display_name: str = ""

    def __post_init__(self) -> None:
        check_id(self.user_id, "user_id")
        check_flag(self.present, "present")
        object.__setattr__(self, "topic_ids", _topic_ids(self.topic_ids))
        check_text(self.display_name, "display_name")

    @classmethod
    def away(cls, user_id: int) -> Presence:
        """The presence of a user nobody set one for: away, on no topic."""
        return cls(user_id, False)

    def is_present_on(self, topic_id: int) -> bool:
        """True if the user is present and on ``topic_id`` (on every topic if none is listed)."""
        check_id(topic_id, "topic_id")
        return self.present and (not self.topic_ids or topic_id in self.topic_ids)


def _topic_ids(value: object) -> frozenset[int]:
    """``value`` as a frozenset of topic ids: an iterable (not text) of positive int32s."""
    if isinstance(value, str | bytes | bytearray) or not isinstance(value, Iterable):
        raise InvalidArgumentError(f"topic_ids must be an iterable of topic ids, got {value!r}")
    return frozenset(check_id(topic_id, "a topic id of topic_ids") for topic_id in value)
