"""Issue 15.2: the SessionKey never shows in a repr, a str, a log line or an error message."""

import json
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from chatsession import (
    ChatAgent,
    ChatSession,
    ChatTopic,
    InMemoryChatSessionRepository,
    InvalidArgumentError,
    InvariantViolationError,
    ManualClock,
    SqliteChatSessionRepository,
    check_invariants,
    from_entity,
    to_entity,
)
from chatsession.domain.session_key import SessionKey
from chatsession.wire import ChatSessionEntity

KEY = "s3cr3t-k3y-0123456789"
AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_session_key_is_masked_in_repr_str_and_formatting() -> None:
    key = SessionKey(KEY)
    logged = "%s" % (key,)  # noqa: UP031 (what a logger does)
    for shown in (repr(key), str(key), f"{key}", logged, f"{key!r}", repr([key])):
        assert KEY not in shown
    assert key == KEY and key.reveal() == KEY and json.dumps(key) == json.dumps(KEY)


def test_the_agent_reply_and_the_entity_do_not_show_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    agent = ChatAgent(InMemoryChatSessionRepository(), clock=ManualClock(AT))
    reply = agent.create_session(ChatTopic(id=1))
    assert reply.entity.session_key  # the caller who created it gets the key ...
    with caplog.at_level(logging.INFO):
        logging.getLogger("app").info("reply %s / %r / %s", reply, reply, reply.entity)
    assert reply.entity.session_key not in caplog.text  # ... but no log line shows it
    assert reply.entity.session_key not in repr(reply) + str(reply) + repr(reply.entity)


def test_the_key_survives_storage_and_the_wire_exactly(tmp_path: Path) -> None:
    session = ChatSession.request(1, ChatTopic(id=1), at=AT, session_key=KEY)
    with SqliteChatSessionRepository(tmp_path / "k.db") as repo:
        repo.add(session)
        loaded = repo.get(1)
        raw = repo.connection().execute("SELECT session_key FROM chat_session").fetchone()[0]
    assert raw == KEY and loaded.session_key == KEY
    assert isinstance(loaded.session_key, SessionKey)
    assert to_entity(loaded).to_wire()["SessionKey"] == KEY
    assert from_entity(to_entity(loaded)).session_key == KEY


def test_error_messages_about_a_bad_key_do_not_quote_it() -> None:
    bad = KEY + "\ud800"
    with pytest.raises(InvalidArgumentError) as caught:
        ChatSession.request(1, ChatTopic(id=1), at=AT, session_key=bad)
    assert KEY not in str(caught.value)
    session = ChatSession.request(1, ChatTopic(id=1), at=AT, session_key=KEY)
    session.session_key = SessionKey(bad)
    with pytest.raises(InvariantViolationError) as violated:
        check_invariants(session)
    assert KEY not in str(violated.value)


@pytest.mark.parametrize(
    "document",
    [
        '{"SessionKey": "' + KEY + '", "ChatSessionId": ',  # not JSON: json_invalid
        '{"SessionKey": "' + KEY + '", "ChatSessionId": "x"}',  # a bad field beside it
        {"SessionKey": KEY, "CustomerAlias": "a" * 65},
    ],
)
def test_wire_errors_never_echo_the_document(document: object) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatSessionEntity.from_wire(document)  # type: ignore[arg-type]
    assert KEY not in str(caught.value) and KEY not in repr(caught.value.errors())


def test_sqlite_is_handed_the_real_value() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (k TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (SessionKey(KEY),))
    assert conn.execute("SELECT k FROM t").fetchone()[0] == KEY
