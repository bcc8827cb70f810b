"""A session's chatbot: always present, it may talk before the queue, hand off, and end.

SuperOffice's chatbot pages (``../shared/spec/superoffice-chat-service.md``, Bots).
"""

from collections.abc import Callable

import pytest
from actors import ALICE

from chatsession import (
    ChatbotInactiveError,
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    CommandNotAllowedError,
    EndReason,
    InvalidArgumentError,
    ManualClock,
    MessageAuthor,
    MessagePosted,
    SessionEnded,
    SessionReset,
    check_invariants,
)

S = ChatSessionStatus
BEFORE_THE_QUEUE = {
    "PreChatForm": {"use_prechat_form": True},
    "Faq": {"use_faq": True},
}
"""Topic settings that start a session in each status before the queue."""


def _session(clock: ManualClock, *, bot: bool, **settings: bool) -> ChatSession:
    topic = ChatTopic(id=3, bot_enabled=bot, **settings)
    session = ChatSession.request(1, topic, at=clock.now())
    session.pull_events()
    return session


# ------------------------------------------------------- never the offline form

ROUTES: dict[str, Callable[[ManualClock, bool], ChatSession]] = {
    "request": lambda clock, bot: ChatSession.request(
        1, ChatTopic(id=3, bot_enabled=bot), at=clock.now(), agents_available=False
    ),
    "submit_prechat_form": lambda clock, bot: _then(
        _session(clock, bot=bot, use_prechat_form=True),
        lambda s: s.submit_prechat_form(
            ChatTopic(id=3, bot_enabled=bot, use_prechat_form=True),
            agents_available=False, at=clock.now(),
        ),
    ),
    "faq_not_helpful": lambda clock, bot: _then(
        _session(clock, bot=bot, use_faq=True),
        lambda s: s.faq_not_helpful(agents_available=False, at=clock.now()),
    ),
}
"""Each command that chooses between the queue and the offline form, with no agents."""


def _then(session: ChatSession, command: Callable[[ChatSession], object]) -> ChatSession:
    command(session)
    return session


@pytest.mark.parametrize("route", ROUTES)
def test_a_bot_session_never_goes_to_the_offline_form(clock: ManualClock, route: str) -> None:
    """"The bot prevents the session from going to the offline form state"."""
    with_bot = ROUTES[route](clock, True)
    assert with_bot.status is S.InQueue and with_bot.chatbot_is_active
    check_invariants(with_bot)
    without = ROUTES[route](clock, False)  # no bot, no agents: the offline form
    assert without.status is S.OfflineForm


def test_a_bot_session_in_the_queue_gets_its_queue_position(clock: ManualClock) -> None:
    session = ChatSession.request(
        1, ChatTopic(id=3, bot_enabled=True), at=clock.now(), agents_available=False,
        queue_length=4,
    )
    assert session.status is S.InQueue and session.initial_queue_pos == 5


# ----------------------------------------------------------- hello before the queue


@pytest.mark.parametrize("start", BEFORE_THE_QUEUE)
def test_a_bot_hello_before_the_queue_skips_the_forms(clock: ManualClock, start: str) -> None:
    """"If the bot says hello before the session reaches In-Queue, ... UserLast"."""
    session = _session(clock, bot=True, **BEFORE_THE_QUEUE[start])
    assert session.status.name == start
    assert session.post_bot_message("Hi, I am the bot", at=clock.now()).changed
    assert session.status is S.UserLast and session.user_id is None
    assert session.first_message == "Hi, I am the bot"
    (event,) = session.pull_events()
    assert isinstance(event, MessagePosted) and event.author is MessageAuthor.BOT
    check_invariants(session)


@pytest.mark.parametrize("start", BEFORE_THE_QUEUE)
def test_a_bot_message_before_the_queue_needs_a_bot(clock: ManualClock, start: str) -> None:
    session = _session(clock, bot=False, **BEFORE_THE_QUEUE[start])
    before = session.to_dict()
    with pytest.raises(ChatbotInactiveError) as caught:
        session.post_bot_message("beep", at=clock.now())
    assert str(caught.value) == "post_bot_message: no chatbot is active on the session"
    assert session.to_dict() == before and session.pending_events == ()


