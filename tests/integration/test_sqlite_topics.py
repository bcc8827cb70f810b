"""The SQLite topic tables: migration 4, stored forms, indexes, damaged rows."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from chatsession import (
    ChatSession,
    ChatTopic,
    ChatTopicAgent,
    CorruptStoreError,
    DayHours,
    OpeningHours,
    Presence,
    SqliteChatSessionRepository,
)
from chatsession.adapters.sqlite import SCHEMA_VERSION
from chatsession.adapters.sqlite.migrations import OUR_TABLES, migrate, schema_version
from chatsession.adapters.sqlite.tables import COLUMN_NAMES, session_to_row

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TOPIC = ChatTopic(
    id=4,
    name="Sales",
    use_faq=True,
    opening_hours=OpeningHours(
        enabled=True, time_zone="Europe/Oslo", sat=DayHours(enabled=True, start=time(10))
    ),
    last_accept=AT,
    transfer_timeout=timedelta(seconds=90),
)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[SqliteChatSessionRepository]:
    repository = SqliteChatSessionRepository(tmp_path / "chat.db")
    yield repository
    repository.close()


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute("SELECT * FROM pragma_table_info(?)", (table,))]


def plan(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> str:
    rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return " ".join(str(row[3]) for row in rows)


def test_schema_4_adds_the_topic_tables(repo: SqliteChatSessionRepository) -> None:
    conn = repo.connection()
    assert SCHEMA_VERSION >= 4 and schema_version(conn) == SCHEMA_VERSION
    assert columns(conn, "chat_topic") == ["id", "settings"]
    assert columns(conn, "chat_topic_agent") == [
        "topic_id", "user_id", "can_listen", "can_respond", "can_manage", "can_notify",
    ]  # fmt: skip
    assert columns(conn, "chat_presence") == ["user_id", "present", "display_name", "topic_ids"]
    key = [r[1] for r in conn.execute("PRAGMA table_info(chat_topic_agent)") if r[5]]
    assert key == ["topic_id", "user_id"]
    index = [r[2] for r in conn.execute("PRAGMA index_info(chat_topic_agent_user_id)")]
    assert index == ["user_id", "topic_id"]
    assert not {"chat_topic", "chat_topic_agent", "chat_presence"} & OUR_TABLES


def test_a_version_3_file_is_migrated_keeping_its_sessions(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    session = ChatSession.request(41, ChatTopic(id=4), at=AT)
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=3)
    marks = ", ".join("?" for _ in COLUMN_NAMES)
    conn.execute(
        f"INSERT INTO chat_session ({', '.join(COLUMN_NAMES)}) VALUES ({marks})",
        (*session_to_row(session)[:-1], 1),
    )
    conn.close()
    with SqliteChatSessionRepository(path) as repo:
        assert schema_version(repo.connection()) == SCHEMA_VERSION
        session.version = 1
        assert repo.get(41) == session
        assert repo.list_topics() == [] and repo.next_topic_id() == 1
        repo.add_topic(ChatTopic(id=4))
        repo.put_topic_agent(ChatTopicAgent(4, 7, can_respond=True))
    with SqliteChatSessionRepository(path) as repo:  # and opens again, migrated
        assert repo.topic_agents(4) == [ChatTopicAgent(4, 7, can_respond=True)]


def test_a_topic_is_one_json_document_with_its_id(repo: SqliteChatSessionRepository) -> None:
    repo.add_topic(TOPIC)
    row = repo.connection().execute("SELECT id, settings FROM chat_topic").fetchone()
    assert row[0] == 4
    document = json.loads(row[1])
    assert document["id"] == 4 and document["name"] == "Sales"
    assert document["opening_hours"]["time_zone"] == "Europe/Oslo"
    assert document["opening_hours"]["sat"] == {
        "enabled": True,
        "start": "10:00:00",
        "stop": "16:00:00",
    }
    assert document["last_accept"] == "2026-11-25T09:00:00Z"
    assert document["transfer_timeout"] == "PT1M30S"
    assert repo.get_topic(4) == TOPIC


def test_agents_and_presence_are_rows_of_integers(repo: SqliteChatSessionRepository) -> None:
    repo.add_topic(TOPIC)
    repo.put_topic_agent(ChatTopicAgent(4, 7, can_respond=True, can_notify=True))
    repo.set_presence(Presence(7, True, frozenset({9, 4}), "Ann"))
    conn = repo.connection()
    assert conn.execute("SELECT * FROM chat_topic_agent").fetchall() == [(4, 7, 0, 1, 0, 1)]
    assert conn.execute("SELECT * FROM chat_presence").fetchall() == [(7, 1, "Ann", "[4, 9]")]


def test_the_lookups_use_the_keys_and_the_user_index(repo: SqliteChatSessionRepository) -> None:
    conn = repo.connection()
    by_user = plan(conn, "SELECT * FROM chat_topic_agent WHERE user_id = ? ORDER BY topic_id", (7,))
    assert "chat_topic_agent_user_id" in by_user and "TEMP B-TREE" not in by_user
    by_topic = plan(
        conn, "SELECT * FROM chat_topic_agent WHERE topic_id = ? ORDER BY user_id", (4,)
    )
    assert "PRIMARY KEY" in by_topic and "TEMP B-TREE" not in by_topic


DAMAGE = {
    "topic settings not JSON": ("UPDATE chat_topic SET settings = 'not json'", "chat_topic"),
    "topic settings of another id": (
        "UPDATE chat_topic SET settings = replace(settings, '\"id\":4', '\"id\":5')",
        "chat_topic",
    ),
    "topic settings a number": ("UPDATE chat_topic SET settings = 12", "chat_topic"),
    "topic setting of a wrong type": (
        "UPDATE chat_topic SET settings = replace(settings, '\"use_faq\":true', '\"use_faq\":1')",
        "chat_topic",
    ),
    "agent right 2": ("UPDATE chat_topic_agent SET can_respond = 2", "chat_topic_agent"),
    "agent right text": ("UPDATE chat_topic_agent SET can_listen = 'yes'", "chat_topic_agent"),
    "agent user 0": ("UPDATE chat_topic_agent SET user_id = 0", "chat_topic_agent"),
    "presence topics not a list": ("UPDATE chat_presence SET topic_ids = '{}'", "chat_presence"),
    "presence topics not ids": ("UPDATE chat_presence SET topic_ids = '[true]'", "chat_presence"),
    "presence name a blob": ("UPDATE chat_presence SET display_name = x'ff'", "chat_presence"),
    "presence flag -1": ("UPDATE chat_presence SET present = -1", "chat_presence"),
}


@pytest.mark.parametrize(("statement", "table"), DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_row_is_a_corrupt_store_error(
    repo: SqliteChatSessionRepository, statement: str, table: str
) -> None:
    repo.add_topic(TOPIC)
    repo.put_topic_agent(ChatTopicAgent(4, 7, can_respond=True))
    repo.set_presence(Presence(7, True, frozenset({4})))
    repo.connection().execute(statement)
    reads = {
        "chat_topic": [repo.list_topics, lambda: repo.get_topic(4)],
        "chat_topic_agent": [lambda: repo.topic_agents(4)],
        "chat_presence": [repo.all_presence],
    }[table]
    if table == "chat_topic_agent" and "user_id" not in statement:
        reads.append(lambda: repo.agent_topics(7))
    for read in reads:
        with pytest.raises(CorruptStoreError, match=table):
            read()


def test_schema_5_adds_the_message_log(repo: SqliteChatSessionRepository) -> None:
    conn = repo.connection()
    assert SCHEMA_VERSION >= 5  # later migrations add other tables
    assert columns(conn, "chat_message") == [
        "id", "chat_session_id", "type", "message", "author", "read_by_customer",
        "special_type", "special_param", "when_posted",
    ]  # fmt: skip
    assert "chat_message_session" in plan(
        conn, "SELECT id FROM chat_message WHERE chat_session_id = ? AND id > ? ORDER BY id",
        (1, 0),
    )
