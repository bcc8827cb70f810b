"""The account store, written once: the ``AccountStore`` port over a backend's primitives.

Two mixins the store base (``chatsession.adapters.base``) builds on:

* ``AccountUnitOfWork``: the port on one unit of work. It checks the arguments, keeps
  the rules (a user name unique regardless of case, tokens only for stored associates,
  a revoked token or a deleted account authenticates nobody, the first revocation time
  is kept) and makes each write all-or-nothing. The backend implements
  ``_select_accounts``, ``_write_account``, ``_select_tokens``, ``_insert_token`` and
  ``_revoke_token``.
* ``AccountRepository``: each call its own unit of work (or joining the thread's open
  one), as the base does for sessions and topics.

The ``AssociateDirectory`` view (``by_id``, ``by_user_name``) reads the same accounts.
No message here quotes a password hash or a token hash.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Final, TypeVar

from chatsession.domain.account import ApiToken, AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.values import check_id, check_text, utc

T = TypeVar("T")
_TOKEN_HASH: Final = re.compile(r"[0-9a-f]{64}")


def user_name_key(user_name: str) -> str:
    """What makes user names equal regardless of case (``casefold``): the stored key."""
    return user_name.casefold()


def check_account(account: object) -> AssociateAccount:
    """Refuse what is no ``AssociateAccount`` (its own checks ran when it was made)."""
    if not isinstance(account, AssociateAccount):
        raise InvalidArgumentError(f"expected an AssociateAccount, got {type(account).__name__}")
    return account


def check_token_hash(value: object) -> str:
    """Refuse what is no SHA-256 hex digest (64 lowercase hex digits), without quoting it."""
    if not isinstance(value, str) or not _TOKEN_HASH.fullmatch(value):
        raise InvalidArgumentError(
            "token_hash must be a SHA-256 hex digest: 64 lowercase hex digits "
            "(chatsession.service.credentials.token_hash); the value is not shown"
        )
    return value


def name_taken(user_name: str, holder: int | None) -> InvalidArgumentError:
    """The refusal of a user name another associate (``holder``, if known) holds."""
    who = "another associate" if holder is None else f"associate {holder}"
    return InvalidArgumentError(
        f"user name {user_name!r} belongs to {who} (user names are unique regardless of case)"
    )


class AccountUnitOfWork(ABC):
    """The ``AccountStore`` port (and ``AssociateDirectory``) on one unit of work."""

    __slots__ = ()

    # ------------------------------------------------------------ the port

    def put_account(self, account: AssociateAccount) -> None:
        """Store the account, replacing the one with its id; its user name must be free."""
        check_account(account)
        self._writable()
        associate_id = account.associate_id
        key = user_name_key(account.user_name)
        with self._write_scope(f"associate {associate_id}"):
            if key:
                holders = self._select_accounts(user_name_key=key)
                if holders and holders[0].associate_id != associate_id:
                    raise name_taken(account.user_name, holders[0].associate_id)
            self._write_account(account, key)

    def get_account(self, associate_id: int) -> AssociateAccount | None:
        """The account of ``associate_id``, or None."""
        check_id(associate_id, "associate_id")
        self._readable()
        found = self._select_accounts(associate_id=associate_id)
        return found[0] if found else None

    def account_by_user_name(self, user_name: str) -> AssociateAccount | None:
        """The account whose user name is ``user_name`` regardless of case, or None."""
        key = user_name_key(check_text(user_name, "user_name"))
        if not key:
            return None  # an empty user name is no name
        self._readable()
        found = self._select_accounts(user_name_key=key)
        return found[0] if found else None

    def list_accounts(self) -> list[AssociateAccount]:
        """Every account, in associate id order."""
        self._readable()
        return self._select_accounts()

    def by_id(self, associate_id: int) -> AssociateInfo | None:
        """The associate with ``associate_id`` (the ``AssociateDirectory`` view), or None."""
        account = self.get_account(associate_id)
        return None if account is None else account.info

    def by_user_name(self, user_name: str) -> AssociateInfo | None:
        """The associate whose user name is ``user_name`` (any case), or None."""
        account = self.account_by_user_name(user_name)
        return None if account is None else account.info

    def add_token(self, associate_id: int, token_hash: str, *, at: datetime) -> ApiToken:
        """Store a new token of a stored associate by its hash, created ``at``."""
        check_id(associate_id, "associate_id")
        check_token_hash(token_hash)
        when = utc(at, "at")
        self._writable()
        with self._write_scope(f"a token of associate {associate_id}"):
            if not self._select_accounts(associate_id=associate_id):
                raise InvalidArgumentError(f"associate {associate_id} has no account")
            if self._select_tokens(token_hash=token_hash):
                raise InvalidArgumentError("a token with this hash is stored already")
            return self._insert_token(associate_id, token_hash, when)

    def account_for_token(self, token_hash: str) -> AssociateAccount | None:
        """The account an active token authenticates; None if unknown, revoked or deleted."""
        check_token_hash(token_hash)
        self._readable()
        found = self._select_tokens(token_hash=token_hash)
        if not found or found[0].revoked is not None:
            return None
        accounts = self._select_accounts(associate_id=found[0].associate_id)
        if not accounts or accounts[0].info.deleted:
            return None
        return accounts[0]

    def revoke_token(self, token_id: int, *, at: datetime) -> bool:
        """Revoke the token ``at``; False if unknown or revoked already (that time stays)."""
        check_id(token_id, "token_id")
        when = utc(at, "at")
        self._writable()
        with self._write_scope(f"token {token_id}"):
            found = self._select_tokens(token_id=token_id)
            if not found or found[0].revoked is not None:
                return False
            return self._revoke_token(token_id, when)

    def tokens_of(self, associate_id: int) -> list[ApiToken]:
        """The associate's tokens, revoked ones too, in token id order."""
        check_id(associate_id, "associate_id")
        self._readable()
        return self._select_tokens(associate_id=associate_id)

    # ------------------------------------------------- what the unit of work gives

    @abstractmethod
    def _writable(self) -> object:
        """Raise unless this unit can write (the store base's)."""

    @abstractmethod
    def _readable(self) -> None:
        """Raise unless this unit can read (the store base's)."""

    @abstractmethod
    def _write_scope(self, subject: str) -> AbstractContextManager[None]:
        """Make the statements of one write all-or-nothing (the store base's)."""

    # ------------------------------------------------------------ primitives

    @abstractmethod
    def _select_accounts(
        self, *, associate_id: int | None = None, user_name_key: str | None = None
    ) -> list[AssociateAccount]:
        """The stored accounts of ``associate_id`` and/or ``user_name_key``, by id."""

    @abstractmethod
    def _write_account(self, account: AssociateAccount, user_name_key: str) -> None:
        """Store ``account`` (with its user name's key), replacing the one of its id."""

    @abstractmethod
    def _select_tokens(
        self,
        *,
        token_id: int | None = None,
        associate_id: int | None = None,
        token_hash: str | None = None,
    ) -> list[ApiToken]:
        """The stored tokens matching every criterion given, in token id order."""

    @abstractmethod
    def _insert_token(self, associate_id: int, token_hash: str, at: datetime) -> ApiToken:
        """Store a new token (numbered by the store) of a stored associate; return it."""

    @abstractmethod
    def _revoke_token(self, token_id: int, at: datetime) -> bool:
        """Set ``revoked`` of the token if it is unset; False if nothing changed."""


