from datetime import timedelta

import pytest
from actors import ALICE, BOB, CAROL
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from noop_check import assert_noop

from chatsession import (
    ChatSession,
    ChatSessionStatus,
    InvalidArgumentError,
    ManualClock,
    NoOpReason,
    TransferAccepted,
    TransferCancelled,
    TransferExpired,
    TransferRejected,
    TransferRequested,
    TransferState,
    TransferToSelfError,
    check_invariants,
)
from chatsession.domain.status import ACTIVE
from chatsession.testing.strategies import REAL_STATUSES, USERS, sessions

S = ChatSessionStatus


def test_transfer_by_the_handling_user_makes_it_pending(
    active: ChatSession, clock: ManualClock
) -> None:
    assert active.transfer(to=BOB, by=ALICE, at=clock.now()).changed
    assert active.transfer_state is TransferState.PENDING and active.transfer_pending
    assert active.transfer_to == BOB
    assert active.transfer_requested_at == clock.now()
    assert active.user_id == ALICE
    (event,) = active.pull_events()
    assert isinstance(event, TransferRequested)
    assert (event.by, event.to, event.replaced) == (ALICE, BOB, None)


def test_transfer_by_someone_who_does_not_own_the_session_changes_nothing(
    active: ChatSession, clock: ManualClock
) -> None:
    assert_noop(
        active, lambda: active.transfer(to=CAROL, by=BOB, at=clock.now()), NoOpReason.NOT_OWNER
    )


@pytest.mark.parametrize("status", REAL_STATUSES, ids=lambda s: s.name)
@settings(max_examples=15)
@given(data=st.data())
def test_transfer_by_a_stranger_is_a_no_op_in_every_status(
    status: ChatSessionStatus, data: st.DataObject
) -> None:
    """Ownership is checked before the status: never ``CommandNotAllowedError``.

    A stranger is anyone but the handling user of an active session: a queued or ended
    session belongs to nobody, not even the user who had it. ``to == by`` too: the
    stranger gets the no-op, not ``TransferToSelfError``.
    """
    session = data.draw(sessions(status))
    # the associates the session names (its user, even a former one, and its target) often
    named = [u for u in (session.user_id, session.transfer_to) if u is not None]
    by = data.draw(st.sampled_from(named) | USERS if named else USERS)
    assume(status not in ACTIVE or by != session.user_id)
    to = data.draw(st.just(by) | USERS)
    at = session.when_ended or session.when_idle or session.when_requested
    assert_noop(session, lambda: session.transfer(to=to, by=by, at=at), NoOpReason.NOT_OWNER)


def test_transfer_of_a_finished_chat_by_its_former_user_is_a_no_op(
    active: ChatSession, clock: ManualClock
) -> None:
    from chatsession import EndReason

    active.end(EndReason.IDLE, at=clock.now())
    active.pull_events()
    assert active.user_id == ALICE
    for to in (BOB, ALICE):  # not TransferToSelfError either: ownership comes first
        assert_noop(
            active, lambda to=to: active.transfer(to=to, by=ALICE, at=clock.now()),
            NoOpReason.NOT_OWNER,
        )


def test_a_new_transfer_replaces_the_pending_one(
    transferring: ChatSession, clock: ManualClock
) -> None:
    transferring.transfer(to=CAROL, by=ALICE, at=clock.now())
    assert transferring.transfer_to == CAROL
    (event,) = transferring.pull_events()
    assert isinstance(event, TransferRequested) and event.replaced == BOB
    outcome = transferring.reject_transfer(by=BOB, at=clock.now())
    assert outcome.reason is NoOpReason.NOT_TRANSFER_TARGET


def test_transferring_to_oneself_is_an_error(active: ChatSession, clock: ManualClock) -> None:
    with pytest.raises(TransferToSelfError) as caught:
        active.transfer(to=ALICE, by=ALICE, at=clock.now())
    assert str(caught.value) == f"transfer: associate {ALICE} cannot transfer to themselves"
    assert caught.value.command == "transfer" and caught.value.status is S.UserLast
    assert active.transfer_to is None and active.pending_events == ()


def test_transfer_of_a_queued_session_is_a_no_op_it_belongs_to_nobody(
    queued: ChatSession, clock: ManualClock
) -> None:
    assert_noop(
        queued, lambda: queued.transfer(to=BOB, by=ALICE, at=clock.now()), NoOpReason.NOT_OWNER
    )


def test_accept_transfer_makes_the_target_the_handling_user(
    transferring: ChatSession, clock: ManualClock
) -> None:
    status = transferring.status
    assert transferring.accept_transfer(by=BOB, at=clock.now()).changed
    assert transferring.user_id == BOB
    assert transferring.transfer_to is None and transferring.transfer_requested_at is None
    assert transferring.status is status
    (event,) = transferring.pull_events()
    assert isinstance(event, TransferAccepted) and event.previous_user_id == ALICE
    check_invariants(transferring)


