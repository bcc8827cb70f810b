"""When a command happens: ``at`` (any aware time, kept in UTC), else ``ChatSession.utc_now()``."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from actors import ALICE, BOB, T0

from chatsession import (
    ChatSession,
    ChatSessionError,
    ChatTopic,
    EndReason,
    InvalidArgumentError,
    ManualClock,
    Outcome,
)
from chatsession.domain.session_data import SESSION_FIELDS

LATER = T0 + timedelta(hours=1, seconds=7)
PLUS_TWO = timezone(timedelta(hours=2))
TOPIC = ChatTopic(id=3)
PRECHAT = ChatTopic(id=3, use_prechat_form=True)
FAQ = ChatTopic(id=3, use_faq=True)
BOT = ChatTopic(id=3, bot_enabled=True)
RETURNING = ChatTopic(id=3, post_form_enabled=True)


def _request(topic: ChatTopic = TOPIC, agents_available: bool = True) -> ChatSession:
    session = ChatSession.request(1, topic, at=T0, agents_available=agents_available)
    session.pull_events()
    return session


def _active() -> ChatSession:
    session = _request()
    session.pick_up(by=ALICE, at=T0)
    session.pull_events()
    return session


def _transferring() -> ChatSession:
    session = _active()
    session.transfer(to=BOB, by=ALICE, at=T0)
    session.pull_events()
    return session


def _finished() -> ChatSession:
    session = _active()
    session.end(EndReason.IDLE, at=T0)
    session.pull_events()
    return session


Command = Callable[[ChatSession, dict[str, Any]], Outcome]
"""Runs one command on a session, with the keyword arguments given (``at`` or none)."""
COMMANDS: dict[str, tuple[Callable[[], ChatSession], Command]] = {
    "submit_prechat_form": (
        lambda: _request(PRECHAT), lambda s, at: s.submit_prechat_form(PRECHAT, **at)),
    "faq_not_helpful": (lambda: _request(FAQ), lambda s, at: s.faq_not_helpful(**at)),
    "faq_resolved": (lambda: _request(FAQ), lambda s, at: s.faq_resolved(**at)),
    "submit_offline_request": (
        lambda: _request(agents_available=False), lambda s, at: s.submit_offline_request(**at)),
    "leave_queue": (_request, lambda s, at: s.leave_queue(**at)),
    "take_offline_form": (_request, lambda s, at: s.take_offline_form(**at)),
    "pick_up": (_request, lambda s, at: s.pick_up(by=ALICE, **at)),
    "post_customer_message": (_active, lambda s, at: s.post_customer_message("hi", **at)),
    "post_user_message": (
        _active, lambda s, at: s.post_user_message("hi", by=ALICE, **at)),
    "post_bot_message": (lambda: _request(BOT), lambda s, at: s.post_bot_message("hi", **at)),
    "transfer": (_active, lambda s, at: s.transfer(to=BOB, by=ALICE, **at)),
    "accept_transfer": (_transferring, lambda s, at: s.accept_transfer(by=BOB, **at)),
    "reject_transfer": (_transferring, lambda s, at: s.reject_transfer(by=BOB, **at)),
    "cancel_transfer": (_transferring, lambda s, at: s.cancel_transfer(by=ALICE, **at)),
    "expire_transfer": (
        _transferring, lambda s, at: s.expire_transfer(timedelta(minutes=1), **at)),
    "end": (_active, lambda s, at: s.end(EndReason.BY_USER, by=ALICE, **at)),
    "post_customer_message after the end": (
        _finished, lambda s, at: s.post_customer_message("back", topic=RETURNING, **at)),
    "close": (_active, lambda s, at: s.close(**at)),
    "delete": (_active, lambda s, at: s.delete(**at)),
    "reset": (_transferring, lambda s, at: s.reset(by=ALICE, **at)),
    "customer_fetched": (_request, lambda s, at: s.customer_fetched(**at)),
}
"""Every command but ``request``: a session where it applies, and the call (``at`` to add)."""

STAMPS = {
    "faq_resolved": "when_ended",
    "submit_offline_request": "when_ended",
    "leave_queue": "when_ended",
    "pick_up": "when_started",
    "post_customer_message": "when_idle",
    "post_user_message": "when_idle",
    "post_bot_message": "when_idle",
    "post_customer_message after the end": "when_idle",
    "transfer": "transfer_requested_at",
    "end": "when_ended",
    "close": "when_ended",
    "delete": "when_ended",
    "customer_fetched": "when_fetched",
}
"""The time field each command sets to its ``at`` (in the sessions of ``COMMANDS``)."""


def test_the_table_has_every_command() -> None:
    from chatsession.domain.lifecycle import STATUS_TRANSITIONS, TRANSFER_TRANSITIONS

    triggers = {row["trigger"] for row in (*STATUS_TRANSITIONS, *TRANSFER_TRANSITIONS)}
    assert triggers - {"request", "drop_transfer"} <= set(COMMANDS)


def _recorded_times(session: ChatSession) -> list[datetime]:
    values = session.to_dict()
    return [values[f.name] for f in SESSION_FIELDS
            if f.kind is datetime and values[f.name] is not None]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_without_at_reads_chat_session_utc_now(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, command = COMMANDS[name]
    session = make()
    asked: list[datetime] = []

    def now() -> datetime:
        asked.append(LATER)
        return LATER

    monkeypatch.setattr(ChatSession, "utc_now", staticmethod(now))
    assert command(session, {}).changed
    assert asked == [LATER]
    events = session.pull_events()
    assert events and all(e.occurred_at == LATER for e in events)
    monkeypatch.undo()
    # restored: the hook reads the real time again
    before = datetime.now(UTC)
    assert before <= ChatSession.utc_now() <= datetime.now(UTC)


def test_request_without_at_reads_chat_session_utc_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChatSession, "utc_now", staticmethod(lambda: LATER))
    session = ChatSession.request(1, ChatTopic(id=3))
    assert session.when_requested == LATER
    (event,) = session.pull_events()
    assert event.occurred_at == LATER


def test_without_at_and_without_an_override_a_command_happens_now() -> None:
    before = datetime.now(UTC)
    session = ChatSession.request(1, ChatTopic(id=3))
    session.customer_fetched()
    after = datetime.now(UTC)
    assert before <= session.when_requested <= session.when_fetched <= after  # type: ignore[operator]
    assert session.when_requested.tzinfo is UTC


def test_a_subclass_can_run_on_its_own_clock() -> None:
    clock = ManualClock(T0)

    class Simulated(ChatSession):
        __slots__ = ()
        utc_now = staticmethod(clock.now)

    session = Simulated.request(1, ChatTopic(id=3))
    assert isinstance(session, Simulated) and session.when_requested == T0
    clock.advance(timedelta(minutes=3))
    session.pick_up(by=ALICE)
    assert session.when_started == T0 + timedelta(minutes=3)
    copy = session.copy()
    assert type(copy) is Simulated
    clock.advance(timedelta(minutes=1))
    copy.post_customer_message("still on the simulated clock")
    assert copy.when_idle == T0 + timedelta(minutes=4)
    # the base class is untouched
    assert ChatSession.utc_now is not Simulated.utc_now
    assert abs(ChatSession.utc_now() - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize("name", COMMANDS)
def test_an_at_with_an_offset_is_recorded_as_the_same_instant_in_utc(name: str) -> None:
    make, command = COMMANDS[name]
    session = make()
    at = LATER.astimezone(PLUS_TWO)
    assert at.utcoffset() == timedelta(hours=2) and at == LATER
    assert command(session, {"at": at}).changed
    events = session.pull_events()
    assert events
    for event in events:
        assert event.occurred_at == LATER and event.occurred_at.tzinfo is UTC
    for moment in _recorded_times(session):
        assert moment.tzinfo is UTC
    stamped = STAMPS.get(name)
    if stamped is not None:
        assert getattr(session, stamped) == LATER


def test_request_records_an_offset_time_in_utc() -> None:
    session = ChatSession.request(1, ChatTopic(id=3), at=T0.astimezone(PLUS_TWO))
    assert session.when_requested == T0 and session.when_requested.tzinfo is UTC
    assert session.when_requested.isoformat() == "2026-11-25T12:00:00+00:00"
    (event,) = session.pull_events()
    assert event.occurred_at.tzinfo is UTC


def test_times_in_other_zones_compare_as_instants() -> None:
    session = _active()
    # an hour later in UTC, but an earlier wall-clock reading at -05:00
    at = (T0 + timedelta(hours=1)).astimezone(timezone(timedelta(hours=-5)))
    assert at.replace(tzinfo=None) < T0.replace(tzinfo=None)
    session.transfer(to=BOB, by=ALICE, at=at)
    outcome = session.expire_transfer(timedelta(minutes=30), at=T0 + timedelta(hours=2))
    assert outcome.changed
    (_, expired) = session.pull_events()
    assert expired.waited == timedelta(hours=1)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_naive_at_is_refused_and_changes_nothing(name: str) -> None:
    make, command = COMMANDS[name]
    session = make()
    before = session.to_dict()
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        command(session, {"at": LATER.replace(tzinfo=None)})
    assert session.to_dict() == before and session.pending_events == ()


@pytest.mark.parametrize("bad", [datetime(2026, 1, 1), "2026-01-01T00:00:00+00:00", 0])
def test_request_refuses_an_at_that_is_not_an_aware_datetime(bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match="at"):
        ChatSession.request(1, ChatTopic(id=3), at=bad)  # type: ignore[arg-type]


def test_an_override_giving_naive_times_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChatSession, "utc_now", staticmethod(lambda: datetime(2026, 1, 1)))
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        ChatSession.request(1, ChatTopic(id=3))


def test_a_sub_second_offset_is_refused() -> None:
    odd = timezone(timedelta(microseconds=500))
    with pytest.raises(InvalidArgumentError, match="whole number of seconds"):
        ChatSession.request(1, ChatTopic(id=3), at=T0.replace(tzinfo=odd))


NO_OPS: dict[str, tuple[Callable[[], ChatSession], Command]] = {
    "pick_up": (_active, lambda s, at: s.pick_up(by=BOB, **at)),
    "transfer": (_active, lambda s, at: s.transfer(to=ALICE, by=BOB, **at)),
    "accept_transfer": (_active, lambda s, at: s.accept_transfer(by=BOB, **at)),
    "reject_transfer": (_transferring, lambda s, at: s.reject_transfer(by=ALICE, **at)),
    "cancel_transfer": (_transferring, lambda s, at: s.cancel_transfer(by=BOB, **at)),
    "expire_transfer": (
        _active, lambda s, at: s.expire_transfer(timedelta(0), **at)),
    "end": (_finished, lambda s, at: s.end(EndReason.IDLE, **at)),
    "reset": (_request, lambda s, at: s.reset(**at)),
    "post_user_message": (_request, lambda s, at: s.post_user_message("x", by=ALICE, **at)),
    "post_bot_message": (_active, lambda s, at: s.post_bot_message("x", **at)),
}
"""Sessions where the command is a documented no-op or not allowed, with the call."""


@pytest.mark.parametrize("name", NO_OPS)
def test_a_naive_at_is_refused_even_where_the_command_would_do_nothing(name: str) -> None:
    make, command = NO_OPS[name]
    session = make()
    before = session.to_dict()
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        command(session, {"at": LATER.replace(tzinfo=None)})
    assert session.to_dict() == before and session.pending_events == ()
    # with an aware time, the same call is a no-op or refused for the session's state
    try:
        outcome = command(session, {"at": LATER})
    except ChatSessionError as error:
        assert not isinstance(error, InvalidArgumentError)
    else:
        assert not outcome.changed
    assert session.to_dict() == before and session.pending_events == ()
