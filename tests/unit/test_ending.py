from datetime import timedelta

import pytest
from actors import ALICE, BOB, CAROL

from chatsession import (
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    CommandNotAllowedError,
    EndReason,
    InvalidArgumentError,
    ManualClock,
    MessageAuthor,
    MessagePosted,
    NotHandlingUserError,
    SessionEnded,
    SessionReopened,
    SessionReset,
    StatusChanged,
    TransferDropped,
    check_invariants,
)

S = ChatSessionStatus
RETURNING = ChatTopic(id=3, post_form_enabled=True)
"""The sessions' topic (id 3) with its post-chat form on: the customer may return."""


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


# ------------------------------------------- the customer returns (PostFormEnabled)


def test_a_customer_message_reactivates_a_finished_chat_when_the_post_form_is_on(
    active: ChatSession, clock: ManualClock
) -> None:
    active.end(EndReason.BY_CUSTOMER, at=clock.now())
    active.pull_events()
    clock.advance(timedelta(minutes=5))
    assert active.post_customer_message("one more thing", topic=RETURNING, at=clock.now()).changed
    assert active.status is S.CustomerLast and active.when_ended is None
    assert active.user_id == ALICE  # the user is still on the other side
    assert active.last_message == "one more thing" and active.when_idle == clock.now()
    reopened, posted = active.pull_events()
    assert isinstance(reopened, SessionReopened) and reopened.status is S.CustomerLast
    assert isinstance(posted, MessagePosted) and posted.author is MessageAuthor.CUSTOMER
    assert reopened.occurred_at == posted.occurred_at == clock.now()
    check_invariants(active)


def test_reopen_is_gone_the_customer_message_reactivates() -> None:
    assert not hasattr(ChatSession, "reopen")
    from chatsession.domain.lifecycle import STATUS_TRANSITIONS

    assert "reopen" not in {row["trigger"] for row in STATUS_TRANSITIONS}


def test_a_returning_customer_finds_the_bot_that_ended_the_chat(clock: ManualClock) -> None:
    session = ChatSession.request(1, ChatTopic(id=3, bot_enabled=True), at=clock.now())
    session.post_bot_message("Hi, I am a bot", at=clock.now())
    session.end(EndReason.BY_BOT, at=clock.now())
    session.post_customer_message("back again", topic=RETURNING, at=clock.now())
    assert session.status is S.CustomerLast and session.chatbot_is_active
    assert session.user_id is None
    check_invariants(session)


def test_a_returning_customer_with_nobody_on_the_other_side_goes_to_the_queue(
    clock: ManualClock,
) -> None:
    topic = ChatTopic(id=3, use_faq=True, post_form_enabled=True)
    session = ChatSession.request(1, topic, at=clock.now())
    session.faq_resolved(at=clock.now())
    session.pull_events()
    session.post_customer_message("the FAQ was wrong", topic=topic, at=clock.now())
    assert session.status is S.InQueue and session.when_ended is None
    reopened, _ = session.pull_events()
    assert isinstance(reopened, SessionReopened) and reopened.status is S.InQueue
    check_invariants(session)


@pytest.mark.parametrize(
    "passed", [None, ChatTopic(id=3), ChatTopic(id=3, use_faq=True, post_form_enabled=False)]
)
def test_without_the_post_form_a_finished_chat_stays_finished(
    active: ChatSession, clock: ManualClock, passed: ChatTopic | None
) -> None:
    active.end(EndReason.BY_CUSTOMER, at=clock.now())
    active.pull_events()
    before = active.to_dict()
    with pytest.raises(CommandNotAllowedError, match="post-chat form") as caught:
        active.post_customer_message("wait", topic=passed, at=clock.now())
    assert caught.value.command == "post_customer_message"
    assert caught.value.status is S.Finished
    assert active.to_dict() == before and active.pending_events == ()


@pytest.mark.parametrize("fixture", ["active", "queued", "finished"])
def test_a_customer_message_with_another_topic_is_refused(
    request: pytest.FixtureRequest, clock: ManualClock, fixture: str
) -> None:
    session: ChatSession = request.getfixturevalue(fixture.replace("finished", "active"))
    if fixture == "finished":
        session.end(EndReason.IDLE, at=clock.now())
        session.pull_events()
    before = session.to_dict()
    other = ChatTopic(id=4, post_form_enabled=True)
    with pytest.raises(InvalidArgumentError, match="topic"):
        session.post_customer_message("hi", topic=other, at=clock.now())
    assert session.to_dict() == before and session.pending_events == ()


