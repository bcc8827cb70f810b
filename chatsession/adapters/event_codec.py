"""Domain events to JSON objects and back, for outboxes and publishers.

The JSON object of an event holds every field of the event dataclass, by field name:

* ``datetime``: ISO 8601 text with its UTC offset (``2024-05-01T09:30:00.123456+02:00``);
* ``timedelta``: whole microseconds (an integer);
* ``ChatSessionStatus`` (an ``IntEnum``): its name, as SuperOffice REST writes it;
* the string enums (``MessageAuthor``, ``EndReason``): their value;
* ``int``, ``bool``, ``str`` and ``None`` as they are.

``decode_event(name, encode_event(e)) == e`` for every event. ``dumps``/``loads`` give
the compact JSON text the SQLite outbox stores.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields
from datetime import datetime, timedelta
from enum import Enum, IntEnum
from typing import Any

from chatsession.domain.errors import ChatSessionError
from chatsession.domain.events import EVENT_TYPES, ChatSessionEvent

JsonObject = dict[str, Any]
"""A decoded JSON object."""


class EventCodecError(ChatSessionError, ValueError):
    """An event name or payload could not be decoded."""

    code = "event_codec"
    http_status = 500


def encode_event(event: ChatSessionEvent) -> JsonObject:
    """The JSON object of ``event`` (see the module docstring for the rules)."""
    return {f.name: _encode_value(getattr(event, f.name)) for f in fields(event)}


def decode_event(name: str, payload: typing.Mapping[str, Any]) -> ChatSessionEvent:
    """Rebuild the event ``name`` (e.g. ``"TransferRejected"``) from its JSON object."""
    event_type = EVENT_TYPES.get(name)
    if event_type is None:
        raise EventCodecError(f"unknown event type {name!r}; known: {', '.join(EVENT_TYPES)}")
    decoders = _DECODERS.get(name)
    if decoders is None:
        decoders = _DECODERS[name] = _decoders(event_type)
    unknown = set(payload) - set(decoders)
    if unknown:
        raise EventCodecError(f"{name} has no field(s) {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {}
    for key, value in payload.items():
        try:
            kwargs[key] = decoders[key](value)
        except (TypeError, ValueError, KeyError) as exc:
            raise EventCodecError(f"{name}.{key}: cannot decode {value!r}: {exc}") from None
    try:
        return event_type(**kwargs)
    except TypeError as exc:
        raise EventCodecError(f"{name}: {exc}") from None


def dumps(payload: JsonObject) -> str:
    """Compact JSON text of an encoded event (keys in field order, non-ASCII kept)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads(text: str) -> JsonObject:
    """The JSON object stored by ``dumps``."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise EventCodecError(f"an event payload must be a JSON object, got {type(value).__name__}")
    return value


# ---------------------------------------------------------------- internals


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    if isinstance(value, IntEnum):
        return value.name
    if isinstance(value, Enum):
        return value.value
    return value


Decoder = typing.Callable[[Any], Any]


def _decode_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expected ISO 8601 text")
    parsed = datetime.fromisoformat(value)
    if parsed.utcoffset() is None:
        raise ValueError("a naive datetime; the outbox stores the offset")
    return parsed


def _decode_timedelta(value: Any) -> timedelta:
    if type(value) is not int:
        raise TypeError("expected whole microseconds")
    return timedelta(microseconds=value)


def _plain(kind: type) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {kind.__name__}")
        return value

    return decode


def _enum(kind: type[Enum]) -> Decoder:
    if issubclass(kind, IntEnum):
        return lambda value: kind[value]
    return lambda value: kind(value)


def _optional(inner: Decoder) -> Decoder:
    return lambda value: None if value is None else inner(value)


def _decoder_for(hint: Any) -> Decoder:
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            return _optional(_decoder_for(rest[0]))
        raise TypeError(f"unsupported union {hint!r}")
    if hint is datetime:
        return _decode_datetime
    if hint is timedelta:
        return _decode_timedelta
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint)
    if hint in (int, bool, str):
        return _plain(hint)
    raise TypeError(f"unsupported event field type {hint!r}")


_DECODERS: dict[str, dict[str, Decoder]] = {}


def _decoders(event_type: type[ChatSessionEvent]) -> dict[str, Decoder]:
    hints = typing.get_type_hints(event_type)
    return {f.name: _decoder_for(hints[f.name]) for f in fields(event_type)}
