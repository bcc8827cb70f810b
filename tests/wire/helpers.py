"""Shared helpers for the wire tests: the sample files and a document comparison."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from chatsession.wire import ChatMessage, ChatSessionEntity, ChatTopicEntity, WireModel

FIXTURES = Path(__file__).parent.parent / "fixtures"
SAMPLES = FIXTURES / "samples"
SEED = FIXTURES / "reject-transfer-response.json"

_MODELS: dict[str, type[WireModel]] = {
    "entity": ChatSessionEntity,
    "message": ChatMessage,
    "topic": ChatTopicEntity,
}


@dataclass(frozen=True)
class Sample:
    """One sample file, with the model its INDEX.md kind names."""

    name: str
    model: type[WireModel]
    is_array: bool

    @property
    def path(self) -> Path:
        return SAMPLES / self.name

    def load(self) -> Any:
        return json.loads(self.path.read_text(encoding="utf-8"))

    def documents(self) -> list[dict[str, Any]]:
        data = self.load()
        return list(data) if self.is_array else [data]


def _kind(text: str) -> tuple[type[WireModel], bool]:
    """Map an INDEX.md kind ("entity (with _Links)", "array", "array of topic")."""
    words = text.replace("(with _Links)", "").split()
    if words[0] == "array":
        return _MODELS[words[2] if len(words) > 1 else "entity"], True
    return _MODELS[words[0]], False


@cache
def samples() -> tuple[Sample, ...]:
    """Every sample listed in samples/INDEX.md, in file-name order."""
    rows = re.findall(
        r"^\| (\S+\.json) \| `[^`]+` \| ([^|]+) \|", (SAMPLES / "INDEX.md").read_text(), re.M
    )
    found = [Sample(name, *_kind(kind.strip())) for name, kind in rows]
    return tuple(sorted(found, key=lambda s: s.name))


def sample_documents(model: type[WireModel]) -> list[dict[str, Any]]:
    """All sample documents (arrays flattened) of one model; the seed counts as an entity."""
    docs = [doc for s in samples() if s.model is model for doc in s.documents()]
    if model is ChatSessionEntity:
        docs.append(json.loads(SEED.read_text(encoding="utf-8")))
    return docs


_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")


def _instant(text: str) -> datetime:
    """Parse ISO 8601 text, truncating fractional digits beyond microseconds."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    return datetime.fromisoformat(text)


def assert_same_document(expected: Any, actual: Any, path: str = "$") -> None:
    """Assert two JSON documents are the same: keys, types and values, recursively.

    Date-time strings are equal when they denote the same instant, to the microsecond,
    with the same UTC offset. ``1`` and ``1.0`` and ``True`` are all different.
    """
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        assert expected.keys() == actual.keys(), (
            f"{path}: keys differ: missing {sorted(expected.keys() - actual.keys())}, "
            f"extra {sorted(actual.keys() - expected.keys())}"
        )
        for key, value in expected.items():
            assert_same_document(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected an array, got {actual!r}"
        assert len(expected) == len(actual), f"{path}: lengths differ"
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            assert_same_document(left, right, f"{path}[{index}]")
    elif isinstance(expected, str) and expected != actual and _ISO.match(expected):
        assert isinstance(actual, str) and _ISO.match(actual), f"{path}: {actual!r}"
        left, right = _instant(expected), _instant(actual)
        assert left == right, f"{path}: {expected!r} != {actual!r}"
        assert left.utcoffset() == right.utcoffset(), f"{path}: offsets differ"
    else:
        assert type(expected) is type(actual), f"{path}: {expected!r} != {actual!r} (type)"
        assert expected == actual, f"{path}: {expected!r} != {actual!r}"


def wire_models(model: WireModel) -> list[tuple[str, WireModel]]:
    """Every ``WireModel`` inside ``model`` (itself included), with its path."""
    found: list[tuple[str, WireModel]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, WireModel):
            found.append((path, value))
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{path}.{name}")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}[{key!r}]")

    walk(model, "$")
    return found


# The property table of the reference page (spec 000_d70adc085e4cee32.txt), in order.
DOCUMENTED = [
    "ChatSessionId",
    "TopicId",
    "User",
    "Person",
    "CustomerAlias",
    "CustomerHost",
    "CustomerName",
    "CustomerEmail",
    "CustomerPhone",
    "CustomerConsented",
    "CustomerCompanyName",
    "Status",
    "FirstMessage",
    "LastMessage",
    "WhenRequested",
    "WhenStarted",
    "WhenEnded",
    "WhenIdle",
    "WhenFetched",
    "SessionKey",
    "InitialQueuePos",
    "AlertLevel",
    "Rank",
    "Flags",
    "Contact",
    "Project",
    "Sale",
    "Ticket",
    "TransferTo",
    "ChatbotIsActive",
    "TableRight",
    "FieldProperties",
]
