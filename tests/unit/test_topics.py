"""The topic's settings, a topic agent's rights and a user's presence: values, strictly checked."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from chatsession import (
    ChatSession,
    ChatTopic,
    ChatTopicAgent,
    InvalidArgumentError,
    OpeningHours,
    Presence,
)
from chatsession.domain.topic import DEFAULT_IDLE_TIMEOUT, DEFAULT_TRANSFER_TIMEOUT
from chatsession.testing.strategies import full_topics, presences, topic_agents

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_topic_of_an_id_has_the_documented_defaults() -> None:
    topic = ChatTopic(id=1)
    assert (topic.name, topic.description, topic.welcome_message) == ("", "", "")
    assert not any(
        (topic.use_prechat_form, topic.use_faq, topic.bot_enabled, topic.post_form_enabled,
         topic.use_queue_offline_form, topic.ticket_enabled, topic.rating_enabled)
    )  # fmt: skip
    assert topic.opening_hours == OpeningHours() and not topic.opening_hours.enabled
    assert (topic.offline_form_queue_length, topic.offline_form_time_limit) == (0, 0)
    assert (
        topic.warn_new_chat_minutes,
        topic.warn_manager_new_chat_minutes,
        topic.warn_chat_message_minutes,
        topic.warn_manager_chat_message_minutes,
    ) == (0, 0, 0, 0)
    assert (topic.last_accept, topic.seconds_pr_accept) == (None, 0)
    assert topic.transfer_timeout == DEFAULT_TRANSFER_TIMEOUT == timedelta(minutes=2)
    assert topic.idle_timeout == DEFAULT_IDLE_TIMEOUT == timedelta(minutes=10)


def test_the_settings_sessions_read_work_as_before() -> None:
    topic = ChatTopic(id=3, use_prechat_form=True, use_faq=True, post_form_enabled=True)
    session = ChatSession.request(1, topic, at=AT)
    assert session.topic_id == 3 and session.status.name == "PreChatForm"
    bot = ChatSession.request(2, ChatTopic(id=3, bot_enabled=True), at=AT)
    assert bot.chatbot_is_active


def test_last_accept_is_kept_in_utc_and_must_be_aware() -> None:
    oslo_time = datetime(2026, 11, 25, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    topic = ChatTopic(id=1, last_accept=oslo_time)
    assert topic.last_accept == AT and topic.last_accept.tzinfo is UTC
    assert type(topic.last_accept) is datetime
    with pytest.raises(ValidationError, match="last_accept"):
        ChatTopic(id=1, last_accept=datetime(2026, 11, 25, 9, 0))


@pytest.mark.parametrize(
    "bad",
    [
        {"id": 0},
        {"id": "1"},
        {"id": 2**31},
        {"use_faq": 1},
        {"name": 5},
        {"name": "\ud800"},
        {"welcome_message": None},
        {"warn_new_chat_minutes": -1},
        {"offline_form_queue_length": 2**31},
        {"seconds_pr_accept": True},
        {"opening_hours": {"enabled": 1}},
        {"opening_hours": {"time_zone": "Mars/Olympus"}},
        {"transfer_timeout": timedelta(0)},
        {"idle_timeout": timedelta(days=366)},
        {"idle_timeout": 600},
        {"rating": True},  # not a setting: WidgetEnableRating is rating_enabled
    ],
    ids=repr,
)
def test_a_topic_refuses_what_it_cannot_use(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ChatTopic(**{"id": 1, **bad})  # type: ignore[arg-type]


def test_a_topic_is_frozen_and_hashable_by_value() -> None:
    topic = ChatTopic(id=1, name="Sales")
    with pytest.raises(ValidationError):
        topic.name = "Support"  # type: ignore[misc]
    assert topic == ChatTopic(id=1, name="Sales") and topic != ChatTopic(id=1)


@settings(max_examples=200)  # the SQLite contract round trip draws thousands more in CI
@given(full_topics())
def test_every_drawn_topic_survives_its_own_json(topic: ChatTopic) -> None:
    """The JSON the SQLite store keeps reads back to an equal topic."""
    assert ChatTopic.model_validate_json(topic.model_dump_json()) == topic


# ---------------------------------------------------------------------- agents


def test_an_agent_is_a_member_with_any_right() -> None:
    assert not ChatTopicAgent(1, 7).is_member
    for right in ("can_listen", "can_respond", "can_manage", "can_notify"):
        assert ChatTopicAgent(1, 7, **{right: True}).is_member  # type: ignore[arg-type]
    assert ChatTopicAgent(1, 7, True, False, False, False) == ChatTopicAgent(1, 7, can_listen=True)


@pytest.mark.parametrize(
    "bad",
    [(0, 7), (1, "7"), (1, True), (2**31, 7), (1, 7, 1), (1, 7, False, None)],
    ids=repr,
)
def test_an_agent_refuses_bad_ids_and_rights(bad: tuple[object, ...]) -> None:
    with pytest.raises(InvalidArgumentError):
        ChatTopicAgent(*bad)  # type: ignore[arg-type]


@given(topic_agents())
def test_drawn_agents_are_valid(agent: ChatTopicAgent) -> None:
    assert agent == ChatTopicAgent(
        agent.topic_id, agent.user_id, agent.can_listen, agent.can_respond,
        agent.can_manage, agent.can_notify,
    )  # fmt: skip


# -------------------------------------------------------------------- presence


def test_presence_keeps_its_topics_as_a_frozenset() -> None:
    presence = Presence(7, True, [3, 1, 3], "Ann")  # type: ignore[arg-type]
    assert presence.topic_ids == frozenset({1, 3})
    assert presence == Presence(7, True, frozenset({1, 3}), "Ann")
    assert hash(presence) == hash(Presence(7, True, frozenset({3, 1}), "Ann"))


def test_present_on_the_listed_topics_or_on_all_when_none_is_listed() -> None:
    listed = Presence(7, True, frozenset({1, 2}))
    assert listed.is_present_on(1) and not listed.is_present_on(3)
    everywhere = Presence(7, True)
    assert everywhere.is_present_on(3)
    away = Presence(7, False, frozenset({1}))
    assert not away.is_present_on(1)
    assert Presence.away(7) == Presence(7, False, frozenset(), "")


@pytest.mark.parametrize(
    "bad",
    [(0, True), (7, 1), (7, None), (7, True, "12"), (7, True, [0]), (7, True, [True]),
     (7, True, 5), (7, True, (), None), (7, True, (), "\ud800")],
    ids=repr,
)  # fmt: skip
def test_presence_refuses_bad_values(bad: tuple[object, ...]) -> None:
    with pytest.raises(InvalidArgumentError):
        Presence(*bad)  # type: ignore[arg-type]


def test_is_present_on_takes_a_topic_id() -> None:
    with pytest.raises(InvalidArgumentError):
        Presence(7, True).is_present_on("1")  # type: ignore[arg-type]


@given(presences())
def test_drawn_presences_are_valid(presence: Presence) -> None:
    again = Presence(presence.user_id, presence.present, presence.topic_ids, presence.display_name)
    assert again == presence
