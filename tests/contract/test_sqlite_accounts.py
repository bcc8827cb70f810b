"""Accounts on SQLite: they survive a reopen, older files migrate, damaged rows are named."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatsession.adapters.sqlite import SCHEMA_VERSION, SqliteChatSessionRepository
from chatsession.adapters.sqlite.migrations import migrate
from chatsession.domain.account import AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.session import ChatSession
from chatsession.domain.topic import ChatTopic
from chatsession.ports.errors import CorruptStoreError
from chatsession.service.credentials import hash_password, new_token, verify_password

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def alice(password_hash: str = "") -> AssociateAccount:
    return AssociateAccount(AssociateInfo(7, "Alice", "Alice Agent"), True, password_hash)


def test_accounts_and_tokens_survive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    secret = hash_password("correct horse")
    kept_token, kept_hash = new_token()
    gone_token, gone_hash = new_token()
    with SqliteChatSessionRepository(path) as repo:
        repo.put_account(alice(secret))
        repo.put_account(AssociateAccount(AssociateInfo(8, "bob")))
        kept = repo.add_token(7, kept_hash, at=AT)
        gone = repo.add_token(7, gone_hash, at=AT)
        repo.revoke_token(gone.token_id, at=AT + timedelta(hours=1))
    with SqliteChatSessionRepository(path) as repo:
        assert repo.list_accounts() == [alice(secret), AssociateAccount(AssociateInfo(8, "bob"))]
        found = repo.account_by_user_name("ALICE")
        assert found is not None and verify_password("correct horse", found.password_hash)
        assert repo.account_for_token(kept_hash) == alice(secret)
        assert repo.account_for_token(gone_hash) is None
        assert [t.token_id for t in repo.tokens_of(7)] == [kept.token_id, gone.token_id]
        assert repo.tokens_of(7)[1].revoked == AT + timedelta(hours=1)
        newer = repo.add_token(8, new_token()[1], at=AT)
        assert newer.token_id > gone.token_id
    raw = path.read_bytes()
    assert kept_token.encode() not in raw and gone_token.encode() not in raw
    assert kept_hash.encode() in raw  # only the hash is kept


def test_a_file_of_the_previous_schema_gains_the_account_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=SCHEMA_VERSION - 1)
    conn.close()
    with SqliteChatSessionRepository(path) as repo:
        repo.add(ChatSession.request(repo.next_id(), ChatTopic(id=1), at=AT))
        repo.put_account(alice())
        assert repo.get_account(7) == alice()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ("UPDATE associate_account SET admin = 7", "associate_account row associate_id=7"),
        ("UPDATE associate_account SET user_name_key = 'bob'",
         "associate_account row associate_id=7"),
        ("UPDATE associate_account SET password_hash = 'a hash with spaces'",
         "associate_account row associate_id=7"),
        ("UPDATE associate_account SET full_name = X'01'", "associate_account row associate_id=7"),
        ("UPDATE associate_token SET created = 'yesterday'", "associate_token row id=1"),
        ("UPDATE associate_token SET created = '2026-11-25T09:00:00'", "associate_token row id=1"),
    ],
)
def test_a_damaged_account_or_token_row_is_a_corrupt_store_error_naming_it(
    tmp_path: Path, sql: str, table: str
) -> None:
    path = tmp_path / "damaged.db"
    secret = hash_password("pw")
    with SqliteChatSessionRepository(path) as repo:
        repo.put_account(alice(secret))
        repo.add_token(7, new_token()[1], at=AT)
    with sqlite3.connect(path) as conn:
        conn.execute(sql)
    with SqliteChatSessionRepository(path) as repo:
        with pytest.raises(CorruptStoreError, match=table) as damaged:
            repo.tokens_of(7) if "token" in table else repo.get_account(7)
        assert secret not in str(damaged.value)
        assert "a hash with spaces" not in str(damaged.value)
