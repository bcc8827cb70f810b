"""Assert that a command was a documented no-op: nothing changed, no event, a reason."""

from collections.abc import Callable

from chatsession import ChatSession, NoOpReason, Outcome


def assert_noop(
    session: ChatSession, command: Callable[[], Outcome], reason: NoOpReason
) -> None:
    before = session.to_dict()
    events_before = session.pending_events
    outcome = command()
    assert outcome == Outcome(changed=False, reason=reason)
    assert session.to_dict() == before
    assert session.pending_events == events_before
