"""SessionKey: the customer's secret for a session, which never shows where it could leak.

The key authorises the customer's side of a chat (posting, fetching, leaving, rating), so
it must not reach logs, error messages or agent-side output. A ``SessionKey`` is a ``str``
(it compares, hashes, stores and serialises as its value: ``json.dumps``, ``sqlite3`` and
pydantic write the real key), but ``repr``, ``str`` and formatting show ``***``: a
``log.info("%s", key)``, an f-string or an exception message that quotes it gives nothing
away. ``reveal()`` returns the value, for the one caller entitled to it.
"""

from __future__ import annotations

_MASK = "***"


class SessionKey(str):
    """A session's key: a ``str`` whose ``repr``, ``str`` and format are masked."""

    __slots__ = ()

    def reveal(self) -> str:
        """The key itself, as a plain ``str`` (for the customer it belongs to)."""
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"SessionKey('{_MASK}')" if self else "SessionKey('')"

    def __str__(self) -> str:
        return _MASK if self else ""

    def __format__(self, format_spec: str) -> str:
        return format(str(self), format_spec)


def session_key(value: str) -> SessionKey:
    """``value`` as a ``SessionKey`` (itself if it is one already)."""
    return value if type(value) is SessionKey else SessionKey(value)
