"""Mapping a domain ``ChatMessage`` to SuperOffice's ``ChatMessage`` carrier and back."""

from __future__ import annotations

from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.messages import ChatMessage, ChatMessageType, SpecialType
from chatsession.wire.message import ChatMessage as ChatMessageCarrier


def to_message_entity(message: ChatMessage) -> ChatMessageCarrier:
    """The carrier of a stored message (``Type`` and ``SpecialType`` by name)."""
    return ChatMessageCarrier(
        chat_message_id=message.chat_message_id,
        chat_session_id=message.chat_session_id,
        type=message.type.name,
        message=message.text,
        author=message.author,
        read_by_customer=int(message.read_by_customer),
        special_type=message.special_type.wire_name,
        special_param=message.special_param,
        when_posted=message.when,
    )


def message_type_of(carrier: ChatMessageCarrier) -> ChatMessageType:
    """The ``Type`` of a posted carrier (``ToUser`` from a customer, ``ToCustomer`` else)."""
    name = carrier.type or "ToCustomer"
    try:
        return ChatMessageType[name]
    except KeyError:
        raise InvalidArgumentError(
            f"Type must be one of ToCustomer, ToUser; got {name!r}"
        ) from None


def special_type_of(name: str | None) -> SpecialType:
    """A ``SpecialType`` by its wire name (``None``/absent: ``None_``)."""
    if name in (None, "None"):
        return SpecialType.None_
    try:
        return SpecialType[name]
    except KeyError:
        raise InvalidArgumentError(f"unknown SpecialType {name!r}") from None
