"""Property tests: generated documents round-trip; malformed ones raise ValidationError only."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.status import ChatSessionStatus
from chatsession.wire import (
    Associate,
    ChatMessage,
    ChatSessionEntity,
    ChatTopicEntity,
    Contact,
    FieldProperty,
    Person,
    Project,
    Sale,
    TableRight,
    Ticket,
    WireModel,
    dump_wire_list,
    parse_chat_sessions,
)

from .helpers import assert_same_document, sample_documents
from .strategies import JsonDoc, documents, fuzz_values, mutated

DOCUMENT_MODELS: list[type[WireModel]] = [ChatSessionEntity, ChatMessage, ChatTopicEntity]
PART_MODELS: list[type[WireModel]] = [
    ChatMessage,
    ChatTopicEntity,
    Associate,
    Person,
    Contact,
    Project,
    Sale,
    Ticket,
    TableRight,
    FieldProperty,
]
SAMPLES = [(model, doc) for model in DOCUMENT_MODELS for doc in sample_documents(model)]
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def expected_after_round_trip(model: type[WireModel], document: JsonDoc) -> JsonDoc:
    """What ``to_wire`` writes for an accepted document: integer Status/Flags become names."""
    expected = dict(document)
    if model is ChatSessionEntity:
        for key, enum in (("Status", ChatSessionStatus), ("Flags", ChatSessionFlags)):
            if isinstance(expected.get(key), int):
                expected[key] = enum(expected[key]).name
    return expected


@PROPERTY
@given(documents(ChatSessionEntity))
def test_generated_entities_round_trip(document: JsonDoc) -> None:
    text = json.dumps(document, allow_nan=False)
    dumped = ChatSessionEntity.from_wire(text).to_wire()
    assert_same_document(document, dumped)
    assert_same_document(document, ChatSessionEntity.from_wire(document).to_wire())
    array = [document, {}]
    assert_same_document(array, dump_wire_list(parse_chat_sessions(json.dumps(array))))


@PROPERTY
@given(st.sampled_from(PART_MODELS).flatmap(lambda m: st.tuples(st.just(m), documents(m))))
def test_generated_documents_of_every_model_round_trip(
    case: tuple[type[WireModel], JsonDoc],
) -> None:
    model, document = case
    assert_same_document(document, model.from_wire(json.dumps(document)).to_wire())


@PROPERTY
@given(st.sampled_from(SAMPLES).flatmap(lambda s: st.tuples(st.just(s[0]), mutated(s[1]))))
def test_mutated_samples_raise_only_validation_error(case: tuple[type[WireModel], JsonDoc]) -> None:
    model, document = case
    for data in (json.dumps(document), document):
        try:
            parsed = model.from_wire(data)
        except ValidationError as error:
            assert error.errors(), "a ValidationError names at least one error"
            continue
        assert_same_document(expected_after_round_trip(model, document), parsed.to_wire())


@PROPERTY
@given(st.binary() | st.text())
def test_random_text_raises_only_validation_error(data: bytes | str) -> None:
    for model in DOCUMENT_MODELS:
        with contextlib.suppress(ValidationError):
            model.from_wire(data)


@PROPERTY
@given(fuzz_values)
def test_random_json_values_raise_only_validation_error(value: Any) -> None:
    for data in (json.dumps(value), value):
        with contextlib.suppress(ValidationError):
            ChatSessionEntity.from_wire(data)
