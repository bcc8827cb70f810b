"""Convenience functions to read and write ChatSessionEntity documents and arrays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter

from chatsession.wire.base import WireInput, WireModel, decode_json
from chatsession.wire.entity import ChatSessionEntity

M = TypeVar("M", bound=WireModel)


def parse_chat_session(data: WireInput) -> ChatSessionEntity:
    """Parse one ``ChatSessionEntity`` from JSON text, UTF-8 bytes or a decoded mapping.

    Raises ``pydantic.ValidationError`` (and nothing else) on any bad input.
    """
    return ChatSessionEntity.from_wire(data)


def dump_chat_session(entity: ChatSessionEntity) -> dict[str, Any]:
    """Dump to a JSON-ready dict: SuperOffice names, exactly the keys that were read."""
    return entity.to_wire()


@cache
def _list_adapter(model: type[M]) -> TypeAdapter[list[M]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def parse_wire_list(model: type[M], data: str | bytes | bytearray | Sequence[Any]) -> list[M]:
    """Parse a JSON array of ``model`` documents (e.g. ``ChatSessionsForUser``).

    Raises ``pydantic.ValidationError`` (and nothing else); ``loc`` starts with the index.
    """
    if isinstance(data, str | bytes | bytearray):
        data = decode_json(data, title=f"list[{model.__name__}]")
    return _list_adapter(model).validate_python(data, by_alias=True, by_name=True)


def dump_wire_list(items: Iterable[WireModel]) -> list[dict[str, Any]]:
    """Dump wire documents to a JSON-ready list, each with exactly the keys it was read with."""
    return [item.to_wire() for item in items]


def parse_chat_sessions(data: str | bytes | bytearray | Sequence[Any]) -> list[ChatSessionEntity]:
    """Parse a JSON array of ``ChatSessionEntity`` documents."""
    return parse_wire_list(ChatSessionEntity, data)
