"""The message-log SQL: rows of ``chat_message`` (SuperOffice's table) and their reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chatsession.domain.messages import ChatMessage, ChatMessageType, MessageDraft, SpecialType
from chatsession.ports.errors import CorruptStoreError

INSERT = (
    "INSERT INTO chat_message (chat_session_id, type, message, author, special_type, "
    "special_param, when_posted) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
SELECT = (
    "SELECT id, chat_session_id, type, message, author, read_by_customer, special_type, "
    "special_param, when_posted FROM chat_message WHERE chat_session_id = ? AND id > ? "
    "ORDER BY id LIMIT ?"
)


def draft_row(draft: MessageDraft) -> tuple[Any, ...]:
    """The parameters of ``INSERT`` for one new message (its time in UTC)."""
    return (
        draft.chat_session_id,
        int(draft.type),
        draft.text,
        draft.author,
        int(draft.special_type),
        draft.special_param,
        draft.when.astimezone(UTC).isoformat(),
    )


def stored(draft: MessageDraft, chat_message_id: int) -> ChatMessage:
    """The message ``draft`` became, with the id the store gave it."""
    return ChatMessage(
        chat_message_id=chat_message_id,
        chat_session_id=draft.chat_session_id,
        text=draft.text,
        type=draft.type,
        author=draft.author,
        when=draft.when.astimezone(UTC),
        special_type=draft.special_type,
        special_param=draft.special_param,
    )


def message_from_row(row: Sequence[Any], where: str) -> ChatMessage:
    """The message of a row of ``SELECT``; ``CorruptStoreError`` naming it if damaged."""
    try:
        if type(row[3]) is not str or type(row[4]) is not str or type(row[7]) is not str:
            raise TypeError("message, author and special_param must be text")
        return ChatMessage(
            chat_message_id=int(row[0]),
            chat_session_id=int(row[1]),
            type=ChatMessageType(row[2]),
            text=row[3],
            author=row[4],
            read_by_customer=bool(row[5]),
            special_type=SpecialType(row[6]),
            special_param=row[7],
            when=datetime.fromisoformat(row[8]),
        )
    except (ValueError, TypeError) as exc:
        raise CorruptStoreError(
            f"{where}: chat_message row id={row[0]!r} is damaged ({type(exc).__name__}: {exc})"
        ) from exc