class AccountRepository(ABC):
    """The ``AccountStore`` port on a repository: each call a unit of work, or the open one."""

    __slots__ = ()

    def put_account(self, account: AssociateAccount) -> None:
        """Store the account, replacing the one with its id; its user name must be free."""
        check_account(account)  # before waiting for the store's lock
        self._write_account_call(lambda unit: unit.put_account(account))

    def get_account(self, associate_id: int) -> AssociateAccount | None:
        """The account of ``associate_id``, or None."""
        return self._read_account_call(lambda unit: unit.get_account(associate_id))

    def account_by_user_name(self, user_name: str) -> AssociateAccount | None:
        """The account whose user name is ``user_name`` regardless of case, or None."""
        return self._read_account_call(lambda unit: unit.account_by_user_name(user_name))

    def list_accounts(self) -> list[AssociateAccount]:
        """Every account, in associate id order."""
        return self._read_account_call(lambda unit: unit.list_accounts())

    def by_id(self, associate_id: int) -> AssociateInfo | None:
        """The associate with ``associate_id`` (the ``AssociateDirectory`` view), or None."""
        return self._read_account_call(lambda unit: unit.by_id(associate_id))

    def by_user_name(self, user_name: str) -> AssociateInfo | None:
        """The associate whose user name is ``user_name`` (any case), or None."""
        return self._read_account_call(lambda unit: unit.by_user_name(user_name))

    def add_token(self, associate_id: int, token_hash: str, *, at: datetime) -> ApiToken:
        """Store a new token of a stored associate by its hash, created ``at``."""
        check_id(associate_id, "associate_id")
        check_token_hash(token_hash)
        return self._write_account_call(
            lambda unit: unit.add_token(associate_id, token_hash, at=at)
        )

    def account_for_token(self, token_hash: str) -> AssociateAccount | None:
        """The account an active token authenticates; None if unknown, revoked or deleted."""
        return self._read_account_call(lambda unit: unit.account_for_token(token_hash))

    def revoke_token(self, token_id: int, *, at: datetime) -> bool:
        """Revoke the token ``at``; False if unknown or revoked already."""
        check_id(token_id, "token_id")
        return self._write_account_call(lambda unit: unit.revoke_token(token_id, at=at))

    def tokens_of(self, associate_id: int) -> list[ApiToken]:
        """The associate's tokens, revoked ones too, in token id order."""
        return self._read_account_call(lambda unit: unit.tokens_of(associate_id))

    # ------------------------------------------------- what the repository gives

    @abstractmethod
    def _read_account_call(self, call: Callable[[AccountUnitOfWork], T]) -> T:
        """``call`` on the thread's open unit of work, or a read of its own (the base's)."""

    @abstractmethod
    def _write_account_call(self, call: Callable[[AccountUnitOfWork], T]) -> T:
        """``call`` on the thread's open unit of work, or a unit of its own (the base's)."""
