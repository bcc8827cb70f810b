"""Opening hours: days, lunch, midnight, empty days, zones and daylight saving."""

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chatsession import DayHours, InvalidArgumentError, OpeningHours
from chatsession.domain.opening_hours import MIDNIGHT, WEEKDAYS, is_known_zone
from chatsession.testing.strategies import ZONES, aware_datetimes, opening_hours

OSLO = ZoneInfo("Europe/Oslo")
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday, winter: Oslo is UTC+1


def at(day: datetime, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return day + timedelta(hours=hour, minutes=minute, seconds=second)


def hours(**kw: object) -> OpeningHours:
    return OpeningHours(enabled=True, **kw)  # type: ignore[arg-type]


def test_the_defaults_are_weekdays_eight_to_four_utc_not_enabled() -> None:
    default = OpeningHours()
    assert not default.enabled and default.time_zone == "UTC"
    assert [default.day(i).enabled for i in range(7)] == [True] * 5 + [False] * 2
    assert default.mon == DayHours(enabled=True, start=time(8), stop=time(16))
    assert not default.use_lunch_hours
    assert (default.lunch_start, default.lunch_stop) == (time(11, 30), time(12))


def test_hours_not_enabled_are_always_open() -> None:
    closed_every_day = OpeningHours(**{day: DayHours(enabled=False) for day in WEEKDAYS})
    assert closed_every_day.is_open(at(MONDAY, 3))


def test_a_day_is_open_from_start_included_to_stop_excluded() -> None:
    h = hours()
    assert not h.is_open(at(MONDAY, 7, 59, 59))
    assert h.is_open(at(MONDAY, 8))
    assert h.is_open(at(MONDAY, 15, 59, 59))
    assert not h.is_open(at(MONDAY, 16))
    saturday = MONDAY + timedelta(days=5)
    assert not h.is_open(at(saturday, 10))


def test_a_stop_at_midnight_is_the_end_of_the_day() -> None:
    h = hours(mon=DayHours(enabled=True, start=time(18), stop=MIDNIGHT))
    assert h.is_open(at(MONDAY, 23, 59, 59))
    assert not h.is_open(at(MONDAY, 17, 59))
    assert not h.is_open(MONDAY + timedelta(days=1))  # 00:00 is Tuesday's, closed then
    whole_day = hours(mon=DayHours(enabled=True, start=MIDNIGHT, stop=MIDNIGHT))
    assert all(whole_day.is_open(at(MONDAY, hour)) for hour in range(24))


@pytest.mark.parametrize(("start", "stop"), [(time(16), time(8)), (time(9), time(9))])
def test_a_stop_at_or_before_the_start_closes_the_day(start: time, stop: time) -> None:
    h = hours(mon=DayHours(enabled=True, start=start, stop=stop))
    assert not any(h.is_open(at(MONDAY, hour, minute)) for hour in range(24) for minute in (0, 30))


def test_the_lunch_break_closes_every_open_day() -> None:
    h = hours(use_lunch_hours=True, lunch_start=time(11, 30), lunch_stop=time(12, 15))
    assert h.is_open(at(MONDAY, 11, 29))
    assert not h.is_open(at(MONDAY, 11, 30))
    assert not h.is_open(at(MONDAY, 12, 14, 59))
    assert h.is_open(at(MONDAY, 12, 15))
    off = hours(use_lunch_hours=False, lunch_start=time(11, 30), lunch_stop=time(12, 15))
    assert off.is_open(at(MONDAY, 11, 45))
    empty = hours(use_lunch_hours=True, lunch_start=time(12), lunch_stop=time(11))
    assert empty.is_open(at(MONDAY, 11, 30))


def test_the_wall_clock_of_the_zone_counts() -> None:
    h = hours(time_zone="Europe/Oslo")
    assert h.is_open(at(MONDAY, 7))  # 08:00 in Oslo
    assert not h.is_open(at(MONDAY, 15))  # 16:00 in Oslo
    # the same instant, told in another offset, is the same answer
    assert h.is_open(at(MONDAY, 7).astimezone(timezone(timedelta(hours=-5))))


def test_the_weekday_is_the_zone_s_weekday() -> None:
    """Monday 01:00 UTC is still Sunday evening in New York."""
    evenings = {"sun": DayHours(enabled=True, start=time(18), stop=MIDNIGHT), "mon": DayHours()}
    assert hours(time_zone="America/New_York", **evenings).is_open(at(MONDAY, 1))
    assert not hours(time_zone="UTC", **evenings).is_open(at(MONDAY, 1))  # Monday there


def test_daylight_saving_follows_the_local_clock() -> None:
    h = hours(time_zone="Europe/Oslo", sun=DayHours(enabled=True, start=time(2), stop=time(3)))
    # 2026-03-29: 02:00 springs to 03:00 in Oslo; the window 02:00-03:00 never happens.
    spring = datetime(2026, 3, 29, tzinfo=UTC)
    assert not any(h.is_open(spring + timedelta(minutes=m)) for m in range(0, 24 * 60, 10))
    # 2026-10-25: 03:00 falls back to 02:00: the window happens twice, both are open.
    autumn = datetime(2026, 10, 25, tzinfo=UTC)
    opened = [m for m in range(0, 24 * 60, 10) if h.is_open(autumn + timedelta(minutes=m))]
    assert len(opened) == 12  # two real hours: 00:00-01:00 and 01:00-02:00 UTC
    assert h.is_open(datetime(2026, 10, 25, 2, 30, tzinfo=OSLO))
    assert h.is_open(datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=OSLO))


