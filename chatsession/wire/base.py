"""WireModel: the shared base of every SuperOffice wire carrier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

import pydantic_core
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
)
from pydantic.alias_generators import to_pascal

WireInput = str | bytes | bytearray | Mapping[str, Any]
"""What ``from_wire`` reads: JSON text (``str`` or UTF-8 bytes) or a decoded JSON object."""

_BOM = "\ufeff"
_NOT_SHOWN = "<the JSON text, not shown>"


def decode_json(data: str | bytes | bytearray, *, title: str) -> Any:
    """Decode JSON text strictly (no ``NaN``/``Infinity``); bad text raises ``ValidationError``.

    A leading UTF-8 byte-order mark is ignored. The error is pydantic's ``json_invalid``
    with an empty ``loc``: there is no field to name when the text is not JSON at all.
    """
    if isinstance(data, str):
        data = data.removeprefix(_BOM)
    else:
        data = bytes(data).removeprefix(_BOM.encode())
    try:
        return pydantic_core.from_json(data, allow_inf_nan=False)
    except ValueError as exc:
        raise ValidationError.from_exception_data(
            title,
            # the text may hold a SessionKey: neither the message nor errors() echo it
            [{"type": "json_invalid", "loc": (), "input": _NOT_SHOWN, "ctx": {"error": str(exc)}}],
            hide_input=True,
        ) from None


class WireModel(BaseModel):
    """Base of the wire carriers: PascalCase JSON names, unknown keys kept, frozen.

    * JSON names come from ``to_pascal`` on the snake_case attribute; the few names it
      cannot spell (``URL``, ``URLName``, ``_Links``) carry an explicit alias.
    * Keys the model does not declare are kept in ``model_extra`` (any JSON value) and
      written back unchanged.
    * ``to_wire`` writes exactly the keys that were present on input (``exclude_unset``),
      so a key absent on input stays absent and an explicit ``null`` stays ``null``.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(
        alias_generator=to_pascal,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
        extra="allow",
        frozen=True,
        allow_inf_nan=False,
        hide_input_in_errors=True,  # a bad document may hold a SessionKey: never echo it
        field_title_generator=lambda name, info: info.alias or to_pascal(name),
    )

    __pydantic_extra__: dict[str, JsonValue] = Field(init=False)

    @classmethod
    def from_wire(cls, data: WireInput) -> Self:
        """Parse one wire document (JSON text, UTF-8 bytes or a decoded mapping).

        Both names are accepted: SuperOffice's (``ChatSessionId``) and the Python attribute
        name (``chat_session_id``); ``to_wire`` always writes SuperOffice's. Every failure
        is a ``pydantic.ValidationError``.
        """
        if isinstance(data, str | bytes | bytearray):
            data = decode_json(data, title=cls.__name__)
        return cls.model_validate(data, by_alias=True, by_name=True)

    def to_wire(self) -> dict[str, Any]:
        """Dump to a JSON-ready dict with SuperOffice names and exactly the keys read."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
