"""Aggregate <-> ChatSessionEntity: nothing lost, invariants enforced on the way in."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given

from chatsession import (
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    InvariantViolationError,
    ManualClock,
    SystemClock,
)
from chatsession.adapters.associates import InMemoryAssociateDirectory
from chatsession.domain.session import FIELDS
from chatsession.testing.strategies import sessions
from chatsession.wire import Associate, dump_chat_session, parse_chat_session
from chatsession.wire.mapping import from_entity, to_entity

from .helpers import DOCUMENTED

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "reject-transfer-response.json"
CLOCK = ManualClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
DOCUMENTED_KEYS = set(DOCUMENTED)
OPTIONAL = {
    "WhenStarted": "when_started",
    "WhenEnded": "when_ended",
    "WhenIdle": "when_idle",
    "WhenFetched": "when_fetched",
    "Rating": "rating",
}


def test_the_seed_sample_is_wire_data_but_not_a_domain_state() -> None:
    entity = parse_chat_session(SEED.read_text())
    with pytest.raises(InvariantViolationError) as caught:
        from_entity(entity, clock=CLOCK)
    assert caught.value.chat_session_id == 963
    assert caught.value.violations == (
        "a transfer to 928 is pending but status is Closed, not active (CustomerLast or UserLast)",
        "when_started (2005-03-31T15:05:41.731003+02:00) is before when_requested "
        "(2019-05-05T15:05:41.731003+02:00)",
        "when_ended (1999-02-18T15:05:41.731003+01:00) is before when_started "
        "(2005-03-31T15:05:41.731003+02:00)",
    )


@given(sessions())
def test_aggregate_to_entity_to_aggregate_keeps_every_field(session: ChatSession) -> None:
    entity = to_entity(session)
    back = from_entity(
        entity,
        clock=CLOCK,
        version=session.version,
        transfer_requested_at=session.transfer_requested_at,
    )
    assert back.to_dict() == session.to_dict()
    # and through JSON text too
    text = json.dumps(dump_chat_session(entity))
    again = from_entity(
        parse_chat_session(text),
        clock=CLOCK,
        version=session.version,
        transfer_requested_at=session.transfer_requested_at,
    )
    assert again == session


@given(sessions())
def test_the_entity_has_every_documented_key(session: ChatSession) -> None:
    document = dump_chat_session(to_entity(session))
    unset = {key for key, name in OPTIONAL.items() if getattr(session, name) is None}
    assert DOCUMENTED_KEYS - unset <= set(document)
    assert not unset & set(document)
    assert document["Status"] == session.status.name
    assert document["ChatSessionId"] == session.chat_session_id


def test_user_and_transfer_to_come_from_the_directory_or_fall_back_to_ids() -> None:
    session = ChatSession.request(5, ChatTopic(id=1), clock=CLOCK)
    session.pick_up(by=7)
    session.transfer(to=8, by=7)
    alice = Associate(associate_id=7, user_name="alice", full_name="Alice Agent")
    entity = to_entity(session, associates=InMemoryAssociateDirectory([alice]))
    assert entity.user == alice
    assert entity.transfer_to == Associate(associate_id=8)
    document = dump_chat_session(entity)
    assert document["User"]["FullName"] == "Alice Agent"
    assert document["TransferTo"] == {"AssociateId": 8}


def test_a_pending_transfer_read_from_the_wire_starts_its_timer_now() -> None:
    session = ChatSession.request(5, ChatTopic(id=1), clock=CLOCK)
    session.pick_up(by=7)
    session.transfer(to=8, by=7)
    clock = ManualClock(datetime(2027, 1, 1, tzinfo=UTC))
    loaded = from_entity(to_entity(session), clock=clock)
    assert loaded.transfer_to == 8
    assert loaded.transfer_requested_at == clock.now()
    assert loaded.transfer_pending


def test_missing_required_fields_are_all_listed() -> None:
    entity = parse_chat_session({"ChatSessionId": 4, "Status": "InQueue"})
    with pytest.raises(InvariantViolationError) as caught:
        from_entity(entity, clock=SystemClock())
    assert caught.value.violations == (
        "TopicId is missing or null",
        "WhenRequested is missing or null",
    )


def test_status_integer_on_the_wire_loads_as_the_enum() -> None:
    entity = parse_chat_session(
        {
            "ChatSessionId": 4,
            "TopicId": 1,
            "Status": 4,
            "WhenRequested": "2026-11-25T12:00:00.1234567+01:00",
        }
    )
    session = from_entity(entity, clock=CLOCK)
    assert session.status is ChatSessionStatus.InQueue
    assert session.when_requested.microsecond == 123456


def test_fields_order_matches_the_entity() -> None:
    assert FIELDS[0] == "chat_session_id" and FIELDS[-1] == "version"


def test_an_offset_with_seconds_is_written_as_the_same_instant_in_utc() -> None:
    from datetime import timedelta, timezone

    lmt = timezone(timedelta(minutes=19, seconds=32))  # Amsterdam's 1900 local mean time
    clock = ManualClock(datetime(1900, 1, 1, 9, 0, tzinfo=lmt))
    session = ChatSession.request(1, ChatTopic(id=1), clock=clock)
    document = dump_chat_session(to_entity(session))
    assert document["WhenRequested"] == "1900-01-01T08:40:28.000000+00:00"
    back = from_entity(parse_chat_session(document), clock=clock)
    assert back.when_requested == session.when_requested
