"""chatsession: the SuperOffice chat-session lifecycle as a typed domain library.

Every public name is importable from here::

    from chatsession import ChatSession, ChatTopic, InMemoryChatSessionRepository

The domain is imported with the package; the ports, adapters, service and wire format
load on first use of one of their names (a PEP 562 module ``__getattr__``), so
``import chatsession`` loads neither ``sqlite3`` nor the wire models (nor psycopg, which
``PostgresChatSessionRepository`` needs only when a repository is opened).
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import TYPE_CHECKING, Any

from chatsession.domain.customer import Customer
from chatsession.domain.errors import (
    ChatbotActiveError,
    ChatbotInactiveError,
    ChatSessionError,
    CommandNotAllowedError,
    InvalidArgumentError,
    InvalidChatTopicError,
    InvariantViolationError,
    NotHandlingUserError,
    TransferToSelfError,
)
from chatsession.domain.events import (
    ChatSessionEvent,
    CustomerFetched,
    EndReason,
    MessageAuthor,
    MessagePosted,
    SessionEnded,
    SessionPickedUp,
    SessionReopened,
    SessionRequested,
    SessionReset,
    StatusChanged,
    TransferAccepted,
    TransferCancelled,
    TransferDropped,
    TransferExpired,
    TransferRejected,
    TransferRequested,
)
from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.invariants import (
    check_invariants,
    invariant_violations,
    transition_violations,
)
from chatsession.domain.lifecycle import TransferState
from chatsession.domain.opening_hours import DayHours, OpeningHours
from chatsession.domain.outcome import NoOpReason, Outcome
from chatsession.domain.presence import Presence
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE, ENDED, WAITING, ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent

if TYPE_CHECKING:
    from chatsession.adapters.associates import InMemoryAssociateDirectory
    from chatsession.adapters.clock import ManualClock, SystemClock
    from chatsession.adapters.event_codec import EventCodecError, decode_event, encode_event
    from chatsession.adapters.memory import InMemoryChatSessionRepository
    from chatsession.adapters.open_store import open_repository
    from chatsession.adapters.postgres import PostgresChatSessionRepository
    from chatsession.adapters.sqlite import SqliteChatSessionRepository
    from chatsession.domain.account import ApiToken, AssociateAccount
    from chatsession.domain.associate import AssociateInfo
    from chatsession.ports.clock import Clock
    from chatsession.ports.directory import AssociateDirectory
    from chatsession.ports.errors import (
        ChatSessionNotFoundError,
        ChatTopicAgentNotFoundError,
        ChatTopicInUseError,
        ChatTopicNotFoundError,
        ConcurrencyError,
        CorruptStoreError,
        DuplicateChatSessionError,
        DuplicateChatTopicError,
        ForeignStoreError,
        IdSpaceExhaustedError,
        RepositoryBusyError,
        RepositoryError,
        SchemaVersionError,
        StoreUnavailableError,
        TransactionError,
        UnstorableSessionError,
    )
    from chatsession.ports.stores import (
        ChatSessionPage,
        ChatSessionRepository,
        ChatSessionStore,
        ChatStore,
        ChatTopicStore,
        Outbox,
        OutboxRecord,
    )
    from chatsession.service.agent import AgentReply, ChatAgent
    from chatsession.service.errors import (
        NotTopicResponderError,
        TransferTargetUnavailableError,
        UnknownAssociateError,
    )
    from chatsession.wire.agent_mapping import (
        from_presence_carrier,
        from_topic_agent_carrier,
        to_presence_carrier,
        to_topic_agent_carrier,
    )
    from chatsession.wire.codec import dump_chat_session, parse_chat_session
    from chatsession.wire.entity import ChatSessionEntity
    from chatsession.wire.mapping import from_entity, to_entity
    from chatsession.wire.topic import ChatTopicEntity
    from chatsession.wire.topic_mapping import from_topic_entity, to_topic_entity

__version__ = "0.1.0"

# transitions logs two INFO lines per event it processes; the library fires one per
# command. Quiet by default: an application that wants them sets the level back.
logging.getLogger("transitions").setLevel(logging.WARNING)

_LAZY: dict[str, str] = {
    "InMemoryAssociateDirectory": "chatsession.adapters.associates",
    "ManualClock": "chatsession.adapters.clock",
    "SystemClock": "chatsession.adapters.clock",
    "EventCodecError": "chatsession.adapters.event_codec",
    "decode_event": "chatsession.adapters.event_codec",
    "encode_event": "chatsession.adapters.event_codec",
    "InMemoryChatSessionRepository": "chatsession.adapters.memory",
    "open_repository": "chatsession.adapters.open_store",
    "PostgresChatSessionRepository": "chatsession.adapters.postgres",
    "SqliteChatSessionRepository": "chatsession.adapters.sqlite",
    "ApiToken": "chatsession.domain.account",
    "AssociateAccount": "chatsession.domain.account",
    "AssociateInfo": "chatsession.domain.associate",
    "Clock": "chatsession.ports.clock",
    "AssociateDirectory": "chatsession.ports.directory",
    "ChatSessionNotFoundError": "chatsession.ports.errors",
    "ChatTopicAgentNotFoundError": "chatsession.ports.errors",
    "ChatTopicInUseError": "chatsession.ports.errors",
    "ChatTopicNotFoundError": "chatsession.ports.errors",
    "DuplicateChatTopicError": "chatsession.ports.errors",
    "ConcurrencyError": "chatsession.ports.errors",
    "CorruptStoreError": "chatsession.ports.errors",
    "IdSpaceExhaustedError": "chatsession.ports.errors",
    "DuplicateChatSessionError": "chatsession.ports.errors",
    "ForeignStoreError": "chatsession.ports.errors",
    "RepositoryBusyError": "chatsession.ports.errors",
    "RepositoryError": "chatsession.ports.errors",
    "SchemaVersionError": "chatsession.ports.errors",
    "StoreUnavailableError": "chatsession.ports.errors",
    "TransactionError": "chatsession.ports.errors",
    "UnstorableSessionError": "chatsession.ports.errors",
    "ChatSessionPage": "chatsession.ports.stores",
    "ChatSessionRepository": "chatsession.ports.stores",
    "ChatSessionStore": "chatsession.ports.stores",
    "ChatStore": "chatsession.ports.stores",
    "ChatTopicStore": "chatsession.ports.stores",
    "Outbox": "chatsession.ports.stores",
    "OutboxRecord": "chatsession.ports.stores",
    "AgentReply": "chatsession.service.agent",
    "ChatAgent": "chatsession.service.agent",
    "UnknownAssociateError": "chatsession.service.errors",
    "NotTopicResponderError": "chatsession.service.errors",
    "TransferTargetUnavailableError": "chatsession.service.errors",
    "dump_chat_session": "chatsession.wire.codec",
    "parse_chat_session": "chatsession.wire.codec",
    "ChatSessionEntity": "chatsession.wire.entity",
    "from_entity": "chatsession.wire.mapping",
    "to_entity": "chatsession.wire.mapping",
    "from_presence_carrier": "chatsession.wire.agent_mapping",
    "from_topic_agent_carrier": "chatsession.wire.agent_mapping",
    "to_presence_carrier": "chatsession.wire.agent_mapping",
    "to_topic_agent_carrier": "chatsession.wire.agent_mapping",
    "ChatTopicEntity": "chatsession.wire.topic",
    "from_topic_entity": "chatsession.wire.topic_mapping",
    "to_topic_entity": "chatsession.wire.topic_mapping",
}
"""Public names that load their module on first use: name -> module."""


def __getattr__(name: str) -> Any:
    """Load a lazy public name from its module (PEP 562) and keep it here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'chatsession' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ACTIVE",
    "ENDED",
    "WAITING",
    "AgentReply",
    "ApiToken",
    "AssociateAccount",
    "AssociateDirectory",
    "AssociateInfo",
    "ChatAgent",
    "ChatSession",
    "ChatSessionEntity",
    "ChatSessionError",
    "ChatSessionEvent",
    "ChatSessionFlags",
    "ChatSessionNotFoundError",
    "ChatSessionPage",
    "ChatSessionRepository",
    "ChatSessionStatus",
    "ChatSessionStore",
    "ChatStore",
    "ChatTopic",
    "ChatTopicAgent",
    "ChatTopicAgentNotFoundError",
    "ChatTopicEntity",
    "ChatTopicInUseError",
    "ChatTopicNotFoundError",
    "ChatTopicStore",
    "ChatbotActiveError",
    "ChatbotInactiveError",
    "Clock",
    "CommandNotAllowedError",
    "ConcurrencyError",
    "CorruptStoreError",
    "Customer",
    "CustomerFetched",
    "DayHours",
    "DuplicateChatSessionError",
    "DuplicateChatTopicError",
    "EndReason",
    "EventCodecError",
    "ForeignStoreError",
    "IdSpaceExhaustedError",
    "InMemoryAssociateDirectory",
    "InMemoryChatSessionRepository",
    "InvalidArgumentError",
    "InvalidChatTopicError",
    "InvariantViolationError",
    "ManualClock",
    "MessageAuthor",
    "MessagePosted",
    "NoOpReason",
    "NotHandlingUserError",
    "NotTopicResponderError",
    "OpeningHours",
    "Outbox",
    "OutboxRecord",
    "Outcome",
    "PostgresChatSessionRepository",
    "Presence",
    "RepositoryBusyError",
    "RepositoryError",
    "SchemaVersionError",
    "SessionEnded",
    "SessionPickedUp",
    "SessionReopened",
    "SessionRequested",
    "SessionReset",
    "SqliteChatSessionRepository",
    "StatusChanged",
    "StoreUnavailableError",
    "SystemClock",
    "TransactionError",
    "TransferAccepted",
    "TransferCancelled",
    "TransferDropped",
    "TransferExpired",
    "TransferRejected",
    "TransferRequested",
    "TransferState",
    "TransferTargetUnavailableError",
    "TransferToSelfError",
    "UnknownAssociateError",
    "UnstorableSessionError",
    "__version__",
    "check_invariants",
    "decode_event",
    "dump_chat_session",
    "encode_event",
    "from_entity",
    "from_presence_carrier",
    "from_topic_agent_carrier",
    "from_topic_entity",
    "invariant_violations",
    "open_repository",
    "parse_chat_session",
    "to_entity",
    "to_presence_carrier",
    "to_topic_agent_carrier",
    "to_topic_entity",
    "transition_violations",
]
