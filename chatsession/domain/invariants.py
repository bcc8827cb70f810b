"""The domain invariants of a chat session, written once.

``invariant_violations`` checks one state; ``transition_violations`` checks what may
never change between two states. ``check_invariants`` raises with the whole list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chatsession.domain.aware import is_aware
from chatsession.domain.errors import InvariantViolationError
from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.lifecycle import TransferState
from chatsession.domain.session import FIELDS, MESSAGE_COPY_LIMIT, ChatSession
from chatsession.domain.status import ACTIVE, ENDED, WAITING, ChatSessionStatus

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
Check = Callable[[Any], bool]


def _int(low: int, high: int) -> Check:
    return lambda v: type(v) is int and low <= v <= high


def _optional(check: Check) -> Check:
    return lambda v: v is None or check(v)


def _text(max_length: int | None = None) -> Check:
    def check(v: Any) -> bool:
        if type(v) is not str or (max_length is not None and len(v) > max_length):
            return False
        try:
            v.encode("utf-8")  # lone surrogates cannot be stored or sent
        except UnicodeEncodeError:
            return False
        return True

    return check


_ID = (_int(1, INT32_MAX), "a positive int32")
_OPTIONAL_ID = (_optional(_int(1, INT32_MAX)), "None or a positive int32")
_INT32 = (_int(-(2**31), INT32_MAX), "an int32")
_TEXT = (_text(), "a str of valid Unicode (no lone surrogates)")
_BOOL = (lambda v: type(v) is bool, "a bool")
_TIME = (is_aware, "a timezone-aware datetime (offset of whole seconds)")
_OPTIONAL_TIME = (
    _optional(is_aware),
    "None or a timezone-aware datetime (offset of whole seconds)",
)

_FIELD_TYPES: dict[str, tuple[Check, str]] = {
    "chat_session_id": _ID,
    "topic_id": _ID,
    "status": (lambda v: isinstance(v, ChatSessionStatus), "a ChatSessionStatus"),
    "user_id": _OPTIONAL_ID,
    "person_id": _OPTIONAL_ID,
    "customer_alias": (_text(64), "a str of at most 64 characters (valid Unicode)"),
    "customer_host": _TEXT,
    "customer_name": _TEXT,
    "customer_email": _TEXT,
    "customer_phone": (_text(32), "a str of at most 32 characters (valid Unicode)"),
    "customer_consented": _BOOL,
    "customer_company_name": _TEXT,
    "first_message": (_text(MESSAGE_COPY_LIMIT), "a str of at most 1024 characters"),
    "last_message": (_text(MESSAGE_COPY_LIMIT), "a str of at most 1024 characters"),
    "when_requested": _TIME,
    "when_started": _OPTIONAL_TIME,
    "when_ended": _OPTIONAL_TIME,
    "when_idle": _OPTIONAL_TIME,
    "when_fetched": _OPTIONAL_TIME,
    "session_key": _TEXT,
    "initial_queue_pos": _INT32,
    "alert_level": _INT32,
    "rank": _INT32,
    "flags": (lambda v: isinstance(v, ChatSessionFlags), "a ChatSessionFlags"),
    "contact_id": _OPTIONAL_ID,
    "project_id": _OPTIONAL_ID,
    "sale_id": _OPTIONAL_ID,
    "ticket_id": _OPTIONAL_ID,
    "transfer_to": _OPTIONAL_ID,
    "chatbot_is_active": _BOOL,
    "rating": (_optional(_int(-(2**31), INT32_MAX)), "None or an int32"),
    "transfer_requested_at": _OPTIONAL_TIME,
    "version": (_int(0, INT64_MAX), "an int from 0 to 2**63-1"),
}
assert set(_FIELD_TYPES) == set(FIELDS), "every field has a type rule"


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
    return out


def type_violations(session: ChatSession) -> list[str]:
    """Every field whose type or range is wrong (ids int32, texts str, times aware ...)."""
    out: list[str] = []
    values = session.to_dict()
    for name, (check, expected) in _FIELD_TYPES.items():
        value = values[name]
        if not check(value):
            out.append(f"{name} must be {expected}, got {value!r}")
    if not isinstance(session.transfer_state, TransferState):
        out.append(f"transfer_state must be a TransferState, got {session.transfer_state!r}")
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
