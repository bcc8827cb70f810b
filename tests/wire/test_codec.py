"""parse_chat_session / dump_chat_session and the array helpers."""

from __future__ import annotations

import json
import types
from typing import Any

import pytest

from chatsession.wire import (
    ChatMessage,
    ChatSessionEntity,
    dump_chat_session,
    dump_wire_list,
    parse_chat_session,
    parse_chat_sessions,
    parse_wire_list,
)

from .helpers import SEED, assert_same_document

TEXT = SEED.read_text(encoding="utf-8")
ORIGINAL: dict[str, Any] = json.loads(TEXT)


@pytest.mark.parametrize(
    "data",
    [
        TEXT,
        TEXT.encode(),
        bytearray(TEXT.encode()),
        "\ufeff" + TEXT,
        b"\xef\xbb\xbf" + TEXT.encode(),
        ORIGINAL,
        types.MappingProxyType(ORIGINAL),
    ],
    ids=["str", "bytes", "bytearray", "str-bom", "bytes-bom", "dict", "mapping"],
)
def test_parse_accepts_text_bytes_and_mappings(data: Any) -> None:
    entity = parse_chat_session(data)
    assert isinstance(entity, ChatSessionEntity)
    assert_same_document(ORIGINAL, dump_chat_session(entity))


def test_dump_is_plain_json_data() -> None:
    dumped = dump_chat_session(parse_chat_session(TEXT))
    assert json.loads(json.dumps(dumped, allow_nan=False)) == dumped


def test_arrays() -> None:
    entities = parse_chat_sessions(json.dumps([ORIGINAL, {"Rank": 1}]))
    assert [type(e) for e in entities] == [ChatSessionEntity, ChatSessionEntity]
    assert_same_document([ORIGINAL, {"Rank": 1}], dump_wire_list(entities))
    assert parse_chat_sessions([]) == []
    messages = parse_wire_list(ChatMessage, b'[{"ChatMessageId": 1, "Type": "ToUser"}]')
    assert messages[0].chat_message_id == 1


def test_parsing_twice_gives_equal_models() -> None:
    first = parse_chat_session(TEXT)
    assert parse_chat_session(dump_chat_session(first)) == first
