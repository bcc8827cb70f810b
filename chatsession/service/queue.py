"""The queue's rules: who is available, who may pick up, who may be a transfer target, rank.

Pure functions over a unit of work (``ChatStore``): the service calls them inside the unit
of work of the command, so what they read and what the command writes agree.

* **Agents available** on a topic: at least one agent who can respond on it is present on
  it, and the topic is within its opening hours (``OpeningHours.is_open``).
* **The offline form** instead of the queue: no agent available (all away, or outside the
  hours), or, with the topic's queue offline form on, ``offline_form_queue_length``
  customers waiting already.
* **Pick-up**: only an agent who can respond on the session's topic.
* **Transfer target**: only a present agent who can respond on the session's topic
  (SuperOffice shows only present agents).
* **Rank**: the lowest free number from 1 among the user's active sessions.

A topic that is not stored has no agents to ask: its sessions follow the caller's
``agents_available`` and anyone may pick them up (a library used without topics, as the
demo is).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chatsession.domain.session import ChatSession
from chatsession.domain.topic import ChatTopic
from chatsession.ports.errors import ChatTopicAgentNotFoundError, ChatTopicNotFoundError
from chatsession.ports.stores import ChatSessionStore, ChatTopicStore


class Store(ChatSessionStore, ChatTopicStore, Protocol):
    """Sessions and topics: a repository, or one of its units of work."""


def stored_topic(store: Store, topic_id: int) -> ChatTopic | None:
    """The stored topic ``topic_id``, or None if the store has none."""
    try:
        return store.get_topic(topic_id)
    except ChatTopicNotFoundError:
        return None


def can_respond(store: Store, topic_id: int, user_id: int) -> bool:
    """True if ``user_id`` may answer sessions of ``topic_id`` (``CanRespond``)."""
    try:
        return store.get_topic_agent(topic_id, user_id).can_respond
    except ChatTopicAgentNotFoundError:
        return False


def is_present_on(store: Store, topic_id: int, user_id: int) -> bool:
    """True if ``user_id`` is present (not away) on ``topic_id``."""
    return store.get_presence(user_id).is_present_on(topic_id)


def responders_present(store: Store, topic_id: int) -> list[int]:
    """The agents who can respond on ``topic_id`` and are present on it, by id."""
    return sorted(
        agent.user_id
        for agent in store.topic_agents(topic_id)
        if agent.can_respond and is_present_on(store, topic_id, agent.user_id)
    )


def agents_available(store: Store, topic: ChatTopic, at: datetime) -> bool:
    """At least one present responder, within the topic's opening hours."""
    return topic.opening_hours.is_open(at) and bool(responders_present(store, topic.id))


def queue_is_full(store: Store, topic: ChatTopic) -> bool:
    """The queue offline form is on and ``offline_form_queue_length`` customers wait already."""
    limit = topic.offline_form_queue_length
    return topic.use_queue_offline_form and limit > 0 and store.count_in_queue(topic.id) >= limit


def lowest_free_rank(store: Store, user_id: int, session: ChatSession) -> int:
    """The lowest number from 1 that no other active session of ``user_id`` has."""
    taken = {
        other.rank
        for other in store.active_sessions_of(user_id)
        if other.chat_session_id != session.chat_session_id
    }
    rank = 1
    while rank in taken:
        rank += 1
    return rank


ACCEPT_WEIGHT = 0.2
"""How much the latest accept moves ``SecondsPrAccept`` (an exponential moving average)."""


def accepted(topic: ChatTopic, session: ChatSession, at: datetime) -> ChatTopic:
    """``topic`` after ``session`` was accepted at ``at`` (LastAccept, SecondsPrAccept)."""
    waited = max(0, round((at - session.when_requested).total_seconds()))
    average = topic.seconds_pr_accept
    average = waited if average == 0 else round(average + (waited - average) * ACCEPT_WEIGHT)
    return topic.model_copy(update={"last_accept": at, "seconds_pr_accept": average})
