"""AssociateAccount and ApiToken: an associate as the stores keep them, with credentials.

An account is an ``AssociateInfo`` (who the associate is) with what authenticates them:
whether they administer the service and the hash of their password (never the password;
``chatsession.service.credentials`` makes and checks the hash). An ``ApiToken`` is the
record of one API token of an associate: its id, when it was made and when it was revoked.
It holds no token and no hash: the store keeps the hash beside it and never hands it out.

Neither the hash nor a token is ever in a ``repr`` or in an error message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from chatsession.domain.associate import AssociateInfo
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.values import check_flag, check_id, utc

PASSWORD_HASH_MAX: Final = 512
"""The longest stored password hash (an encoded scrypt hash is about 100 characters)."""


def check_password_hash(value: object) -> str:
    """Return ``value`` if it can be a stored password hash; never quotes it when refusing.

    ``""`` (no password) or printable ASCII without spaces, at most ``PASSWORD_HASH_MAX``
    characters. What it encodes is ``chatsession.service.credentials``' business.
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(f"password_hash must be a str, got {type(value).__name__}")
    if len(value) > PASSWORD_HASH_MAX or not all("!" <= char <= "~" for char in value):
        raise InvalidArgumentError(
            f"password_hash must be printable ASCII without spaces, at most "
            f"{PASSWORD_HASH_MAX} characters (the value is not shown)"
        )
    return value


@dataclass(frozen=True, slots=True)
class AssociateAccount:
    """An associate who may sign in: who they are, whether an admin, their password's hash.

    ``password_hash`` is ``""`` for an account without a password (it signs in with API
    tokens only); it is left out of ``repr``. The user name of ``info`` is the sign-in
    name, unique among the accounts of a store regardless of case.
    """

    info: AssociateInfo
    admin: bool = False
    password_hash: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.info, AssociateInfo):
            raise InvalidArgumentError(
                f"info must be an AssociateInfo, got {type(self.info).__name__}"
            )
        check_flag(self.admin, "admin")
        check_password_hash(self.password_hash)

    @property
    def associate_id(self) -> int:
        """The associate's id (``info.associate_id``)."""
        return self.info.associate_id

    @property
    def user_name(self) -> str:
        """The associate's user name (``info.user_name``)."""
        return self.info.user_name

    @property
    def has_password(self) -> bool:
        """True if the account has a password (a stored hash)."""
        return bool(self.password_hash)


@dataclass(frozen=True, slots=True)
class ApiToken:
    """One API token of an associate: its id, creation and revocation times (UTC).

    The token itself is shown once, when it is made; the store keeps only its hash, which
    is not part of this record. A revoked token (``revoked`` set) authenticates nobody.
    """

    token_id: int
    associate_id: int
    created: datetime
    revoked: datetime | None = None

    def __post_init__(self) -> None:
        check_id(self.token_id, "token_id")
        check_id(self.associate_id, "associate_id")
        object.__setattr__(self, "created", utc(self.created, "created"))
        if self.revoked is not None:
            object.__setattr__(self, "revoked", utc(self.revoked, "revoked"))

    @property
    def active(self) -> bool:
        """True until the token is revoked."""
        return self.revoked is None
