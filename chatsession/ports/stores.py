"""The store ports: where chat sessions are kept, with optimistic concurrency and an outbox.

Version semantics (every adapter keeps them; ``chatsession.testing`` checks them):

* a new, never stored session has ``version == 0``;
* ``add`` stores it as version 1 and sets ``session.version = 1``;
* ``save`` requires the stored version to equal ``session.version`` (the version the
  session was loaded with), writes ``version + 1`` and sets ``session.version += 1``;
  otherwise it raises ``ConcurrencyError`` and stores nothing.

``add`` and ``save`` write the session's pending events to the outbox in the same
transaction as the state. The events leave the session (as by ``pull_events()``) only
once that transaction has committed; if it fails or rolls back, the session keeps its
events and its version, so the caller can reload, re-apply and try again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from chatsession.domain.messages import ChatMessage
from chatsession.domain.presence import Presence
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.ports.accounts import AccountStore

# ------------------------------------------------------------------ value types


@dataclass(frozen=True, slots=True)
class ChatSessionPage:
    """One page of a listing: ``items`` in id order, and the cursor of the next page.

    ``next_after`` is the id to pass as ``after=`` for the next page; ``None`` when
    this is the last page.
    """

    items: tuple[ChatSession, ...]
    next_after: int | None

    def __iter__(self) -> Iterator[ChatSession]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One stored event, waiting to be (or already) published.

    ``sequence`` is monotonic over the whole store (gaps are allowed, order is the
    commit order of the events of one session). ``version`` is the session version
    whose ``add``/``save`` wrote the event. ``payload`` is the JSON object of the event
    (see ``chatsession.adapters.event_codec``); every read hands out its own, so a reader
    that changes it changes nothing stored.
    """

    sequence: int
    chat_session_id: int
    version: int
    event_name: str
    occurred_at: datetime
    payload: Mapping[str, Any]
    published_at: datetime | None = None

    @property
    def published(self) -> bool:
        """True once ``mark_published`` has covered this record."""
        return self.published_at is not None


# -------------------------------------------------------------------- protocols


