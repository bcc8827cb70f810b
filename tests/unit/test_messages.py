from collections.abc import Callable

import pytest
from actors import ALICE, BOB

from chatsession import (
    ChatbotInactiveError,
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    CommandNotAllowedError,
    InvalidArgumentError,
    ManualClock,
    MessageAuthor,
    MessagePosted,
    NotHandlingUserError,
    Outcome,
)
from chatsession.domain.session_data import MESSAGE_TEXT_LIMIT

S = ChatSessionStatus


def test_customer_message_in_the_queue_keeps_it_queued_and_sets_first_message(
    queued: ChatSession, clock: ManualClock
) -> None:
    queued.post_customer_message("Hello?", at=clock.now())
    assert queued.status is S.InQueue
    assert queued.first_message == queued.last_message == "Hello?"
    assert queued.when_idle == clock.now()


def test_first_message_is_set_once_and_last_message_follows(
    active: ChatSession, clock: ManualClock
) -> None:
    active.post_customer_message("one", at=clock.now())
    active.post_user_message("two", by=ALICE, at=clock.now())
    active.post_customer_message("three", at=clock.now())
    assert active.first_message == "one"
    assert active.last_message == "three"


def test_user_message_sets_user_last_and_customer_message_sets_customer_last(
    active: ChatSession, clock: ManualClock
) -> None:
    active.post_customer_message("hi", at=clock.now())
    assert active.status is S.CustomerLast
    active.post_user_message("hello", by=ALICE, at=clock.now())
    assert active.status is S.UserLast


def test_a_message_at_the_limit_is_kept_whole(active: ChatSession, clock: ManualClock) -> None:
    assert MESSAGE_TEXT_LIMIT == 1024
    text = "é" * (MESSAGE_TEXT_LIMIT - 1) + "!"
    active.post_customer_message(text, at=clock.now())
    assert active.first_message == active.last_message == text  # no longer cut
    (event,) = active.pull_events()
    assert isinstance(event, MessagePosted)
    assert event.text == text and event.author is MessageAuthor.CUSTOMER


MESSAGE_COMMANDS: dict[str, Callable[[ChatSession, str, ManualClock], Outcome]] = {
    "post_customer_message": lambda s, text, clock: s.post_customer_message(text, at=clock.now()),
    "post_user_message": lambda s, text, clock: s.post_user_message(
        text, by=ALICE, at=clock.now()
    ),
    "post_bot_message": lambda s, text, clock: s.post_bot_message(text, at=clock.now()),
}
"""Every command that posts a message, on a session where it applies."""


@pytest.mark.parametrize("name", MESSAGE_COMMANDS)
def test_a_message_longer_than_the_limit_is_refused(clock: ManualClock, name: str) -> None:
    session = ChatSession.request(1, ChatTopic(id=3, bot_enabled=name == "post_bot_message"),
                                  at=clock.now())
    if name == "post_user_message":
        session.pick_up(by=ALICE, at=clock.now())
    session.pull_events()
    before = session.to_dict()
    with pytest.raises(InvalidArgumentError) as caught:
        MESSAGE_COMMANDS[name](session, "x" * (MESSAGE_TEXT_LIMIT + 1), clock)
    assert str(caught.value).startswith(
        f"message text has {MESSAGE_TEXT_LIMIT + 1} characters; the limit is {MESSAGE_TEXT_LIMIT}"
    )
    assert session.to_dict() == before and session.pending_events == ()
    # one character less is a message like any other
    assert MESSAGE_COMMANDS[name](session, "x" * MESSAGE_TEXT_LIMIT, clock).changed
    assert session.last_message == "x" * MESSAGE_TEXT_LIMIT


def test_the_limit_counts_characters_not_bytes(active: ChatSession, clock: ManualClock) -> None:
    emoji = "🙂" * MESSAGE_TEXT_LIMIT  # 4096 bytes in UTF-8, 1024 characters
    active.post_customer_message(emoji, at=clock.now())
    assert active.last_message == emoji
    with pytest.raises(InvalidArgumentError, match="limit"):
        active.post_customer_message(emoji + "🙂", at=clock.now())


def test_only_the_handling_user_may_post_as_user(active: ChatSession, clock: ManualClock) -> None:
    with pytest.raises(NotHandlingUserError, match="associate 8 does not handle"):
        active.post_user_message("me too", by=BOB, at=clock.now())
    assert active.last_message == ""


def test_user_message_in_the_queue_is_not_allowed(queued: ChatSession, clock: ManualClock) -> None:
    with pytest.raises(CommandNotAllowedError, match="allowed in: CustomerLast, UserLast"):
        queued.post_user_message("hi", by=ALICE, at=clock.now())


def test_bot_message_sets_user_last_and_needs_an_active_bot(
    clock: ManualClock, active: ChatSession
) -> None:
    bot = ChatSession.request(2, ChatTopic(id=3, bot_enabled=True), at=clock.now())
    bot.post_bot_message("How can I help?", at=clock.now())
    assert bot.status is S.UserLast and bot.user_id is None
    with pytest.raises(ChatbotInactiveError):
        active.post_bot_message("beep", at=clock.now())


@pytest.mark.parametrize("bad", ["", None, 42])
def test_messages_need_non_empty_text(
    active: ChatSession, clock: ManualClock, bad: object
) -> None:
    with pytest.raises(InvalidArgumentError, match="message text"):
        active.post_customer_message(bad, at=clock.now())  # type: ignore[arg-type]


def test_customer_cannot_write_on_a_finished_session_without_its_topic(
    active: ChatSession, clock: ManualClock
) -> None:
    from chatsession import EndReason

    active.end(EndReason.BY_CUSTOMER, at=clock.now())
    # only the topic's post-chat form lets the customer return (test_ending.py)
    with pytest.raises(CommandNotAllowedError, match="post_customer_message"):
        active.post_customer_message("wait", at=clock.now())
    assert active.status is S.Finished


def test_a_lone_surrogate_is_refused_before_anything_changes(
    active: ChatSession, clock: ManualClock
) -> None:
    with pytest.raises(InvalidArgumentError, match="surrogate"):
        active.post_customer_message("bad \ud800 text", at=clock.now())
    assert active.last_message == "" and active.pending_events == ()
