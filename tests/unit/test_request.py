from datetime import UTC, datetime

import pytest
from actors import T0

from chatsession import (
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    Customer,
    InvalidArgumentError,
    ManualClock,
    SessionRequested,
    check_invariants,
)

S = ChatSessionStatus


@pytest.mark.parametrize(
    ("settings", "agents", "expected"),
    [
        ({}, True, S.InQueue),
        ({}, False, S.OfflineForm),
        ({"use_prechat_form": True}, True, S.PreChatForm),
        ({"use_prechat_form": True, "use_faq": True}, False, S.PreChatForm),
        ({"use_faq": True}, True, S.Faq),
        ({"use_faq": True}, False, S.Faq),
    ],
)
def test_request_starts_by_topic_settings_and_agent_availability(
    clock: ManualClock, settings: dict[str, bool], agents: bool, expected: ChatSessionStatus
) -> None:
    session = ChatSession.request(5, ChatTopic(id=2, **settings), at=clock.now(),
                                  agents_available=agents)
    assert session.status is expected
    check_invariants(session)


def test_request_records_requested_event_with_clock_time(clock: ManualClock) -> None:
    session = ChatSession.request(5, ChatTopic(id=2), at=clock.now())
    (event,) = session.pull_events()
    assert isinstance(event, SessionRequested)
    assert event.occurred_at == T0 == session.when_requested
    assert session.when_requested.tzinfo is UTC
    assert event.chat_session_id == 5 and event.topic_id == 2
    assert session.pull_events() == []


def test_request_with_bot_topic_marks_chatbot_active(clock: ManualClock) -> None:
    session = ChatSession.request(5, ChatTopic(id=2, bot_enabled=True), at=clock.now())
    assert session.chatbot_is_active
    assert session.status is S.InQueue


def test_request_sets_initial_queue_position_from_queue_length(clock: ManualClock) -> None:
    session = ChatSession.request(5, ChatTopic(id=2), at=clock.now(), queue_length=4)
    assert session.initial_queue_pos == 5
    offline = ChatSession.request(6, ChatTopic(id=2), at=clock.now(), agents_available=False)
    assert offline.initial_queue_pos == 0


def test_request_copies_customer_details(clock: ManualClock) -> None:
    customer = Customer(alias="Ann", email="ann@example.com", phone="123", consented=True,
                        person_id=11, contact_id=12, company_name="Acme", host="10.0.0.1",
                        name="Ann Smith")
    session = ChatSession.request(5, ChatTopic(id=2), at=clock.now(), customer=customer)
    assert (session.customer_alias, session.customer_email, session.customer_phone) == (
        "Ann", "ann@example.com", "123")
    assert session.customer_consented and session.person_id == 11 and session.contact_id == 12
    assert session.customer_company_name == "Acme" and session.customer_host == "10.0.0.1"
    assert session.customer_name == "Ann Smith"


@pytest.mark.parametrize("bad_id", [0, -1, 2**31, "1", 1.0, True, None])
def test_request_rejects_bad_session_id(clock: ManualClock, bad_id: object) -> None:
    with pytest.raises(InvalidArgumentError, match="chat_session_id"):
        ChatSession.request(bad_id, ChatTopic(id=2), at=clock.now())  # type: ignore[arg-type]


def test_request_rejects_a_naive_time() -> None:
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        ChatSession.request(5, ChatTopic(id=2), at=datetime(2026, 1, 1))


def test_request_rejects_something_else_than_a_topic(clock: ManualClock) -> None:
    with pytest.raises(InvalidArgumentError, match="ChatTopic"):
        ChatSession.request(5, {"id": 2}, at=clock.now())  # type: ignore[arg-type]


def test_customer_alias_and_phone_follow_column_sizes() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="alias"):
        Customer(alias="x" * 65)
    with pytest.raises(ValidationError, match="phone"):
        Customer(phone="1" * 33)


def test_request_checks_the_session_key_and_the_flags(clock: ManualClock) -> None:
    with pytest.raises(InvalidArgumentError, match="session_key"):
        ChatSession.request(5, ChatTopic(id=2), at=clock.now(), session_key=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="agents_available"):
        ChatSession.request(5, ChatTopic(id=2), at=clock.now(), agents_available="yes")  # type: ignore[arg-type]
