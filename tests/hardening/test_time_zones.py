"""Issue 15.1: named time zones. Times are normalised to UTC on the way in, so daylight
saving changes are absolute time, and memory and SQLite agree."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chatsession import (
    ChatSession,
    ChatTopic,
    InMemoryChatSessionRepository,
    ManualClock,
    NoOpReason,
    SqliteChatSessionRepository,
    check_invariants,
)

OSLO = ZoneInfo("Europe/Oslo")
# 2026-10-25 03:00 Oslo summer time falls back to 02:00: 02:00-03:00 happens twice.
BEFORE_FALL_BACK = datetime(2026, 10, 25, 1, 30, tzinfo=OSLO)


def test_a_manual_clock_advances_by_real_time_across_a_dst_change() -> None:
    clock = ManualClock(BEFORE_FALL_BACK)
    clock.advance(timedelta(hours=1))
    assert clock.now() - BEFORE_FALL_BACK.astimezone(UTC) == timedelta(hours=1)
    assert clock.now().tzinfo is UTC


def test_a_transfer_waiting_one_real_hour_is_not_expired_by_a_90_minute_timeout() -> None:
    # 2026-03-29 02:00 Oslo springs forward to 03:00: 01:30 -> 03:30 on the wall is one hour
    at = datetime(2026, 3, 29, 1, 30, tzinfo=OSLO)
    session = ChatSession.request(1, ChatTopic(id=1), at=at)
    session.pick_up(by=7, at=at)
    session.transfer(to=8, by=7, at=at)
    one_real_hour_later = (at.astimezone(UTC) + timedelta(hours=1)).astimezone(OSLO)
    outcome = session.expire_transfer(timedelta(minutes=90), at=one_real_hour_later)
    assert outcome.reason is NoOpReason.NOT_EXPIRED
    outcome = session.expire_transfer(timedelta(minutes=60), at=one_real_hour_later)
    assert outcome.changed
    (event,) = [e for e in session.pull_events() if e.name == "TransferExpired"]
    assert event.waited == timedelta(hours=1)  # type: ignore[attr-defined]


def test_a_session_created_in_the_repeated_hour_loads_back_from_sqlite_valid(
    tmp_path: Path,
) -> None:
    second_two_thirty = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=OSLO)
    first_two_forty = datetime(2026, 10, 25, 2, 40, fold=0, tzinfo=OSLO)  # earlier in UTC
    with SqliteChatSessionRepository(tmp_path / "dst.db") as repo:
        session = ChatSession.request(repo.next_id(), ChatTopic(id=1), at=first_two_forty)
        session.pick_up(by=7, at=second_two_thirty)
        repo.add(session)
        loaded = repo.get(session.chat_session_id)
        check_invariants(loaded)
        assert loaded == session
        loaded.post_user_message("hello", by=7, at=second_two_thirty)
        repo.save(loaded)  # can be saved again


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31), timezones=st.just(OSLO)),
    steps=st.lists(st.integers(0, 4 * 3600), min_size=1, max_size=8),
)
def test_memory_and_sqlite_agree_on_a_lifecycle_with_a_dst_clock(
    tmp_path_factory: object, start: datetime, steps: list[int]
) -> None:
    from tempfile import mkdtemp

    clock = ManualClock(start)
    memory = InMemoryChatSessionRepository()
    with SqliteChatSessionRepository(Path(mkdtemp()) / "z.db") as sqlite:
        for repo in (memory, sqlite):
            repo.add(ChatSession.request(1, ChatTopic(id=1), at=clock.now()))
        commands = [
            lambda s, at: s.pick_up(by=7, at=at),
            lambda s, at: s.transfer(to=8, by=7, at=at),
            lambda s, at: s.expire_transfer(timedelta(hours=1), at=at),
            lambda s, at: s.post_customer_message("hi", at=at),
            lambda s, at: s.customer_fetched(at=at),
        ]
        for i, step in enumerate(steps):
            clock.advance(timedelta(seconds=step))
            at = clock.now().astimezone(OSLO)
            for repo in (memory, sqlite):
                session = repo.get(1)
                if commands[i % len(commands)](session, at).changed:
                    repo.save(session)
        assert memory.get(1) == sqlite.get(1)
        check_invariants(sqlite.get(1))
        assert [r.payload for r in memory.outbox.read(limit=None)] == [
            r.payload for r in sqlite.outbox.read(limit=None)
        ]
