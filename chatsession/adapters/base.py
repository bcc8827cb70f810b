"""The store base: what every chat-session repository does, written once.

A backend subclasses two classes and writes primitives only:

* ``UnitOfWorkBase``: one unit of work (or one read). Its public methods (``add``,
  ``save``, ``get``, the queries; the topics, agents and presence) check their arguments
  and the session's invariants, keep the pending-writes bookkeeping, make each write
  all-or-nothing and turn query results into pages. The backend implements ``_next_id``,
  ``_stored_version``, ``_insert``, ``_update``, ``_append_records``, ``_select_one``,
  ``_select``, ``_count``, ``_read_records``, ``_mark_published`` and ``_write_scope``;
  for topics ``_next_topic_id``, ``_select_topic``, ``_select_topics``, ``_insert_topic``,
  ``_update_topic``, ``_delete_topic``, ``_select_agents``, ``_write_agent``,
  ``_delete_agent``, ``_select_presence`` and ``_write_presence``; for accounts (the
  ``AccountUnitOfWork`` mixin of ``account_base``) ``_select_accounts``,
  ``_write_account``, ``_select_tokens``, ``_insert_token`` and ``_revoke_token``.
* ``RepositoryBase``: the unit-of-work protocol (one per thread, no nesting, commit or
  roll back, events leave the sessions only after the commit) and the "each call is its
  own unit of work" wrappers. The backend implements ``_begin``, ``_commit``,
  ``_rollback`` and ``_reader``.

The typing Protocols of ``chatsession.ports.stores`` stay the contract: an adopter may
write an adapter from scratch and run ``chatsession.testing`` against it.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from chatsession.adapters.account_base import AccountRepository, AccountUnitOfWork
from chatsession.adapters.event_codec import JsonObject, encode_event
from chatsession.adapters.pending_writes import PendingWrites
from chatsession.adapters.queries import (
    OutboxQuery,
    SessionQuery,
    check_sequence,
    outbox_query,
    page_query,
)
from chatsession.domain.errors import InvalidArgumentError, InvariantViolationError
from chatsession.domain.events import ChatSessionEvent
from chatsession.domain.invariants import check_invariants, transition_violations
from chatsession.domain.messages import ChatMessage, MessageDraft, messages_of
from chatsession.domain.presence import Presence
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE, WAITING, ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.domain.values import (
    INT32_MAX,
    INT64_MAX,
    check_flag,
    check_id,
    check_optional_id,
    utc,
)
from chatsession.domain.values import utc_now as current_utc_time
from chatsession.ports.errors import (
    ChatSessionNotFoundError,
    ChatTopicAgentNotFoundError,
    ChatTopicInUseError,
    ChatTopicNotFoundError,
    ConcurrencyError,
    DuplicateChatSessionError,
    DuplicateChatTopicError,
    IdSpaceExhaustedError,
    TransactionError,
)
from chatsession.ports.stores import ChatSessionPage, OutboxRecord

_IN_QUEUE = frozenset({ChatSessionStatus.InQueue})
_ACTIVE = frozenset(ACTIVE)
_LIVE = frozenset(WAITING | ACTIVE)  # the sessions that keep their topic from deletion
T = TypeVar("T")


class UnitOfWorkBase(AccountUnitOfWork, ABC):
    """One unit of work on a store: the ``ChatStore`` port (sessions, topics), written once.

    The accounts (``AccountStore``) come from ``chatsession.adapters.account_base``.

    ``writes`` is None for a read-only unit (a single read outside any unit of work).
    """

    __slots__ = ("writes", "written_messages")

    def __init__(self, *, writable: bool) -> None:
        self.writes: PendingWrites | None = PendingWrites() if writable else None
        self.written_messages: list[ChatMessage] = []
        """The messages this unit of work wrote to the log, in order (with their ids)."""

    # ------------------------------------------------------------ the port

    def next_id(self) -> int:
        """A new id: greater than every id stored or drawn by a committed unit of work.

        The draw is part of this unit of work: a rollback releases the id. With no id
        left (2**31-1 is stored or drawn): ``IdSpaceExhaustedError``.
        """
        self._writable()
        drawn = self._next_id()
        if drawn > INT32_MAX:
            raise IdSpaceExhaustedError(
                f"no chat-session id is left: ids are positive int32s and {INT32_MAX} is "
                "stored or drawn already"
            )
        return drawn

    def add(self, session: ChatSession) -> None:
        """Store ``session`` (version 0) as version 1, with its pending events."""
        self._writable()
        check_new(session)
        self._add_checked(session)

    def save(self, session: ChatSession) -> None:
        """Store ``session`` as ``version + 1`` if the stored version is ``session.version``."""
        self._writable()
        check_saveable(session)
        self._save_checked(session)

    def get(self, chat_session_id: int) -> ChatSession:
        """The stored session; raises ``ChatSessionNotFoundError``."""
        check_id(chat_session_id, "chat_session_id")
        self._readable()
        found = self._select_one(chat_session_id)
        if found is None:
            raise ChatSessionNotFoundError(chat_session_id)
        return found

    def first_in_queue(
        self, topic_id: int | None = None, *, include_bot_sessions: bool = False
    ) -> ChatSession | None:
        """The waiting session with the lowest id (on ``topic_id`` if given)."""
        query = SessionQuery(
            limit=1,
            statuses=_IN_QUEUE,
            topic_id=check_optional_id(topic_id, "topic_id"),
            with_bots=check_flag(include_bot_sessions, "include_bot_sessions"),
        )
        self._readable()
        found = self._select(query)
        return found[0] if found else None

    def count_in_queue(self, topic_id: int | None = None) -> int:
        """The number of sessions InQueue (on ``topic_id`` if given), bot-held ones included."""
        query = SessionQuery(statuses=_IN_QUEUE, topic_id=check_optional_id(topic_id, "topic_id"))
        self._readable()
        return self._count(query)

    def active_sessions_of(self, user_id: int) -> list[ChatSession]:
        """The sessions ``user_id`` handles in an active status, in id order."""
        query = SessionQuery(statuses=_ACTIVE, user_id=check_id(user_id, "user_id"))
        self._readable()
        return self._select(query)

    def list_page(
        self,
        *,
        after: int = 0,
        limit: int = 50,
        status: ChatSessionStatus | Iterable[ChatSessionStatus] | None = None,
        topic_id: int | None = None,
        user_id: int | None = None,
    ) -> ChatSessionPage:
        """Up to ``limit`` sessions with id greater than ``after``, in id order (keyset paging)."""
        query = page_query(after, limit, status, topic_id, user_id)
        if query.statuses is not None and not query.statuses:
            return ChatSessionPage((), None)
        self._readable()
        found = self._select(query)
        items = tuple(found[:limit])
        more = len(found) > limit
        return ChatSessionPage(items, items[-1].chat_session_id if more else None)

    # ------------------------------------------------------------ the outbox

    def messages(
        self, chat_session_id: int, *, after: int = 0, limit: int | None = None
    ) -> list[ChatMessage]:
        """The session's messages with an id greater than ``after``, oldest first.

        ``after`` is 0 (from the first) or a message id; ``limit`` None (all) or >= 1.
        An unknown session has no messages.
        """
        check_id(chat_session_id, "chat_session_id")
        if type(after) is not int or not 0 <= after <= INT64_MAX:
            raise InvalidArgumentError(f"after must be 0 or a message id, got {after!r}")
        if limit is not None and (type(limit) is not int or limit < 1):
            raise InvalidArgumentError(f"limit must be an int >= 1 or None, got {limit!r}")
        self._readable()
        return self._read_messages(chat_session_id, after, limit)

    def read_outbox(self, query: OutboxQuery) -> list[OutboxRecord]:
        """The outbox records ``query`` asks for (committed, and this unit's own)."""
        self._readable()
        return self._read_records(query)

    def mark_published(self, sequences: frozenset[int], at: datetime) -> int:
        """Mark the records ``sequences`` published at ``at``; return how many changed."""
        self._writable()
        return self._mark_published(sequences, at)

    def purge_published(self, before: datetime) -> int:
        """Delete the records published before ``before`` (UTC); return how many."""
        self._writable()
        return self._purge_published(before)

    def lock_associate(self, user_id: int) -> None:
        """Hold associate ``user_id``'s lock until this unit of work ends.

        A service takes it before reading and assigning what is unique per associate (a
        rank): two units of work doing so for one associate run one after the other. Stores
        whose write units already run one at a time (memory, SQLite) need do nothing.
        """
        check_id(user_id, "user_id")
        self._writable()
        self._lock_associate(user_id)

    def _lock_associate(self, user_id: int) -> None:  # a hook, not abstract
        """Take the associate's lock (a primitive; no-op where writers are serialised)."""

    # ------------------------------------------------------------ topics

    def next_topic_id(self) -> int:
        """A new topic id: greater than every topic id stored or drawn by a committed unit."""
        self._writable()
        drawn = self._next_topic_id()
        if drawn > INT32_MAX:
            raise IdSpaceExhaustedError(
                f"no chat-topic id is left: ids are positive int32s and {INT32_MAX} is "
                "stored or drawn already"
            )
        return drawn

    def add_topic(self, topic: ChatTopic) -> None:
        """Store a new topic; ``DuplicateChatTopicError`` if its id is stored already."""
        check_topic(topic)
        self._writable()
        with self._write_scope(f"chat topic {topic.id}"):
            if self._select_topic(topic.id) is not None:
                raise DuplicateChatTopicError(topic.id)
            self._insert_topic(topic)

    def get_topic(self, topic_id: int) -> ChatTopic:
        """The stored topic; raises ``ChatTopicNotFoundError``."""
        check_id(topic_id, "topic_id")
        self._readable()
        found = self._select_topic(topic_id)
        if found is None:
            raise ChatTopicNotFoundError(topic_id)
        return found

    def save_topic(self, topic: ChatTopic) -> None:
        """Replace the stored topic of ``topic.id``; ``ChatTopicNotFoundError`` if none."""
        check_topic(topic)
        self._writable()
        with self._write_scope(f"chat topic {topic.id}"):
            if not self._update_topic(topic):
                raise ChatTopicNotFoundError(topic.id)

    def delete_topic(self, topic_id: int) -> None:
        """Delete the topic and its agents, unless sessions wait or are active on it."""
        check_id(topic_id, "topic_id")
        self._writable()
        with self._write_scope(f"chat topic {topic_id}"):
            if self._select_topic(topic_id) is None:
                raise ChatTopicNotFoundError(topic_id)
            live = self._count(SessionQuery(statuses=_LIVE, topic_id=topic_id))
            if live:
                raise ChatTopicInUseError(topic_id, live)
            self._delete_topic(topic_id)

    def list_topics(self) -> list[ChatTopic]:
        """Every stored topic, in id order."""
        self._readable()
        return self._select_topics()

    def put_topic_agent(self, agent: ChatTopicAgent) -> None:
        """Add the agent to its (stored) topic, or replace its rights there."""
        check_agent(agent)
        self._writable()
        with self._write_scope(f"agent {agent.user_id} of chat topic {agent.topic_id}"):
            if self._select_topic(agent.topic_id) is None:
                raise ChatTopicNotFoundError(agent.topic_id)
            self._write_agent(agent)

    def get_topic_agent(self, topic_id: int, user_id: int) -> ChatTopicAgent:
        """The rights of ``user_id`` on ``topic_id``; raises ``ChatTopicAgentNotFoundError``."""
        check_id(topic_id, "topic_id")
        check_id(user_id, "user_id")
        self._readable()
        found = self._select_agents(topic_id=topic_id, user_id=user_id)
        if not found:
            raise ChatTopicAgentNotFoundError(topic_id, user_id)
        return found[0]

    def topic_agents(self, topic_id: int) -> list[ChatTopicAgent]:
        """The agents of a stored topic, in user id order."""
        check_id(topic_id, "topic_id")
        self._readable()
        if self._select_topic(topic_id) is None:
            raise ChatTopicNotFoundError(topic_id)
        return self._select_agents(topic_id=topic_id)

    def agent_topics(self, user_id: int) -> list[ChatTopicAgent]:
        """The ``ChatTopicAgent`` rows of a user, in topic id order."""
        check_id(user_id, "user_id")
        self._readable()
        return self._select_agents(user_id=user_id)

    def delete_topic_agent(self, topic_id: int, user_id: int) -> None:
        """Remove the user from the topic; ``ChatTopicAgentNotFoundError`` if not there."""
        check_id(topic_id, "topic_id")
        check_id(user_id, "user_id")
        self._writable()
        with self._write_scope(f"agent {user_id} of chat topic {topic_id}"):
            if not self._delete_agent(topic_id, user_id):
                raise ChatTopicAgentNotFoundError(topic_id, user_id)

    def set_presence(self, presence: Presence) -> None:
        """Store the presence of ``presence.user_id``, replacing the one stored."""
        check_presence(presence)
        self._writable()
        with self._write_scope(f"presence of user {presence.user_id}"):
            self._write_presence(presence)

    def get_presence(self, user_id: int) -> Presence:
        """The stored presence of the user; away if none was set."""
        check_id(user_id, "user_id")
        self._readable()
        found = self._select_presence(user_id)
        return found[0] if found else Presence.away(user_id)

    def all_presence(self) -> list[Presence]:
        """Every stored presence, in user id order."""
        self._readable()
        return self._select_presence(None)

    # ------------------------------------------------------------ shared steps

    def _add_checked(self, session: ChatSession) -> None:
        """``add`` of a session whose invariants were checked."""
        writes = self._writable()
        sid = session.chat_session_id
        events, records = _records_of(writes, session, 1)
        with self._write_scope(f"chat session {sid}"):
            if self._stored_version(sid) is not None:
                raise DuplicateChatSessionError(sid)
            writes.claim(session)
            self._insert(session, 1)
            self._append_records(records)
            self._log(events)
        writes.wrote(session, 1, events)

    def _save_checked(self, session: ChatSession) -> None:
        """``save`` of a session whose invariants were checked."""
        writes = self._writable()
        sid, version = session.chat_session_id, session.version
        events, records = _records_of(writes, session, version + 1)
        with self._write_scope(f"chat session {sid}"):
            stored = self._select_one(sid)
            if stored is None:
                raise ChatSessionNotFoundError(sid)
            if stored.version != version:
                raise ConcurrencyError(sid, version, stored.version)
            check_successor(stored, session)
            if not records and stored == session:
                return  # nothing changed: nothing to store, the version stays
            writes.claim(session)
            if not self._update(session, version, version + 1):  # lost a race meanwhile
                now = self._stored_version(sid)
                if now is None:
                    raise ChatSessionNotFoundError(sid)
                raise ConcurrencyError(sid, version, now)
            self._append_records(records)
            self._log(events)
        writes.wrote(session, version + 1, events)

    def _writable(self) -> PendingWrites:
        """The bookkeeping of a writable unit that can still work; else ``TransactionError``."""
        if self.writes is None:
            raise TransactionError("this store is read-only (no unit of work is open)")
        self._check_usable(writing=True)
        return self.writes

    def _readable(self) -> None:
        self._check_usable(writing=False)

    # ------------------------------------------------------------ primitives

    @abstractmethod
    def _check_usable(self, *, writing: bool) -> None:
        """Raise ``TransactionError`` (or the store's error) if this unit can do nothing more."""

    @abstractmethod
    def _write_scope(self, subject: str) -> AbstractContextManager[None]:
        """Make the statements of one write all-or-nothing (a savepoint, an undo mark).

        ``subject`` names what is written (``"chat session 7"``), for the store's errors.
        """

    @abstractmethod
    def _next_id(self) -> int:
        """Draw the next chat-session id in this unit of work."""

    @abstractmethod
    def _stored_version(self, chat_session_id: int) -> int | None:
        """The stored version of the session, or None if it is not stored."""

    @abstractmethod
    def _insert(self, session: ChatSession, version: int) -> None:
        """Insert the session's fields as ``version`` (its id is not stored yet)."""

    @abstractmethod
    def _update(self, session: ChatSession, expected: int, version: int) -> bool:
        """Store the session's fields as ``version`` if the stored version is ``expected``."""

    def _log(self, events: Sequence[ChatSessionEvent]) -> None:
        """Write the messages ``events`` make to the log (in the current write scope)."""
        drafts = [draft for event in events for draft in messages_of(event)]
        if drafts:
            self.written_messages.extend(self._append_messages(drafts))

    @abstractmethod
    def _purge_published(self, before: datetime) -> int:
        """Delete the outbox records whose ``published_at`` is before ``before``."""

    @abstractmethod
    def _append_messages(self, drafts: Sequence[MessageDraft]) -> list[ChatMessage]:
        """Append ``drafts`` to the message log, numbering them; return them as stored."""

    @abstractmethod
    def _read_messages(
        self, chat_session_id: int, after: int, limit: int | None
    ) -> list[ChatMessage]:
        """A session's messages with id greater than ``after``, in id order."""

    @abstractmethod
    def _append_records(self, records: Sequence[NewRecord]) -> None:
        """Append ``records`` to the outbox, numbering them in order."""

    @abstractmethod
    def _select_one(self, chat_session_id: int) -> ChatSession | None:
        """A new ``ChatSession`` of the stored fields, or None."""

    @abstractmethod
    def _select(self, query: SessionQuery) -> list[ChatSession]:
        """New ``ChatSession`` objects of the stored sessions ``query`` asks for, in id order."""

    @abstractmethod
    def _count(self, query: SessionQuery) -> int:
        """How many stored sessions ``query`` matches (its ``limit`` aside)."""

    @abstractmethod
    def _read_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        """The outbox records ``query`` asks for; each with a payload of its own."""

    @abstractmethod
    def _mark_published(self, sequences: frozenset[int], at: datetime) -> int:
        """Set ``published_at`` of the unpublished ones of ``sequences``; return how many."""

    @abstractmethod
    def _next_topic_id(self) -> int:
        """Draw the next topic id in this unit of work."""

    @abstractmethod
    def _select_topic(self, topic_id: int) -> ChatTopic | None:
        """The stored topic, or None."""

    @abstractmethod
    def _select_topics(self) -> list[ChatTopic]:
        """Every stored topic, in id order."""

    @abstractmethod
    def _insert_topic(self, topic: ChatTopic) -> None:
        """Store a topic whose id is not stored yet (a larger id counts for the next draw)."""

    @abstractmethod
    def _update_topic(self, topic: ChatTopic) -> bool:
        """Replace the stored topic of ``topic.id``; False if there is none."""

    @abstractmethod
    def _delete_topic(self, topic_id: int) -> None:
        """Delete the stored topic ``topic_id`` and every agent of it."""

    @abstractmethod
    def _select_agents(
        self, *, topic_id: int | None = None, user_id: int | None = None
    ) -> list[ChatTopicAgent]:
        """The stored agents of ``topic_id`` and/or ``user_id``, by topic id, then user id."""

    @abstractmethod
    def _write_agent(self, agent: ChatTopicAgent) -> None:
        """Store ``agent``, replacing the one of the same topic and user."""

    @abstractmethod
    def _delete_agent(self, topic_id: int, user_id: int) -> bool:
        """Delete the agent ``user_id`` of ``topic_id``; False if there is none."""

    @abstractmethod
    def _select_presence(self, user_id: int | None) -> list[Presence]:
        """The stored presence of ``user_id`` (none or one), or of every user by id."""

    @abstractmethod
    def _write_presence(self, presence: Presence) -> None:
        """Store ``presence``, replacing the one of the same user."""


@dataclass(frozen=True, slots=True)
class NewRecord:
    """An event on its way into the outbox: an ``OutboxRecord`` but for its ``sequence``."""

    chat_session_id: int
    version: int
    event_name: str
    occurred_at: datetime
    payload: JsonObject


def check_saveable(session: object) -> None:
    """Refuse what cannot be stored: not a ``ChatSession``, or one that breaks an invariant."""
    if not isinstance(session, ChatSession):
        raise InvalidArgumentError(f"expected a ChatSession, got {type(session).__name__}")
    check_invariants(session)


def check_new(session: object) -> None:
    """``check_saveable``, and a version of 0: ``add`` takes sessions never stored."""
    check_saveable(session)
    assert isinstance(session, ChatSession)
    if session.version != 0:
        raise InvalidArgumentError(
            f"add takes a new session (version 0); chat session {session.chat_session_id} is "
            f"at version {session.version}: it was stored before (use save() on its own store)"
        )


def check_topic(topic: object) -> None:
    """Refuse what is no ``ChatTopic`` (its own model checked every setting)."""
    if not isinstance(topic, ChatTopic):
        raise InvalidArgumentError(f"expected a ChatTopic, got {type(topic).__name__}")


def check_agent(agent: object) -> None:
    """Refuse what is no ``ChatTopicAgent``."""
    if not isinstance(agent, ChatTopicAgent):
        raise InvalidArgumentError(f"expected a ChatTopicAgent, got {type(agent).__name__}")


def check_presence(presence: object) -> None:
    """Refuse what is no ``Presence``."""
    if not isinstance(presence, Presence):
        raise InvalidArgumentError(f"expected a Presence, got {type(presence).__name__}")


def check_successor(stored: ChatSession, session: ChatSession) -> None:
    """Refuse to store ``session`` over ``stored`` unless it can have come from it.

    A session never changes its topic, request time or key (another one with the same id
    and version, from another store, is refused), nor anything once Deleted, nor its first
    message once set (``transition_violations``).
    """
    same = (
        stored.topic_id == session.topic_id
        and stored.when_requested == session.when_requested
        and stored.session_key == session.session_key
    )
    if not same:
        raise InvalidArgumentError(
            f"chat session {session.chat_session_id} is not the stored session with this id "
            "(its topic, request time or key differ): save a session loaded from this store"
        )
    violations = transition_violations(stored.to_dict(), session)
    if violations:
        raise InvariantViolationError(violations, chat_session_id=session.chat_session_id)


def _records_of(
    writes: PendingWrites, session: ChatSession, version: int
) -> tuple[Sequence[ChatSessionEvent], list[NewRecord]]:
    """The events a write stores, and their records (encoded before anything is written)."""
    events = writes.events_to_write(session)
    sid = session.chat_session_id
    return events, [
        NewRecord(sid, version, event.name, event.occurred_at, encode_event(event))
        for event in events
    ]


U = TypeVar("U", bound=UnitOfWorkBase)


class RepositoryBase(AccountRepository, ABC, Generic[U]):
    """A repository: the ``ChatSessionRepository`` port, written once over a backend.

    Outside ``transaction()`` each method is its own unit of work; inside, on the same
    thread, the methods (and the outbox's) join it. ``utc_now`` is the class-level hook
    ``mark_published`` reads when it is given no time; a subclass may override it.
    """

    @staticmethod
    def utc_now() -> datetime:
        """Where the repository gets the time when a caller gives none (``mark_published``)."""
        return current_utc_time()

    def __init__(self) -> None:
        self._local = threading.local()
        self._outbox = StoreOutbox(self)

    @property
    def outbox(self) -> StoreOutbox:
        """The events written with the sessions, in order, until they are published."""
        return self._outbox

    @contextmanager
    def transaction(self) -> Iterator[U]:
        """A unit of work: everything done through it commits together or not at all.

        It commits when the block ends normally and rolls back if it raises. Events
        leave their sessions only once the commit succeeded. Nesting raises
        ``TransactionError``.
        """
        if self._current() is not None:
            raise TransactionError("a transaction is already open on this thread")
        unit = self._begin()
        writes = unit.writes
        assert writes is not None
        self._local.unit = unit
        self._local.pid = os.getpid()
        try:
            yield unit
            self._commit(unit)
        except BaseException:
            self._local.unit = None
            self._rollback(unit)
            writes.rolled_back()
            raise
        self._local.unit = None
        writes.committed()

    # ---------------------------------------- the store: each call is a unit of work

    def next_id(self) -> int:
        """A new chat-session id, greater than every id stored or drawn by a committed unit.

        Outside a unit of work the id is drawn for good. Inside one (on this thread) it
        joins it: a rollback releases the id, and the next call hands it out again.
        """
        return self._write(lambda unit: unit.next_id())

    def add(self, session: ChatSession) -> None:
        """Store a new session as version 1, with its pending events."""
        check_new(session)  # before waiting for the store's lock
        self._write(lambda unit: unit._add_checked(session))

    def save(self, session: ChatSession) -> None:
        """Store a changed session if nobody saved it since it was loaded."""
        check_saveable(session)  # before waiting for the store's lock
        self._write(lambda unit: unit._save_checked(session))

    def get(self, chat_session_id: int) -> ChatSession:
        """The stored session; raises ``ChatSessionNotFoundError``."""
        return self._read(lambda unit: unit.get(chat_session_id))

    def first_in_queue(
        self, topic_id: int | None = None, *, include_bot_sessions: bool = False
    ) -> ChatSession | None:
        """The oldest session waiting InQueue (on ``topic_id`` if given)."""
        return self._read(
            lambda unit: unit.first_in_queue(topic_id, include_bot_sessions=include_bot_sessions)
        )

    def count_in_queue(self, topic_id: int | None = None) -> int:
        """How many sessions wait InQueue (on ``topic_id`` if given)."""
        return self._read(lambda unit: unit.count_in_queue(topic_id))

    def active_sessions_of(self, user_id: int) -> list[ChatSession]:
        """The active sessions ``user_id`` handles, in id order."""
        return self._read(lambda unit: unit.active_sessions_of(user_id))

    def messages(
        self, chat_session_id: int, *, after: int = 0, limit: int | None = None
    ) -> list[ChatMessage]:
        """The session's messages with an id greater than ``after``, oldest first."""
        return self._read(lambda unit: unit.messages(chat_session_id, after=after, limit=limit))

    def lock_associate(self, user_id: int) -> None:
        """Hold associate ``user_id``'s lock until the thread's unit of work ends."""
        self._write(lambda unit: unit.lock_associate(user_id))

    def list_page(
        self,
        *,
        after: int = 0,
        limit: int = 50,
        status: ChatSessionStatus | Iterable[ChatSessionStatus] | None = None,
        topic_id: int | None = None,
        user_id: int | None = None,
    ) -> ChatSessionPage:
        """Up to ``limit`` sessions with id greater than ``after``, in id order."""
        return self._read(
            lambda unit: unit.list_page(
                after=after, limit=limit, status=status, topic_id=topic_id, user_id=user_id
            )
        )

    # ---------------------------------------- topics, agents, presence: the same way

    def next_topic_id(self) -> int:
        """A new topic id, greater than every topic id stored or drawn by a committed unit."""
        return self._write(lambda unit: unit.next_topic_id())

    def add_topic(self, topic: ChatTopic) -> None:
        """Store a new topic; ``DuplicateChatTopicError`` if its id is stored already."""
        check_topic(topic)  # before waiting for the store's lock
        self._write(lambda unit: unit.add_topic(topic))

    def get_topic(self, topic_id: int) -> ChatTopic:
        """The stored topic; raises ``ChatTopicNotFoundError``."""
        return self._read(lambda unit: unit.get_topic(topic_id))

    def save_topic(self, topic: ChatTopic) -> None:
        """Replace the stored topic of ``topic.id``; ``ChatTopicNotFoundError`` if none."""
        check_topic(topic)
        self._write(lambda unit: unit.save_topic(topic))

    def delete_topic(self, topic_id: int) -> None:
        """Delete the topic and its agents; ``ChatTopicInUseError`` while sessions live on it."""
        check_id(topic_id, "topic_id")
        self._write(lambda unit: unit.delete_topic(topic_id))

    def list_topics(self) -> list[ChatTopic]:
        """Every stored topic, in id order."""
        return self._read(lambda unit: unit.list_topics())

    def put_topic_agent(self, agent: ChatTopicAgent) -> None:
        """Add the agent to its topic, or replace its rights there."""
        check_agent(agent)
        self._write(lambda unit: unit.put_topic_agent(agent))

    def get_topic_agent(self, topic_id: int, user_id: int) -> ChatTopicAgent:
        """The rights of ``user_id`` on ``topic_id``; raises ``ChatTopicAgentNotFoundError``."""
        return self._read(lambda unit: unit.get_topic_agent(topic_id, user_id))

    def topic_agents(self, topic_id: int) -> list[ChatTopicAgent]:
        """The agents of a topic, in user id order; ``ChatTopicNotFoundError`` if no topic."""
        return self._read(lambda unit: unit.topic_agents(topic_id))

    def agent_topics(self, user_id: int) -> list[ChatTopicAgent]:
        """The ``ChatTopicAgent`` rows of a user, in topic id order."""
        return self._read(lambda unit: unit.agent_topics(user_id))

    def delete_topic_agent(self, topic_id: int, user_id: int) -> None:
        """Remove the user from the topic; ``ChatTopicAgentNotFoundError`` if not there."""
        check_id(topic_id, "topic_id")
        check_id(user_id, "user_id")
        self._write(lambda unit: unit.delete_topic_agent(topic_id, user_id))

    def set_presence(self, presence: Presence) -> None:
        """Store the presence of ``presence.user_id``, replacing the one stored."""
        check_presence(presence)
        self._write(lambda unit: unit.set_presence(presence))

    def get_presence(self, user_id: int) -> Presence:
        """The stored presence of the user; away (``Presence.away``) if none was set."""
        return self._read(lambda unit: unit.get_presence(user_id))

    def all_presence(self) -> list[Presence]:
        """Every stored presence, in user id order."""
        return self._read(lambda unit: unit.all_presence())

    # ------------------------------------------------------------ internals

    def _read_account_call(self, call: Callable[[AccountUnitOfWork], T]) -> T:
        return self._read(call)

    def _write_account_call(self, call: Callable[[AccountUnitOfWork], T]) -> T:
        return self._write(call)

    def _current(self) -> U | None:
        """This thread's open unit of work, if any.

        Not one inherited over ``fork()``: in a forked child, the thread that forked inside
        a unit of work has none of its own (its calls go to the store, which refuses them
        if the file cannot be used there; the inherited unit itself raises).
        """
        unit: U | None = getattr(self._local, "unit", None)
        if unit is not None and self._local.pid != os.getpid():
            return None
        return unit

    def _read(self, call: Callable[[U], T]) -> T:
        """``call`` on the thread's open unit of work, or on a read of its own."""
        unit = self._current()
        if unit is not None:
            return call(unit)
        with self._reader() as reader:
            return call(reader)

    def _write(self, call: Callable[[U], T]) -> T:
        """``call`` on the thread's open unit of work, or in a unit of work of its own."""
        unit = self._current()
        if unit is not None:
            return call(unit)
        with self.transaction() as new:
            return call(new)

    # ------------------------------------------------------------ primitives

    @abstractmethod
    def _begin(self) -> U:
        """Start a writable unit of work (take the store's write lock)."""

    @abstractmethod
    def _commit(self, unit: U) -> None:
        """Commit ``unit``; raise if it cannot be (the base then rolls it back)."""

    @abstractmethod
    def _rollback(self, unit: U) -> None:
        """Roll ``unit`` back and release the write lock; never raises for a dead unit."""

    @abstractmethod
    def _reader(self) -> AbstractContextManager[U]:
        """A read-only unit for one call outside any unit of work."""


class StoreOutbox:
    """The outbox of a ``RepositoryBase``: read the stored events in order, mark them published.

    Inside a unit of work on the same thread, reads see its own records and marks join it
    (stored when it commits, dropped when it rolls back).
    """

    __slots__ = ("_repo",)

    def __init__(self, repo: RepositoryBase[Any]) -> None:
        self._repo = repo

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
        query = outbox_query(after, limit, include_published, chat_session_id)
        repo: RepositoryBase[UnitOfWorkBase] = self._repo
        return repo._read(lambda unit: unit.read_outbox(query))

    def purge_published(self, *, before: datetime) -> int:
        """Delete the records published before ``before`` (a retention limit); return how many.

        Unpublished records are never purged. A purged session's history is gone: it can no
        longer be rebuilt from its events (``chatsession verify`` reports it).
        """
        repo: RepositoryBase[UnitOfWorkBase] = self._repo
        when = utc(before, "before")
        return repo._write(lambda unit: unit.purge_published(when))

    def mark_published(self, sequences: Iterable[int], *, at: datetime | None = None) -> int:
        """Mark records published (at ``at``, default now in UTC); return how many changed.

        Records already published keep their first ``published_at``; unknown sequences
        are ignored.
        """
        repo: RepositoryBase[UnitOfWorkBase] = self._repo
        when = utc(repo.utc_now() if at is None else at, "published at")
        wanted = frozenset(check_sequence(seq) for seq in _iterable(sequences))
        if not wanted:
            return 0
        return repo._write(lambda unit: unit.mark_published(wanted, when))


def _iterable(sequences: Iterable[int]) -> Iterable[int]:
    if isinstance(sequences, str | bytes) or not isinstance(sequences, Iterable):
        raise InvalidArgumentError(
            f"sequences must be an iterable of outbox sequences, got {sequences!r}"
        )
    return sequences
