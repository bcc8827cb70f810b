"""Aggregate <-> ChatSessionEntity: nothing lost, invariants enforced on the way in."""

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given

from chatsession import (
    AssociateInfo,
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    InvariantViolationError,
    ManualClock,
)
from chatsession.adapters.associates import InMemoryAssociateDirectory
from chatsession.domain.session_data import FIELDS, SESSION_FIELDS
from chatsession.testing.strategies import sessions
from chatsession.wire import Associate, ChatSessionEntity, dump_chat_session, parse_chat_session
from chatsession.wire.mapping import associate_carrier, from_entity, to_entity

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
        from_entity(entity, at=CLOCK.now())
    assert caught.value.chat_session_id == 963
    assert caught.value.violations == (
        "a transfer to 928 is pending but status is Closed, not active (CustomerLast or UserLast)",
        "when_started (2005-03-31T15:05:41.731003+02:00) is before when_requested "
        "(2019-05-05T15:05:41.731003+02:00)",
        "when_ended (1999-02-18T15:05:41.731003+01:00) is before when_started "
        "(2005-03-31T15:05:41.731003+02:00)",
        "rank is 582 but only an active session with a user has a rank (status Closed)",
    )


@given(sessions())
def test_aggregate_to_entity_to_aggregate_keeps_every_field(session: ChatSession) -> None:
    entity = to_entity(session)
    back = from_entity(
        entity,
        at=CLOCK.now(),
        version=session.version,
        transfer_requested_at=session.transfer_requested_at,
    )
    assert back.to_dict() == session.to_dict()
    # and through JSON text too
    text = json.dumps(dump_chat_session(entity))
    again = from_entity(
        parse_chat_session(text),
        at=CLOCK.now(),
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


def _transferring(clock: ManualClock = CLOCK) -> ChatSession:
    session = ChatSession.request(5, ChatTopic(id=1), at=clock.now())
    session.pick_up(by=7, at=clock.now())
    session.transfer(to=8, by=7, at=clock.now())
    return session


def test_user_and_transfer_to_come_from_the_directory_or_fall_back_to_ids() -> None:
    session = _transferring()
    alice = AssociateInfo(associate_id=7, user_name="alice", full_name="Alice Agent")
    entity = to_entity(session, associates=InMemoryAssociateDirectory([alice]))
    assert entity.user == Associate(
        associate_id=7, name="alice", user_name="alice", full_name="Alice Agent", deleted=False
    )
    assert entity.transfer_to == Associate(associate_id=8)
    document = dump_chat_session(entity)
    assert document["User"]["FullName"] == "Alice Agent"
    assert document["User"]["UserName"] == "alice"
    assert document["TransferTo"] == {"AssociateId": 8}
    # without a directory, both are id-only
    bare = dump_chat_session(to_entity(session))
    assert bare["User"] == {"AssociateId": 7} and bare["TransferTo"] == {"AssociateId": 8}


def test_the_associate_carrier_of_an_associate_info() -> None:
    carrier = associate_carrier(AssociateInfo(9, user_name="bob", full_name="Bob", deleted=True))
    assert carrier == Associate(
        associate_id=9, name="bob", user_name="bob", full_name="Bob", deleted=True
    )
    nameless = associate_carrier(AssociateInfo(9))
    assert (nameless.name, nameless.user_name, nameless.full_name) == (None, None, None)


def test_a_replaced_associate_is_written_as_the_directory_now_knows_it() -> None:
    directory = InMemoryAssociateDirectory([AssociateInfo(7, user_name="alice")])
    directory.add(AssociateInfo(7, user_name="alice2", full_name="Alice Renamed"))
    user = to_entity(_transferring(), associates=directory).user
    assert user is not None and user.user_name == "alice2"
    assert user.full_name == "Alice Renamed"
    assert directory.by_user_name("alice") is None


def test_a_pending_transfer_read_from_the_wire_starts_its_timer_at_the_time_given() -> None:
    session = _transferring()
    at = datetime(2027, 1, 1, 3, 0, tzinfo=timezone(timedelta(hours=2)))
    loaded = from_entity(to_entity(session), at=at)
    assert loaded.transfer_to == 8
    assert loaded.transfer_requested_at == at
    assert loaded.transfer_requested_at is not None
    assert loaded.transfer_requested_at.tzinfo is UTC
    assert loaded.transfer_pending
    # a time given for it wins over `at`
    asked = CLOCK.now() + timedelta(seconds=5)
    kept = from_entity(to_entity(session), transfer_requested_at=asked, at=at)
    assert kept.transfer_requested_at == asked


def test_a_pending_transfer_read_from_the_wire_without_a_time_starts_its_timer_now() -> None:
    before = datetime.now(UTC)
    loaded = from_entity(to_entity(_transferring()))
    after = datetime.now(UTC)
    assert loaded.transfer_requested_at is not None
    assert before <= loaded.transfer_requested_at <= after
    assert loaded.transfer_requested_at.tzinfo is UTC


def test_no_pending_transfer_no_timer() -> None:
    session = _transferring()
    session.reject_transfer(by=8, at=CLOCK.now())
    loaded = from_entity(to_entity(session), at=CLOCK.now())
    assert loaded.transfer_to is None and loaded.transfer_requested_at is None


def test_a_naive_at_is_refused() -> None:
    from chatsession import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        from_entity(to_entity(_transferring()), at=datetime(2027, 1, 1))


def test_missing_required_fields_are_all_listed() -> None:
    entity = parse_chat_session({"ChatSessionId": 4, "Status": "InQueue"})
    with pytest.raises(InvariantViolationError) as caught:
        from_entity(entity)
    assert caught.value.violations == (
        "TopicId is missing or null",
        "WhenRequested is missing or null",
    )


def test_a_null_date_time_loads_as_unset_but_when_requested_stays_required() -> None:
    session = _transferring()
    wire = dict(dump_chat_session(to_entity(session)))
    wire |= {"WhenEnded": None, "WhenIdle": None, "WhenFetched": None}
    loaded = from_entity(parse_chat_session(wire), at=CLOCK.now())
    assert (loaded.when_ended, loaded.when_idle, loaded.when_fetched) == (None, None, None)
    assert loaded.when_started == session.when_started
    with pytest.raises(InvariantViolationError) as caught:
        from_entity(parse_chat_session(wire | {"WhenRequested": None}), at=CLOCK.now())
    assert caught.value.violations == ("WhenRequested is missing or null",)


def test_status_integer_on_the_wire_loads_as_the_enum() -> None:
    entity = parse_chat_session(
        {
            "ChatSessionId": 4,
            "TopicId": 1,
            "Status": 4,
            "WhenRequested": "2026-11-25T12:00:00.1234567+01:00",
        }
    )
    session = from_entity(entity)
    assert session.status is ChatSessionStatus.InQueue
    assert session.when_requested.microsecond == 123456


def test_fields_order_matches_the_entity() -> None:
    assert FIELDS[0] == "chat_session_id" and FIELDS[-1] == "version"


def test_every_field_declares_its_entity_attribute() -> None:
    for f in SESSION_FIELDS:
        if f.wire is None:
            assert f.name in ("transfer_requested_at", "version")
            continue
        assert f.wire in ChatSessionEntity.model_fields, f.name
    wired = {f.wire for f in SESSION_FIELDS}
    # what the entity has and the session does not: rights, field properties and links
    assert set(ChatSessionEntity.model_fields) - wired == {
        "table_right", "field_properties", "links"
    }


def test_an_offset_with_seconds_is_written_as_the_same_instant_in_utc() -> None:
    lmt = timezone(timedelta(minutes=19, seconds=32))  # Amsterdam's 1900 local mean time
    clock = ManualClock(datetime(1900, 1, 1, 9, 0, tzinfo=lmt))
    session = ChatSession.request(1, ChatTopic(id=1), at=clock.now())
    assert session.when_requested.tzinfo is UTC
    document = dump_chat_session(to_entity(session))
    assert document["WhenRequested"] == "1900-01-01T08:40:28.000000+00:00"
    back = from_entity(parse_chat_session(document), at=clock.now())
    assert back.when_requested == session.when_requested


def test_times_recorded_in_utc_are_written_in_utc() -> None:
    clock = ManualClock(datetime(2026, 11, 25, 14, 30, tzinfo=timezone(timedelta(hours=2))))
    session = ChatSession.request(1, ChatTopic(id=1), at=clock.now())
    clock.advance(timedelta(seconds=90))
    session.pick_up(by=7, at=clock.now())
    document = dump_chat_session(to_entity(session))
    assert document["WhenRequested"] == "2026-11-25T12:30:00.000000+00:00"
    assert document["WhenStarted"] == "2026-11-25T12:31:30.000000+00:00"
