"""JSON Schema export of ChatSessionEntity."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from chatsession.domain.session_data import SESSION_FIELDS
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
    for key in ("WhenRequested", "WhenEnded"):  # a date-time, or null (read as unset)
        assert properties[key]["anyOf"] == [
            {"type": "string", "format": "date-time"}, {"type": "null"}
        ]
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


_UNLIMITED = 1 << 20


def _domain_limit(check: Callable[[Any], bool]) -> int | None:
    """The longest text the domain rule ``check`` allows (None: no limit below 2**20)."""
    if check("x" * _UNLIMITED):
        return None
    low, high = 0, _UNLIMITED  # check("x" * low) holds, check("x" * high) does not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if check("x" * middle) else (low, middle)
    return low


TEXT_FIELDS = [f for f in SESSION_FIELDS if f.wire is not None and issubclass(f.kind, str)]
"""The session's text fields that the entity carries."""


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=lambda f: f.name)
def test_the_json_schema_states_the_domain_limits(field: Any) -> None:
    """The entity's schema and validation have the length limit the session's rule has."""
    info = ChatSessionEntity.model_fields[field.wire]
    limit = _domain_limit(field.rule.check)
    prop = chat_session_entity_json_schema()["properties"][info.alias]
    (text,) = [member for member in prop["anyOf"] if member.get("type") == "string"]
    assert text.get("maxLength") == limit, (info.alias, text, limit)
    assert {"type": "null"} in prop["anyOf"]
    if limit is not None:  # the entity refuses what the session could not hold
        assert getattr(ChatSessionEntity(**{field.wire: "é" * limit}), field.wire) == "é" * limit
        with pytest.raises(ValidationError) as caught:
            ChatSessionEntity.model_validate({info.alias: "é" * (limit + 1)})
        assert [e["loc"] for e in caught.value.errors()] == [(info.alias,)]


def test_the_limited_fields_are_the_documented_ones() -> None:
    limits = {f.wire: _domain_limit(f.rule.check) for f in TEXT_FIELDS}
    assert {k: v for k, v in limits.items() if v is not None} == {
        "customer_alias": 64, "customer_phone": 32, "first_message": 1024, "last_message": 1024,
    }
