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
    """What a ``$filter`` asks for: statuses (none: any), a topic, a user.

    ``matches_nothing`` when the clauses contradict each other (``and`` narrows: two
    statuses, two topics).
    """

    statuses: frozenset[ChatSessionStatus] = field(default_factory=frozenset)
    topic_id: int | None = None
    user_id: int | None = None
    matches_nothing: bool = False


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
    statuses: frozenset[ChatSessionStatus] | None = None  # None: any status
    equal: dict[str, int] = {}
    nothing = False
    for number, clause in enumerate(re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE)):
        match = _CLAUSE.match(clause)
        if match is None:
            raise InvalidArgumentError(
                f"$filter clause {number + 1} is not '<column> eq <value>': this face "
                "filters on status, topicId and userId"
            )
        column, op, value = match["column"].casefold(), match["op"].casefold(), match["value"]
        if column == "status":
            wanted = _statuses(value) if op == "oneof" else frozenset({_status(value)})
            statuses = wanted if statuses is None else statuses & wanted
        elif column in ("topicid", "userid") and op == "eq":
            number_value = _int(value, match["column"])
            if equal.setdefault(column, number_value) != number_value:
                nothing = True  # topicId eq 1 and topicId eq 2
        else:
            raise InvalidArgumentError(
                f"$filter clause {number + 1}: this face filters on status (eq, oneOf), "
                "topicId (eq) and userId (eq)"
            )
    return SessionFilter(
        statuses or frozenset(), equal.get("topicid"), equal.get("userid"),
        matches_nothing=nothing or statuses == frozenset(),
    )


def _statuses(value: str) -> frozenset[ChatSessionStatus]:
    """The statuses of ``oneOf('A','B')`` (at least one)."""
    inner = value.strip()
    if not (inner.startswith("(") and inner.endswith(")")):
        raise InvalidArgumentError("$filter: oneOf takes a list in parentheses")
    found = frozenset(_status(v) for v in inner[1:-1].split(",") if v.strip())
    if not found:
        raise InvalidArgumentError("$filter: oneOf needs at least one status")
    return found
