"""The account store port: associates with their credentials, and their API tokens.

The store keeps ``AssociateAccount`` values (an ``AssociateInfo``, the admin flag, the
password's hash) and API tokens by their hash. It is an ``AssociateDirectory`` too: the
same table answers ``by_id`` and ``by_user_name``, so a repository can be the ``associates``
of a ``ChatAgent``.

Rules every adapter keeps (``chatsession.testing`` checks them):

* a user name is unique among the accounts regardless of case (``str.casefold``); an
  empty user name is no name (any number of accounts may have none, and no lookup finds
  them by it). ``put_account`` with a user name another associate holds is refused with
  ``InvalidArgumentError`` and stores nothing;
* ``add_token`` refuses an associate with no account, and a hash that is no SHA-256 hex
  digest (64 lowercase hex digits) or is stored already, with ``InvalidArgumentError``;
* a revoked token authenticates nobody (``account_for_token`` is None), nor does a token
  of an account marked ``deleted``; revoking keeps the first revocation time;
* ids (``associate_id``, ``token_id``) must be positive int32s and times aware, else
  ``InvalidArgumentError``, before the store is asked. Times are stored in UTC.

No message of the store's errors quotes a password hash or a token hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from chatsession.domain.account import ApiToken, AssociateAccount
from chatsession.ports.directory import AssociateDirectory


@runtime_checkable
class AccountStore(AssociateDirectory, Protocol):
    """Associates with their credentials, and their API tokens (stored by hash)."""

    def put_account(self, account: AssociateAccount) -> None:
        """Store the account, replacing the one with its associate id (tokens stay).

        ``InvalidArgumentError`` if another associate holds its user name (any case).
        """
        ...

    def get_account(self, associate_id: int) -> AssociateAccount | None:
        """The account of ``associate_id``, or None."""
        ...

    def account_by_user_name(self, user_name: str) -> AssociateAccount | None:
        """The account whose user name is ``user_name`` regardless of case, or None."""
        ...

    def list_accounts(self) -> list[AssociateAccount]:
        """Every account, in associate id order."""
        ...

    def add_token(self, associate_id: int, token_hash: str, *, at: datetime) -> ApiToken:
        """Store a new token of the associate by its hash (SHA-256 hex), created ``at``.

        ``InvalidArgumentError`` if the associate has no account or the hash is taken.
        """
        ...

    def account_for_token(self, token_hash: str) -> AssociateAccount | None:
        """The account the token of ``token_hash`` authenticates, or None.

        None for an unknown or revoked token and for an account marked ``deleted``.
        """
        ...

    def revoke_token(self, token_id: int, *, at: datetime) -> bool:
        """Revoke the token ``at``; False if there is no such token or it was revoked."""
        ...

    def tokens_of(self, associate_id: int) -> list[ApiToken]:
        """The tokens of the associate (revoked ones too), in token id order."""
        ...
