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

from chatsession import ChatSessionFlags, ChatSessionStatus, TransferExpired
from chatsession.adapters.event_codec import (
    EventCodecError,
    decode_event,
    dumps,
    encode_event,
    loads,
    redacted,
)
from chatsession.domain.events import EVENT_TYPES, ChatSessionEvent
from chatsession.domain.session_key import SessionKey

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


CHANGES = {
    "status": ChatSessionStatus.UserLast,
    "user_id": 7,
    "when_started": WHEN,
    "when_ended": None,
    "session_key": SessionKey("k3y"),
    "flags": ChatSessionFlags.UserIsTyping,
    "customer_consented": True,
    "first_message": "text ✓",
}
"""Changes of every kind a session field has (enums, times, None, the key, bools, text)."""


def one_of_each(event_type: type[ChatSessionEvent]) -> ChatSessionEvent:
    hints = typing.get_type_hints(event_type)
    values = {f.name: sample(hints[f.name]) for f in fields(event_type) if f.name != "changes"}
    return event_type(**values, changes=CHANGES)


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
        "changes": {},
        "to": 8,
        "waited": 120_000_001,
    }


def test_changes_are_encoded_by_field_and_the_key_is_masked_for_show() -> None:
    event = one_of_each(EVENT_TYPES["SessionPickedUp"])
    payload = encode_event(event)
    assert payload["changes"] == {
        "status": "UserLast",
        "user_id": 7,
        "when_started": "2024-05-01T09:30:00.000005-03:30",
        "when_ended": None,
        "session_key": "k3y",
        "flags": "UserIsTyping",
        "customer_consented": True,
        "first_message": "text ✓",
    }
    assert type(payload["changes"]["session_key"]) is str  # the value, not the masked type
    assert redacted(payload)["changes"]["session_key"] == "***"
    back = decode_event("SessionPickedUp", loads(dumps(payload)))
    assert isinstance(back.changes["session_key"], SessionKey)


def test_a_bad_change_names_the_event_without_echoing_the_changes() -> None:
    payload = encode_event(one_of_each(EVENT_TYPES["CustomerFetched"]))
    payload["changes"] = {"session_key": "s3cr3t", "no_such_field": 1}
    with pytest.raises(EventCodecError, match=r"CustomerFetched\.changes") as caught:
        decode_event("CustomerFetched", payload)
    assert "s3cr3t" not in str(caught.value)


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
