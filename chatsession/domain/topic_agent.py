"""ChatTopicAgent: a user's rights on one chat topic."""

from __future__ import annotations

from dataclasses import dataclass

from chatsession.domain.values import check_flag, check_id


@dataclass(frozen=True, slots=True)
class ChatTopicAgent:
    """A user (an associate) assigned to a topic, with SuperOffice's four rights.

    ``can_respond``: may answer (pick up) the topic's sessions; ``can_listen``: may watch a
    chat; ``can_manage``: a manager of the topic (manager warnings); ``can_notify``: gets the
    new-chat notifications. A user with at least one right is a *member* of the topic
    ("Members means that you have at least one of: Can Respond, Notifications, Listen or
    Manager"). Every right is off unless given.
    """

    topic_id: int
    user_id: int
    can_listen: bool = False
    can_respond: bool = False
    can_manage: bool = False
    can_notify: bool = False

    def __post_init__(self) -> None:
        check_id(self.topic_id, "topic_id")
        check_id(self.user_id, "user_id")
        check_flag(self.can_listen, "can_listen")
        check_flag(self.can_respond, "can_respond")
        check_flag(self.can_manage, "can_manage")
        check_flag(self.can_notify, "can_notify")

    @property
    def is_member(self) -> bool:
        """True if the user holds at least one right on the topic."""
        return self.can_listen or self.can_respond or self.can_manage or self.can_notify
