from datetime import timedelta

import pytest
from actors import ALICE, BOB

from chatsession import (
    ChatSession,
    ChatSessionStatus,
    InvariantViolationError,
    ManualClock,
    check_invariants,
    invariant_violations,
    transition_violations,
)

S = ChatSessionStatus


def _restore(session: ChatSession, **changes: object) -> ChatSession:
    fields = session.to_dict() | changes
    return ChatSession(**fields)


def test_a_valid_session_has_no_violations(transferring: ChatSession) -> None:
    assert invariant_violations(transferring) == []
    check_invariants(transferring)


def test_pending_transfer_on_a_closed_session_is_reported(transferring: ChatSession) -> None:
    broken = _restore(transferring, status=S.Closed, when_ended=transferring.when_started)
    assert any("pending but status is Closed" in v for v in invariant_violations(broken))


def test_every_broken_invariant_is_listed(transferring: ChatSession) -> None:
    assert transferring.when_started is not None
    broken = _restore(
        transferring,
        status=S.Closed,
        when_started=transferring.when_requested - timedelta(days=1),
        transfer_to=ALICE,
    )
    with pytest.raises(InvariantViolationError) as caught:
        check_invariants(broken)
    text = "\n".join(caught.value.violations)
    assert "not active" in text
    assert "themselves" in text
    assert "when_ended is not set" in text
    assert "when_started" in text and "before when_requested" in text
    assert len(caught.value.violations) >= 4
    assert str(caught.value).startswith("chat session 1 breaks")


def test_handling_user_without_start_time_is_reported(active: ChatSession) -> None:
    broken = _restore(active, when_started=None)
    assert any("when_started is not set" in v for v in invariant_violations(broken))


def test_waiting_session_with_an_end_time_is_reported(queued: ChatSession) -> None:
    broken = _restore(queued, when_ended=queued.when_requested)
    assert any("not ended" in v for v in invariant_violations(broken))


def test_naive_times_are_reported(queued: ChatSession) -> None:
    broken = _restore(queued, when_idle=queued.when_requested.replace(tzinfo=None))
    assert any("timezone-aware" in v for v in invariant_violations(broken))


def test_transition_rules_catch_first_message_change_and_deleted_change(
    active: ChatSession, clock: ManualClock
) -> None:
    active.post_customer_message("first", at=clock.now())
    before = active.to_dict()
    active.first_message = "rewritten"
    assert transition_violations(before, active) == ["first_message changed after it was set"]
    active.first_message = "first"
    active.delete(at=clock.now())
    before = active.to_dict()
    active.rank = 3
    assert transition_violations(before, active) == ["a Deleted session changed: rank"]


def test_active_chat_with_nobody_on_the_other_side_is_reported(active: ChatSession) -> None:
    broken = _restore(active, user_id=None)
    assert any("no user handles it and no bot" in v for v in invariant_violations(broken))
    assert BOB


@pytest.mark.parametrize(
    ("field", "bad", "expected"),
    [
        ("status", 4, "status must be a ChatSessionStatus"),
        ("user_id", "7", "user_id must be None or a positive int32"),
        ("user_id", -3, "user_id must be None or a positive int32"),
        ("contact_id", 2**63, "contact_id must be None or a positive int32"),
        ("session_key", None, "session_key must be a str"),
        ("first_message", None, "first_message must be a str"),
        ("customer_name", "a\ud800", "customer_name must be a str of valid Unicode"),
        ("customer_alias", "x" * 65, "customer_alias must be a str of at most 64"),
        ("chatbot_is_active", 1, "chatbot_is_active must be a bool"),
        ("version", None, "version must be an int"),
        ("when_requested", None, "when_requested must be a timezone-aware datetime"),
        ("rating", True, "rating must be None or an int32"),
    ],
)
def test_wrong_types_are_reported_not_raised(
    active: ChatSession, field: str, bad: object, expected: str
) -> None:
    broken = _restore(active, **{field: bad})
    violations = invariant_violations(broken)
    assert any(v.startswith(expected) for v in violations), violations
    with pytest.raises(InvariantViolationError):
        check_invariants(broken)


def test_a_sub_second_utc_offset_is_reported(queued: ChatSession) -> None:
    from datetime import timezone

    odd = queued.when_requested.replace(tzinfo=timezone(-timedelta(microseconds=500)))
    violations = invariant_violations(_restore(queued, when_idle=odd))
    assert any("offset of whole seconds" in v for v in violations), violations
