"""The topic SQL: rows of ``chat_topic``, ``chat_topic_agent`` and ``chat_presence``.

Stored forms: a topic as its JSON document (``ChatTopic``'s own JSON, its id included and
checked against the row's); the four rights and ``present`` as 0/1; the topics of a
presence as a sorted JSON array of ids. Every value is bound. A row that cannot be what
chatsession wrote raises ``CorruptStoreError`` naming the table and the row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from chatsession.adapters import topic_rows
from chatsession.adapters.topic_rows import row_to_topic as row_to_topic
from chatsession.adapters.topic_rows import topic_settings as topic_settings
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.presence import Presence
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.ports.errors import CorruptStoreError

SELECT_TOPIC: Final = "SELECT id, settings FROM chat_topic WHERE id = ?"
SELECT_TOPICS: Final = "SELECT id, settings FROM chat_topic ORDER BY id"
INSERT_TOPIC: Final = "INSERT INTO chat_topic (id, settings) VALUES (?, ?)"
UPDATE_TOPIC: Final = "UPDATE chat_topic SET settings = ? WHERE id = ?"
DELETE_TOPIC: Final = "DELETE FROM chat_topic WHERE id = ?"
DELETE_AGENTS_OF_TOPIC: Final = "DELETE FROM chat_topic_agent WHERE topic_id = ?"
NEXT_TOPIC_ID: Final = "UPDATE chat_topic_id_sequence SET last_id = last_id + 1"
LAST_TOPIC_ID: Final = "SELECT last_id FROM chat_topic_id_sequence"
KEEP_TOPIC_ID: Final = "UPDATE chat_topic_id_sequence SET last_id = max(last_id, ?)"

_AGENT_COLUMNS: Final = "topic_id, user_id, can_listen, can_respond, can_manage, can_notify"
PUT_AGENT: Final = (
    f"INSERT OR REPLACE INTO chat_topic_agent ({_AGENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
)
DELETE_AGENT: Final = "DELETE FROM chat_topic_agent WHERE topic_id = ? AND user_id = ?"

_PRESENCE_COLUMNS: Final = "user_id, present, display_name, topic_ids"
PUT_PRESENCE: Final = (
    f"INSERT OR REPLACE INTO chat_presence ({_PRESENCE_COLUMNS}) VALUES (?, ?, ?, ?)"
)

# ------------------------------------------------------------------ agents


def select_agents(topic_id: int | None, user_id: int | None) -> tuple[str, list[int]]:
    """The SQL and parameters of the agents of ``topic_id`` and/or ``user_id``."""
    clauses, params = [], []
    if topic_id is not None:
        clauses.append("topic_id = ?")
        params.append(topic_id)
    if user_id is not None:
        clauses.append("user_id = ?")
        params.append(user_id)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return (
        f"SELECT {_AGENT_COLUMNS} FROM chat_topic_agent{where} ORDER BY topic_id, user_id",
        params,
    )


def agent_params(agent: ChatTopicAgent) -> tuple[int, ...]:
    """The parameters of ``PUT_AGENT``."""
    return (
        agent.topic_id,
        agent.user_id,
        int(agent.can_listen),
        int(agent.can_respond),
        int(agent.can_manage),
        int(agent.can_notify),
    )


def row_to_agent(row: Sequence[Any], where: str) -> ChatTopicAgent:
    """The agent of a ``chat_topic_agent`` row; ``CorruptStoreError`` if damaged."""
    return topic_rows.row_to_agent(row, where, _flag)


# ---------------------------------------------------------------- presence


def select_presence(user_id: int | None) -> tuple[str, list[int]]:
    """The SQL and parameters of the presence of ``user_id`` (or of everyone)."""
    sql = f"SELECT {_PRESENCE_COLUMNS} FROM chat_presence"
    if user_id is None:
        return f"{sql} ORDER BY user_id", []
    return f"{sql} WHERE user_id = ?", [user_id]


def presence_params(presence: Presence) -> tuple[Any, ...]:
    """The parameters of ``PUT_PRESENCE``."""
    return (
        presence.user_id,
        int(presence.present),
        presence.display_name,
        json.dumps(sorted(presence.topic_ids)),
    )


def row_to_presence(row: Sequence[Any], where: str) -> Presence:
    """The presence of a ``chat_presence`` row; ``CorruptStoreError`` if damaged."""
    try:
        if type(row[3]) is not str:
            raise ValueError(f"topic_ids is {type(row[3]).__name__}, not JSON text")
        topic_ids = json.loads(row[3])
        if not isinstance(topic_ids, list):
            raise ValueError("topic_ids is no JSON array")
        return Presence(row[0], _flag(row[1]), frozenset(topic_ids), row[2])
    except (ChatSessionError, ValueError, TypeError) as exc:
        raise CorruptStoreError(
            f"{where}: chat_presence row user_id={row[0]!r} is damaged ({exc})"
        ) from exc


def _flag(value: object) -> bool:
    """A stored 0/1 as a bool; anything else is damage."""
    if type(value) is not int or value not in (0, 1):
        raise ValueError(f"{value!r} is no 0/1 flag")
    return bool(value)
