"""Wire form of ``ChatSessionStatus`` and ``ChatSessionFlags``: the member name.

SuperOffice writes both enums as their names (``"Closed"``, ``"CustomerIsTyping"``).
On input the name or the integer value is accepted (``"Closed"`` or ``9``); an unknown
name, an out-of-range integer, a boolean or ``null`` is a validation error at the field.
In Python the attribute holds the domain enum member; JSON output is always the name.
"""

from __future__ import annotations

from enum import Enum, IntEnum
from typing import Annotated, Any, TypeVar

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.status import ChatSessionStatus

E = TypeVar("E", bound=IntEnum)


def _member(enum: type[E], value: Any) -> E:
    """The member of ``enum`` named or numbered by ``value``, else a custom error."""
    if isinstance(value, enum):
        return value
    if isinstance(value, str) and value in enum.__members__:
        return enum.__members__[value]
    if isinstance(value, int) and not isinstance(value, bool | Enum):
        try:
            return enum(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "enum_name",
        "Input should be one of the {enum} names {names} or their integer values",
        {"enum": enum.__name__, "names": ", ".join(enum.__members__)},
    )


def _status(value: Any) -> ChatSessionStatus:
    return _member(ChatSessionStatus, value)


def _flags(value: Any) -> ChatSessionFlags:
    return _member(ChatSessionFlags, value)


def _name(value: IntEnum) -> str:
    return value.name


def _schemas(enum: type[IntEnum]) -> tuple[WithJsonSchema, WithJsonSchema]:
    names = list(enum.__members__)
    values = [member.value for member in enum]
    by_name = {"type": "string", "enum": names}
    return (
        WithJsonSchema(
            {"anyOf": [by_name, {"type": "integer", "enum": values}]}, mode="validation"
        ),
        WithJsonSchema(by_name, mode="serialization"),
    )


_STATUS_IN, _STATUS_OUT = _schemas(ChatSessionStatus)
_FLAGS_IN, _FLAGS_OUT = _schemas(ChatSessionFlags)

StatusField = Annotated[
    ChatSessionStatus | None,
    PlainValidator(_status),
    PlainSerializer(_name, return_type=str, when_used="json-unless-none"),
    _STATUS_IN,
    _STATUS_OUT,
]
"""``Status``: a ``ChatSessionStatus``, written as its name; absent but never ``null``."""

FlagsField = Annotated[
    ChatSessionFlags | None,
    PlainValidator(_flags),
    PlainSerializer(_name, return_type=str, when_used="json-unless-none"),
    _FLAGS_IN,
    _FLAGS_OUT,
]
"""``Flags``: a ``ChatSessionFlags``, written as its name; absent but never ``null``."""