def test_reject_transfer_clears_it_and_the_user_goes_on(
    transferring: ChatSession, clock: ManualClock
) -> None:
    before = transferring.to_dict()
    assert transferring.reject_transfer(by=BOB, at=clock.now()).changed
    after = transferring.to_dict()
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"transfer_to", "transfer_requested_at"}
    assert transferring.user_id == ALICE and transferring.status is before["status"]
    (event,) = transferring.pull_events()
    assert isinstance(event, TransferRejected) and event.by == BOB
    check_invariants(transferring)


def test_reject_without_pending_transfer_changes_nothing(
    active: ChatSession, clock: ManualClock
) -> None:
    assert_noop(active, lambda: active.reject_transfer(by=BOB, at=clock.now()),
                NoOpReason.NO_TRANSFER_PENDING)


def test_reject_by_someone_other_than_the_target_changes_nothing(
    transferring: ChatSession, clock: ManualClock
) -> None:
    assert_noop(transferring, lambda: transferring.reject_transfer(by=CAROL, at=clock.now()),
                NoOpReason.NOT_TRANSFER_TARGET)
    assert_noop(transferring, lambda: transferring.reject_transfer(by=ALICE, at=clock.now()),
                NoOpReason.NOT_TRANSFER_TARGET)


def test_reject_on_a_session_in_any_status_without_transfer_is_a_no_op(
    queued: ChatSession, clock: ManualClock
) -> None:
    assert_noop(queued, lambda: queued.reject_transfer(by=BOB, at=clock.now()),
                NoOpReason.NO_TRANSFER_PENDING)
    queued.delete(at=clock.now())
    queued.pull_events()
    assert_noop(queued, lambda: queued.reject_transfer(by=BOB, at=clock.now()),
                NoOpReason.NO_TRANSFER_PENDING)


def test_accept_without_pending_transfer_changes_nothing(
    active: ChatSession, clock: ManualClock
) -> None:
    assert_noop(active, lambda: active.accept_transfer(by=BOB, at=clock.now()),
                NoOpReason.NO_TRANSFER_PENDING)


def test_accept_by_non_target_changes_nothing(
    transferring: ChatSession, clock: ManualClock
) -> None:
    assert_noop(transferring, lambda: transferring.accept_transfer(by=CAROL, at=clock.now()),
                NoOpReason.NOT_TRANSFER_TARGET)


def test_cancel_transfer_by_the_owner_withdraws_it(
    transferring: ChatSession, clock: ManualClock
) -> None:
    assert transferring.cancel_transfer(by=ALICE, at=clock.now()).changed
    assert transferring.transfer_to is None
    (event,) = transferring.pull_events()
    assert isinstance(event, TransferCancelled) and event.to == BOB


def test_cancel_transfer_no_ops(active: ChatSession, clock: ManualClock) -> None:
    assert_noop(active, lambda: active.cancel_transfer(by=ALICE, at=clock.now()),
                NoOpReason.NO_TRANSFER_PENDING)
    active.transfer(to=BOB, by=ALICE, at=clock.now())
    assert_noop(active, lambda: active.cancel_transfer(by=BOB, at=clock.now()),
                NoOpReason.NOT_OWNER)


def test_expire_transfer_only_after_the_timeout(
    transferring: ChatSession, clock: ManualClock
) -> None:
    timeout = timedelta(minutes=2)
    # the fixture advanced the clock 10 s after the transfer
    assert_noop(transferring, lambda: transferring.expire_transfer(timeout, at=clock.now()),
                NoOpReason.NOT_EXPIRED)
    clock.advance(timeout - timedelta(seconds=10))
    assert transferring.expire_transfer(timeout, at=clock.now()).changed
    assert transferring.transfer_to is None and transferring.user_id == ALICE
    (event,) = transferring.pull_events()
    assert isinstance(event, TransferExpired) and event.waited == timeout


def test_expire_without_transfer_is_a_no_op(active: ChatSession, clock: ManualClock) -> None:
    assert_noop(active, lambda: active.expire_transfer(timedelta(0), at=clock.now()),
                NoOpReason.NO_TRANSFER_PENDING)


def test_expire_rejects_a_negative_timeout(transferring: ChatSession, clock: ManualClock) -> None:
    with pytest.raises(InvalidArgumentError, match="timeout"):
        transferring.expire_transfer(timedelta(seconds=-1), at=clock.now())


def test_after_an_accepted_transfer_the_previous_user_can_only_listen(
    transferring: ChatSession, clock: ManualClock
) -> None:
    from chatsession import NotHandlingUserError

    transferring.accept_transfer(by=BOB, at=clock.now())
    with pytest.raises(NotHandlingUserError):
        transferring.post_user_message("still here", by=ALICE, at=clock.now())
    outcome = transferring.transfer(to=CAROL, by=ALICE, at=clock.now())
    assert outcome.reason is NoOpReason.NOT_OWNER
