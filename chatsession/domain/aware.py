"""Checks that keep every time in the domain timezone-aware."""

from __future__ import annotations

from datetime import datetime, timedelta

from chatsession.domain.errors import InvalidArgumentError


def require_aware(value: object, what: str = "datetime") -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise ``InvalidArgumentError``.

    Its UTC offset must be a whole number of seconds: sub-second offsets exist in Python
    but not in ISO 8601, so they could not be stored or sent and read back.
    """
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"{what} must be a datetime, got {type(value).__name__}")
    offset = value.utcoffset()
    if offset is None:
        raise InvalidArgumentError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    if offset % _SECOND:
        raise InvalidArgumentError(
            f"{what} has a UTC offset of {offset}, not a whole number of seconds "
            "(such offsets cannot be written in ISO 8601 and read back)"
        )
    return value


def is_aware(value: object) -> bool:
    """True for a datetime with a UTC offset of whole seconds (what the domain accepts)."""
    if not isinstance(value, datetime):
        return False
    offset = value.utcoffset()
    return offset is not None and not offset % _SECOND


_SECOND = timedelta(seconds=1)
