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
    ForeignStoreError,
    Outbox,
    OutboxRecord,
    RepositoryBusyError,
    RepositoryError,
    SchemaVersionError,
    StoreUnavailableError,
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
    "ForeignStoreError",
    "Outbox",
    "OutboxRecord",
    "RepositoryBusyError",
    "RepositoryError",
    "SchemaVersionError",
    "StoreUnavailableError",
    "TransactionError",
    "UnstorableSessionError",
]
