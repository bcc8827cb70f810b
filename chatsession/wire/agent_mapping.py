"""Mapping between the domain's ``ChatTopicAgent`` and ``Presence`` and their wire carriers.

The wire's ``ChatTopicAgent`` names its user with an ``Associate`` carrier (filled from an
``AssociateDirectory`` when one is given, as ``to_entity`` does); ``ChatPresence`` adds
``OngoingChats``, which the service counts (the domain's ``Presence`` does not keep it).
Missing or wrong data raises ``InvalidArgumentError`` naming the key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chatsession.domain.errors import ChatSessionError, InvalidArgumentError
from chatsession.domain.presence import Presence
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.domain.values import INT32_MAX
from chatsession.ports.directory import AssociateDirectory
from chatsession.wire.carriers import Associate
from chatsession.wire.mapping import associate_carrier
from chatsession.wire.presence import ChatPresence
from chatsession.wire.topic_agent import ChatTopicAgent as ChatTopicAgentCarrier

T = TypeVar("T")
_RIGHTS = ("can_listen", "can_respond", "can_manage", "can_notify")


def to_topic_agent_carrier(
    agent: ChatTopicAgent, *, associates: AssociateDirectory | None = None
) -> ChatTopicAgentCarrier:
    """The agent as SuperOffice's ``ChatTopicAgent``; ``User`` from ``associates`` if known."""
    if not isinstance(agent, ChatTopicAgent):
        raise InvalidArgumentError(
            f"to_topic_agent_carrier needs a ChatTopicAgent, got {type(agent).__name__}"
        )
    if associates is not None and not isinstance(associates, AssociateDirectory):
        raise InvalidArgumentError(
            f"associates must be an AssociateDirectory, got {type(associates).__name__}"
        )
    known = None if associates is None else associates.by_id(agent.user_id)
    user = Associate(associate_id=agent.user_id) if known is None else associate_carrier(known)
    rights = {name: getattr(agent, name) for name in _RIGHTS}
    return ChatTopicAgentCarrier(topic_id=agent.topic_id, user=user, **rights)


def from_topic_agent_carrier(
    carrier: ChatTopicAgentCarrier, *, topic_id: int | None = None, user_id: int | None = None
) -> ChatTopicAgent:
    """The domain agent of a wire ``ChatTopicAgent``; absent rights are off.

    ``topic_id`` and ``user_id`` stand in where the carrier has none (``TopicId`` absent or
    0, ``User`` null or without ``AssociateId``): the agent methods name the topic and the
    user beside the carrier (``ChatTopicId``, ``Username``). Given as well as carried,
    they must agree.
    """
    if not isinstance(carrier, ChatTopicAgentCarrier):
        raise InvalidArgumentError(
            f"from_topic_agent_carrier needs a ChatTopicAgent carrier, got {type(carrier).__name__}"
        )
    carried_user = None if carrier.user is None else carrier.user.associate_id
    rights = {name: bool(getattr(carrier, name)) for name in _RIGHTS}
    return _built(
        ChatTopicAgent,
        topic_id=_either(carrier.topic_id, topic_id, "TopicId", "topic_id"),
        user_id=_either(carried_user, user_id, "User.AssociateId", "user_id"),
        **rights,
    )


def to_presence_carrier(presence: Presence, *, ongoing_chats: int | None = None) -> ChatPresence:
    """The presence as SuperOffice's ``ChatPresence`` (``ChatTopics`` in id order).

    ``OngoingChats`` is written when ``ongoing_chats`` is given (the user's active chats,
    which the service counts).
    """
    if not isinstance(presence, Presence):
        raise InvalidArgumentError(
            f"to_presence_carrier needs a Presence, got {type(presence).__name__}"
        )
    values: dict[str, Any] = {
        "user_id": presence.user_id,
        "display_name": presence.display_name,
        "present": presence.present,
        "chat_topics": sorted(presence.topic_ids),
    }
    if ongoing_chats is not None:
        if type(ongoing_chats) is not int or not 0 <= ongoing_chats <= INT32_MAX:
            raise InvalidArgumentError(
                f"ongoing_chats must be an int32 >= 0 or None, got {ongoing_chats!r}"
            )
        values["ongoing_chats"] = ongoing_chats
    return ChatPresence(**values)


def from_presence_carrier(carrier: ChatPresence) -> Presence:
    """The domain presence of a wire ``ChatPresence`` (``SaveChatPresence``).

    ``UserId`` and ``Present`` are required; ``ChatTopics`` absent or null is none (present
    on all the user's topics), ``DisplayName`` absent or null is empty. ``OngoingChats`` is
    the server's count and is not kept.
    """
    if not isinstance(carrier, ChatPresence):
        raise InvalidArgumentError(
            f"from_presence_carrier needs a ChatPresence, got {type(carrier).__name__}"
        )
    if carrier.user_id is None:
        raise InvalidArgumentError("ChatPresence.UserId is missing: whose presence is it?")
    if carrier.present is None:
        raise InvalidArgumentError(
            f"ChatPresence.Present is missing for user {carrier.user_id}: present or away?"
        )
    return _built(
        Presence,
        user_id=carrier.user_id,
        present=carrier.present,
        topic_ids=frozenset(carrier.chat_topics or ()),
        display_name=carrier.display_name or "",
    )


def _either(carried: int | None, given: object, key: str, name: str) -> object:
    """The carried id (0 counts as none), else ``given``; both, they must agree."""
    if not carried:
        if given is None:
            raise InvalidArgumentError(f"{key} is missing: pass {name}=")
        return given
    if given is not None and given != carried:
        raise InvalidArgumentError(f"{key} is {carried}, but {name}={given!r} was given")
    return carried


def _built(kind: Callable[..., T], **values: Any) -> T:
    """``kind(**values)``, its refusal said in the wire's terms."""
    try:
        return kind(**values)
    except ChatSessionError as exc:
        raise InvalidArgumentError(
            f"{getattr(kind, '__name__', kind)} from the wire: {exc}"
        ) from None
