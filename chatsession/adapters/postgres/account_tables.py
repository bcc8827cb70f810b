"""The account SQL for PostgreSQL: rows of ``associate_account`` and ``associate_token``.

Stored forms (``chatsession.adapters.account_rows``): the flags as ``boolean``, times as
``timestamptz``, texts as ``tables.store_text`` (NUL escaped), the user name with its
``casefold`` key (unique when not empty, also against a concurrent unit of work). A
token's hash is written and looked up, never read back. Every value is bound. A row that
cannot be what chatsession wrote raises ``CorruptStoreError`` naming the table and the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from chatsession.adapters import account_rows
from chatsession.adapters.account_rows import ACCOUNT_COLUMNS, TOKEN_COLUMNS, token_filter
from chatsession.adapters.postgres.tables import flag, load_text, store_text, utc_time
from chatsession.domain.account import ApiToken, AssociateAccount


class AccountTables:
    """The statements on the account tables of one schema (a quoted name)."""

    def __init__(self, schema: str) -> None:
        accounts = f"{schema}.associate_account"
        tokens = f"{schema}.associate_token"
        self.put_account = (
            f"INSERT INTO {accounts} ({ACCOUNT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (associate_id) DO UPDATE SET user_name = EXCLUDED.user_name, "
            "user_name_key = EXCLUDED.user_name_key, full_name = EXCLUDED.full_name, "
            "deleted = EXCLUDED.deleted, admin = EXCLUDED.admin, "
            "password_hash = EXCLUDED.password_hash"
        )
        self.insert_token = (
            f"INSERT INTO {tokens} (associate_id, token_hash, created) VALUES (%s, %s, %s) "
            "RETURNING id"
        )
        self.revoke_token = (
            f"UPDATE {tokens} SET revoked = %s WHERE id = %s AND revoked IS NULL"
        )
        self._select_accounts = f"SELECT {ACCOUNT_COLUMNS} FROM {accounts}"
        self._select_tokens = f"SELECT {TOKEN_COLUMNS} FROM {tokens}"

    def select_accounts(
        self, associate_id: int | None, user_name_key: str | None
    ) -> tuple[str, list[Any]]:
        """The SQL and parameters of the accounts of ``associate_id`` and/or the key."""
        clauses: list[str] = []
        params: list[Any] = []
        if associate_id is not None:
            clauses.append("associate_id = %s")
            params.append(associate_id)
        if user_name_key is not None:
            clauses.append("user_name_key = %s")
            params.append(store_text(user_name_key))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return f"{self._select_accounts}{where} ORDER BY associate_id", params

    def select_tokens(
        self, token_id: int | None, associate_id: int | None, token_hash: str | None
    ) -> tuple[str, list[Any]]:
        """The SQL and parameters of the tokens matching every criterion given."""
        where, params = token_filter("%s", token_id, associate_id, token_hash)
        return f"{self._select_tokens}{where} ORDER BY id", params


@lru_cache(maxsize=64)
def for_schema(schema: str) -> AccountTables:
    """The statements of the schema ``schema`` (a quoted name), made once."""
    return AccountTables(schema)


def account_params(account: AssociateAccount, key: str) -> tuple[Any, ...]:
    """The parameters of ``AccountTables.put_account``."""
    return account_rows.account_params(account, key, bool, store_text)


def row_to_account(row: Sequence[Any], where: str) -> AssociateAccount:
    """The account of an ``associate_account`` row; ``CorruptStoreError`` if damaged."""
    return account_rows.row_to_account(row, where, flag, load_text)


def row_to_token(row: Sequence[Any], where: str) -> ApiToken:
    """The token of an ``associate_token`` row; ``CorruptStoreError`` if damaged."""
    return account_rows.row_to_token(row, where, utc_time)
