import inspect

import chatsession


def test_every_public_name_is_importable_and_documented() -> None:
    for name in chatsession.__all__:
        obj = getattr(chatsession, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_outcome_and_session_equality() -> None:
    from datetime import UTC, datetime

    clock = chatsession.ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    a = chatsession.ChatSession.request(1, chatsession.ChatTopic(id=1), clock=clock)
    b = a.copy()
    assert a == b and a is not b
    b.post_customer_message("hi")
    assert a != b
    assert a.pending_events != b.pending_events
