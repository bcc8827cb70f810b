"""Scalar wire types: int32, double, aware date-times, and the rules for null.

SuperOffice is a .NET service. Its value types (``int``, ``bool``, ``double``,
``DateTime``, enums) are never ``null`` on the wire; its reference types (strings,
nested carriers, objects) may be. Every attribute of a wire model defaults to ``None``,
meaning *absent*; the ``*Field`` aliases below say whether an explicit ``null`` is also
accepted (``TextField``, ``JsonObjectField``, ``DateTimeField``) or rejected (the others).

Scalars are strict: an int32 field takes a JSON integer only (not ``"123"``, not
``true``, not ``1.0``), a bool field takes ``true``/``false`` only, a string field takes
a string only. Whatever is accepted is written back as it came, date-times excepted
(see ``AwareDateTime``).
"""

from __future__ import annotations

import contextlib
import math
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, TypeVar

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    JsonValue,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

T = TypeVar("T")

INT32_MIN: Final = -(2**31)
"""Smallest int32 value."""

INT32_MAX: Final = 2**31 - 1
"""Largest int32 value."""

Int32 = Annotated[
    StrictInt, Field(ge=INT32_MIN, le=INT32_MAX, json_schema_extra={"format": "int32"})
]
"""A JSON integer in the int32 range; booleans, floats and numeric strings are rejected."""


_DOUBLE_MAX: Final = sys.float_info.max


def _double(value: Any) -> int | float:
    """A finite JSON number in the double range, kept as the ``int`` or ``float`` it came as."""
    if isinstance(value, float) and math.isfinite(value):
        return value
    # An int is compared, never converted: float(10**400) would raise OverflowError.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _DOUBLE_MAX:
        return value
    raise PydanticCustomError(
        "finite_number", "Input should be a finite JSON number within the double range"
    )


Double = Annotated[
    int | float,
    PlainValidator(_double),
    WithJsonSchema({"type": "number", "format": "double"}),
]
"""A finite JSON number. An integer stays an ``int`` so that ``26607`` is written back
as ``26607``, not ``26607.0``; a float keeps its exact value (``31236.577999999998``)."""

_ISO_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d")


def _date_time_input(value: Any) -> Any:
    """Let through ISO 8601 text and ``datetime`` objects only: no Unix timestamps."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE_TIME.match(value):
        return value
    raise PydanticCustomError(
        "iso_date_time",
        "Input should be an ISO 8601 date-time string with a UTC offset",
    )


class WireDateTime(datetime):
    """An aware datetime read from wire text, which it keeps to write back unchanged.

    SuperOffice sends up to seven fractional digits (.NET ticks); Python keeps six. The
    value is the datetime to the microsecond; ``wire_text`` is the text as it came, so a
    document is written back exactly as it was read. Arithmetic and ``replace`` give
    datetimes without the text (they are new values), written in the canonical form.
    """

    __slots__ = ("wire_text",)
    wire_text: str


def _keep_text(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    parsed: datetime = handler(value)
    if not isinstance(value, str):
        return parsed
    kept = WireDateTime(
        parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second,
        parsed.microsecond, parsed.tzinfo, fold=parsed.fold,
    )
    kept.wire_text = value
    return kept


def _date_time_text(value: datetime) -> str:
    text: str | None = getattr(value, "wire_text", None)
    if text is not None:
        return text
    offset = value.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        # ISO 8601 offsets are whole minutes; an offset with seconds (historic zones)
        # would be written as "+00:19:32", which no parser reads back: write the same
        # instant in UTC instead.
        with contextlib.suppress(OverflowError):  # year 1 or 9999 may have no UTC form:
            value = value.astimezone(UTC)  # then it keeps the offset's seconds
    return value.isoformat(timespec="microseconds")


AwareDateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_date_time_input),
    WrapValidator(_keep_text),
    PlainSerializer(_date_time_text, return_type=str, when_used="json-unless-none"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A timezone-aware date-time; text without a UTC offset is rejected.

Read from ISO 8601 text with any number of fractional digits: the value keeps
microseconds (a 7th digit, .NET ticks, is truncated), and a value read from text is a
``WireDateTime`` that writes that text back unchanged. Other values are written as ISO 8601
with exactly six fractional digits and their UTC offset, e.g.
``2019-05-05T15:05:41.731003+02:00`` (an offset that is not a whole number of minutes is
written as the same instant in UTC).
"""


def _reject_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError(
            "null_not_allowed",
            "Input should not be null: leave the key out instead",
        )
    return value


class _NonNull:
    """Annotation: explicit ``null`` is invalid; the ``None`` default still means absent."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(_reject_null, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        branches = json_schema.get("anyOf")
        if isinstance(branches, list):
            kept = [branch for branch in branches if branch != {"type": "null"}]
            if len(kept) == 1:
                rest = {key: value for key, value in json_schema.items() if key != "anyOf"}
                return {**kept[0], **rest}
            json_schema = {**json_schema, "anyOf": kept}
        return json_schema


Omittable = Annotated[T | None, _NonNull()]
"""``T`` or absent (``None``), never an explicit JSON ``null``."""

Int32Field = Omittable[Int32]
"""An int32 that may be absent but not ``null``."""

BoolField = Omittable[StrictBool]
"""A ``true``/``false`` that may be absent but not ``null``."""

DoubleField = Omittable[Double]
"""A finite number that may be absent but not ``null``."""

DateTimeField = AwareDateTime | None
"""An aware date-time that may be absent or ``null`` (read as unset, written back as ``null``).

.NET's ``DateTime`` is never ``null``, but clients in the wild send ``"WhenEnded": null`` for
a time not set yet; it is taken as unset, and a document read with it writes it back."""

EnumNameField = Omittable[StrictStr]
"""The name of a SuperOffice enum this library carries without interpreting it
(``"AnonymousAssociate"``, ``"Lost"``, ``"FULL"``): a string, absent but not ``null``."""

TextField = StrictStr | None
"""A string that may be absent or ``null``."""


def limited_text(max_length: int) -> Any:
    """A ``TextField`` of at most ``max_length`` characters (the domain's column limit)."""
    return Annotated[StrictStr, StringConstraints(max_length=max_length)] | None

JsonObject = dict[str, JsonValue]
"""A JSON object whose shape the library does not model; carried as it came."""

JsonObjectField = JsonObject | None
"""A JSON object that may be absent or ``null``."""
