"""Checks that keep every time in the domain timezone-aware."""

from __future__ import annotations

from datetime import datetime

from chatsession.domain.errors import InvalidArgumentError


def require_aware(value: object, what: str = "datetime") -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise ``InvalidArgumentError``."""
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgumentError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value
