"""Keys the models do not declare are kept and written back unchanged."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from chatsession.wire import ChatMessage, ChatTopicEntity, dump_chat_session, parse_chat_session

from .helpers import SEED, assert_same_document

NEW: dict[str, Any] = {"Nested": {"A": [1, 2.5, None, True, "x"]}, "Empty": {}, "List": []}


def seed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SEED.read_text(encoding="utf-8"))
    return document


def test_unknown_keys_are_kept_at_top_level_and_in_nested_carriers() -> None:
    document = seed()
    document["SomethingNew"] = copy.deepcopy(NEW)
    document["User"]["SomethingNew"] = copy.deepcopy(NEW)
    document["Contact"]["Address"]["Street"] = {"Address1": "Main Street 1"}
    document["FieldProperties"]["fieldName"]["FieldRight"]["SomethingNew"] = 7
    document["TableRight"]["SomethingNew"] = None
    entity = parse_chat_session(json.dumps(document))
    assert entity.model_extra == {"SomethingNew": NEW}
    assert entity.user is not None and entity.user.model_extra == {"SomethingNew": NEW}
    assert_same_document(document, dump_chat_session(entity))


@pytest.mark.parametrize("model", [ChatMessage, ChatTopicEntity])
def test_unknown_keys_are_kept_in_messages_and_topics(model: Any) -> None:
    document = (
        {"SomethingNew": {"X": 1}, "Type": "Special"}
        if model is ChatMessage
        else {
            "SomethingNew": {"X": 1},
            "Widget": {"Color": "#fff", "Size": [1, 2]},
        }
    )
    assert model.from_wire(document).to_wire() == document


@pytest.mark.parametrize("key", ["url", "chatSessionId", "RANK", "Links"])
def test_keys_that_are_neither_name_of_a_field_are_kept(key: str) -> None:
    document = {key: 1}
    assert parse_chat_session(document).to_wire() == document


def test_python_names_are_read_and_written_back_as_superoffice_names() -> None:
    assert parse_chat_session({"rank": 1, "status": "Closed"}).to_wire() == {
        "Rank": 1, "Status": "Closed"}


def test_with_both_names_the_superoffice_one_wins_and_the_other_is_kept() -> None:
    both = {"Rank": 2, "rank": 1}
    entity = parse_chat_session(both)
    assert entity.rank == 2 and entity.model_extra == {"rank": 1}
    assert entity.to_wire() == both


def test_unknown_values_must_be_json() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session({"SomethingNew": {1, 2}})
    assert excinfo.value.errors()[0]["loc"][0] == "SomethingNew"
    with pytest.raises(ValidationError):
        parse_chat_session({"SomethingNew": float("nan")})
    with pytest.raises(ValidationError):
        parse_chat_session('{"SomethingNew": 1e400}')
    with pytest.raises(ValidationError):
        parse_chat_session('{"SomethingNew": NaN}')


def test_declared_keys_come_first_then_unknown_keys() -> None:
    written = parse_chat_session({"SomethingNew": 1, "Rank": 2, "ChatSessionId": 3}).to_wire()
    assert list(written) == ["ChatSessionId", "Rank", "SomethingNew"]
