"""chatsession: the SuperOffice chat-session lifecycle as a typed domain library.

Every public name is importable from here::

    from chatsession import ChatSession, ChatTopic, ManualClock
"""

from chatsession.adapters.associates import InMemoryAssociateDirectory
from chatsession.adapters.clock import ManualClock, SystemClock
from chatsession.adapters.memory import InMemoryChatSessionRepository
from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.domain.customer import Customer
from chatsession.domain.errors import (
    ChatbotActiveError,
    ChatbotInactiveError,
    ChatSessionError,
    CommandNotAllowedError,
    InvalidArgumentError,
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
from chatsession.domain.outcome import NoOpReason, Outcome
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE, ENDED, WAITING, ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.ports.associates import AssociateDirectory
from chatsession.ports.clock import Clock
from chatsession.ports.repository import (
    ChatSessionNotFound,
    ChatSessionNotFoundError,
    ChatSessionRepository,
    ConcurrencyError,
    DuplicateChatSessionError,
    ForeignStoreError,
    RepositoryBusyError,
    RepositoryError,
    SchemaVersionError,
    StoreUnavailableError,
    TransactionError,
    UnstorableSessionError,
)
from chatsession.service import AgentReply, ChatAgent, UnknownAssociateError

__version__ = "0.1.0"

__all__ = [
    "ACTIVE",
    "ENDED",
    "WAITING",
    "AgentReply",
    "AssociateDirectory",
    "ChatAgent",
    "ChatSession",
    "ChatSessionError",
    "ChatSessionEvent",
    "ChatSessionFlags",
    "ChatSessionNotFound",
    "ChatSessionNotFoundError",
    "ChatSessionRepository",
    "ChatSessionStatus",
    "ChatTopic",
    "ChatbotActiveError",
    "ChatbotInactiveError",
    "Clock",
    "CommandNotAllowedError",
    "ConcurrencyError",
    "Customer",
    "CustomerFetched",
    "DuplicateChatSessionError",
    "EndReason",
    "ForeignStoreError",
    "InMemoryAssociateDirectory",
    "InMemoryChatSessionRepository",
    "InvalidArgumentError",
    "InvariantViolationError",
    "ManualClock",
    "MessageAuthor",
    "MessagePosted",
    "NoOpReason",
    "NotHandlingUserError",
    "Outcome",
    "RepositoryBusyError",
    "RepositoryError",
    "SchemaVersionError",
    "SessionEnded",
    "SessionPickedUp",
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
    "TransferToSelfError",
    "UnknownAssociateError",
    "UnstorableSessionError",
    "__version__",
    "check_invariants",
    "invariant_violations",
    "transition_violations",
]
