"""The message-log SQL for PostgreSQL: rows of ``chat_message`` (SuperOffice's table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chatsession.adapters.postgres.tables import (
    bound_time,
    flag,
    load_text,
    store_text,
    utc_time,
)
from chatsession.domain.messages import ChatMessage, ChatMessageType, MessageDraft, SpecialType
from chatsession.ports.errors import CorruptStoreError


class MessageTables:
    """The statements on ``chat_message`` of one schema (a quoted name)."""

    def __init__(self, schema: str) -> None:
        self.table = f"{schema}.chat_message"
        self.select = (
            "SELECT id, chat_session_id, type, message, author, read_by_customer, "
            f"special_type, special_param, when_posted FROM {self.table} "
            "WHERE chat_session_id = %s AND id > %s ORDER BY id LIMIT %s"
        )
        self._insert: dict[int, str] = {}

    def insert(self, count: int) -> str:
        """The INSERT of ``count`` messages (``draft_params`` each, flattened), their ids back."""
        sql = self._insert.get(count)
        if sql is None:
            rows = ", ".join("(%s, %s, %s, %s, %s, %s, %s)" for _ in range(count))
            sql = self._insert[count] = (
                f"INSERT INTO {self.table} (chat_session_id, type, message, author, "
                f"special_type, special_param, when_posted) VALUES {rows} RETURNING id"
            )
        return sql


def draft_params(draft: MessageDraft) -> tuple[Any, ...]:
    """The parameters of one row of ``MessageTables.insert`` (its time in UTC)."""
    return (
        draft.chat_session_id,
        int(draft.type),
        store_text(draft.text),
        store_text(draft.author),
        int(draft.special_type),
        store_text(draft.special_param),
        bound_time(draft.when),
    )


def stored(draft: MessageDraft, chat_message_id: int) -> ChatMessage:
    """The message ``draft`` became, with the id the store gave it."""
    return ChatMessage(
        chat_message_id=chat_message_id,
        chat_session_id=draft.chat_session_id,
        text=draft.text,
        type=draft.type,
        author=draft.author,
        when=bound_time(draft.when),
        special_type=draft.special_type,
        special_param=draft.special_param,
    )


def message_from_row(row: Sequence[Any], where: str) -> ChatMessage:
    """The message of a row of ``MessageTables.select``; ``CorruptStoreError`` if damaged."""
    try:
        return ChatMessage(
            chat_message_id=int(row[0]),
            chat_session_id=int(row[1]),
            type=ChatMessageType(row[2]),
            text=load_text(row[3]),
            author=load_text(row[4]),
            read_by_customer=flag(row[5]),
            special_type=SpecialType(row[6]),
            special_param=load_text(row[7]),
            when=utc_time(row[8]),
        )
    except (ValueError, TypeError) as exc:
        raise CorruptStoreError(
            f"{where}: chat_message row id={row[0]!r} is damaged ({type(exc).__name__}: {exc})"
        ) from exc
