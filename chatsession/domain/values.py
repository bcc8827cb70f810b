"""The value rules every layer shares: ids, int32s, text, booleans and UTC times.

One home for each rule: the aggregate's commands, the invariants, the stores' argument
checks and the customer model all call these, so they refuse the same input alike.
A ``Rule`` is a predicate with the sentence that names what it expects; the session's
field declarations (``chatsession.domain.session_data``) carry one each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chatsession.domain.errors import InvalidArgumentError

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
"""SuperOffice's ``int``: ids are positive int32s."""

INT64_MAX = 2**63 - 1
"""The largest stored counter (versions, outbox sequences)."""

_SECOND = timedelta(seconds=1)


# ----------------------------------------------------------------- predicates


def is_id(value: object) -> bool:
    """True for a positive int32 (an ``int``, not a ``bool``)."""
    return type(value) is int and 0 < value <= INT32_MAX


def is_valid_unicode(value: str) -> bool:
    """True unless ``value`` holds a lone surrogate (which cannot be stored nor sent as UTF-8)."""
    if value.isascii():  # O(1) in CPython; a surrogate is never ASCII
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_aware(value: object) -> bool:
    """True for a datetime with a UTC offset of whole seconds (what the domain accepts)."""
    if not isinstance(value, datetime):
        return False
    offset = value.utcoffset()
    return offset is not None and not offset % _SECOND


# ------------------------------------------------------------------- checks


def check_id(value: object, what: str) -> int:
    """Return ``value`` if it is a positive int32; else raise ``InvalidArgumentError``."""
    if not is_id(value):
        raise InvalidArgumentError(f"{what} must be a positive int32, got {value!r}")
    assert isinstance(value, int)
    return value


def check_optional_id(value: object, what: str) -> int | None:
    """``check_id`` for a value that may be ``None``."""
    return None if value is None else check_id(value, what)


def check_flag(value: object, what: str) -> bool:
    """Return ``value`` if it is a ``bool``; else raise ``InvalidArgumentError``."""
    if type(value) is not bool:
        raise InvalidArgumentError(f"{what} must be a bool, got {value!r}")
    return value


def check_text(value: object, what: str, *, non_empty: bool = False) -> str:
    """Return ``value`` if it is a ``str`` of valid Unicode (and not empty if asked)."""
    if not isinstance(value, str) or (non_empty and not value):
        kind = "a non-empty str" if non_empty else "a str"
        raise InvalidArgumentError(f"{what} must be {kind}, got {value!r}")
    if not is_valid_unicode(value):
        raise InvalidArgumentError(f"{what} holds a lone surrogate: {value!r}")
    return value


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


def utc(value: object, what: str = "at") -> datetime:
    """``value`` (an aware datetime) as the same instant in UTC; else ``InvalidArgumentError``.

    Times are normalised on the way in, so that comparisons and differences are absolute
    whatever zone (and daylight-saving fold) the caller's clock is on.
    """
    if type(value) is datetime and value.tzinfo is UTC:
        return value  # the common case (clocks and stores give UTC): nothing to check
    moment = require_aware(value, what)
    if moment.tzinfo is UTC:
        return moment
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidArgumentError(
            f"{what} ({moment.isoformat()}) is out of range in UTC"
        ) from None


def utc_now() -> datetime:
    """The current time in UTC: what a command uses when no ``at`` is given."""
    return datetime.now(UTC)


# -------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Rule:
    """A value rule: ``check(value)`` is True for an allowed value; ``expected`` says which are."""

    check: Callable[[Any], bool]
    expected: str

    def optional(self) -> Rule:
        """The same rule, also allowing ``None``."""
        check = self.check
        return Rule(lambda v: v is None or check(v), f"None or {self.expected}")


def int_rule(low: int, high: int, expected: str) -> Rule:
    """Integers (not bools) from ``low`` to ``high``."""
    return Rule(lambda v: type(v) is int and low <= v <= high, expected)


def text_rule(max_length: int | None = None) -> Rule:
    """Strings of valid Unicode, at most ``max_length`` characters if given."""
    if max_length is None:
        return Rule(
            lambda v: type(v) is str and is_valid_unicode(v),
            "a str of valid Unicode (no lone surrogates)",
        )
    return Rule(
        lambda v: type(v) is str and len(v) <= max_length and is_valid_unicode(v),
        f"a str of at most {max_length} characters (valid Unicode)",
    )


def instance_rule(kind: type) -> Rule:
    """Instances of ``kind`` (an enum, say)."""
    return Rule(lambda v: isinstance(v, kind), f"a {kind.__name__}")


ID = int_rule(1, INT32_MAX, "a positive int32")
INT32 = int_rule(INT32_MIN, INT32_MAX, "an int32")
VERSION = int_rule(0, INT64_MAX, "an int from 0 to 2**63-1")
BOOL = Rule(lambda v: type(v) is bool, "a bool")
TEXT = text_rule()
TIME = Rule(is_aware, "a timezone-aware datetime (offset of whole seconds)")
