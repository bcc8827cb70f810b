"""InMemoryChatSessionRepository: the repository port in dicts, for tests and small tools.

Thread-safe: one re-entrant lock guards the store. A unit of work holds the lock from
start to end (like SQLite's ``BEGIN IMMEDIATE``), so units of work run one at a time and
other threads' calls wait for it. It writes in place, copy-on-write: before it first
changes an entry it keeps the old one in an undo log, which a rollback plays back (ids
and sequences drawn included) and a commit drops. Sessions are stored and returned as
copies: changing a loaded session changes nothing stored until it is saved. Events go
through ``chatsession.adapters.event_codec``, so the outbox holds the same JSON objects
as the SQLite outbox does, and every read hands out copies of them. Topics, agents and
presence are immutable values: kept as given, through the same undo log.
"""

from __future__ import annotations

import copy
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from heapq import merge
from typing import Any

from chatsession.adapters.base import NewRecord, RepositoryBase, UnitOfWorkBase
from chatsession.adapters.queries import OutboxQuery, SessionQuery
from chatsession.domain.account import ApiToken, AssociateAccount
from chatsession.domain.messages import ChatMessage, MessageDraft
from chatsession.domain.presence import Presence
from chatsession.domain.session import ChatSession
from chatsession.domain.session_data import SESSION_FIELDS
from chatsession.domain.status import ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.ports.errors import TransactionError
from chatsession.ports.stores import OutboxRecord

_TIMES = tuple(f.name for f in SESSION_FIELDS if f.kind is datetime)
_MISSING: Any = object()


class _State:
    """The contents of an in-memory repository."""

    __slots__ = (
        "account_keys",
        "accounts",
        "agents",
        "by_status",
        "by_user",
        "last_id",
        "last_message_id",
        "last_sequence",
        "last_token_id",
        "last_topic_id",
        "messages",
        "outbox",
        "presence",
        "sessions",
        "token_hashes",
        "tokens",
        "topics",
    )

    def __init__(self) -> None:
        self.sessions: dict[int, ChatSession] = {}
        # The ids in each status, sorted: the index of status queries (the queue, the sweep).
        self.by_status: dict[ChatSessionStatus, list[int]] = {s: [] for s in ChatSessionStatus}
        self.by_user: dict[int, set[int]] = {}  # the sessions a user handles (any status)
        self.outbox: dict[int, OutboxRecord] = {}
        self.last_id = 0
        self.last_sequence = 0
        self.messages: dict[int, list[ChatMessage]] = {}  # by session, in id order
        self.last_message_id = 0
        # Topics, agents and presence are immutable values: kept as given, handed out so.
        self.topics: dict[int, ChatTopic] = {}
        self.agents: dict[tuple[int, int], ChatTopicAgent] = {}  # (topic_id, user_id)
        self.presence: dict[int, Presence] = {}
        self.last_topic_id = 0
        # Accounts, by id and by user name key; tokens by id and by hash (kept only here).
        self.accounts: dict[int, AssociateAccount] = {}
        self.account_keys: dict[str, int] = {}
        self.tokens: dict[int, ApiToken] = {}
        self.token_hashes: dict[str, int] = {}
        self.last_token_id = 0


