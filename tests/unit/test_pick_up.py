from datetime import timedelta

import pytest
from actors import ALICE, BOB
from noop_check import assert_noop

from chatsession import (
    ChatbotActiveError,
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    InvalidArgumentError,
    ManualClock,
    NoOpReason,
    SessionPickedUp,
    check_invariants,
)

S = ChatSessionStatus


def test_pick_up_assigns_the_user_and_starts_the_chat(
    queued: ChatSession, clock: ManualClock
) -> None:
    outcome = queued.pick_up(by=ALICE, at=clock.now())
    assert outcome.changed and outcome.reason is None
    assert queued.status is S.UserLast
    assert queued.user_id == ALICE
    assert queued.when_started == clock.now()
    (event,) = queued.pull_events()
    assert isinstance(event, SessionPickedUp) and event.by == ALICE == event.user_id
    check_invariants(queued)


def test_pick_up_of_a_session_not_in_the_queue_changes_nothing(
    active: ChatSession, clock: ManualClock
) -> None:
    assert_noop(active, lambda: active.pick_up(by=BOB, at=clock.now()), NoOpReason.NOT_IN_QUEUE)
    assert active.user_id == ALICE


@pytest.mark.parametrize("settings", [{"use_prechat_form": True}, {"use_faq": True}])
def test_pick_up_before_the_queue_is_a_no_op(
    clock: ManualClock, settings: dict[str, bool]
) -> None:
    session = ChatSession.request(1, ChatTopic(id=3, **settings), at=clock.now())
    assert_noop(
        session, lambda: session.pick_up(by=ALICE, at=clock.now()), NoOpReason.NOT_IN_QUEUE
    )


def test_pick_up_while_a_bot_holds_the_session_is_an_error(clock: ManualClock) -> None:
    session = ChatSession.request(1, ChatTopic(id=3, bot_enabled=True), at=clock.now())
    with pytest.raises(ChatbotActiveError) as caught:
        session.pick_up(by=ALICE, at=clock.now())
    # the cause is the bot, not the status: the message says so and nothing else
    assert str(caught.value) == "pick_up: a chatbot holds the session; reset it first"
    assert caught.value.status is S.InQueue
    assert session.user_id is None and session.status is S.InQueue


def test_bot_hands_off_by_reset_then_a_user_picks_up(clock: ManualClock) -> None:
    session = ChatSession.request(1, ChatTopic(id=3, bot_enabled=True), at=clock.now())
    session.post_bot_message("Hi, I am a bot", at=clock.now())
    session.reset(at=clock.now())
    assert session.status is S.InQueue and not session.chatbot_is_active
    assert session.pick_up(by=ALICE, at=clock.now()).changed
    check_invariants(session)


def test_when_started_never_precedes_when_requested_even_if_the_clock_steps_back(
    queued: ChatSession, clock: ManualClock
) -> None:
    clock.set(queued.when_requested - timedelta(hours=1))
    queued.pick_up(by=ALICE, at=clock.now())
    assert queued.when_started == queued.when_requested
    check_invariants(queued)


@pytest.mark.parametrize("bad", [0, -5, "7", None, 2**31])
def test_pick_up_rejects_bad_associate_ids(
    queued: ChatSession, clock: ManualClock, bad: object
) -> None:
    with pytest.raises(InvalidArgumentError, match="by must be a positive int32"):
        queued.pick_up(by=bad, at=clock.now())  # type: ignore[arg-type]
