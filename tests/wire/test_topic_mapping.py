"""ChatTopic <-> ChatTopicEntity: every topic sample loads, a topic goes there and back equal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatsession import (
    ChatTopic,
    DayHours,
    InvalidArgumentError,
    InvalidChatTopicError,
    OpeningHours,
    from_topic_entity,
    to_topic_entity,
)
from chatsession.domain.opening_hours import MIDNIGHT
from chatsession.testing.strategies import full_topics
from chatsession.wire import ChatTopicEntity

from .helpers import FIXTURES, sample_documents

FULL = FIXTURES / "topics" / "v1ChatAgent_GetChatTopicEntity_full.json"
TOPIC_DOCUMENTS = sample_documents(ChatTopicEntity)


def entity(**keys: Any) -> ChatTopicEntity:
    return ChatTopicEntity.from_wire({"ChatTopicId": 5, **keys})


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_there_are_ten_topic_samples() -> None:
    assert len(TOPIC_DOCUMENTS) == 10


@pytest.mark.parametrize("document", TOPIC_DOCUMENTS, ids=lambda d: str(d["ChatTopicId"]))
def test_every_topic_sample_loads_and_keeps_what_drives_behaviour(
    document: dict[str, Any],
) -> None:
    topic = from_topic_entity(ChatTopicEntity.from_wire(document))
    assert topic.id == document["ChatTopicId"]
    assert topic.name == document["Name"] and topic.welcome_message == document["WelcomeMessage"]
    assert topic.warn_new_chat_minutes == document["WarnNewChatMinutes"]
    assert topic.warn_manager_chat_message_minutes == document["WarnManagerChatMessageMinutes"]
    assert topic.offline_form_queue_length == document["OfflineFormQueueLength"]
    assert topic.offline_form_time_limit == document["OfflineFormTimeLimit"]
    assert topic.use_queue_offline_form is document["UseQueueOfflineForm"]
    assert topic.rating_enabled is document["WidgetEnableRating"]
    assert topic.ticket_enabled is document["TicketEnabled"]
    assert topic.bot_enabled is document["BotEnabled"]
    assert topic.seconds_pr_accept == document["SecondsPrAccept"]
    assert topic.last_accept == datetime.fromisoformat(document["LastAccept"])
    assert topic.last_accept is not None and topic.last_accept.tzinfo is UTC
    # OpeningHours is null in these samples: the default schedule, enabled as the sample says
    assert topic.opening_hours == OpeningHours(enabled=document["OpeningHoursEnabled"])
    # Widget is null: every widget setting off
    assert not (topic.use_prechat_form or topic.use_faq or topic.post_form_enabled)
    # and the entity the topic gives loads back to the same topic
    assert from_topic_entity(ChatTopicEntity.from_wire(to_topic_entity(topic).to_wire())) == topic


def test_the_full_sample_loads_its_widget_hours_and_older_warnings() -> None:
    document = load(FULL)
    topic = from_topic_entity(ChatTopicEntity.from_wire(document))
    assert (topic.use_prechat_form, topic.use_faq, topic.post_form_enabled) == (True,) * 3
    hours = topic.opening_hours
    assert hours.enabled and hours.time_zone == "UTC"  # TzLocation {} names no zone
    assert [hours.day(i).enabled for i in range(7)] == [True, False, True, True, False, False, True]
    wall = time(16, 48, 28, 879919)  # the wall-clock time the date-times say (7th digit cut)
    assert hours.mon == DayHours(enabled=True, start=wall, stop=wall)  # empty: closed Monday
    assert not hours.is_open(datetime(2026, 11, 23, 16, 48, 28, 879919, tzinfo=UTC))
    # this older page sends WarnNewChatSeconds 479 and WarnManagerNewChatSeconds 74
    assert (topic.warn_new_chat_minutes, topic.warn_manager_new_chat_minutes) == (8, 2)


@given(full_topics())
def test_a_topic_mapped_to_an_entity_and_back_is_equal(topic: ChatTopic) -> None:
    wired = ChatTopicEntity.from_wire(json.loads(json.dumps(to_topic_entity(topic).to_wire())))
    back = from_topic_entity(
        wired, transfer_timeout=topic.transfer_timeout, idle_timeout=topic.idle_timeout
    )
    assert back == topic


def test_the_entity_a_topic_gives() -> None:
    topic = ChatTopic(
        id=7,
        name="Sales",
        use_faq=True,
        rating_enabled=True,
        opening_hours=OpeningHours(
            enabled=True,
            time_zone="Europe/Oslo",
            sat=DayHours(enabled=True, start=time(10), stop=MIDNIGHT),
            use_lunch_hours=True,
        ),
        warn_new_chat_minutes=2,
    )
    document = to_topic_entity(topic).to_wire()
    assert document["ChatTopicId"] == 7 and document["Name"] == "Sales"
    assert document["Widget"] == {
        "PreFormEnabled": False,
        "AutoFaqEnabled": True,
        "PostFormEnabled": False,
    }
    assert document["WidgetEnableRating"] is True
    assert document["OpeningHoursEnabled"] is True
    hours = document["OpeningHours"]
    assert hours["TzLocation"] == {"TZLocationCode": "Europe/Oslo"}
    assert (hours["SatEnabled"], hours["SatStart"], hours["SatStop"]) == (
        True,
        "10:00:00",
        "00:00:00",
    )
    assert (hours["MonStart"], hours["UseLunchHours"], hours["LunchStop"]) == (
        "08:00:00",
        True,
        "12:00:00",
    )
    assert "LastAccept" not in document  # never accepted: left out, not null
    assert "transfer_timeout" not in json.dumps(document).lower()


def test_absent_keys_take_the_defaults() -> None:
    assert from_topic_entity(entity()) == ChatTopic(id=5)
    nulls = entity(Name=None, Widget=None, OpeningHours=None, LastAccept=None)
    assert from_topic_entity(nulls) == ChatTopic(id=5)


def test_the_library_s_own_settings_come_as_arguments() -> None:
    topic = from_topic_entity(
        entity(), transfer_timeout=timedelta(seconds=45), idle_timeout=timedelta(hours=1)
    )
    assert (topic.transfer_timeout, topic.idle_timeout) == (
        timedelta(seconds=45),
        timedelta(hours=1),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", time(8)),
        ("8:05:09", time(8, 5, 9)),
        ("23:59:59.1234567", time(23, 59, 59, 123456)),
        ("00:00:00", MIDNIGHT),
        ("2015-05-28T16:48:28.8799193+02:00", time(16, 48, 28, 879919)),
        ("0001-01-01T09:30:00", time(9, 30)),
        ("2020-01-01T09:30:00Z", time(9, 30)),
    ],
)
def test_hours_read_as_time_spans_or_date_times(text: str, expected: time) -> None:
    hours = from_topic_entity(entity(OpeningHours={"TueStart": text})).opening_hours
    assert hours.tue.start == expected


@pytest.mark.parametrize(
    ("location", "zone"),
    [
        ({"TZLocationCode": "Europe/Oslo"}, "Europe/Oslo"),
        ({"Name": "America/New_York", "TZLocationCode": "US-NY"}, "America/New_York"),
        ({"TZLocationID": 0, "Name": "", "TZLocationCode": ""}, "UTC"),
        ({}, "UTC"),
        (None, "UTC"),
    ],
)
def test_the_zone_comes_from_the_location(location: Any, zone: str) -> None:
    hours = from_topic_entity(entity(OpeningHours={"TzLocation": location})).opening_hours
    assert hours.time_zone == zone


def test_a_location_zoneinfo_does_not_know_needs_a_zone_given() -> None:
    norway = {
        "TZLocationID": 12,
        "Name": "Norway",
        "TZLocationCode": "NO",
        "TZLocationCities": "Oslo",
    }
    with pytest.raises(InvalidChatTopicError, match="time_zone="):
        from_topic_entity(entity(OpeningHours={"TzLocation": norway}))
    given_zone = from_topic_entity(
        entity(OpeningHours={"TzLocation": norway}), time_zone="Europe/Oslo"
    )
    assert given_zone.opening_hours.time_zone == "Europe/Oslo"
    with pytest.raises(InvalidChatTopicError, match="time_zone"):
        from_topic_entity(entity(), time_zone="Mars/Olympus")


def test_every_problem_is_listed_at_once_in_wire_terms() -> None:
    bad = entity(
        WarnNewChatMinutes=-1,
        Widget={"AutoFaqEnabled": "yes"},
        OpeningHours={"MonStart": "lunchtime", "SunEnabled": 1, "TzLocation": "Oslo"},
        Name="\ud800",
    )
    with pytest.raises(InvalidChatTopicError) as caught:
        from_topic_entity(bad)
    error = caught.value
    assert error.chat_topic_id == 5 and error.http_status == 422
    assert isinstance(error, InvalidArgumentError)
    text = "\n".join(error.problems)
    for key in ("WarnNewChatMinutes", "Widget.AutoFaqEnabled", "OpeningHours.MonStart",
                "OpeningHours.SunEnabled", "OpeningHours.TzLocation", "Name"):  # fmt: skip
        assert key in text, key
    assert len(error.problems) == 6


def test_the_id_is_the_entity_s_or_given_for_a_new_topic() -> None:
    new = ChatTopicEntity.from_wire({"ChatTopicId": 0, "Name": "New"})
    assert from_topic_entity(new, topic_id=12) == ChatTopic(id=12, name="New")
    assert from_topic_entity(ChatTopicEntity.from_wire({}), topic_id=3).id == 3
    with pytest.raises(InvalidChatTopicError, match="ChatTopicId is missing"):
        from_topic_entity(new)
    with pytest.raises(InvalidChatTopicError, match="topic_id=6"):
        from_topic_entity(entity(), topic_id=6)
    assert from_topic_entity(entity(), topic_id=5).id == 5
    with pytest.raises(InvalidChatTopicError):
        from_topic_entity(entity(ChatTopicId=-3))


@pytest.mark.parametrize("bad", [None, {}, "x", ChatTopic(id=1)])
def test_the_functions_take_their_own_kind(bad: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        from_topic_entity(bad)
    if not isinstance(bad, ChatTopic):
        with pytest.raises(InvalidArgumentError):
            to_topic_entity(bad)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_older_seconds_count_rounded_up_unless_minutes_are_there(new: int, manager: int) -> None:
    older = entity(WarnNewChatSeconds=new, WarnManagerNewChatSeconds=manager)
    topic = from_topic_entity(older)
    assert topic.warn_new_chat_minutes == -(-new // 60)
    assert topic.warn_manager_new_chat_minutes == -(-manager // 60)
    both = entity(WarnNewChatSeconds=new, WarnNewChatMinutes=1)
    assert from_topic_entity(both).warn_new_chat_minutes == 1


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
HOURS_KEYS = ["TzLocation", "MonEnabled", "MonStart", "SunStop", "UseLunchHours", "LunchStart"]
WIDGET_KEYS = ["PreFormEnabled", "AutoFaqEnabled", "PostFormEnabled"]


@given(
    st.dictionaries(st.sampled_from(HOURS_KEYS), JSON_VALUES),
    st.dictionaries(st.sampled_from(WIDGET_KEYS), JSON_VALUES),
    st.dictionaries(
        st.sampled_from(["WarnNewChatSeconds", "WarnManagerNewChatSeconds"]), JSON_VALUES
    ),
)
def test_any_json_in_the_raw_objects_gives_a_topic_or_an_invalid_chat_topic_error(
    hours: dict[str, Any], widget: dict[str, Any], older: dict[str, Any]
) -> None:
    try:
        topic = from_topic_entity(entity(OpeningHours=hours, Widget=widget, **older))
    except InvalidChatTopicError as error:
        assert error.problems
    else:
        assert from_topic_entity(to_topic_entity(topic)) == topic
