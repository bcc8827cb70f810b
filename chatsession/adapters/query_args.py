"""Argument checks the repository adapters share for their queries."""

from __future__ import annotations

from collections.abc import Iterable

from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.status import ChatSessionStatus


def status_filter(
    status: ChatSessionStatus | Iterable[ChatSessionStatus] | None,
) -> frozenset[ChatSessionStatus] | None:
    """Normalise a ``list_page`` status filter to a set (None: no filter)."""
    if status is None:
        return None
    if isinstance(status, ChatSessionStatus):
        return frozenset((status,))
    return frozenset(ChatSessionStatus(s) for s in status)


def check_page_args(after: int, limit: int) -> None:
    """Raise ``InvalidArgumentError`` for a negative cursor or a limit below 1."""
    if type(after) is not int or after < 0:
        raise InvalidArgumentError(f"after must be an int >= 0, got {after!r}")
    if type(limit) is not int or limit < 1:
        raise InvalidArgumentError(f"limit must be an int >= 1, got {limit!r}")
