"""Issues 15.6 and 15.10: a strict Customer, InitialQueuePos for late joiners, a quiet engine."""

import logging
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from chatsession import (
    ChatAgent,
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    Customer,
    InMemoryChatSessionRepository,
    ManualClock,
)

S = ChatSessionStatus
AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "fields",
    [{"person_id": True}, {"contact_id": "12"}, {"consented": "yes"}, {"alias": 5},
     {"person_id": 1.0}],
)
def test_customer_refuses_values_it_would_have_coerced(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Customer(**fields)  # type: ignore[arg-type]


def test_a_session_that_joins_the_queue_after_the_prechat_form_gets_its_position() -> None:
    topic = ChatTopic(id=1, use_prechat_form=True)
    session = ChatSession.request(1, topic, at=AT)
    assert session.initial_queue_pos == 0  # not queued yet
    session.submit_prechat_form(topic, queue_length=4, at=AT)
    assert session.status is S.InQueue and session.initial_queue_pos == 5


def test_a_session_that_joins_the_queue_after_the_faq_gets_its_position() -> None:
    session = ChatSession.request(1, ChatTopic(id=1, use_faq=True), at=AT)
    session.faq_not_helpful(queue_length=2, at=AT)
    assert session.initial_queue_pos == 3


def test_a_position_once_given_is_kept_when_the_session_is_reset_to_the_queue() -> None:
    session = ChatSession.request(1, ChatTopic(id=1), at=AT, queue_length=1)
    session.pick_up(by=7, at=AT)
    session.reset(by=7, queue_length=9, at=AT)
    assert session.status is S.InQueue and session.initial_queue_pos == 2


def test_the_agent_counts_the_queue_for_a_bot_handing_off() -> None:
    agent = ChatAgent(InMemoryChatSessionRepository(), clock=ManualClock(AT))
    for _ in range(3):
        agent.create_session(ChatTopic(id=1))
    bot_topic = ChatTopic(id=1, use_prechat_form=True, bot_enabled=True)
    sid = agent.create_session(bot_topic).entity.chat_session_id
    assert sid is not None
    reply = agent.reset(sid)
    assert reply.entity.status is S.InQueue and reply.entity.initial_queue_pos == 4


def test_the_engine_does_not_log_two_info_lines_per_command(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        session = ChatSession.request(1, ChatTopic(id=1), at=AT)
        session.pick_up(by=7, at=AT)
    assert not [r for r in caplog.records if r.name.startswith("transitions")]
