"""Field names: snake_case in Python, SuperOffice's PascalCase on the wire."""

from __future__ import annotations

import json
import re

import pytest
from pydantic.alias_generators import to_pascal

from chatsession.wire import (
    Associate,
    ChatMessage,
    ChatSessionEntity,
    ChatTopicEntity,
    Contact,
    FieldProperty,
    FieldRight,
    Person,
    Project,
    Sale,
    TableRight,
    Ticket,
    WireModel,
)

from .helpers import DOCUMENTED, SEED

ALL_MODELS: list[type[WireModel]] = [
    Associate,
    ChatMessage,
    ChatSessionEntity,
    ChatTopicEntity,
    Contact,
    FieldProperty,
    FieldRight,
    Person,
    Project,
    Sale,
    TableRight,
    Ticket,
]

# The only names to_pascal cannot spell; each carries a written-out alias.
ALIAS_EXCEPTIONS = {"url": "URL", "url_name": "URLName", "links": "_Links"}



@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_attribute_names_are_snake_case_and_aliases_generated(model: type[WireModel]) -> None:
    for name, info in model.model_fields.items():
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name), name
        assert info.alias == ALIAS_EXCEPTIONS.get(name, to_pascal(name)), name


def test_entity_declares_the_documented_properties_plus_rating_and_links() -> None:
    aliases = [info.alias for info in ChatSessionEntity.model_fields.values()]
    expected = [*DOCUMENTED[:-2], "Rating", *DOCUMENTED[-2:], "_Links"]
    assert aliases == expected


@pytest.mark.parametrize(
    ("key", "model"),
    [
        ("User", Associate),
        ("TransferTo", Associate),
        ("Person", Person),
        ("Contact", Contact),
        ("Project", Project),
        ("Sale", Sale),
        ("Ticket", Ticket),
    ],
)
def test_carriers_declare_exactly_the_seed_keys(key: str, model: type[WireModel]) -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    declared = [info.alias for info in model.model_fields.values()]
    assert declared == list(seed[key])


def test_rights_declare_exactly_the_seed_keys() -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    field_property = seed["FieldProperties"]["fieldName"]
    assert [i.alias for i in FieldProperty.model_fields.values()] == list(field_property)
    assert [i.alias for i in FieldRight.model_fields.values()] == list(field_property["FieldRight"])
    assert [i.alias for i in TableRight.model_fields.values()] == list(seed["TableRight"])


def test_python_construction_uses_snake_case_names() -> None:
    entity = ChatSessionEntity(chat_session_id=5, contact=Contact(url="http://x/", org_nr="1"))
    assert entity.to_wire() == {"ChatSessionId": 5, "Contact": {"URL": "http://x/", "OrgNr": "1"}}


def test_wire_input_accepts_both_names_and_writes_superoffice_names() -> None:
    entity = ChatSessionEntity.from_wire({"chat_session_id": 5, "TopicId": 2, "status": 4})
    assert (entity.chat_session_id, entity.topic_id) == (5, 2)
    assert entity.model_extra == {}
    assert entity.to_wire() == {"ChatSessionId": 5, "TopicId": 2, "Status": "InQueue"}


def test_models_are_frozen() -> None:
    entity = ChatSessionEntity.from_wire({"ChatSessionId": 1})
    with pytest.raises(Exception, match="frozen"):
        entity.chat_session_id = 2  # type: ignore[misc]
