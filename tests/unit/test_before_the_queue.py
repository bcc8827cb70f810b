import pytest

from chatsession import (
    ChatSession,
    ChatSessionStatus,
    ChatTopic,
    CommandNotAllowedError,
    InvalidArgumentError,
    ManualClock,
    MessagePosted,
    StatusChanged,
    check_invariants,
)

S = ChatSessionStatus


def _session(clock: ManualClock, **settings: bool) -> ChatSession:
    session = ChatSession.request(1, ChatTopic(id=3, **settings), at=clock.now())
    session.pull_events()
    return session


@pytest.mark.parametrize(
    ("faq", "agents", "expected"),
    [(True, True, S.Faq), (False, True, S.InQueue), (False, False, S.OfflineForm)],
)
def test_prechat_form_leads_to_faq_queue_or_offline_form(
    clock: ManualClock, faq: bool, agents: bool, expected: ChatSessionStatus
) -> None:
    topic = ChatTopic(id=3, use_prechat_form=True, use_faq=faq)
    session = _session(clock, use_prechat_form=True, use_faq=faq)
    assert session.submit_prechat_form(
        topic, agents_available=agents, at=clock.now()
    ).changed
    assert session.status is expected
    (event,) = session.pull_events()
    assert isinstance(event, StatusChanged)
    assert (event.command, event.previous_status, event.status) == (
        "submit_prechat_form", S.PreChatForm, expected)


def test_prechat_form_needs_the_sessions_own_topic(clock: ManualClock) -> None:
    session = _session(clock, use_prechat_form=True)
    with pytest.raises(InvalidArgumentError, match="topic"):
        session.submit_prechat_form(ChatTopic(id=4), at=clock.now())


@pytest.mark.parametrize(("agents", "expected"), [(True, S.InQueue), (False, S.OfflineForm)])
def test_faq_not_helpful_goes_to_queue_or_offline_form(
    clock: ManualClock, agents: bool, expected: ChatSessionStatus
) -> None:
    session = _session(clock, use_faq=True)
    session.faq_not_helpful(agents_available=agents, at=clock.now())
    assert session.status is expected


def test_faq_resolved_finishes_the_session(clock: ManualClock) -> None:
    session = _session(clock, use_faq=True)
    session.faq_resolved(at=clock.now())
    assert session.status is S.Finished
    assert session.when_ended == clock.now()
    check_invariants(session)


def test_offline_request_is_posted(clock: ManualClock) -> None:
    session = _session(clock)
    session = ChatSession.request(2, ChatTopic(id=3), at=clock.now(), agents_available=False)
    session.submit_offline_request(at=clock.now())
    assert session.status is S.RequestPosted
    assert session.when_ended is not None
    check_invariants(session)


@pytest.mark.parametrize("settings", [{"use_prechat_form": True}, {"use_faq": True}, {}])
def test_leaving_while_waiting_closes_from_queue(
    clock: ManualClock, settings: dict[str, bool]
) -> None:
    session = _session(clock, **settings)
    session.leave_queue(at=clock.now())
    assert session.status is S.ClosedFromQueue
    check_invariants(session)


def test_offline_request_from_the_queue_is_not_allowed_and_names_command_and_status(
    clock: ManualClock,
) -> None:
    session = _session(clock)
    with pytest.raises(CommandNotAllowedError) as caught:
        session.submit_offline_request(at=clock.now())
    assert caught.value.command == "submit_offline_request"
    assert caught.value.status is S.InQueue
    assert caught.value.allowed == (S.OfflineForm,)
    assert "submit_offline_request" in str(caught.value) and "InQueue" in str(caught.value)
    assert session.status is S.InQueue and session.pending_events == ()


def test_a_customer_message_in_faq_is_the_question(clock: ManualClock) -> None:
    session = _session(clock, use_faq=True)
    assert session.post_customer_message("How do I reset my password?", at=clock.now()).changed
    assert session.status is S.Faq  # the FAQ step goes on: the message is its question
    assert session.first_message == session.last_message == "How do I reset my password?"
    assert session.when_idle == clock.now()
    (event,) = session.pull_events()
    assert isinstance(event, MessagePosted) and event.status is S.Faq
    session.post_customer_message("Still stuck", at=clock.now())
    assert session.first_message == "How do I reset my password?"
    assert session.last_message == "Still stuck" and session.status is S.Faq
    session.faq_not_helpful(at=clock.now())  # on to the queue, the question kept
    assert session.status is S.InQueue
    assert session.first_message == "How do I reset my password?"
    check_invariants(session)


def test_a_customer_message_on_the_prechat_form_is_not_allowed(clock: ManualClock) -> None:
    session = _session(clock, use_prechat_form=True)
    with pytest.raises(CommandNotAllowedError, match="allowed in: Faq, InQueue"):
        session.post_customer_message("hello?", at=clock.now())
    assert session.first_message == "" and session.pending_events == ()
