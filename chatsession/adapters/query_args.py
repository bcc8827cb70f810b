"""Argument checks the repository adapters share, so that they refuse the same input alike.

Every adapter checks the arguments of its queries here before asking its store: a bad
id is an ``InvalidArgumentError`` everywhere, never a not-found on one adapter, a match
on another (SQLite compares ``'1'`` equal to ``1``) and an ``OverflowError`` on a third.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.status import ChatSessionStatus

INT32_MAX = 2**31 - 1
"""The largest id: ids are positive int32s (SuperOffice's ``int``)."""

INT64_MAX = 2**63 - 1
"""The largest outbox sequence (SQLite's ``INTEGER``)."""


def check_id(value: Any, what: str) -> int:
    """Return ``value`` if it is a positive int32 (an ``int``, not a ``bool``).

    Else raise ``InvalidArgumentError`` naming ``what`` (``"chat_session_id"``, ...).
    """
    if type(value) is not int or not 0 < value <= INT32_MAX:
        raise InvalidArgumentError(f"{what} must be a positive int32, got {value!r}")
    return value


def check_optional_id(value: Any, what: str) -> int | None:
    """``check_id`` for a filter that may be ``None`` (no filter)."""
    return None if value is None else check_id(value, what)


def check_sequence(value: Any, what: str = "sequence") -> int:
    """Return ``value`` if it is a positive int64 outbox sequence; else ``InvalidArgumentError``."""
    if type(value) is not int or not 0 < value <= INT64_MAX:
        raise InvalidArgumentError(f"{what} must be a positive int64, got {value!r}")
    return value


def status_filter(
    status: ChatSessionStatus | Iterable[ChatSessionStatus] | None,
) -> frozenset[ChatSessionStatus] | None:
    """Normalise a ``list_page`` status filter to a set (None: no filter).

    ``status`` is one ``ChatSessionStatus`` or an iterable (not a ``str``/``bytes``) of
    ``ChatSessionStatus`` members; anything else (``"InQueue"``, ``5``, ``[True]``,
    ``[4]``) raises ``InvalidArgumentError``, in every adapter alike.
    """
    if status is None:
        return None
    if isinstance(status, ChatSessionStatus):
        return frozenset((status,))
    if isinstance(status, str | bytes | bytearray) or not isinstance(status, Iterable):
        raise InvalidArgumentError(
            f"status must be a ChatSessionStatus or an iterable of them, got {status!r}"
        )
    members = tuple(status)
    for member in members:
        if not isinstance(member, ChatSessionStatus):
            raise InvalidArgumentError(
                f"status must hold ChatSessionStatus members only, got {member!r} in {status!r}"
            )
    return frozenset(members)


def check_page_args(after: int, limit: int) -> None:
    """Raise ``InvalidArgumentError`` for a cursor that is not an id or 0, or a limit below 1.

    ``after`` is 0 (from the start) or an id (a positive int32). ``limit`` may be any
    ``int`` >= 1; adapters cap what they ask their store for at ``INT32_MAX + 1`` rows,
    more than ids exist.
    """
    if type(after) is not int or not 0 <= after <= INT32_MAX:
        raise InvalidArgumentError(f"after must be 0 or a positive int32, got {after!r}")
    if type(limit) is not int or limit < 1:
        raise InvalidArgumentError(f"limit must be an int >= 1, got {limit!r}")


def check_outbox_args(after: int, limit: int | None, chat_session_id: int | None) -> None:
    """Raise ``InvalidArgumentError`` for a bad ``Outbox.read`` argument."""
    if type(after) is not int or not 0 <= after <= INT64_MAX:
        raise InvalidArgumentError(f"after must be 0 or a positive int64, got {after!r}")
    if limit is not None and (type(limit) is not int or limit < 1):
        raise InvalidArgumentError(f"limit must be an int >= 1 or None, got {limit!r}")
    check_optional_id(chat_session_id, "chat_session_id")