@runtime_checkable
class ChatSessionStore(Protocol):
    """Reading and writing chat sessions: what a repository and its transactions share.

    Every query returns independent copies: changing a returned session changes nothing
    stored until it is saved.

    Ids given to the queries (``chat_session_id``, ``topic_id``, ``user_id``) must be
    positive int32s (``int``, not ``bool``); anything else raises ``InvalidArgumentError``
    (from ``chatsession.domain.errors``) in every adapter, before the store is asked.
    ``add`` and ``save`` first check the session's invariants
    (``chatsession.domain.invariants.check_invariants``): a session that breaks one,
    including a field of the wrong type or range, raises ``InvariantViolationError`` and
    nothing is stored.
    """

    def next_id(self) -> int:
        """A new chat-session id: unique, and greater than every id stored or drawn before.

        Precisely: greater than every id stored and every id drawn by a transaction that
        committed (a call outside a unit of work is its own transaction and commits at
        once). An id drawn inside a unit of work that rolls back is released with it and
        may be handed out again, like everything else the unit of work did; the
        library's adapters do hand it out again. Ids are therefore unique among the
        sessions stored, never reused once a session with that id was committed.
        """
        ...

    def add(self, session: ChatSession) -> None:
        """Store a new session (``version`` 0) as version 1, with its pending events.

        Raises ``InvariantViolationError`` if the session breaks an invariant,
        ``DuplicateChatSessionError`` if the id is stored already; then nothing is stored.
        """
        ...

    def get(self, chat_session_id: int) -> ChatSession:
        """The stored session ``chat_session_id``; raises ``ChatSessionNotFoundError``.

        ``chat_session_id`` must be a positive int32 (else ``InvalidArgumentError``).
        """
        ...

    def save(self, session: ChatSession) -> None:
        """Store a changed session if nobody saved it since it was loaded.

        Raises ``InvariantViolationError`` (the session breaks an invariant),
        ``ConcurrencyError`` (stored version differs) or ``ChatSessionNotFoundError``
        (never added); then nothing is stored.
        """
        ...

    def first_in_queue(
        self, topic_id: int | None = None, *, include_bot_sessions: bool = False
    ) -> ChatSession | None:
        """The oldest session waiting InQueue (lowest id), on ``topic_id`` if given.

        Sessions a chatbot holds (``chatbot_is_active``) cannot be picked up by a user
        and are skipped unless ``include_bot_sessions``.
        """
        ...

    def count_in_queue(self, topic_id: int | None = None) -> int:
        """How many sessions wait InQueue (on ``topic_id`` if given), bot-held ones included."""
        ...

    def active_sessions_of(self, user_id: int) -> list[ChatSession]:
        """The sessions user ``user_id`` handles in an active status, in id order."""
        ...

    def lock_associate(self, user_id: int) -> None:
        """Hold associate ``user_id``'s lock until the unit of work ends (see the base)."""
        ...

    def messages(
        self, chat_session_id: int, *, after: int = 0, limit: int | None = None
    ) -> list[ChatMessage]:
        """The session's messages (its log) with an id greater than ``after``, oldest first.

        ``add`` and ``save`` write them with the events that make them (a posted message, a
        welcome at a pick-up, a transfer, a rejected transfer, an end, a reactivation), in
        the same transaction; ids are one sequence for the store.
        """
        ...

    def list_page(
        self,
        *,
        after: int = 0,
        limit: int = 50,
        status: ChatSessionStatus | Iterable[ChatSessionStatus] | None = None,
        topic_id: int | None = None,
        user_id: int | None = None,
    ) -> ChatSessionPage:
        """Up to ``limit`` sessions with id greater than ``after``, in id order (keyset paging).

        ``status`` is one ``ChatSessionStatus`` or an iterable (not a ``str``) of them;
        anything else (``"InQueue"``, ``5``, ``[True]``) raises ``InvalidArgumentError``.
        """
        ...


@runtime_checkable
class ChatTopicStore(Protocol):
    """Reading and writing topics, the agents of topics, and the users' presence.

    Topics, agents and presence are immutable values: a store keeps them as given and hands
    out equal ones. They carry no version: a read-modify-write that must not lose a
    concurrent change runs in one unit of work (``transaction()``), which stores take one at
    a time. Ids (``topic_id``, ``user_id``) must be positive int32s and the values of the
    right type (``ChatTopic``, ``ChatTopicAgent``, ``Presence``), else ``InvalidArgumentError``
    in every adapter, before the store is asked.
    """

    def next_topic_id(self) -> int:
        """A new topic id, greater than every topic id stored or drawn by a committed unit.

        An id drawn in a unit of work that rolls back is released with it (as ``next_id``).
        """
        ...

    def add_topic(self, topic: ChatTopic) -> None:
        """Store a new topic; ``DuplicateChatTopicError`` if its id is stored already."""
        ...

    def get_topic(self, topic_id: int) -> ChatTopic:
        """The stored topic ``topic_id``; raises ``ChatTopicNotFoundError``."""
        ...

    def save_topic(self, topic: ChatTopic) -> None:
        """Replace the stored topic of ``topic.id``; ``ChatTopicNotFoundError`` if none."""
        ...

    def delete_topic(self, topic_id: int) -> None:
        """Delete the topic and its agents.

        ``ChatTopicNotFoundError`` if it is not stored; ``ChatTopicInUseError`` (nothing is
        deleted) while sessions wait or are active on it. Ended sessions keep its id.
        """
        ...

    def list_topics(self) -> list[ChatTopic]:
        """Every stored topic, in id order."""
        ...

    def put_topic_agent(self, agent: ChatTopicAgent) -> None:
        """Add the agent to its topic, or replace the rights it has there.

        ``ChatTopicNotFoundError`` if the topic is not stored.
        """
        ...

    def get_topic_agent(self, topic_id: int, user_id: int) -> ChatTopicAgent:
        """The rights of ``user_id`` on ``topic_id``; raises ``ChatTopicAgentNotFoundError``."""
        ...

    def topic_agents(self, topic_id: int) -> list[ChatTopicAgent]:
        """The agents of a topic, in user id order; ``ChatTopicNotFoundError`` if no topic."""
        ...

    def agent_topics(self, user_id: int) -> list[ChatTopicAgent]:
        """The ``ChatTopicAgent`` rows of a user (one per topic), in topic id order."""
        ...

    def delete_topic_agent(self, topic_id: int, user_id: int) -> None:
        """Remove the user from the topic; ``ChatTopicAgentNotFoundError`` if not there."""
        ...

    def set_presence(self, presence: Presence) -> None:
        """Store the presence of ``presence.user_id``, replacing the one stored."""
        ...

    def get_presence(self, user_id: int) -> Presence:
        """The stored presence of the user; away (``Presence.away``) if none was set."""
        ...

    def all_presence(self) -> list[Presence]:
        """Every stored presence, in user id order."""
        ...


