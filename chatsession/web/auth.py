"""Who is calling: authenticators that turn a request's credentials into an associate.

An ``Authenticator`` looks at a request's headers and answers the ``AssociateAccount``
they prove, ``None`` when the request carries no credentials it understands, or raises
``NotAuthenticatedError`` for credentials it understands but that prove nobody (a wrong
password, a revoked token). Shipped:

* ``StoredCredentials``: ``Authorization: Basic`` against the stored scrypt password
  hash, and ``Authorization: Bearer <token>`` / ``SOTicket <token>`` (the schemes
  SuperOffice clients send) against the stored token hashes;
* ``TrustedHeader``: the user name in a header that a gateway in front of the service
  sets after its own authentication (never expose such a service directly);
* ``FirstOf``: tries several in order.

The password, the token and the header's raw value never appear in an error.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from chatsession.domain.account import AssociateAccount
from chatsession.ports.accounts import AccountStore
from chatsession.service.credentials import token_hash, verify_password
from chatsession.service.errors import NotAuthenticatedError

Headers = Mapping[str, str]
"""A request's headers; lookups are case-insensitive (as Starlette's ``Headers`` are)."""

TOKEN_SCHEMES = frozenset({"bearer", "soticket"})
"""``Authorization`` schemes whose credentials are an API token."""

CHALLENGES = ('Basic realm="chatsession", charset="UTF-8"', 'Bearer realm="chatsession"')
"""The ``WWW-Authenticate`` challenges of a 401 from the shipped authenticators."""


@runtime_checkable
class Authenticator(Protocol):
    """Turns a request's headers into the associate they prove (or ``None``: no credentials)."""

    def authenticate(self, headers: Headers) -> AssociateAccount | None:
        """The associate proven; ``None`` without credentials; ``NotAuthenticatedError`` else."""
        ...


class StoredCredentials:
    """HTTP Basic and API tokens (Bearer, SOTicket), checked against ``accounts``."""

    def __init__(self, accounts: AccountStore) -> None:
        self._accounts = accounts

    def authenticate(self, headers: Headers) -> AssociateAccount | None:
        """The associate of a valid ``Authorization`` header; ``None`` without one."""
        value = headers.get("authorization")
        if not value:
            return None
        scheme, _, credentials = value.strip().partition(" ")
        scheme, credentials = scheme.lower(), credentials.strip()
        if scheme == "basic":
            return self._basic(credentials)
        if scheme in TOKEN_SCHEMES:
            account = self._accounts.account_for_token(token_hash(credentials))
            if account is None or account.info.deleted:
                raise NotAuthenticatedError("the token is unknown or revoked")
            return account
        return None  # a scheme for someone else (another authenticator may know it)

    def _basic(self, credentials: str) -> AssociateAccount:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise NotAuthenticatedError("malformed Basic credentials") from None
        user_name, colon, password = decoded.partition(":")
        if not colon:
            raise NotAuthenticatedError("malformed Basic credentials")
        account = self._accounts.account_by_user_name(user_name) if user_name else None
        # the same scrypt work for an unknown user name, or an account without a password
        # (tokens only), as for a known one: timing does not tell who exists
        usable = account is not None and account.has_password and not account.info.deleted
        stored = account.password_hash if usable and account is not None else _DUMMY_HASH
        if not verify_password(password, stored) or not usable or account is None:
            raise NotAuthenticatedError("wrong user name or password")
        return account


_DUMMY_HASH = (
    "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
)
"""A well-formed hash no password matches: the work done for an unknown user name."""


class TrustedHeader:
    """The user name a trusted gateway put in ``header`` (default ``X-Remote-User``).

    Only for a service that nobody reaches except through that gateway: whoever can
    send the header can be anyone.
    """

    def __init__(self, accounts: AccountStore, header: str = "X-Remote-User") -> None:
        self._accounts = accounts
        self._header = header

    def authenticate(self, headers: Headers) -> AssociateAccount | None:
        """The associate named by the header; ``None`` without the header."""
        user_name = headers.get(self._header.lower(), "").strip()
        if not user_name:
            return None
        account = self._accounts.account_by_user_name(user_name)
        if account is None or account.info.deleted:
            raise NotAuthenticatedError(f"the {self._header} header names no associate")
        return account


class FirstOf:
    """The first of ``authenticators`` that recognises the request's credentials."""

    def __init__(self, authenticators: Sequence[Authenticator]) -> None:
        self._authenticators = tuple(authenticators)

    def authenticate(self, headers: Headers) -> AssociateAccount | None:
        """What the first authenticator that does not answer ``None`` answers."""
        for authenticator in self._authenticators:
            account = authenticator.authenticate(headers)
            if account is not None:
                return account
        return None
