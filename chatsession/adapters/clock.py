"""Clock adapters: the system clock (UTC) and a manual clock for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.values import utc


class SystemClock:
    """The real time, in UTC."""

    __slots__ = ()

    def now(self) -> datetime:
        """Return the current UTC time (aware)."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that only moves when told to; for tests, simulations and replays.

    It keeps and answers UTC: a start or ``set`` value in another zone is taken as the same
    instant, so ``advance`` moves by real time even across a daylight-saving change (wall
    clock arithmetic on a zoned datetime would not).
    """

    __slots__ = ("_now",)

    def __init__(self, start: datetime) -> None:
        self._now = utc(start, "ManualClock start")

    def now(self) -> datetime:
        """Return the clock's current time."""
        return self._now

    def set(self, value: datetime) -> None:
        """Move the clock to ``value`` (aware; may go backwards, as real clocks do)."""
        self._now = utc(value, "ManualClock.set value")

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` (not negative) and return the new time."""
        if not isinstance(delta, timedelta):
            raise InvalidArgumentError(
                f"ManualClock.advance needs a timedelta, got {type(delta).__name__}"
            )
        if delta < timedelta(0):
            raise InvalidArgumentError(f"ManualClock.advance needs delta >= 0, got {delta}")
        try:
            self._now = self._now + delta
        except OverflowError:
            raise InvalidArgumentError(
                f"ManualClock.advance({delta}) from {self._now.isoformat()} leaves the "
                "datetime range"
            ) from None
        return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"
