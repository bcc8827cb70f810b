"""Events to JSON objects and back: the outbox payload format.

The events of every generated session round-trip through the outbox in the contract
suite's round-trip property; here: one event of each type, the JSON shape, the errors.
"""

from __future__ import annotations

import typing
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any

import pytest

from chatsession import ChatSessionStatus, TransferExpired
from chatsession.adapters.event_codec import (
    EventCodecError,
    decode_event,
    dumps,
    encode_event,
    loads,
)
from chatsession.domain.events import EVENT_TYPES, ChatSessionEvent

WHEN = datetime(2024, 5, 1, 9, 30, 0, 5, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))


def sample(hint: Any) -> Any:
    """A value of the type ``hint`` (the first non-None member of an Optional)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if args:
        return sample(args[0])
    if hint is datetime:
        return WHEN
    if hint is timedelta:
        return timedelta(days=1, seconds=3, microseconds=7)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return list(hint)[-1]
    return {int: 7, bool: True, str: "text ✓"}[hint]


def one_of_each(event_type: type[ChatSessionEvent]) -> ChatSessionEvent:
    hints = typing.get_type_hints(event_type)
    return event_type(**{f.name: sample(hints[f.name]) for f in fields(event_type)})


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_every_event_type_round_trips_through_json(name: str) -> None:
    event = one_of_each(EVENT_TYPES[name])
    text = dumps(encode_event(event))
    back = decode_event(name, loads(text))
    assert back == event
    assert type(back) is type(event)
    assert back.occurred_at.utcoffset() == event.occurred_at.utcoffset()


def test_the_json_shape_is_plain_and_readable() -> None:
    event = TransferExpired(
        chat_session_id=3,
        occurred_at=WHEN,
        status=ChatSessionStatus.UserLast,
        by=None,
        to=8,
        waited=timedelta(minutes=2, microseconds=1),
    )
    assert encode_event(event) == {
        "chat_session_id": 3,
        "occurred_at": "2024-05-01T09:30:00.000005-03:30",
        "status": "UserLast",
        "by": None,
        "to": 8,
        "waited": 120_000_001,
    }


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("NoSuchEvent", {}, "unknown event type"),
        ("CustomerFetched", {"chat_session_id": 1, "extra": 1}, "no field"),
        ("CustomerFetched", {"chat_session_id": "1"}, "chat_session_id"),
        ("CustomerFetched", {"chat_session_id": 1, "occurred_at": "2024-05-01T09:30:00",
                             "status": "Faq"}, "naive"),
        ("CustomerFetched", {"chat_session_id": 1, "occurred_at": WHEN.isoformat(),
                             "status": "NotAStatus"}, "status"),
        ("CustomerFetched", {"chat_session_id": 1}, "occurred_at"),
    ],
)  # fmt: skip
def test_bad_payloads_raise_a_codec_error(name: str, payload: dict[str, Any], message: str) -> None:
    with pytest.raises(EventCodecError, match=message):
        decode_event(name, payload)


def test_loads_wants_an_object() -> None:
    with pytest.raises(EventCodecError):
        loads("[1, 2]")
