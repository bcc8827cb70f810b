"""Passwords and API tokens: how they are hashed and checked (the standard library only).

* A password is hashed with scrypt (``hashlib.scrypt``: N=2**14, r=8, p=1, a random
  16-byte salt, a 32-byte key) into ``scrypt$16384$8$1$<salt>$<hash>`` (base64): the
  parameters travel with the hash, so stronger ones can be chosen later and old hashes
  still verify.
* An API token is 32 random bytes (``secrets``), shown once as URL-safe base64; the store
  keeps its SHA-256 (hex). A token is as strong as a key, so a fast hash is right: no salt
  or stretching is needed to keep a stolen table from revealing the tokens, and a lookup
  by hash stays one index probe.

Nothing here puts a password, a hash or a token in an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Final

from chatsession.domain.errors import InvalidArgumentError

SCRYPT_N: Final = 2**14
"""scrypt's CPU/memory cost (16 MiB of memory per hash with ``SCRYPT_R``)."""
MIN_COST: Final = 2**10
"""The least scrypt N ``hash_password`` accepts as ``cost`` (fast: for test suites)."""
SCRYPT_R: Final = 8
"""scrypt's block size."""
SCRYPT_P: Final = 1
"""scrypt's parallelism."""
SALT_BYTES: Final = 16
"""The length of a password's random salt."""
KEY_BYTES: Final = 32
"""The length of the derived key stored."""
PASSWORD_MAX: Final = 1024
"""The longest password accepted (in characters); longer ones are refused."""
TOKEN_BYTES: Final = 32
"""The random bytes of an API token."""

_SCHEME: Final = "scrypt"
_MAX_N: Final = 2**20  # what verify_password accepts from a stored hash: bounded work
_MAX_R: Final = 32
_MAX_P: Final = 16
_MAX_MEMORY: Final = 256 * 2**20


def hash_password(password: str, *, cost: int = SCRYPT_N) -> str:
    """The encoded scrypt hash of ``password``, with a new random salt.

    ``cost`` is scrypt's N, a power of two from ``MIN_COST`` to 2**20 (``SCRYPT_N`` by
    default; a test suite may choose the least, a deployment more). ``InvalidArgumentError``
    for what is no ``str``, an empty password or one longer than ``PASSWORD_MAX``
    characters, or another ``cost``.
    """
    secret = _password_bytes(password)
    if secret is None:
        raise InvalidArgumentError(
            f"a password must be a non-empty str of at most {PASSWORD_MAX} characters"
        )
    if type(cost) is not int or not MIN_COST <= cost <= _MAX_N or cost & (cost - 1):
        raise InvalidArgumentError(
            f"cost must be a power of two from {MIN_COST} to {_MAX_N}, got {cost!r}"
        )
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(secret, salt, cost, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return "$".join(
        (_SCHEME, str(cost), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(key))
    )


def verify_password(password: str, encoded: str) -> bool:
    """True if ``password`` is the one ``encoded`` (from ``hash_password``) was made of.

    Compares in constant time (``hmac.compare_digest``). False, never an exception, for an
    empty or malformed hash, parameters beyond what this module would make, or a password
    that ``hash_password`` would refuse.
    """
    secret = _password_bytes(password)
    if secret is None or not isinstance(encoded, str):
        return False
    parsed = _parse(encoded)
    if parsed is None:
        return False
    n, r, p, salt, key = parsed
    try:
        derived = _scrypt(secret, salt, n, r, p, len(key))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(derived, key)


def new_token() -> tuple[str, str]:
    """A new API token and its hash: ``(token, token_hash(token))``.

    Show the token once to whoever asked for it; store only the hash.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The SHA-256 of ``token`` (UTF-8), as 64 lowercase hex digits: what the store keeps."""
    if not isinstance(token, str):
        raise InvalidArgumentError(f"a token must be a str, got {type(token).__name__}")
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# ------------------------------------------------------------------ internals


def _password_bytes(password: object) -> bytes | None:
    """The UTF-8 of an acceptable password, or None."""
    if not isinstance(password, str) or not 0 < len(password) <= PASSWORD_MAX:
        return None
    return password.encode("utf-8", "surrogatepass")


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        secret, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=_MAX_MEMORY + 2**20
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    """The parameters, salt and key of an encoded hash; None if it is not a sound one."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    numbers = parts[1:4]
    if not all(part.isascii() and part.isdigit() and len(part) <= 8 for part in numbers):
        return None
    n, r, p = (int(part) for part in numbers)
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        return None
    if 128 * r * n > _MAX_MEMORY or 128 * r * n * p > 16 * _MAX_MEMORY:
        return None
    try:
        salt = base64.b64decode(parts[4].encode("ascii"), validate=True)
        key = base64.b64decode(parts[5].encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    if not salt or not 16 <= len(key) <= 64:
        return None
    return n, r, p, salt, key