class InMemoryUnitOfWork(UnitOfWorkBase):
    """A unit of work (or one read) on an ``InMemoryChatSessionRepository``."""

    __slots__ = ("_active", "_state", "_undo")

    def __init__(self, state: _State, *, writable: bool) -> None:
        super().__init__(writable=writable)
        self._state = state
        self._undo: list[Callable[[], None]] = []
        self._active = True

    # ------------------------------------------------------------ primitives

    def _check_usable(self, *, writing: bool) -> None:
        if not self._active:
            raise TransactionError("this transaction has ended")

    @contextmanager
    def _write_scope(self, subject: str) -> Iterator[None]:
        mark = len(self._undo)
        try:
            yield
        except BaseException:
            self._undo_to(mark)
            raise

    def _next_id(self) -> int:
        self._set_counter("last_id", self._state.last_id + 1)
        return self._state.last_id

    def _stored_version(self, chat_session_id: int) -> int | None:
        stored = self._state.sessions.get(chat_session_id)
        return None if stored is None else stored.version

    def _insert(self, session: ChatSession, version: int) -> None:
        self._store(session, version)
        # Like SQLite's id sequence row: the stored id counts for next_id() at once.
        if session.chat_session_id > self._state.last_id:
            self._set_counter("last_id", session.chat_session_id)

    def _update(self, session: ChatSession, expected: int, version: int) -> bool:
        stored = self._state.sessions.get(session.chat_session_id)
        if stored is None or stored.version != expected:
            return False
        self._store(session, version)
        return True

    def _append_records(self, records: Sequence[NewRecord]) -> None:
        for record in records:
            sequence = self._state.last_sequence + 1
            self._set_counter("last_sequence", sequence)
            stored = OutboxRecord(
                sequence=sequence,
                chat_session_id=record.chat_session_id,
                version=record.version,
                event_name=record.event_name,
                occurred_at=record.occurred_at,
                payload=record.payload,
            )
            self._put(self._state.outbox, sequence, stored)

    def _append_messages(self, drafts: Sequence[MessageDraft]) -> list[ChatMessage]:
        out = []
        for draft in drafts:
            message_id = self._state.last_message_id + 1
            self._set_counter("last_message_id", message_id)
            message = ChatMessage(
                chat_message_id=message_id,
                chat_session_id=draft.chat_session_id,
                text=draft.text,
                type=draft.type,
                author=draft.author,
                when=draft.when.astimezone(UTC),
                special_type=draft.special_type,
                special_param=draft.special_param,
            )
            log = self._state.messages.get(draft.chat_session_id)
            if log is None:
                log = []
                self._put(self._state.messages, draft.chat_session_id, log)
            log.append(message)
            self._undo.append(partial(log.__delitem__, -1))
            out.append(message)
        return out

    def _read_messages(
        self, chat_session_id: int, after: int, limit: int | None
    ) -> list[ChatMessage]:
        log = self._state.messages.get(chat_session_id, [])
        start = bisect_left(log, after + 1, key=lambda m: m.chat_message_id)
        return log[start:] if limit is None else log[start:start + limit]

    def _select_one(self, chat_session_id: int) -> ChatSession | None:
        stored = self._state.sessions.get(chat_session_id)
        return None if stored is None else stored.copy()

    def _select(self, query: SessionQuery) -> list[ChatSession]:
        return [s.copy() for s in self._matching(query)]

    def _count(self, query: SessionQuery) -> int:
        return sum(1 for _ in self._matching(replace(query, limit=None)))

    def _read_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        out: list[OutboxRecord] = []
        for sequence in sorted(self._state.outbox):  # dicts keep insertion order; be sure
            record = self._state.outbox[sequence]
            if sequence <= query.after:
                continue
            if not query.include_published and record.published_at is not None:
                continue
            wanted = query.chat_session_id
            if wanted is not None and record.chat_session_id != wanted:
                continue
            # A payload of its own, as SQLite hands out a fresh dict: a reader that
            # changes its record changes nothing stored.
            out.append(replace(record, payload=copy.deepcopy(record.payload)))
            if query.limit is not None and len(out) >= query.limit:
                break
        return out

    def _mark_published(self, sequences: frozenset[int], at: datetime) -> int:
        changed = 0
        outbox = self._state.outbox
        for sequence in sequences:
            record = outbox.get(sequence)
            if record is not None and record.published_at is None:
                self._put(outbox, sequence, replace(record, published_at=at))
                changed += 1
        return changed

    def _purge_published(self, before: datetime) -> int:
        old = [
            sequence for sequence, record in self._state.outbox.items()
            if record.published_at is not None and record.published_at < before
        ]
        for sequence in old:
            self._pop(self._state.outbox, sequence)
        return len(old)

    def _next_topic_id(self) -> int:
        self._set_counter("last_topic_id", self._state.last_topic_id + 1)
        return self._state.last_topic_id

    def _select_topic(self, topic_id: int) -> ChatTopic | None:
        return self._state.topics.get(topic_id)

    def _select_topics(self) -> list[ChatTopic]:
        topics = self._state.topics
        return [topics[i] for i in sorted(topics)]

    def _insert_topic(self, topic: ChatTopic) -> None:
        self._put(self._state.topics, topic.id, topic)
        if topic.id > self._state.last_topic_id:
            self._set_counter("last_topic_id", topic.id)

    def _update_topic(self, topic: ChatTopic) -> bool:
        if topic.id not in self._state.topics:
            return False
        self._put(self._state.topics, topic.id, topic)
        return True

    def _delete_topic(self, topic_id: int) -> None:
        agents = self._state.agents
        for key in [key for key in agents if key[0] == topic_id]:
            self._pop(agents, key)
        self._pop(self._state.topics, topic_id)

    def _select_agents(
        self, *, topic_id: int | None = None, user_id: int | None = None
    ) -> list[ChatTopicAgent]:
        agents = self._state.agents
        return [
            agents[key]
            for key in sorted(agents)
            if (topic_id is None or key[0] == topic_id) and (user_id is None or key[1] == user_id)
        ]

    def _write_agent(self, agent: ChatTopicAgent) -> None:
        self._put(self._state.agents, (agent.topic_id, agent.user_id), agent)

    def _delete_agent(self, topic_id: int, user_id: int) -> bool:
        return self._pop(self._state.agents, (topic_id, user_id))

    def _select_presence(self, user_id: int | None) -> list[Presence]:
        presence = self._state.presence
        if user_id is not None:
            found = presence.get(user_id)
            return [] if found is None else [found]
        return [presence[i] for i in sorted(presence)]

    def _write_presence(self, presence: Presence) -> None:
        self._put(self._state.presence, presence.user_id, presence)

    def _select_accounts(
        self, *, associate_id: int | None = None, user_name_key: str | None = None
    ) -> list[AssociateAccount]:
        state = self._state
        if user_name_key is not None:
            holder = state.account_keys.get(user_name_key)
            if holder is None or associate_id not in (None, holder):
                return []
            associate_id = holder
        if associate_id is not None:
            found = state.accounts.get(associate_id)
            return [] if found is None else [found]
        return [state.accounts[i] for i in sorted(state.accounts)]

    def _write_account(self, account: AssociateAccount, user_name_key: str) -> None:
        state = self._state
        old = state.accounts.get(account.associate_id)
        if old is not None and old.user_name:
            self._pop(state.account_keys, old.user_name.casefold())
        if user_name_key:
            self._put(state.account_keys, user_name_key, account.associate_id)
        self._put(state.accounts, account.associate_id, account)

    def _select_tokens(
        self,
        *,
        token_id: int | None = None,
        associate_id: int | None = None,
        token_hash: str | None = None,
    ) -> list[ApiToken]:
        tokens = self._state.tokens
        if token_hash is not None:
            found = self._state.token_hashes.get(token_hash)
            if found is None or token_id not in (None, found):
                return []
            token_id = found
        ids = sorted(tokens) if token_id is None else [token_id] if token_id in tokens else []
        return [
            tokens[i] for i in ids
            if associate_id is None or tokens[i].associate_id == associate_id
        ]

    def _insert_token(self, associate_id: int, token_hash: str, at: datetime) -> ApiToken:
        token_id = self._state.last_token_id + 1
        self._set_counter("last_token_id", token_id)
        token = ApiToken(token_id, associate_id, at)
        self._put(self._state.tokens, token_id, token)
        self._put(self._state.token_hashes, token_hash, token_id)
        return token

    def _revoke_token(self, token_id: int, at: datetime) -> bool:
        token = self._state.tokens.get(token_id)
        if token is None or token.revoked is not None:
            return False
        self._put(self._state.tokens, token_id, replace(token, revoked=at))
        return True

    # ------------------------------------------------------------ internals

    def _matching(self, query: SessionQuery) -> Iterator[ChatSession]:
        """The stored sessions ``query`` matches, in id order, at most ``query.limit``."""
        sessions = self._state.sessions
        candidates: Iterator[ChatSession]
        if query.statuses is not None:  # the by-status index, each list already in order
            lists = [self._state.by_status[status] for status in query.statuses]
            after = query.after + 1
            ids = merge(*(ids[bisect_left(ids, after):] for ids in lists if ids))
            candidates = (sessions[i] for i in ids)
        elif query.user_id is not None:  # the by-user index
            mine = sorted(self._state.by_user.get(query.user_id, ()))
            candidates = (sessions[i] for i in mine if i > query.after)
        else:
            candidates = (sessions[i] for i in sorted(sessions) if i > query.after)
        left = query.limit
        for session in candidates:
            if left is not None and left <= 0:
                return
            if query.matches(session):
                if left is not None:
                    left -= 1
                yield session

    def _store(self, session: ChatSession, version: int) -> None:
        """Keep a copy of ``session`` as ``version`` (without its events); index the queue."""
        sid = session.chat_session_id
        stored = session.copy()
        stored.pull_events()
        stored.version = version
        for name in _TIMES:  # stored times are UTC, whatever offset a caller gave
            value = getattr(stored, name)
            if value is not None and value.tzinfo is not UTC:
                setattr(stored, name, value.astimezone(UTC))
        old = self._state.sessions.get(sid)
        self._put(self._state.sessions, sid, stored)
        old_status = None if old is None else old.status
        if stored.status is not old_status:  # the by-status index
            if old_status is not None:
                was = self._state.by_status[old_status]
                del was[bisect_left(was, sid)]
                self._undo.append(lambda: insort(was, sid))
            now = self._state.by_status[stored.status]
            insort(now, sid)
            self._undo.append(lambda: now.remove(sid))
        old_user = None if old is None else old.user_id
        if stored.user_id != old_user:  # the by-user index, as SQLite's (user_id, status)
            self._index_user(old_user, sid, add=False)
            self._index_user(stored.user_id, sid, add=True)

    def _index_user(self, user_id: int | None, sid: int, *, add: bool) -> None:
        """Add ``sid`` to (or take it from) ``user_id``'s sessions, with the undo."""
        if user_id is None:
            return
        mine = self._state.by_user.setdefault(user_id, set())
        if add:
            mine.add(sid)
            self._undo.append(lambda: mine.discard(sid))
        else:
            mine.discard(sid)
            self._undo.append(lambda: mine.add(sid))

    def _put(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        """``table[key] = value``, with its undo."""
        old = table.get(key, _MISSING)
        table[key] = value
        if old is _MISSING:
            self._undo.append(lambda: table.pop(key, None))
        else:
            self._undo.append(lambda: table.__setitem__(key, old))

    def _pop(self, table: dict[Any, Any], key: Any) -> bool:
        """``del table[key]`` with its undo; False if there was no ``key``."""
        old = table.pop(key, _MISSING)
        if old is _MISSING:
            return False
        self._undo.append(lambda: table.__setitem__(key, old))
        return True

    def _set_counter(self, name: str, value: int) -> None:
        state = self._state
        old = getattr(state, name)
        setattr(state, name, value)
        self._undo.append(lambda: setattr(state, name, old))

    def _undo_to(self, mark: int) -> None:
        undo = self._undo
        while len(undo) > mark:
            undo.pop()()

    def _end(self, *, keep: bool) -> None:
        if not keep:
            self._undo_to(0)
        self._undo = []
        self._active = False


class InMemoryChatSessionRepository(RepositoryBase[InMemoryUnitOfWork]):
    """The repository port kept in memory. Thread-safe; returns copies."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._state = _State()

    def __len__(self) -> int:
        with self._lock:
            return len(self._state.sessions)

    def __repr__(self) -> str:
        return f"InMemoryChatSessionRepository({len(self)} sessions)"

    # ------------------------------------------------------------ primitives

    def _begin(self) -> InMemoryUnitOfWork:
        self._lock.acquire()
        return InMemoryUnitOfWork(self._state, writable=True)

    def _commit(self, unit: InMemoryUnitOfWork) -> None:
        unit._end(keep=True)
        self._lock.release()

    def _rollback(self, unit: InMemoryUnitOfWork) -> None:
        if unit._active:  # not yet committed (a failed commit released nothing)
            unit._end(keep=False)
            self._lock.release()

    @contextmanager
    def _reader(self) -> Iterator[InMemoryUnitOfWork]:
        with self._lock:
            unit = InMemoryUnitOfWork(self._state, writable=False)
            try:
                yield unit
            finally:
                unit._active = False