def test_a_reactivated_chat_goes_on_like_any_other(
    active: ChatSession, clock: ManualClock
) -> None:
    active.end(EndReason.IDLE, at=clock.now())
    active.post_customer_message("back", topic=RETURNING, at=clock.now())
    active.post_user_message("welcome back", by=ALICE, at=clock.now())
    assert active.status is S.UserLast
    active.end(EndReason.BY_USER, by=ALICE, at=clock.now())
    assert active.status is S.Finished and active.when_ended == clock.now()
    check_invariants(active)


def test_deleted_is_terminal(active: ChatSession, clock: ManualClock) -> None:
    active.delete(at=clock.now())
    for command in (active.close, active.delete, active.reset,
                    active.customer_fetched, active.leave_queue):
        with pytest.raises(CommandNotAllowedError, match="status Deleted"):
            command(at=clock.now())
    with pytest.raises(CommandNotAllowedError, match="status Deleted"):
        active.post_customer_message("anyone?", topic=RETURNING, at=clock.now())


def test_closed_sessions_can_only_be_deleted(active: ChatSession, clock: ManualClock) -> None:
    active.close(at=clock.now())
    assert active.when_ended is not None
    with pytest.raises(CommandNotAllowedError):
        active.close(at=clock.now())
    with pytest.raises(CommandNotAllowedError, match="status Closed"):
        # a closed chat is not reactivated, whatever the post-chat form says
        active.post_customer_message("back", topic=RETURNING, at=clock.now())
    active.delete(at=clock.now())
    assert active.status is S.Deleted


def test_close_keeps_the_original_end_time(active: ChatSession, clock: ManualClock) -> None:
    active.end(EndReason.IDLE, at=clock.now())
    ended = active.when_ended
    clock.advance(timedelta(hours=1))
    active.close(at=clock.now())
    assert active.when_ended == ended


def test_customer_fetched_stamps_when_fetched(queued: ChatSession, clock: ManualClock) -> None:
    queued.customer_fetched(at=clock.now())
    assert queued.when_fetched == clock.now() and queued.status is S.InQueue


def test_reset_by_another_associate_is_refused(
    transferring: ChatSession, clock: ManualClock
) -> None:
    before = transferring.to_dict()
    for stranger in (BOB, CAROL):  # the transfer target does not handle the session yet
        with pytest.raises(NotHandlingUserError) as caught:
            transferring.reset(by=stranger, at=clock.now())
        assert str(caught.value) == (
            f"reset: associate {stranger} does not handle this session (associate {ALICE} does)"
        )
    assert transferring.to_dict() == before and transferring.pending_events == ()


@pytest.mark.parametrize("by", [None, ALICE], ids=["the bot or the system", "the handling user"])
def test_reset_by_the_handling_user_or_the_system_is_done(
    active: ChatSession, clock: ManualClock, by: int | None
) -> None:
    active.reset(by=by, at=clock.now())
    assert active.status is S.InQueue and active.user_id is None
    (event,) = active.pull_events()
    assert isinstance(event, SessionReset) and event.by == by and event.previous_user_id == ALICE


def test_reset_of_a_bot_session_by_an_associate_is_refused(clock: ManualClock) -> None:
    session = ChatSession.request(1, ChatTopic(id=3, bot_enabled=True), at=clock.now())
    with pytest.raises(NotHandlingUserError, match="nobody does"):
        session.reset(by=ALICE, at=clock.now())  # nobody handles it: only the bot hands off
    assert session.chatbot_is_active and session.status is S.InQueue
    session.reset(at=clock.now())
    assert not session.chatbot_is_active


def test_reset_checks_the_status_before_the_associate(
    active: ChatSession, clock: ManualClock
) -> None:
    active.end(EndReason.IDLE, at=clock.now())
    with pytest.raises(CommandNotAllowedError) as caught:
        active.reset(by=BOB, at=clock.now())
    assert type(caught.value) is CommandNotAllowedError and caught.value.status is S.Finished


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