@runtime_checkable
class ChatStore(ChatSessionStore, ChatTopicStore, AccountStore, Protocol):
    """What a unit of work offers: sessions, topics, agents, presence and accounts, together."""

    written_messages: list[ChatMessage]
    """The messages this unit of work wrote to the log so far, in order, with their ids."""


@runtime_checkable
class Outbox(Protocol):
    """The events stored with the sessions, in order, until they are published."""

    def read(
        self,
        *,
        after: int = 0,
        limit: int | None = 100,
        include_published: bool = False,
        chat_session_id: int | None = None,
    ) -> list[OutboxRecord]:
        """Records with ``sequence`` greater than ``after``, in sequence order.

        Unpublished only unless ``include_published``; one session's only if
        ``chat_session_id`` is given; all of them if ``limit`` is None.
        """
        ...

    def purge_published(self, *, before: datetime) -> int:
        """Delete the records published before ``before``; return how many (never unpublished)."""
        ...

    def mark_published(self, sequences: Iterable[int], *, at: datetime | None = None) -> int:
        """Mark records published (at ``at``, default now in UTC); return how many changed.

        Records already published keep their first ``published_at``; unknown sequences
        are ignored. Inside a unit of work on the same thread the marks join it: they
        are stored when it commits and dropped when it rolls back.
        """
        ...


@runtime_checkable
class ChatSessionRepository(ChatSessionStore, ChatTopicStore, AccountStore, Protocol):
    """The port the service depends on: sessions and topics, a unit of work, an outbox.

    A ``ChatSessionStore``, a ``ChatTopicStore`` and an ``AccountStore`` (with its
    ``AssociateDirectory`` view) in one: sessions, topics, agents, presence and accounts
    are written in the same units of work.

    Outside ``transaction()`` every method is its own transaction. Inside it, on the same
    thread, the repository's methods (and its outbox's) join the open transaction.

    Besides the errors named on each method, an adapter may raise
    ``RepositoryBusyError`` (the store stayed locked past its timeout),
    ``UnstorableSessionError`` (the store refused a value the invariants let through) and
    ``StoreUnavailableError`` (the store cannot be opened or failed: a full disk, an I/O
    error); all are ``RepositoryError``s, and nothing of the failed call is stored. If
    the store itself rolled back a unit of work after such an error, the rest of that unit
    of work and its end raise the same kind of error (chained), and nothing of it is stored.
    """

    @property
    def outbox(self) -> Outbox:
        """The outbox written by ``add`` and ``save``."""
        ...

    def transaction(self) -> AbstractContextManager[ChatStore]:
        """A unit of work: everything done through it commits together or not at all.

        ``with repo.transaction() as tx: s = tx.get(7); s.reject_transfer(by=8); tx.save(s)``.
        It commits when the block ends normally and rolls back if it raises. Nesting
        raises ``TransactionError``.
        """
        ...
