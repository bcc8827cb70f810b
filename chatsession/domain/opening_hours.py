"""OpeningHours: when a chat topic is open, per weekday, with a lunch break, in a named zone.

SuperOffice's ``ChatOpeningHours`` (``MonEnabled``/``MonStart``/``MonStop`` ... ``Sun*``,
``UseLunchHours``, ``LunchStart``/``LunchStop``, ``TzLocation``) together with the topic's
``OpeningHoursEnabled``. ``IsWithinOpeningHours`` "will use timezones": ``is_open(at)``
converts the instant ``at`` to the zone and reads the wall clock there.

The rules (``docs/topics.md``):

* hours not ``enabled``: always open;
* a day is open from ``start`` (included) to ``stop`` (excluded); a ``stop`` of 00:00 is the
  end of the day (24:00), so 00:00-00:00 is the whole day;
* a ``stop`` at or before ``start`` (but 00:00) gives the day no hours: closed all day;
* with ``use_lunch_hours``, every day is closed from ``lunch_start`` (included) to
  ``lunch_stop`` (excluded), the same way (00:00 ends the day; an empty break is none);
* times are wall-clock times of the zone: naive ``datetime.time`` values (an aware one is
  refused: the zone is ``time_zone``, one for all of them);
* ``time_zone`` is an IANA name ``zoneinfo`` knows (``"Europe/Oslo"``); an unknown name is
  refused when the value is made. ``"UTC"`` needs no time-zone database.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel, ConfigDict, field_validator

from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.values import require_aware

MIDNIGHT: Final = time(0, 0)
"""A ``stop`` (or ``lunch_stop``) of 00:00 is the end of the day (24:00)."""

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The day fields of ``OpeningHours`` in ``datetime.weekday()`` order (Monday is 0)."""

_NOT_A_PLACE = frozenset({"localtime"})  # the machine's own zone: no name for a place


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_A_PLACE


def is_known_zone(name: object) -> bool:
    """True for ``"UTC"`` and every IANA zone name ``zoneinfo`` knows on this machine."""
    return isinstance(name, str) and (name == "UTC" or name in _known_zones())


def _within(moment: time, start: time, stop: time) -> bool:
    """``start <= moment < stop``, a ``stop`` of 00:00 being 24:00; empty if stop <= start."""
    if stop == MIDNIGHT:
        return moment >= start
    return start <= moment < stop


def _naive(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("must be a wall-clock time without tzinfo (the zone is time_zone)")
    return value


class DayHours(BaseModel):
    """One weekday's hours: ``MonEnabled``, ``MonStart``, ``MonStop`` (and so on)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    enabled: bool = False
    start: time = time(8, 0)
    stop: time = time(16, 0)

    @field_validator("start", "stop")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        """Refuse an aware time: the zone of every time is the hours' ``time_zone``."""
        return _naive(value)

    def is_open_at(self, moment: time) -> bool:
        """True if the day is enabled and ``moment`` (wall clock) falls in its hours."""
        return self.enabled and _within(moment, self.start, self.stop)


WORKDAY: Final = DayHours(enabled=True)
"""Monday to Friday by default: 08:00 to 16:00."""

DAY_OFF: Final = DayHours(enabled=False)
"""Saturday and Sunday by default: not open (08:00 to 16:00 if enabled)."""


class OpeningHours(BaseModel):
    """When a topic is open: ``OpeningHoursEnabled`` and SuperOffice's ``ChatOpeningHours``.

    The defaults (what a new topic gets): hours not enabled, so the topic is always open;
    if enabled, Monday to Friday 08:00-16:00 UTC, no lunch break (11:30-12:00 when used).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    enabled: bool = False
    """``OpeningHoursEnabled``: without it the topic is always open."""
    mon: DayHours = WORKDAY
    tue: DayHours = WORKDAY
    wed: DayHours = WORKDAY
    thu: DayHours = WORKDAY
    fri: DayHours = WORKDAY
    sat: DayHours = DAY_OFF
    sun: DayHours = DAY_OFF
    use_lunch_hours: bool = False
    lunch_start: time = time(11, 30)
    lunch_stop: time = time(12, 0)
    time_zone: str = "UTC"
    """An IANA zone name (``TzLocation``); the wall clock every time above is read on."""

    @field_validator("lunch_start", "lunch_stop")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        """Refuse an aware time: the zone of every time is ``time_zone``."""
        return _naive(value)

    @field_validator("time_zone")
    @classmethod
    def _known(cls, value: str) -> str:
        """Refuse a name ``zoneinfo`` does not know (``"utc"``, ``"Nowhere/Land"``, ``""``)."""
        if not is_known_zone(value):
            raise ValueError(f"{value!r} is not a time zone zoneinfo knows (an IANA name)")
        return value

    def zone(self) -> tzinfo:
        """The ``tzinfo`` of ``time_zone``."""
        return UTC if self.time_zone == "UTC" else ZoneInfo(self.time_zone)

    def day(self, weekday: int) -> DayHours:
        """The hours of ``weekday`` (0 is Monday, as ``datetime.weekday()``)."""
        if type(weekday) is not int or not 0 <= weekday <= 6:
            raise InvalidArgumentError(f"weekday must be an int from 0 to 6, got {weekday!r}")
        hours: DayHours = getattr(self, WEEKDAYS[weekday])
        return hours

    def is_open(self, at: datetime) -> bool:
        """True if the topic is open at the instant ``at`` (an aware datetime).

        Always True when the hours are not ``enabled``. Otherwise ``at`` is converted to
        ``time_zone`` and its weekday and wall-clock time are read there: across a
        daylight-saving change the hours follow the local clock.
        """
        moment = require_aware(at, "at")
        if not self.enabled:
            return True
        try:
            local = moment.astimezone(self.zone())
        except OverflowError:
            raise InvalidArgumentError(
                f"at ({moment.isoformat()}) is out of range in {self.time_zone}"
            ) from None
        wall = local.time().replace(tzinfo=None, fold=0)
        if not self.day(local.weekday()).is_open_at(wall):
            return False
        return not (self.use_lunch_hours and _within(wall, self.lunch_start, self.lunch_stop))
