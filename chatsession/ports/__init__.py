"""Ports: the abstractions the domain and the service depend on, as typing Protocols."""

from chatsession.ports.clock import Clock
from chatsession.ports.repository import (
    ChatSessionNotFound,
    ChatSessionNotFoundError,
    ChatSessionPage,
    ChatSessionRepository,
    ChatSessionStore,
    ConcurrencyError,
    DuplicateChatSessionError,
    Outbox,
    OutboxRecord,
    RepositoryBusyError,
    RepositoryError,
    SchemaVersionError,
    TransactionError,
    UnstorableSessionError,
)

__all__ = [
    "ChatSessionNotFound",
    "ChatSessionNotFoundError",
    "ChatSessionPage",
    "ChatSessionRepository",
    "ChatSessionStore",
    "Clock",
    "ConcurrencyError",
    "DuplicateChatSessionError",
    "Outbox",
    "OutboxRecord",
    "RepositoryBusyError",
    "RepositoryError",
    "SchemaVersionError",
    "TransactionError",
    "UnstorableSessionError",
]
