import pytest
from actors import ALICE, BOB

from chatsession import (
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    CommandNotAllowedError,
    EndReason,
    InvalidArgumentError,
    ManualClock,
    NotHandlingUserError,
    SessionEnded,
    SessionReset,
    StatusChanged,
    TransferDropped,
    check_invariants,
)

S = ChatSessionStatus


@pytest.mark.parametrize("reason", [EndReason.BY_CUSTOMER, EndReason.IDLE])
def test_end_finishes_an_active_chat(
    active: ChatSession, clock: ManualClock, reason: EndReason
) -> None:
    active.end(reason, at=clock.now())
    assert active.status is S.Finished and active.when_ended == clock.now()
    (event,) = active.pull_events()
    assert isinstance(event, SessionEnded) and event.reason is reason


def test_end_by_user_needs_the_handling_user(active: ChatSession, clock: ManualClock) -> None:
    with pytest.raises(NotHandlingUserError):
        active.end(EndReason.BY_USER, by=BOB, at=clock.now())
    with pytest.raises(InvalidArgumentError):
        active.end(EndReason.BY_USER, at=clock.now())
    active.end(EndReason.BY_USER, by=ALICE, at=clock.now())
    assert active.status is S.Finished


def test_end_rejects_unknown_reasons(active: ChatSession, clock: ManualClock) -> None:
    with pytest.raises(InvalidArgumentError, match="EndReason"):
        active.end("bored", at=clock.now())  # type: ignore[arg-type]


def test_ending_drops_a_pending_transfer_with_an_event(
    transferring: ChatSession, clock: ManualClock
) -> None:
    transferring.end(EndReason.IDLE, at=clock.now())
    assert transferring.transfer_to is None and transferring.transfer_requested_at is None
    dropped, ended = transferring.pull_events()
    assert isinstance(dropped, TransferDropped) and dropped.to == BOB and dropped.command == "end"
    assert isinstance(ended, SessionEnded)
    check_invariants(transferring)


@pytest.mark.parametrize("command", ["close", "delete"])
def test_closing_or_deleting_drops_a_pending_transfer(
    transferring: ChatSession, clock: ManualClock, command: str
) -> None:
    getattr(transferring, command)(at=clock.now())
    assert transferring.transfer_to is None
    dropped, changed = transferring.pull_events()
    assert isinstance(dropped, TransferDropped) and dropped.command == command
    assert isinstance(changed, StatusChanged) and changed.command == command
    check_invariants(transferring)


def test_reset_drops_transfer_user_and_bot(transferring: ChatSession, clock: ManualClock) -> None:
    transferring.reset(at=clock.now())
    assert transferring.status is S.InQueue
    assert transferring.user_id is None and transferring.transfer_to is None
    dropped, reset = transferring.pull_events()
    assert isinstance(dropped, TransferDropped) and dropped.command == "reset"
    assert isinstance(reset, SessionReset) and reset.previous_user_id == ALICE
    check_invariants(transferring)


def test_reset_without_agents_goes_to_the_offline_form(
    active: ChatSession, clock: ManualClock
) -> None:
    active.reset(agents_available=False, at=clock.now())
    assert active.status is S.OfflineForm


def test_reopen_brings_a_finished_chat_back(active: ChatSession, clock: ManualClock) -> None:
    active.end(EndReason.BY_CUSTOMER, at=clock.now())
    active.reopen(at=clock.now())
    assert active.status is S.CustomerLast and active.when_ended is None
    assert active.user_id == ALICE
    check_invariants(active)


def test_reopen_of_a_session_nobody_had_goes_to_the_queue(clock: ManualClock) -> None:
    session = ChatSession.request(1, ChatTopic(id=3, use_faq=True), at=clock.now())
    session.faq_resolved(at=clock.now())
    session.reopen(at=clock.now())
    assert session.status is S.InQueue
    check_invariants(session)


def test_deleted_is_terminal(active: ChatSession, clock: ManualClock) -> None:
    active.delete(at=clock.now())
    for command in (active.close, active.reopen, active.delete, active.reset,
                    active.customer_fetched, active.leave_queue):
        with pytest.raises(CommandNotAllowedError, match="status Deleted"):
            command(at=clock.now())


def test_closed_sessions_can_only_be_deleted(active: ChatSession, clock: ManualClock) -> None:
    active.close(at=clock.now())
    assert active.when_ended is not None
    with pytest.raises(CommandNotAllowedError):
        active.close(at=clock.now())
    with pytest.raises(CommandNotAllowedError):
        active.reopen(at=clock.now())
    active.delete(at=clock.now())
    assert active.status is S.Deleted


def test_close_keeps_the_original_end_time(active: ChatSession, clock: ManualClock) -> None:
    from datetime import timedelta

    active.end(EndReason.IDLE, at=clock.now())
    ended = active.when_ended
    clock.advance(timedelta(hours=1))
    active.close(at=clock.now())
    assert active.when_ended == ended


def test_customer_fetched_stamps_when_fetched(queued: ChatSession, clock: ManualClock) -> None:
    queued.customer_fetched(at=clock.now())
    assert queued.when_fetched == clock.now() and queued.status is S.InQueue


def test_reset_of_a_session_already_waiting_with_no_bot_is_refused(
    queued: ChatSession, clock: ManualClock
) -> None:
    with pytest.raises(CommandNotAllowedError, match="already waits in the queue"):
        queued.reset(at=clock.now())
    assert queued.pending_events == ()
    queued.reset(agents_available=False, at=clock.now())  # to the offline form: a change
    assert queued.status is S.OfflineForm


@pytest.mark.parametrize("reason", [EndReason.BY_CUSTOMER, EndReason.IDLE])
def test_the_customer_and_the_idle_timeout_are_not_associates(
    active: ChatSession, clock: ManualClock, reason: EndReason
) -> None:
    with pytest.raises(InvalidArgumentError, match="by must be None"):
        active.end(reason, by=ALICE, at=clock.now())
    assert active.status is S.UserLast


@pytest.mark.parametrize("bad", ["no", 0, None])
def test_agents_available_must_be_a_bool(
    active: ChatSession, clock: ManualClock, bad: object
) -> None:
    with pytest.raises(InvalidArgumentError, match="agents_available"):
        active.reset(agents_available=bad, at=clock.now())  # type: ignore[arg-type]
