"""JSON Schema export of the wire carriers, with the SuperOffice (PascalCase) names."""

from __future__ import annotations

from typing import Any, Literal

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from chatsession.wire.entity import ChatSessionEntity

SchemaMode = Literal["validation", "serialization"]
"""``validation``: what the parser accepts; ``serialization``: what ``to_wire`` writes."""


class WireJsonSchema(GenerateJsonSchema):
    """pydantic's generator, without ``"default": null``.

    A wire attribute's ``None`` default means *the key is absent*, not *the value is
    null* (several fields reject ``null``), so the schema states no default at all.
    """

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        """Omit a ``None`` default; keep any other."""
        if schema.get("default", ...) is None:
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)


def chat_session_entity_json_schema(mode: SchemaMode = "validation") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``ChatSessionEntity``, by alias.

    Nested carriers are in ``$defs``; unknown keys are allowed (``additionalProperties``).
    In ``validation`` mode ``Status`` and ``Flags`` accept a name or an integer; in
    ``serialization`` mode they are names only.
    """
    return ChatSessionEntity.model_json_schema(
        by_alias=True, mode=mode, schema_generator=WireJsonSchema
    )
