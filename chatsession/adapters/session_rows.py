"""A ``chat_session`` row and the session it stores, both ways, for any SQL store.

The columns are the session's fields (``SESSION_FIELDS``), in ``FIELDS`` order with
``version`` last. Most values are stored as they are; a store names the few it stores in
another form with two functions from a field's kind to a converter (or ``None``: stored
as it is). ``SessionRows`` applies them by position, so the SQLite and PostgreSQL stores
write only their column forms and share the row shape, the checks and the error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from operator import attrgetter
from typing import Any

from chatsession.domain.invariants import type_violations
from chatsession.domain.session import ChatSession
from chatsession.domain.session_data import FIELDS, SESSION_FIELDS
from chatsession.ports.errors import CorruptStoreError

Converter = Callable[[Any], Any]
"""One column value to its stored form, or back."""

ConverterFor = Callable[[type], Converter | None]
"""A field's kind to its converter; ``None`` for a kind stored as it is."""

COLUMN_NAMES: tuple[str, ...] = tuple(f.column for f in SESSION_FIELDS)
"""The stored columns, in ``FIELDS`` order (``version`` last)."""
assert FIELDS[-1] == "version", "update_params binds the version last"

_values = attrgetter(*FIELDS)


def enum_member(kind: type[Enum]) -> Converter:
    """The member of ``kind`` a stored value names; ``ValueError`` for no member."""
    members: dict[Any, Any] = {member.value: member for member in kind}

    def member(value: Any) -> Any:
        found = members.get(value)
        return kind(value) if found is None else found

    return member


class SessionRows:
    """Sessions to rows and back with one store's column forms."""

    __slots__ = ("_read", "_write")

    def __init__(self, to_column: ConverterFor, from_column: ConverterFor) -> None:
        """Convert the fields ``to_column`` / ``from_column`` name; leave the others."""
        self._write = tuple(
            (i, convert, f.optional)
            for i, f in enumerate(SESSION_FIELDS)
            if (convert := to_column(f.kind)) is not None
        )
        self._read = tuple(
            (i, convert, f.optional)
            for i, f in enumerate(SESSION_FIELDS)
            if (convert := from_column(f.kind)) is not None
        )

    def session_to_row(self, session: ChatSession) -> list[Any]:
        """The column values of ``session``, in ``COLUMN_NAMES`` order."""
        row = list(_values(session))
        for i, convert, optional in self._write:
            value = row[i]
            if value is not None or not optional:
                row[i] = convert(value)
        return row

    def row_to_session(self, row: Sequence[Any], where: str) -> ChatSession:
        """The session stored in ``row`` (``COLUMN_NAMES`` order), checked field by field.

        A row that cannot be what chatsession wrote (a status no ``ChatSessionStatus``
        has, a time in the wrong form, text in an id column, a NULL where a value
        belongs) raises ``CorruptStoreError`` naming ``where`` (the store) and the row.
        """
        values = list(row)
        i = 0
        try:
            for i, convert, optional in self._read:
                value = values[i]
                if value is not None or not optional:
                    values[i] = convert(value)
        except (ValueError, TypeError, KeyError) as exc:
            raise CorruptStoreError(
                f"{where}: chat_session row id={row[0]!r} is damaged: column "
                f"{COLUMN_NAMES[i]} holds {row[i]!r}, which is no {FIELDS[i]} ({exc})"
            ) from exc
        session = ChatSession(**dict(zip(FIELDS, values, strict=True)))
        damaged = type_violations(session)
        if damaged:
            raise CorruptStoreError(
                f"{where}: chat_session row id={row[0]!r} is damaged: {'; '.join(damaged)}"
            )
        return session

    def insert_params(self, session: ChatSession, version: int) -> list[Any]:
        """The parameters of the INSERT of ``session`` stored as ``version``."""
        row = self.session_to_row(session)
        row[-1] = version
        return row

    def update_params(self, session: ChatSession, expected: int, version: int) -> list[Any]:
        """The parameters of the UPDATE: ``session`` stored as ``version`` over ``expected``.

        Every column but ``id`` and ``version``, then the new version, the id and the
        version expected in the store (``... WHERE id = ? AND version = ?``).
        """
        row = self.session_to_row(session)
        return [*row[1:-1], version, session.chat_session_id, expected]