@pytest.mark.parametrize("bad", ["utc", "Nowhere/Land", "", "localtime", "/etc/passwd", "Europe"])
def test_an_unknown_zone_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="time_zone"):
        OpeningHours(time_zone=bad)
    assert not is_known_zone(bad)


def test_aware_times_of_day_are_refused_the_zone_is_one_for_all() -> None:
    with pytest.raises(ValidationError):
        DayHours(start=time(8, tzinfo=UTC))
    with pytest.raises(ValidationError):
        OpeningHours(lunch_stop=time(12, tzinfo=UTC))
    with pytest.raises(ValidationError):
        DayHours(start="08:00")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [datetime(2026, 1, 1), "2026-01-01T00:00:00+00:00", None, 5])
def test_is_open_needs_an_aware_datetime(bad: object) -> None:
    with pytest.raises(InvalidArgumentError):
        hours().is_open(bad)  # type: ignore[arg-type]


def test_an_instant_out_of_range_in_the_zone_is_an_invalid_argument() -> None:
    late = datetime.max.replace(tzinfo=UTC)
    with pytest.raises(InvalidArgumentError):
        hours(time_zone="Pacific/Kiritimati").is_open(late)


@pytest.mark.parametrize("bad", [-1, 7, True, "0", 1.0])
def test_day_takes_a_weekday_number(bad: object) -> None:
    with pytest.raises(InvalidArgumentError):
        OpeningHours().day(bad)  # type: ignore[arg-type]


def test_the_zones_of_the_strategies_are_known() -> None:
    assert "UTC" in ZONES and all(is_known_zone(zone) for zone in ZONES)


@settings(max_examples=200)
@given(opening_hours(), aware_datetimes())
def test_is_open_is_the_day_s_window_minus_lunch_on_the_local_wall_clock(
    h: OpeningHours, moment: datetime
) -> None:
    """The rule, said a second way: microseconds since midnight against the windows."""

    def since_midnight(t: time) -> int:
        return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond

    def window(start: time, stop: time) -> tuple[int, int]:
        end = 24 * 3600 * 1_000_000 if stop == MIDNIGHT else since_midnight(stop)
        return since_midnight(start), end

    local = moment.astimezone(h.zone())
    now = since_midnight(local.time())
    day = h.day(local.weekday())
    low, high = window(day.start, day.stop)
    expected = day.enabled and low <= now < high
    if h.use_lunch_hours:
        lunch_low, lunch_high = window(h.lunch_start, h.lunch_stop)
        expected = expected and not lunch_low <= now < lunch_high
    assert h.is_open(moment) == (expected or not h.enabled)


@given(st.sampled_from(ZONES))
def test_every_zone_of_the_strategies_makes_a_tzinfo(zone: str) -> None:
    assert hours(time_zone=zone).zone() is not None
