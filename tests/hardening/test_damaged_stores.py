"""Issue 15.4: damaged rows and files are a typed ``CorruptStoreError`` naming the row."""

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chatsession import (
    ChatSession,
    ChatTopic,
    CorruptStoreError,
    SqliteChatSessionRepository,
    StoreUnavailableError,
)

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
READS: dict[str, Callable[[SqliteChatSessionRepository], Any]] = {
    "get": lambda repo: repo.get(1),
    "list_page": lambda repo: repo.list_page(),
    "first_in_queue": lambda repo: repo.first_in_queue(),
}


def damaged(tmp_path: Path, sql: str) -> Path:
    path = tmp_path / "damaged.db"
    with SqliteChatSessionRepository(path) as repo:
        repo.add(ChatSession.request(repo.next_id(), ChatTopic(id=1), at=AT))
    with sqlite3.connect(path) as conn:
        conn.execute(sql)
    return path


@pytest.mark.parametrize("read", list(READS))
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE chat_session SET status = 42",
        "UPDATE chat_session SET when_requested = 'garbage'",
        "UPDATE chat_session SET topic_id = 'seven'",
        "UPDATE chat_session SET flags = 9",
    ],
)
def test_a_damaged_row_is_a_corrupt_store_error_naming_it(
    tmp_path: Path, sql: str, read: str
) -> None:
    if read == "first_in_queue" and "status" in sql:
        pytest.skip("a row whose status is not InQueue is not in the queue to be read")
    with (
        SqliteChatSessionRepository(damaged(tmp_path, sql)) as repo,
        pytest.raises(CorruptStoreError, match="chat_session row id=1"),
    ):
        READS[read](repo)


def test_a_damaged_outbox_payload_is_a_corrupt_store_error(tmp_path: Path) -> None:
    path = damaged(tmp_path, "UPDATE chat_session_outbox SET payload = '{not json'")
    with (
        SqliteChatSessionRepository(path) as repo,
        pytest.raises(CorruptStoreError, match="chat_session_outbox row sequence=1"),
    ):
        repo.outbox.read()


def test_a_truncated_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "cut.db"
    with SqliteChatSessionRepository(path) as repo:
        repo.add(ChatSession.request(repo.next_id(), ChatTopic(id=1), at=AT))
    size = os.path.getsize(path)
    with open(path, "r+b") as file:
        file.truncate(size - 3)
    before = path.read_bytes()
    with pytest.raises(CorruptStoreError, match="not a whole number"):
        SqliteChatSessionRepository(path)
    assert path.read_bytes() == before
    assert issubclass(CorruptStoreError, StoreUnavailableError)
