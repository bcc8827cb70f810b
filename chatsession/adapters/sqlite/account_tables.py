"""The account SQL: rows of ``associate_account`` and ``associate_token``.

Stored forms (``chatsession.adapters.account_rows``): the flags as 0/1, times as ISO 8601
text in UTC, the user name with its ``casefold`` key (unique when not empty). A token's
hash is written and looked up, never read back. Every value is bound. A row that cannot
be what chatsession wrote raises ``CorruptStoreError`` naming the table and the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from chatsession.adapters import account_rows
from chatsession.adapters.account_rows import ACCOUNT_COLUMNS, TOKEN_COLUMNS, token_filter
from chatsession.domain.account import ApiToken, AssociateAccount

PUT_ACCOUNT: Final = (
    f"INSERT OR REPLACE INTO associate_account ({ACCOUNT_COLUMNS}) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
INSERT_TOKEN: Final = (
    "INSERT INTO associate_token (associate_id, token_hash, created) VALUES (?, ?, ?)"
)
REVOKE_TOKEN: Final = (
    "UPDATE associate_token SET revoked = ? WHERE id = ? AND revoked IS NULL"
)


def select_accounts(
    associate_id: int | None, user_name_key: str | None
) -> tuple[str, list[Any]]:
    """The SQL and parameters of the accounts of ``associate_id`` and/or ``user_name_key``."""
    clauses: list[str] = []
    params: list[Any] = []
    if associate_id is not None:
        clauses.append("associate_id = ?")
        params.append(associate_id)
    if user_name_key is not None:
        clauses.append("user_name_key = ?")
        params.append(user_name_key)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return (
        f"SELECT {ACCOUNT_COLUMNS} FROM associate_account{where} ORDER BY associate_id",
        params,
    )


def select_tokens(
    token_id: int | None, associate_id: int | None, token_hash: str | None
) -> tuple[str, list[Any]]:
    """The SQL and parameters of the tokens matching every criterion given."""
    where, params = token_filter("?", token_id, associate_id, token_hash)
    return f"SELECT {TOKEN_COLUMNS} FROM associate_token{where} ORDER BY id", params


def account_params(account: AssociateAccount, key: str) -> tuple[Any, ...]:
    """The parameters of ``PUT_ACCOUNT``."""
    return account_rows.account_params(account, key, int, str)


def time_text(value: datetime) -> str:
    """A time as stored: ISO 8601 text in UTC."""
    return value.astimezone(UTC).isoformat()


def row_to_account(row: Sequence[Any], where: str) -> AssociateAccount:
    """The account of an ``associate_account`` row; ``CorruptStoreError`` if damaged."""
    return account_rows.row_to_account(row, where, _flag, _text)


def row_to_token(row: Sequence[Any], where: str) -> ApiToken:
    """The token of an ``associate_token`` row; ``CorruptStoreError`` if damaged."""
    return account_rows.row_to_token(row, where, _time)


def _flag(value: object) -> bool:
    if type(value) is not int or value not in (0, 1):
        raise ValueError(f"{value!r} is no 0/1 flag")
    return bool(value)


def _text(value: object) -> str:
    if type(value) is not str:
        raise TypeError(f"{type(value).__name__} is no text")
    return value


def _time(value: object) -> datetime:
    if type(value) is not str:
        raise TypeError(f"{type(value).__name__} is no time text")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return moment.astimezone(UTC)
