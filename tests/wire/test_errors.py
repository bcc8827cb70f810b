"""The error contract: bad input raises pydantic.ValidationError naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from chatsession.wire import (
    ChatSessionEntity,
    ChatTopicEntity,
    parse_chat_session,
    parse_chat_sessions,
    parse_wire_list,
)

from .helpers import SEED


def seed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SEED.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize(
    "text",
    ["", "{", '{"ChatSessionId": }', "{'a': 1}", '{"a": 1} x', "\x00", b"\xff\xfe\x00"],
)
def test_malformed_json_is_a_validation_error_with_empty_loc(text: str | bytes) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session(text)
    [error] = excinfo.value.errors()
    assert error["type"] == "json_invalid"
    assert error["loc"] == ()


@pytest.mark.parametrize("text", ["null", "[]", "1", '"text"', "true"])
def test_json_that_is_not_an_object_is_a_validation_error(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_chat_session(text)


@pytest.mark.parametrize("data", [None, 5, [1], object()])
def test_python_input_that_is_not_a_mapping_is_a_validation_error(data: Any) -> None:
    with pytest.raises(ValidationError):
        parse_chat_session(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("ChatSessionId",), "963"),
        (("TopicId",), 2**31),
        (("Status",), "Open"),
        (("Flags",), 5),
        (("WhenEnded",), "1999-02-18T15:05:41.731003"),
        (("CustomerConsented",), 1),
        (("User",), "Ephraim West"),
        (("User", "AssociateId"), True),
        (("Person", "Firstname"), 17),
        (("Contact", "URL"), ["http://www.example.com/"]),
        (("Project", "Updated"), "2002-10-25"),
        (("Sale", "Amount"), "26607.66"),
        (("Ticket", "HasAttachment"), "false"),
        (("TransferTo", "Deleted"), None),
        (("TableRight", "Mask"), 1),
        (("FieldProperties", "fieldName", "FieldLength"), -(2**31) - 1),
        (("FieldProperties", "fieldName", "FieldRight", "Reason"), 0),
        (("FieldProperties", "fieldName"), []),
    ],
)
def test_bad_values_are_reported_at_their_path(path: tuple[str, ...], value: Any) -> None:
    document = seed()
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session(json.dumps(document))
    locs = {tuple(error["loc"]) for error in excinfo.value.errors()}
    assert locs == {path}


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session({"Rank": "1", "Status": "?", "User": {"Rank": 1.5}})
    locs = {tuple(error["loc"]) for error in excinfo.value.errors()}
    assert locs == {("Rank",), ("Status",), ("User", "Rank")}


def test_array_errors_start_with_the_index() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_sessions('[{"Rank": 1}, {"Rank": "2"}]')
    assert [tuple(e["loc"]) for e in excinfo.value.errors()] == [(1, "Rank")]
    with pytest.raises(ValidationError):
        parse_chat_sessions('{"Rank": 1}')
    with pytest.raises(ValidationError):
        parse_wire_list(ChatTopicEntity, "[")


def test_the_error_title_names_the_model() -> None:
    with pytest.raises(ValidationError) as excinfo:
        ChatSessionEntity.from_wire("{")
    assert excinfo.value.title == "ChatSessionEntity"


def test_the_documented_example() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session('{"Status": "Open", "User": {"AssociateId": true}}')
    assert [e["loc"] for e in excinfo.value.errors()] == [("User", "AssociateId"), ("Status",)]


@pytest.mark.parametrize("data", [{1: "x"}, {None: 1}, {"X": {1: 2}}, {"X": b"bytes"}])
def test_python_values_that_are_not_json_are_validation_errors(data: Any) -> None:
    with pytest.raises(ValidationError):
        parse_chat_session(data)


def test_too_deep_or_cyclic_documents_are_validation_errors() -> None:
    depth = 5000
    with pytest.raises(ValidationError):
        parse_chat_session('{"X": ' + "[" * depth + "]" * depth + "}")
    nested: list[Any] = []
    current = nested
    for _ in range(depth):
        current.append([])
        current = current[0]
    with pytest.raises(ValidationError):
        parse_chat_session({"X": nested})
    cyclic: dict[str, Any] = {}
    cyclic["X"] = cyclic
    with pytest.raises(ValidationError):
        parse_chat_session(cyclic)
