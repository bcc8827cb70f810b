"""JSON Schema export of ChatSessionEntity."""

from __future__ import annotations

import json

from chatsession.domain.status import ChatSessionStatus
from chatsession.wire import ChatSessionEntity, chat_session_entity_json_schema

from .helpers import SEED


def test_schema_has_every_pascal_case_property() -> None:
    schema = chat_session_entity_json_schema()
    expected = [info.alias for info in ChatSessionEntity.model_fields.values()]
    assert list(schema["properties"]) == expected
    assert set(json.loads(SEED.read_text(encoding="utf-8"))) <= set(schema["properties"])
    assert "required" not in schema
    assert schema["type"] == "object"


def test_nested_carriers_are_defined_by_alias() -> None:
    defs = chat_session_entity_json_schema()["$defs"]
    assert {"Associate", "Person", "Contact", "Project", "Sale", "Ticket", "TableRight"} <= set(
        defs
    )
    assert {"URL", "URLName", "OrgNr"} <= set(defs["Contact"]["properties"])
    assert "EjUserId" in defs["Associate"]["properties"]


def test_scalar_types() -> None:
    properties = chat_session_entity_json_schema()["properties"]
    assert properties["ChatSessionId"] == {
        "type": "integer",
        "format": "int32",
        "minimum": -(2**31),
        "maximum": 2**31 - 1,
        "title": "ChatSessionId",
    }
    assert properties["WhenRequested"]["format"] == "date-time"
    assert properties["CustomerConsented"]["type"] == "boolean"
    assert {"type": "null"} in properties["CustomerAlias"]["anyOf"]
    assert {"type": "null"} in properties["User"]["anyOf"]
    assert "default" not in json.dumps(properties)


def test_status_accepts_names_or_integers_and_is_written_as_names() -> None:
    names = [s.name for s in ChatSessionStatus]
    validation = chat_session_entity_json_schema("validation")["properties"]["Status"]
    assert {"type": "string", "enum": names} in validation["anyOf"]
    assert {"type": "integer", "enum": list(range(12))} in validation["anyOf"]
    serialization = chat_session_entity_json_schema("serialization")["properties"]["Status"]
    assert serialization["enum"] == names


def test_unknown_keys_are_allowed_and_the_schema_is_json() -> None:
    schema = chat_session_entity_json_schema()
    assert "additionalProperties" in schema
    assert json.loads(json.dumps(schema)) == schema
