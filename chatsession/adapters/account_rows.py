"""Account and token rows read back, the same for every SQL store.

An account is stored as ``(associate_id, user_name, user_name_key, full_name, deleted,
admin, password_hash)``: ``user_name_key`` is the user name's ``casefold`` (what the
unique index and the lookups use, computed in Python so that every store folds case
alike). A token as ``(id, associate_id, token_hash, created, revoked)``; read back without
its hash. A store supplies how it stores a flag, a text and a time. A row that cannot be
what chatsession wrote raises ``CorruptStoreError`` naming the table and the row's id, and
never quoting a hash.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final

from chatsession.adapters.account_base import user_name_key
from chatsession.domain.account import ApiToken, AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.errors import ChatSessionError
from chatsession.ports.errors import CorruptStoreError

ACCOUNT_COLUMNS: Final = (
    "associate_id, user_name, user_name_key, full_name, deleted, admin, password_hash"
)
"""The columns of an account row, in the order the functions here read and write them."""
TOKEN_COLUMNS: Final = "id, associate_id, created, revoked"
"""The columns of a token row as read back (its hash is never read)."""


def account_params(
    account: AssociateAccount,
    key: str,
    flag: Callable[[bool], Any],
    text: Callable[[str], str],
) -> tuple[Any, ...]:
    """The values of an account row (``ACCOUNT_COLUMNS``), flags and texts as stored."""
    info = account.info
    return (
        info.associate_id,
        text(info.user_name),
        text(key),
        text(info.full_name),
        flag(info.deleted),
        flag(account.admin),
        account.password_hash,
    )


def row_to_account(
    row: Sequence[Any],
    where: str,
    flag: Callable[[object], bool],
    text: Callable[[object], str],
) -> AssociateAccount:
    """The account of a row of ``ACCOUNT_COLUMNS``; ``CorruptStoreError`` if damaged."""
    try:
        user_name = text(row[1])
        if text(row[2]) != user_name_key(user_name):
            raise ValueError("user_name_key is not the user name's key")
        info = AssociateInfo(row[0], user_name, text(row[3]), flag(row[4]))
        return AssociateAccount(info, flag(row[5]), row[6])
    except (ChatSessionError, ValueError, TypeError) as exc:
        raise CorruptStoreError(
            f"{where}: associate_account row associate_id={row[0]!r} is damaged ({exc})"
        ) from exc


def row_to_token(
    row: Sequence[Any], where: str, time: Callable[[object], datetime]
) -> ApiToken:
    """The token of a row of ``TOKEN_COLUMNS``; ``CorruptStoreError`` if damaged."""
    try:
        revoked = None if row[3] is None else time(row[3])
        return ApiToken(row[0], row[1], time(row[2]), revoked)
    except (ChatSessionError, ValueError, TypeError) as exc:
        raise CorruptStoreError(
            f"{where}: associate_token row id={row[0]!r} is damaged ({exc})"
        ) from exc


def token_filter(
    mark: str, token_id: int | None, associate_id: int | None, token_hash: str | None
) -> tuple[str, list[Any]]:
    """The ``WHERE`` clause (or "") and parameters of the tokens matching every criterion.

    ``mark`` is the store's parameter placeholder (``?`` or ``%s``).
    """
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("id", token_id), ("associate_id", associate_id),
                          ("token_hash", token_hash)):
        if value is not None:
            clauses.append(f"{column} = {mark}")
            params.append(value)
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params
