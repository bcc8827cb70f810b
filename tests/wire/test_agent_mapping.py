"""ChatTopicAgent and ChatPresence carriers: the samples round trip and map to the domain."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

from chatsession import (
    AssociateInfo,
    ChatTopicAgent,
    InMemoryAssociateDirectory,
    InvalidArgumentError,
    Presence,
    from_presence_carrier,
    from_topic_agent_carrier,
    to_presence_carrier,
    to_topic_agent_carrier,
)
from chatsession.testing.strategies import presences, topic_agents
from chatsession.wire import ChatPresence, dump_wire_list, parse_wire_list
from chatsession.wire import ChatTopicAgent as ChatTopicAgentCarrier

from .helpers import FIXTURES, assert_same_document, wire_models

AGENT = FIXTURES / "topics" / "v1ChatAgent_GetChatTopicUserAgent.json"
PRESENCE = FIXTURES / "topics" / "v1ChatAgent_GetChatPresence.json"


def test_the_topic_agent_sample_round_trips_with_every_key_declared() -> None:
    original = json.loads(AGENT.read_text(encoding="utf-8"))
    carrier = ChatTopicAgentCarrier.from_wire(original)
    assert_same_document(original, carrier.to_wire())
    assert all(part.model_extra == {} for _, part in wire_models(carrier))
    assert (carrier.topic_id, carrier.user, carrier.can_respond) == (862, None, True)


def test_the_presence_sample_round_trips_with_every_key_declared() -> None:
    text = PRESENCE.read_text(encoding="utf-8")
    carriers = parse_wire_list(ChatPresence, text)
    assert_same_document(json.loads(text), dump_wire_list(carriers))
    for carrier in carriers:
        assert all(part.model_extra == {} for _, part in wire_models(carrier))
    assert carriers[0].chat_topics == [812, 847] and carriers[0].ongoing_chats == 805


def test_the_samples_load_into_the_domain() -> None:
    carrier = ChatTopicAgentCarrier.from_wire(AGENT.read_text(encoding="utf-8"))
    # the sample names no user ("User": null): the caller says whose row it is
    assert from_topic_agent_carrier(carrier, user_id=7) == ChatTopicAgent(862, 7, can_respond=True)
    [presence] = parse_wire_list(ChatPresence, PRESENCE.read_text(encoding="utf-8"))
    assert from_presence_carrier(presence) == Presence(
        38, False, frozenset({812, 847}), "Mayert, Gibson and Dickens"
    )


@given(topic_agents())
def test_an_agent_goes_to_the_wire_and_back_equal(agent: ChatTopicAgent) -> None:
    wired = json.loads(json.dumps(to_topic_agent_carrier(agent).to_wire()))
    assert from_topic_agent_carrier(ChatTopicAgentCarrier.from_wire(wired)) == agent


@given(presences())
def test_a_presence_goes_to_the_wire_and_back_equal(presence: Presence) -> None:
    wired = json.loads(json.dumps(to_presence_carrier(presence).to_wire()))
    assert from_presence_carrier(ChatPresence.from_wire(wired)) == presence


def test_the_carriers_the_domain_gives() -> None:
    directory = InMemoryAssociateDirectory([AssociateInfo(7, "ann", "Ann Smith")])
    agent = to_topic_agent_carrier(
        ChatTopicAgent(3, 7, can_respond=True, can_notify=True), associates=directory
    ).to_wire()
    assert agent == {
        "TopicId": 3,
        "User": {"AssociateId": 7, "Name": "ann", "UserName": "ann", "FullName": "Ann Smith",
                 "Deleted": False},
        "CanListen": False,
        "CanRespond": True,
        "CanManage": False,
        "CanNotify": True,
    }  # fmt: skip
    unknown = to_topic_agent_carrier(ChatTopicAgent(3, 8)).to_wire()
    assert unknown["User"] == {"AssociateId": 8}
    presence = to_presence_carrier(Presence(7, True, frozenset({5, 2}), "Ann"), ongoing_chats=2)
    assert presence.to_wire() == {
        "UserId": 7,
        "DisplayName": "Ann",
        "Present": True,
        "ChatTopics": [2, 5],
        "OngoingChats": 2,
    }
    assert "OngoingChats" not in to_presence_carrier(Presence(7, True)).to_wire()


def test_a_presence_needs_its_user_and_present_and_nothing_else() -> None:
    minimal = ChatPresence.from_wire({"UserId": 9, "Present": True})
    assert from_presence_carrier(minimal) == Presence(9, True)
    nulls = ChatPresence.from_wire({"UserId": 9, "Present": False, "ChatTopics": None,
                                    "DisplayName": None})  # fmt: skip
    assert from_presence_carrier(nulls) == Presence(9, False)
    for document in ({"Present": True}, {"UserId": 9}, {"UserId": 0, "Present": True},
                     {"UserId": 9, "Present": True, "ChatTopics": [0]}):  # fmt: skip
        with pytest.raises(InvalidArgumentError):
            from_presence_carrier(ChatPresence.from_wire(document))


@pytest.mark.parametrize(
    ("document", "given"),
    [
        ({"TopicId": 3, "User": None}, {}),
        ({"User": {"AssociateId": 7}}, {}),
        ({"TopicId": 3, "User": {"AssociateId": 7}}, {"topic_id": 4}),
        ({"TopicId": 3, "User": {"AssociateId": 7}}, {"user_id": 8}),
        ({"TopicId": -3, "User": {"AssociateId": 7}}, {}),
        ({"TopicId": 3, "User": {}}, {"user_id": "7"}),
    ],
)
def test_an_agent_needs_its_topic_and_user(document: dict[str, Any], given: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        from_topic_agent_carrier(ChatTopicAgentCarrier.from_wire(document), **given)


def test_ids_given_beside_the_carrier_fill_in_or_agree() -> None:
    blank = ChatTopicAgentCarrier.from_wire({"TopicId": 0, "CanListen": True})
    assert from_topic_agent_carrier(blank, topic_id=3, user_id=7) == ChatTopicAgent(
        3, 7, can_listen=True
    )
    full = ChatTopicAgentCarrier.from_wire({"TopicId": 3, "User": {"AssociateId": 7}})
    assert from_topic_agent_carrier(full, topic_id=3, user_id=7) == ChatTopicAgent(3, 7)


@pytest.mark.parametrize("bad", [None, {}, "x", Presence(7, True), ChatTopicAgent(1, 7)])
def test_the_functions_take_their_own_kind(bad: Any) -> None:
    calls = [from_topic_agent_carrier, from_presence_carrier]
    if not isinstance(bad, ChatTopicAgent):
        calls.append(to_topic_agent_carrier)
    if not isinstance(bad, Presence):
        calls.append(to_presence_carrier)
    for call in calls:
        with pytest.raises(InvalidArgumentError):
            call(bad)


@pytest.mark.parametrize("bad", [-1, True, "2", 2**31])
def test_ongoing_chats_is_a_count(bad: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        to_presence_carrier(Presence(7, True), ongoing_chats=bad)
