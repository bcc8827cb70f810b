from datetime import UTC, datetime, timedelta, timezone

import pytest

from chatsession import Clock, InvalidArgumentError, ManualClock, SystemClock


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)


def test_clocks_satisfy_the_port() -> None:
    assert isinstance(SystemClock(), Clock)
    assert isinstance(ManualClock(datetime(2026, 1, 1, tzinfo=UTC)), Clock)


def test_manual_clock_sets_and_advances() -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    clock = ManualClock(start)
    assert clock.now() == start
    assert clock.advance(timedelta(minutes=5)) == start + timedelta(minutes=5)
    clock.set(start - timedelta(days=1))
    assert clock.now() == start - timedelta(days=1)


@pytest.mark.parametrize("bad", [datetime(2026, 1, 1), "2026-01-01", None])
def test_manual_clock_rejects_naive_or_non_datetimes(bad: object) -> None:
    with pytest.raises(InvalidArgumentError):
        ManualClock(bad)  # type: ignore[arg-type]
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidArgumentError):
        clock.set(bad)  # type: ignore[arg-type]


def test_manual_clock_does_not_advance_backwards() -> None:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidArgumentError):
        clock.advance(timedelta(seconds=-1))


def test_an_offset_that_is_not_whole_seconds_is_refused() -> None:
    odd = timezone(-timedelta(microseconds=1))
    with pytest.raises(InvalidArgumentError, match="whole number of seconds"):
        ManualClock(datetime(2026, 1, 1, tzinfo=odd))
    ManualClock(datetime(1900, 1, 1, tzinfo=timezone(timedelta(minutes=19, seconds=32))))
