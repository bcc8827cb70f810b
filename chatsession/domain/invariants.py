"""The domain invariants of a chat session, written once.

``invariant_violations`` checks one state; ``transition_violations`` checks what may
never change between two states. ``check_invariants`` raises with the whole list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatsession.domain.errors import InvariantViolationError
from chatsession.domain.session import ChatSession
from chatsession.domain.session_data import FIELDS, SESSION_FIELDS
from chatsession.domain.status import ACTIVE, ENDED, WAITING, ChatSessionStatus

_RULES = tuple((f.name, f.rule.check, f.rule.expected) for f in SESSION_FIELDS)


def invariant_violations(session: ChatSession) -> list[str]:
    """Every invariant ``session`` breaks, as sentences; empty when it is valid.

    First every field's type and range (so that data from anywhere can be checked);
    if those hold, the rules between fields.
    """
    out = type_violations(session)
    if out:
        return out
    status = session.status
    if status is ChatSessionStatus.Invalid:
        return ["status is Invalid: Invalid is never a real state"]
    _transfer_rules(session, out)
    _time_rules(session, out)
    if status in ACTIVE and session.user_id is None and not session.chatbot_is_active:
        out.append(f"status is {status.name} (active) but no user handles it and no bot is active")
    if session.rank and (status not in ACTIVE or session.user_id is None):
        out.append(
            f"rank is {session.rank} but only an active session with a user has a rank "
            f"(status {status.name})"
        )
    return out


def type_violations(session: ChatSession) -> list[str]:
    """Every field whose type or range is wrong (ids int32, texts str, times aware ...)."""
    out: list[str] = []
    for name, check, expected in _RULES:
        value = getattr(session, name)
        if not check(value):
            out.append(f"{name} must be {expected}, got {value!r}")
    return out


def _transfer_rules(session: ChatSession, out: list[str]) -> None:
    to = session.transfer_to
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
