"""The domain invariants of a chat session, written once.

``invariant_violations`` checks one state; ``transition_violations`` checks what may
never change between two states. ``check_invariants`` raises with the whole list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chatsession.domain.errors import InvariantViolationError
from chatsession.domain.lifecycle import TransferState
from chatsession.domain.session import FIELDS, MESSAGE_COPY_LIMIT, ChatSession
from chatsession.domain.status import ACTIVE, ENDED, WAITING, ChatSessionStatus

_TIMES = ("when_requested", "when_started", "when_ended", "when_idle", "when_fetched",
          "transfer_requested_at")


def invariant_violations(session: ChatSession) -> list[str]:
    """Every invariant ``session`` breaks, as sentences; empty when it is valid."""
    out: list[str] = []
    status = session.status
    if not isinstance(status, ChatSessionStatus) or status is ChatSessionStatus.Invalid:
        out.append(f"status is {status!r}: Invalid is never a real state")
        return out
    for name in _TIMES:
        value = getattr(session, name)
        if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
            out.append(f"{name} must be a timezone-aware datetime, got {value!r}")
    if out:
        return out
    _transfer_rules(session, out)
    _time_rules(session, out)
    if status in ACTIVE and session.user_id is None and not session.chatbot_is_active:
        out.append(f"status is {status.name} (active) but no user handles it and no bot is active")
    for name in ("first_message", "last_message"):
        if len(getattr(session, name)) > MESSAGE_COPY_LIMIT:
            out.append(f"{name} is longer than {MESSAGE_COPY_LIMIT} characters")
    if session.version < 0:
        out.append(f"version is {session.version}, must be >= 0")
    return out


def _transfer_rules(session: ChatSession, out: list[str]) -> None:
    to = session.transfer_to
    pending = session.transfer_state is TransferState.PENDING
    if pending != (to is not None):
        out.append(f"transfer_state is {session.transfer_state} but transfer_to is {to}")
    if (to is None) != (session.transfer_requested_at is None):
        out.append("transfer_requested_at must be set exactly when a transfer is pending")
    if to is None:
        return
    if session.status not in ACTIVE:
        out.append(
            f"a transfer to {to} is pending but status is {session.status.name}, not active "
            "(CustomerLast or UserLast)"
        )
    if session.user_id is None:
        out.append(f"a transfer to {to} is pending but no user handles the session")
    elif session.user_id == to:
        out.append(f"a transfer is pending to the handling user {to} themselves")


def _time_rules(session: ChatSession, out: list[str]) -> None:
    status = session.status
    if session.user_id is not None and session.when_started is None:
        out.append(f"user {session.user_id} handles the session but when_started is not set")
    if status in ENDED and session.when_ended is None:
        out.append(f"status is {status.name} (ended) but when_ended is not set")
    if (status in WAITING or status in ACTIVE) and session.when_ended is not None:
        out.append(f"status is {status.name} (not ended) but when_ended is set")
    requested, started, ended = session.when_requested, session.when_started, session.when_ended
    if started is not None and started < requested:
        out.append(
            f"when_started ({started.isoformat()}) is before when_requested "
            f"({requested.isoformat()})"
        )
    if ended is not None:
        first = started if started is not None else requested
        if ended < first:
            which = "when_started" if started is not None else "when_requested"
            out.append(
                f"when_ended ({ended.isoformat()}) is before {which} ({first.isoformat()})"
            )


def check_invariants(session: ChatSession) -> None:
    """Raise ``InvariantViolationError`` listing every invariant ``session`` breaks."""
    violations = invariant_violations(session)
    if violations:
        raise InvariantViolationError(violations, chat_session_id=session.chat_session_id)


def transition_violations(before: Mapping[str, Any], after: ChatSession) -> list[str]:
    """What changed between ``before`` (a ``to_dict()``) and ``after`` that never may."""
    out: list[str] = []
    if before["first_message"] and after.first_message != before["first_message"]:
        out.append("first_message changed after it was set")
    if before["status"] is ChatSessionStatus.Deleted:
        changed = [f for f in FIELDS if getattr(after, f) != before[f]]
        if changed:
            out.append(f"a Deleted session changed: {', '.join(changed)}")
    return out
