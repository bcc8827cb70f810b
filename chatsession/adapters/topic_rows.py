"""Topic and topic-agent rows read back, the same for every SQL store.

A topic is stored as its own JSON document (``ChatTopic``'s JSON, its id included and
checked against the row's); an agent as its two ids and four rights. A store supplies only
how it stores a right (``flag``: 0/1 in SQLite, ``boolean`` in PostgreSQL). A row that
cannot be what chatsession wrote raises ``CorruptStoreError`` naming the table and the row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from chatsession.domain.errors import ChatSessionError
from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.ports.errors import CorruptStoreError


def topic_settings(topic: ChatTopic) -> str:
    """The JSON document a topic is stored as."""
    return topic.model_dump_json()


def row_to_topic(row: Sequence[Any], where: str) -> ChatTopic:
    """The topic of a ``chat_topic`` row ``(id, settings)``; ``CorruptStoreError`` if damaged."""
    try:
        if type(row[1]) is not str:
            raise TypeError(f"settings is {type(row[1]).__name__}, not JSON text")
        topic = ChatTopic.model_validate_json(row[1])
        if topic.id != row[0]:
            raise ValueError(f"the document is topic {topic.id}'s")
    except (ValidationError, ValueError, TypeError) as exc:
        raise CorruptStoreError(
            f"{where}: chat_topic row id={row[0]!r} is damaged ({first_line(exc)})"
        ) from exc
    return topic


def row_to_agent(row: Sequence[Any], where: str, flag: Callable[[object], bool]) -> ChatTopicAgent:
    """The agent of a ``chat_topic_agent`` row, its rights read by ``flag``.

    ``CorruptStoreError`` if the row is damaged (``flag`` raises ``ValueError`` or
    ``TypeError`` for what is no stored right).
    """
    try:
        return ChatTopicAgent(row[0], row[1], *(flag(value) for value in row[2:6]))
    except (ChatSessionError, ValueError, TypeError) as exc:
        raise CorruptStoreError(
            f"{where}: chat_topic_agent row (topic_id={row[0]!r}, user_id={row[1]!r}) is "
            f"damaged ({exc})"
        ) from exc


def first_line(exc: BaseException) -> str:
    """What went wrong, in one line (a validation error's first error, without its input)."""
    if isinstance(exc, ValidationError):
        error = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"{where}: {error['msg']}" if where else str(error["msg"])
    return str(exc) or type(exc).__name__
