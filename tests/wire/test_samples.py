"""Every sample response from the SuperOffice reference parses and writes back the same."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from chatsession.domain.status import ChatSessionStatus
from chatsession.wire import (
    ChatMessage,
    ChatSessionEntity,
    ChatTopicEntity,
    WireModel,
    dump_chat_session,
    dump_wire_list,
    parse_chat_session,
    parse_wire_list,
)

from .helpers import SEED, Sample, assert_same_document, samples, wire_models

SAMPLES = samples()


def test_index_lists_38_samples_of_the_expected_kinds() -> None:
    kinds = Counter((s.model.__name__, s.is_array) for s in SAMPLES)
    assert len(SAMPLES) == 38
    assert kinds[("ChatSessionEntity", False)] == 22
    assert kinds[("ChatSessionEntity", True)] == 2
    assert kinds[("ChatMessage", False)] + kinds[("ChatMessage", True)] == 4
    assert kinds[("ChatTopicEntity", False)] + kinds[("ChatTopicEntity", True)] == 10
    on_disk = {p.name for p in SAMPLES[0].path.parent.glob("*.json")}
    assert on_disk == {s.name for s in SAMPLES}


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name.removesuffix(".json"))
def test_sample_round_trips(sample: Sample) -> None:
    text = sample.path.read_text(encoding="utf-8")
    original = json.loads(text)
    if sample.is_array:
        dumped: object = dump_wire_list(parse_wire_list(sample.model, text))
    else:
        dumped = sample.model.from_wire(text).to_wire()
    assert_same_document(original, dumped)
    # And the written document is JSON that reads back to the same model.
    again = json.loads(json.dumps(dumped))
    assert_same_document(original, again)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name.removesuffix(".json"))
def test_every_sample_key_is_a_declared_field(sample: Sample) -> None:
    for document in sample.documents():
        model = sample.model.from_wire(document)
        for path, part in wire_models(model):
            assert part.model_extra == {}, f"{sample.name} {path}: undeclared {part.model_extra}"


def test_seed_round_trips_with_every_carrier_filled() -> None:
    text = SEED.read_text(encoding="utf-8")
    original = json.loads(text)
    entity = parse_chat_session(text)
    assert_same_document(original, dump_chat_session(entity))
    for path, part in wire_models(entity):
        assert part.model_extra == {}, f"{path}: undeclared {part.model_extra}"
    assert entity.status is ChatSessionStatus.Closed
    assert entity.user is not None and entity.user.ej_user_id == 561
    assert entity.contact is not None and entity.contact.url == "http://www.example.com/"
    assert entity.table_right is not None and entity.table_right.mask == "Delete"


def test_floats_come_back_with_identical_text() -> None:
    text = SEED.read_text(encoding="utf-8")
    sale = dump_chat_session(parse_chat_session(text))["Sale"]
    written = json.dumps(sale)
    for number in ("26607.66", "31236.577999999998", "12677.029999999999", "6543.7919999999995"):
        assert number in text and number in written


def test_seven_fractional_digits_keep_microseconds_and_are_written_back_as_read() -> None:
    entity = parse_chat_session(SEED.read_text(encoding="utf-8"))
    assert entity.project is not None and entity.project.updated is not None
    assert entity.project.updated.microsecond == 733003  # from .7330034
    assert dump_chat_session(entity)["Project"]["Updated"] == "2002-10-25T15:05:41.7330034+02:00"


def test_five_fractional_digits_are_written_back_as_read() -> None:
    document = {"WhenRequested": "2019-05-05T15:05:41.15557+01:00"}
    assert dump_chat_session(parse_chat_session(document)) == document


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name.removesuffix(".json"))
def test_sample_is_written_back_byte_for_byte(sample: Sample) -> None:
    text = sample.path.read_text(encoding="utf-8")
    if sample.is_array:
        dumped: object = dump_wire_list(parse_wire_list(sample.model, text))
    else:
        dumped = sample.model.from_wire(text).to_wire()
    assert json.dumps(dumped, indent=2) == text.rstrip("\n")


@pytest.mark.parametrize(
    ("model", "keys"),
    [
        (ChatSessionEntity, 34),
        (ChatMessage, 9),
        (ChatTopicEntity, 34),
    ],
)
def test_models_declare_exactly_the_sample_keys(model: type[WireModel], keys: int) -> None:
    declared = {info.alias for info in model.model_fields.values()}
    seen = {
        key for s in SAMPLES if s.model is model for document in s.documents() for key in document
    }
    assert declared == seen
    assert len(declared) == keys
