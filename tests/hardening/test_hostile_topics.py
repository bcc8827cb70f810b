"""Hostile arguments to the topic API (values, mappings, stores): only documented errors."""

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from chatsession import (
    ChatTopic,
    ChatTopicAgent,
    DayHours,
    InMemoryChatSessionRepository,
    OpeningHours,
    Presence,
    SqliteChatSessionRepository,
    from_presence_carrier,
    from_topic_agent_carrier,
    from_topic_entity,
    to_presence_carrier,
    to_topic_agent_carrier,
    to_topic_entity,
)
from chatsession.testing.hostile import assert_only_documented_errors, hostile_values
from chatsession.wire import ChatPresence
from chatsession.wire import ChatTopicAgent as ChatTopicAgentCarrier

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TOPIC = ChatTopic(id=1, opening_hours=OpeningHours(enabled=True, time_zone="Europe/Oslo"))
SQLITE = SqliteChatSessionRepository(Path(tempfile.mkdtemp()) / "topics.db", synchronous="NORMAL")
MEMORY = InMemoryChatSessionRepository()
for _repo in (SQLITE, MEMORY):
    _repo.add_topic(TOPIC)
    _repo.put_topic_agent(ChatTopicAgent(1, 7, can_respond=True))

Case = tuple[Callable[..., Any], Callable[[], Any], dict[str, Any]]
"""(call, a fresh first argument, good keyword arguments)."""

CALLS: dict[str, Case] = {
    "ChatTopic": (
        lambda _, **kw: ChatTopic(**kw),
        lambda: None,
        {"id": 1, "name": "Sales", "opening_hours": OpeningHours(), "warn_new_chat_minutes": 2,
         "last_accept": AT, "transfer_timeout": timedelta(minutes=1),
         "idle_timeout": timedelta(minutes=5), "offline_form_queue_length": 3},
    ),
    "OpeningHours": (
        lambda _, **kw: OpeningHours(**kw),
        lambda: None,
        {"enabled": True, "mon": DayHours(), "lunch_start": time(11), "time_zone": "UTC"},
    ),
    "DayHours": (lambda _, **kw: DayHours(**kw), lambda: None,
                 {"enabled": True, "start": time(8), "stop": time(16)}),
    "OpeningHours.is_open": (lambda h, **kw: h.is_open(**kw), lambda: TOPIC.opening_hours,
                             {"at": AT}),
    "OpeningHours.day": (lambda h, **kw: h.day(**kw), lambda: TOPIC.opening_hours,
                         {"weekday": 0}),
    "ChatTopicAgent": (lambda _, **kw: ChatTopicAgent(**kw), lambda: None,
                       {"topic_id": 1, "user_id": 7, "can_respond": True, "can_notify": False}),
    "Presence": (lambda _, **kw: Presence(**kw), lambda: None,
                 {"user_id": 7, "present": True, "topic_ids": frozenset({1}),
                  "display_name": "Ann"}),
    "Presence.is_present_on": (lambda p, **kw: p.is_present_on(**kw),
                               lambda: Presence(7, True), {"topic_id": 1}),
    "to_topic_entity": (lambda _, **kw: to_topic_entity(**kw), lambda: None, {"topic": TOPIC}),
    "from_topic_entity": (
        lambda _, **kw: from_topic_entity(**kw),
        lambda: None,
        {"entity": to_topic_entity(TOPIC), "topic_id": 1, "time_zone": "UTC",
         "transfer_timeout": timedelta(minutes=1), "idle_timeout": timedelta(minutes=5)},
    ),
    "to_topic_agent_carrier": (lambda _, **kw: to_topic_agent_carrier(**kw), lambda: None,
                               {"agent": ChatTopicAgent(1, 7), "associates": None}),
    "from_topic_agent_carrier": (
        lambda _, **kw: from_topic_agent_carrier(**kw),
        lambda: None,
        {"carrier": ChatTopicAgentCarrier(topic_id=1), "topic_id": 1, "user_id": 7},
    ),
    "to_presence_carrier": (lambda _, **kw: to_presence_carrier(**kw), lambda: None,
                            {"presence": Presence(7, True), "ongoing_chats": 1}),
    "from_presence_carrier": (lambda _, **kw: from_presence_carrier(**kw), lambda: None,
                              {"carrier": ChatPresence(user_id=7, present=True)}),
}  # fmt: skip

STORE_CALLS: dict[str, Case] = {
    "add_topic": (lambda r, **kw: r.add_topic(**kw), lambda: None, {"topic": ChatTopic(id=9)}),
    "get_topic": (lambda r, **kw: r.get_topic(**kw), lambda: None, {"topic_id": 1}),
    "save_topic": (lambda r, **kw: r.save_topic(**kw), lambda: None, {"topic": TOPIC}),
    "delete_topic": (lambda r, **kw: r.delete_topic(**kw), lambda: None, {"topic_id": 9}),
    "put_topic_agent": (lambda r, **kw: r.put_topic_agent(**kw), lambda: None,
                        {"agent": ChatTopicAgent(1, 7, can_respond=True)}),
    "get_topic_agent": (lambda r, **kw: r.get_topic_agent(**kw), lambda: None,
                        {"topic_id": 1, "user_id": 7}),
    "topic_agents": (lambda r, **kw: r.topic_agents(**kw), lambda: None, {"topic_id": 1}),
    "agent_topics": (lambda r, **kw: r.agent_topics(**kw), lambda: None, {"user_id": 7}),
    "delete_topic_agent": (lambda r, **kw: r.delete_topic_agent(**kw), lambda: None,
                           {"topic_id": 9, "user_id": 7}),
    "set_presence": (lambda r, **kw: r.set_presence(**kw), lambda: None,
                     {"presence": Presence(7, True)}),
    "get_presence": (lambda r, **kw: r.get_presence(**kw), lambda: None, {"user_id": 7}),
}  # fmt: skip


def _cases(table: dict[str, Case]) -> list[tuple[str, str]]:
    return [(name, param) for name, (_, _, good) in table.items() for param in good]


HOSTILE = settings(max_examples=100, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@pytest.mark.parametrize(("name", "param"), _cases(CALLS))
@HOSTILE
@given(bad=hostile_values())
def test_a_hostile_argument_raises_only_documented_errors(
    name: str, param: str, bad: object
) -> None:
    call, target, good = CALLS[name]
    assert_only_documented_errors(lambda: call(target(), **{**good, param: bad}))


@pytest.mark.parametrize("repo", [MEMORY, SQLITE], ids=["memory", "sqlite"])
@pytest.mark.parametrize(("name", "param"), _cases(STORE_CALLS))
@HOSTILE
@given(bad=hostile_values())
def test_a_hostile_argument_to_a_topic_store_raises_only_documented_errors(
    repo: Any, name: str, param: str, bad: object
) -> None:
    call, _, good = STORE_CALLS[name]
    assert_only_documented_errors(lambda: call(repo, **{**good, param: bad}))
