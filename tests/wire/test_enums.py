"""Status and Flags: domain enums in Python, names on the wire, name or integer read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.status import ChatSessionStatus
from chatsession.wire import ChatSessionEntity, parse_chat_session

STATUSES = list(ChatSessionStatus)
FLAGS = list(ChatSessionFlags)


def test_the_twelve_statuses_and_two_flags_are_the_documented_ones() -> None:
    assert {s.name: s.value for s in ChatSessionStatus} == {
        "Invalid": 0, "PreChatForm": 1, "Faq": 2, "OfflineForm": 3, "InQueue": 4,
        "CustomerLast": 5, "UserLast": 6, "Finished": 7, "Deleted": 8, "Closed": 9,
        "RequestPosted": 10, "ClosedFromQueue": 11,
    }  # fmt: skip
    assert {f.name: f.value for f in ChatSessionFlags} == {"CustomerIsTyping": 0, "UserIsTyping": 1}


@pytest.mark.parametrize("status", STATUSES, ids=lambda s: s.name)
def test_status_name_round_trips(status: ChatSessionStatus) -> None:
    entity = parse_chat_session({"Status": status.name})
    assert entity.status is status
    assert entity.to_wire() == {"Status": status.name}


@pytest.mark.parametrize("status", STATUSES, ids=lambda s: s.name)
def test_status_integer_is_read_and_written_as_name(status: ChatSessionStatus) -> None:
    entity = parse_chat_session(f'{{"Status": {status.value}}}')
    assert entity.status is status
    assert entity.to_wire() == {"Status": status.name}


@pytest.mark.parametrize("flag", FLAGS, ids=lambda f: f.name)
def test_flags_name_and_integer_are_read_and_written_as_name(flag: ChatSessionFlags) -> None:
    assert parse_chat_session({"Flags": flag.name}).flags is flag
    assert parse_chat_session({"Flags": flag.value}).to_wire() == {"Flags": flag.name}


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("Status", '"closed"'),
        ("Status", '"Open"'),
        ("Status", '""'),
        ("Status", "12"),
        ("Status", "-1"),
        ("Status", "true"),
        ("Status", "9.0"),
        ("Status", '"9"'),
        ("Status", "null"),
        ("Status", "[]"),
        ("Flags", '"CustomerIsTyping, UserIsTyping"'),
        ("Flags", "2"),
        ("Flags", '"Typing"'),
        ("Flags", "false"),
    ],
)
def test_unknown_names_and_values_are_rejected_at_the_field(key: str, text: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session(f"{{{key!r}: {text}}}".replace("'", '"'))
    assert [tuple(e["loc"]) for e in excinfo.value.errors()] == [(key,)]


def test_the_error_message_lists_the_names() -> None:
    with pytest.raises(ValidationError, match="InQueue"):
        parse_chat_session({"Status": "Queued"})


def test_another_enum_is_not_taken_for_its_integer() -> None:
    with pytest.raises(ValidationError):
        parse_chat_session({"Status": ChatSessionFlags.UserIsTyping})


def test_python_construction_takes_members_and_python_dump_keeps_them() -> None:
    entity = ChatSessionEntity(
        status=ChatSessionStatus.InQueue, flags=ChatSessionFlags.UserIsTyping
    )
    assert entity.model_dump(exclude_unset=True) == {
        "Status": ChatSessionStatus.InQueue,
        "Flags": ChatSessionFlags.UserIsTyping,
    }
    assert entity.to_wire() == {"Status": "InQueue", "Flags": "UserIsTyping"}
