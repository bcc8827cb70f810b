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
from chatsession.domain.session_data import SESSION_FIELDS
from chatsession.domain.session_key import SessionKey

JsonObject = dict[str, Any]
"""A decoded JSON object."""


class EventCodecError(ChatSessionError, ValueError):
    """An event name or payload could not be decoded."""

    code = "event_codec"
    http_status = 500


def encode_event(event: ChatSessionEvent) -> JsonObject:
    """The JSON object of ``event`` (see the module docstring for the rules)."""
    out = {f.name: _encode_value(getattr(event, f.name)) for f in fields(event)}
    out["changes"] = {name: _encode_value(value) for name, value in event.changes.items()}
    return out


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
            shown = "" if key == "changes" else f" {value!r}"  # changes may hold the key
            raise EventCodecError(f"{name}.{key}: cannot decode{shown}: {exc}") from None
    try:
        return event_type(**kwargs)
    except TypeError as exc:
        raise EventCodecError(f"{name}: {exc}") from None


def redacted(payload: typing.Mapping[str, Any]) -> JsonObject:
    """``payload`` with the secrets among its ``changes`` (the SessionKey) masked: to show it.

    The outbox keeps the key, so that a session can be rebuilt from its events; whatever
    leaves the library for people or other systems (the CLI, webhooks) goes through this.
    """
    out = dict(payload)
    changes = out.get("changes")
    if isinstance(changes, dict) and changes.get("session_key"):
        out["changes"] = {**changes, "session_key": "***"}
    return out


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
    if isinstance(value, SessionKey):
        return value.reveal()
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
    out = {f.name: _decoder_for(hints[f.name]) for f in fields(event_type) if f.name != "changes"}
    out["changes"] = _decode_changes
    return out


def _session_field_decoder(kind: type, optional: bool) -> Decoder:
    inner: Decoder
    if issubclass(kind, Enum):
        inner = _enum(kind)
    elif kind is datetime:
        inner = _decode_datetime
    elif kind is SessionKey:
        inner = _decode_key
    else:
        inner = _plain(kind)
    return _optional(inner) if optional else inner


def _decode_key(value: Any) -> SessionKey:
    if type(value) is not str:
        raise TypeError("expected a str")
    return SessionKey(value)


_FIELD_DECODERS: dict[str, Decoder] = {
    f.name: _session_field_decoder(f.kind, f.optional) for f in SESSION_FIELDS
}


def _decode_changes(value: Any) -> dict[str, Any]:
    """The ``changes`` of an event: session fields by name, each decoded by its kind."""
    if not isinstance(value, dict):
        raise TypeError("expected an object of session fields")
    out: dict[str, Any] = {}
    for name, item in value.items():
        decode = _FIELD_DECODERS.get(name)
        if decode is None:
            raise KeyError(f"no session field {name!r}")
        out[name] = decode(item)
    return out
