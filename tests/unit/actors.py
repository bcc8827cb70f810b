"""Names for the people and times the unit tests use."""

from datetime import UTC, datetime

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ALICE, BOB, CAROL = 7, 8, 9
