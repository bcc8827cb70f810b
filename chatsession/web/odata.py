"""GetAll's OData options: the ``$filter`` subset this face understands, and its rows.

SuperOffice's archive takes a rich ``$filter`` language; this face takes the part a
chat client needs and says so for the rest (400, ``code: "invalid_argument"``):
clauses ``<column> eq <value>`` joined by ``and``, on the columns ``status`` (a status
name in quotes, or its number), ``topicId`` and ``userId``; ``status oneOf(...)`` for
several statuses. Column names are case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.status import ChatSessionStatus

_CLAUSE = re.compile(
    r"^\s*(?P<column>[A-Za-z]+)\s+(?P<op>eq|oneOf)\s*(?P<value>.+?)\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class SessionFilter:
    """What a ``$filter`` asks for: statuses (none: any), a topic, a user."""

    statuses: frozenset[ChatSessionStatus] = field(default_factory=frozenset)
    topic_id: int | None = None
    user_id: int | None = None


def _status(text: str) -> ChatSessionStatus:
    text = text.strip().strip("'\"")
    if text.isdigit():
        try:
            return ChatSessionStatus(int(text))
        except ValueError:
            pass
    for status in ChatSessionStatus:
        if status.name.casefold() == text.casefold():
            return status
    raise InvalidArgumentError("$filter: unknown status (use a status name such as 'InQueue')")


def _int(text: str, column: str) -> int:
    text = text.strip().strip("'\"")
    if not (text.isascii() and text.isdigit() and len(text) < 11):
        raise InvalidArgumentError(f"$filter: {column} takes a whole number")
    return int(text)


def parse_filter(text: str | None) -> SessionFilter:
    """The ``SessionFilter`` of a ``$filter`` value (None or blank: no filter)."""
    if text is None or not text.strip():
        return SessionFilter()
    statuses: set[ChatSessionStatus] = set()
    topic_id = user_id = None
    for number, clause in enumerate(re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE)):
        match = _CLAUSE.match(clause)
        if match is None:
            raise InvalidArgumentError(
                f"$filter clause {number + 1} is not '<column> eq <value>': this face "
                "filters on status, topicId and userId"
            )
        column, op, value = match["column"].casefold(), match["op"].casefold(), match["value"]
        if column == "status" and op == "oneof":
            inner = value.strip()
            if not (inner.startswith("(") and inner.endswith(")")):
                raise InvalidArgumentError("$filter: oneOf takes a list in parentheses")
            statuses.update(_status(v) for v in inner[1:-1].split(",") if v.strip())
        elif column == "status" and op == "eq":
            statuses.add(_status(value))
        elif column == "topicid" and op == "eq":
            topic_id = _int(value, "topicId")
        elif column == "userid" and op == "eq":
            user_id = _int(value, "userId")
        else:
            raise InvalidArgumentError(
                f"$filter clause {number + 1}: this face filters on status (eq, oneOf), "
                "topicId (eq) and userId (eq)"
            )
    return SessionFilter(frozenset(statuses), topic_id, user_id)
