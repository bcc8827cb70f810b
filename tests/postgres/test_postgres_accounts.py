"""Accounts on PostgreSQL: a reopen, concurrent units of work, damaged rows, NUL in names."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from chatsession.adapters.postgres import PostgresChatSessionRepository
from chatsession.adapters.postgres.migrations import quote_ident
from chatsession.domain.account import ApiToken, AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.errors import InvalidArgumentError
from chatsession.ports.errors import CorruptStoreError
from chatsession.service.credentials import hash_password, new_token, verify_password

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def account(associate_id: int, user_name: str, password_hash: str = "") -> AssociateAccount:
    return AssociateAccount(AssociateInfo(associate_id, user_name, "Full"), False, password_hash)


def test_accounts_and_tokens_survive_a_reopen(pg_dsn: str, pg_schema: str) -> None:
    secret = hash_password("correct horse")
    _, token_hash = new_token()
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema) as repo:
        repo.put_account(account(7, "Alice", secret))
        made = repo.add_token(7, token_hash, at=AT)
        gone = repo.add_token(7, new_token()[1], at=AT)
        repo.revoke_token(gone.token_id, at=AT + timedelta(minutes=5))
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema) as repo:
        found = repo.account_by_user_name("alice")
        assert found == account(7, "Alice", secret)
        assert verify_password("correct horse", found.password_hash)
        assert repo.account_for_token(token_hash) == found
        revoked = ApiToken(gone.token_id, 7, AT, AT + timedelta(minutes=5))
        assert repo.tokens_of(7) == [made, revoked]


def test_a_user_name_with_a_nul_is_stored_and_found(pg_dsn: str, pg_schema: str) -> None:
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema) as repo:
        odd = account(7, "a\x00B\uffff")
        repo.put_account(odd)
        assert repo.account_by_user_name("A\x00b\uffff") == odd
        assert repo.list_accounts() == [odd]


def test_two_units_of_work_taking_one_user_name_store_it_once(
    pg_dsn: str, pg_schema: str
) -> None:
    """The unique index decides a race the base's check cannot see: one is refused."""
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema, pool_size=4) as repo:
        first_wrote = threading.Event()
        results: dict[str, object] = {}

        def second() -> None:
            first_wrote.wait(10)
            try:
                repo.put_account(account(9, "CAROL"))
                results["second"] = "stored"
            except InvalidArgumentError as refused:
                results["second"] = refused

        other = threading.Thread(target=second)
        other.start()
        with repo.transaction() as tx:
            tx.put_account(account(8, "carol"))
            first_wrote.set()
            other.join(0.5)  # the second waits on the index until this one commits
        other.join(10)
        assert isinstance(results["second"], InvalidArgumentError)
        assert "belongs to another associate" in str(results["second"])
        assert [a.associate_id for a in repo.list_accounts()] == [8]


def test_a_damaged_account_row_is_a_corrupt_store_error_without_the_hash(
    pg_dsn: str, pg_schema: str
) -> None:
    import psycopg

    secret = hash_password("pw")
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema) as repo:
        repo.put_account(account(7, "alice", secret))
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(
                f"UPDATE {quote_ident(pg_schema)}.associate_account "
                "SET password_hash = password_hash || ' x'"
            )
        with pytest.raises(CorruptStoreError, match="associate_account row associate_id=7") as e:
            repo.get_account(7)
        assert secret not in str(e.value)