# ------------------------------------------------------------ hand off (resetChat)


@pytest.mark.parametrize("start", BEFORE_THE_QUEUE)
@pytest.mark.parametrize(("agents", "expected"), [(True, S.InQueue), (False, S.OfflineForm)])
def test_a_bot_hands_off_from_the_forms_by_reset(
    clock: ManualClock, start: str, agents: bool, expected: ChatSessionStatus
) -> None:
    """resetChat: to the queue or the offline form "depending on the availability of humans"."""
    session = _session(clock, bot=True, **BEFORE_THE_QUEUE[start])
    assert session.reset(agents_available=agents, at=clock.now()).changed
    assert session.status is expected and not session.chatbot_is_active
    (event,) = session.pull_events()
    assert isinstance(event, SessionReset) and event.previous_status.name == start
    assert event.by is None
    check_invariants(session)


@pytest.mark.parametrize("start", BEFORE_THE_QUEUE)
def test_reset_on_the_forms_without_a_bot_is_refused(clock: ManualClock, start: str) -> None:
    session = _session(clock, bot=False, **BEFORE_THE_QUEUE[start])
    before = session.to_dict()
    with pytest.raises(ChatbotInactiveError) as caught:
        session.reset(at=clock.now())
    assert str(caught.value) == (
        f"reset: no chatbot holds the session in {start}: nothing to hand off"
    )
    assert session.to_dict() == before and session.pending_events == ()


def test_a_bot_reset_follows_human_availability_not_the_bot(clock: ManualClock) -> None:
    session = _session(clock, bot=True)
    session.post_bot_message("Let me find a human", at=clock.now())
    session.reset(agents_available=False, at=clock.now())  # the bot is off: nobody is there
    assert session.status is S.OfflineForm and not session.chatbot_is_active


# ------------------------------------------------------------------- the bot ends


@pytest.mark.parametrize("via", ["hello", "customer"])
def test_a_bot_ends_the_chat(clock: ManualClock, via: str) -> None:
    session = _session(clock, bot=True)
    session.post_bot_message("Hi", at=clock.now())
    if via == "customer":
        session.post_customer_message("thanks, bye", at=clock.now())
        assert session.status is S.CustomerLast
    assert session.end(EndReason.BY_BOT, at=clock.now()).changed
    assert session.status is S.Finished and session.when_ended == clock.now()
    (_, *_, event) = session.pull_events()
    assert isinstance(event, SessionEnded)
    assert event.reason is EndReason.BY_BOT and event.by is None
    check_invariants(session)


def test_a_bot_end_needs_an_active_bot(clock: ManualClock) -> None:
    session = _session(clock, bot=False)
    session.pick_up(by=ALICE, at=clock.now())
    session.pull_events()
    before = session.to_dict()
    with pytest.raises(ChatbotInactiveError) as caught:
        session.end(EndReason.BY_BOT, at=clock.now())
    assert str(caught.value) == "end: no chatbot is active on the session to end it"
    assert session.to_dict() == before and session.pending_events == ()


def test_the_bot_is_not_an_associate(clock: ManualClock) -> None:
    session = _session(clock, bot=True)
    session.post_bot_message("Hi", at=clock.now())
    with pytest.raises(InvalidArgumentError, match="by must be None"):
        session.end(EndReason.BY_BOT, by=ALICE, at=clock.now())
    assert session.status is S.UserLast


def test_a_bot_ends_only_an_active_chat(clock: ManualClock) -> None:
    session = _session(clock, bot=True)  # in the queue, the bot not talking yet
    with pytest.raises(CommandNotAllowedError, match="end is not allowed in status InQueue"):
        session.end(EndReason.BY_BOT, at=clock.now())
    assert session.status is S.InQueue and session.pending_events == ()
