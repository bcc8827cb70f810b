"""The topic SQL for PostgreSQL: rows of ``chat_topic``, ``chat_topic_agent`` and ``chat_presence``.

Stored forms: a topic as its JSON document (``ChatTopic``'s own JSON, its id included and
checked against the row's) in a ``json`` column; the four rights and ``present`` as
``boolean``; the topics of a presence as a sorted ``integer[]``; the display name as text
(``tables.store_text``). Every value is bound. A row that cannot be what chatsession
wrote raises ``CorruptStoreError`` naming the table and the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chatsession.adapters import topic_rows
from chatsession.adapters.postgres.tables import flag, keep_sequence, load_text, store_text
from chatsession.adapters.topic_rows import row_to_topic as row_to_topic
from chatsession.adapters.topic_rows import topic_settings as topic_settings
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.presence import Presence
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.ports.errors import CorruptStoreError

_AGENT_COLUMNS = "topic_id, user_id, can_listen, can_respond, can_manage, can_notify"
_PRESENCE_COLUMNS = "user_id, present, display_name, topic_ids"


class TopicTables:
    """The statements on the topic tables of one schema (a quoted name)."""

    def __init__(self, schema: str) -> None:
        topics = f"{schema}.chat_topic"
        agents = f"{schema}.chat_topic_agent"
        presence = f"{schema}.chat_presence"
        self.id_sequence = f"{schema}.chat_topic_id_seq"
        self.select_topic = f"SELECT id, settings::text FROM {topics} WHERE id = %s"
        self.select_topics = f"SELECT id, settings::text FROM {topics} ORDER BY id"
        # Inserts a topic and says whether its id is at or past the sequence's next value.
        self.insert_topic = (
            f"WITH inserted AS (INSERT INTO {topics} (id, settings) VALUES (%s, %s::json) "
            "RETURNING id) SELECT inserted.id >= seq.last_value + seq.is_called::int "
            f"FROM inserted, {self.id_sequence} AS seq"
        )
        self.keep_id = keep_sequence(self.id_sequence)
        self.update_topic = f"UPDATE {topics} SET settings = %s::json WHERE id = %s"
        self.delete_agents_of_topic = f"DELETE FROM {agents} WHERE topic_id = %s"
        self.delete_topic = f"DELETE FROM {topics} WHERE id = %s"
        self.put_agent = (
            f"INSERT INTO {agents} ({_AGENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (topic_id, user_id) DO UPDATE SET can_listen = EXCLUDED.can_listen, "
            "can_respond = EXCLUDED.can_respond, can_manage = EXCLUDED.can_manage, "
            "can_notify = EXCLUDED.can_notify"
        )
        self.delete_agent = f"DELETE FROM {agents} WHERE topic_id = %s AND user_id = %s"
        self._select_agents = f"SELECT {_AGENT_COLUMNS} FROM {agents}"
        self.put_presence = (
            f"INSERT INTO {presence} ({_PRESENCE_COLUMNS}) VALUES (%s, %s, %s, %s::integer[]) "
            "ON CONFLICT (user_id) DO UPDATE SET present = EXCLUDED.present, "
            "display_name = EXCLUDED.display_name, topic_ids = EXCLUDED.topic_ids"
        )
        self._select_presence = f"SELECT {_PRESENCE_COLUMNS} FROM {presence}"

    def select_agents(self, topic_id: int | None, user_id: int | None) -> tuple[str, list[int]]:
        """The SQL and parameters of the agents of ``topic_id`` and/or ``user_id``."""
        clauses, params = [], []
        if topic_id is not None:
            clauses.append("topic_id = %s")
            params.append(topic_id)
        if user_id is not None:
            clauses.append("user_id = %s")
            params.append(user_id)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return f"{self._select_agents}{where} ORDER BY topic_id, user_id", params

    def select_presence(self, user_id: int | None) -> tuple[str, list[int]]:
        """The SQL and parameters of the presence of ``user_id`` (or of everyone)."""
        if user_id is None:
            return f"{self._select_presence} ORDER BY user_id", []
        return f"{self._select_presence} WHERE user_id = %s", [user_id]


# ------------------------------------------------------------------ rows


def agent_params(agent: ChatTopicAgent) -> tuple[Any, ...]:
    """The parameters of ``TopicTables.put_agent``."""
    return (
        agent.topic_id,
        agent.user_id,
        agent.can_listen,
        agent.can_respond,
        agent.can_manage,
        agent.can_notify,
    )


def row_to_agent(row: Sequence[Any], where: str) -> ChatTopicAgent:
    """The agent of a ``chat_topic_agent`` row; ``CorruptStoreError`` if damaged."""
    return topic_rows.row_to_agent(row, where, flag)


def presence_params(presence: Presence) -> tuple[Any, ...]:
    """The parameters of ``TopicTables.put_presence``."""
    return (
        presence.user_id,
        presence.present,
        store_text(presence.display_name),
        sorted(presence.topic_ids),
    )


def row_to_presence(row: Sequence[Any], where: str) -> Presence:
    """The presence of a ``chat_presence`` row; ``CorruptStoreError`` if damaged."""
    try:
        if not isinstance(row[3], list):
            raise TypeError(f"topic_ids is {type(row[3]).__name__}, not an array")
        return Presence(row[0], flag(row[1]), frozenset(row[3]), load_text(row[2]))
    except (ChatSessionError, ValueError, TypeError) as exc:
        raise CorruptStoreError(
            f"{where}: chat_presence row user_id={row[0]!r} is damaged ({exc})"
        ) from exc
