"""The two adapters side by side: every random operation gives the same result on both.

A differential test. One ``RuleBasedStateMachine`` holds an ``InMemoryChatSessionRepository``
and a ``SqliteChatSessionRepository`` (on a file in a fresh temporary directory) and
applies each random operation to both: ids (``next_id`` must agree), adds (also at ids
not drawn, stored or bad), loads, domain commands with random actors and the saves after
them, stale saves, units of work that commit or roll back (with the sessions' versions
and pending events afterwards), the queries, the outbox (``read`` and
``mark_published``, inside and outside a unit of work), careless callers that change
what they were given without saving it, and the time. Every result must be the same on
both: equal values or the same exception.

The repositories hold no clock: one ``ManualClock`` gives every command its time
(``at=clock.now()``) and is the repositories' ``utc_now`` hook, so that
``mark_published`` without ``at`` stamps the same time on both. The clock moves, and
changes its UTC offset: recorded times are normalised to UTC, so both adapters must
still agree, and every time they store from a command is in UTC.

"The same" is stricter than ``==``: a session's fields are compared with their types
(``True`` is not ``1``), datetimes with their UTC offsets (equal instants with another
offset differ), plus ``transfer_state`` and the pending events; outbox records field by
field the same way, payloads included. Exceptions compare by type and by what they
carry (ids and versions, violations, the message of a domain error). The only thing
left out: the message of a repository error, which names the SQLite file.

After every step that may write, an invariant compares the full listing of both stores
and their full outboxes. A unit of work that rolls back must also leave the store as it
was, and a stale save must conflict; those hold for both adapters, not only between them.

Speed (the CI profile runs 2,000 examples): the SQLite file uses ``synchronous="NORMAL"``
(the same semantics without an fsync per commit) and starts as a copy of an empty store
migrated once per run; arguments come from short precomputed lists (one draw each).
"""

from __future__ import annotations

import atexit
import functools
import itertools
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime, timedelta, timezone
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from chatsession.adapters.clock import ManualClock
from chatsession.adapters.memory import InMemoryChatSessionRepository
from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.domain.customer import Customer
from chatsession.domain.errors import (
    ChatSessionError,
    CommandNotAllowedError,
    InvariantViolationError,
)
from chatsession.domain.events import EndReason
from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.invariants import invariant_violations
from chatsession.domain.outcome import Outcome
from chatsession.domain.session import FIELDS, ChatSession
from chatsession.domain.status import ACTIVE, ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.ports.errors import ConcurrencyError, RepositoryError
from chatsession.ports.stores import (
    ChatSessionPage,
    ChatSessionRepository,
    ChatSessionStore,
    OutboxRecord,
)
from chatsession.testing.contract.support import BoomError

S = ChatSessionStatus
START = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
EVERYTHING = 1_000_000  # a page size larger than any store a run builds
T = TypeVar("T")
BAD_IDS: tuple[Any, ...] = (0, -1, 2**31, True, "1", 1.5)


# --------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class Raised:
    """An operation raised ``kind``; ``detail`` is what the error carries."""

    kind: str
    detail: Any


def _detail(error: ChatSessionError) -> Any:
    if isinstance(error, ConcurrencyError):
        return (error.chat_session_id, error.expected_version, error.actual_version)
    if isinstance(error, InvariantViolationError):
        return (error.chat_session_id, error.violations)
    if isinstance(error, RepositoryError):  # messages name the SQLite file: not compared
        return getattr(error, "chat_session_id", None)
    if isinstance(error, CommandNotAllowedError):
        return (error.command, error.status, error.allowed, str(error))
    return str(error)


def attempt(call: Callable[[], Any]) -> Any:
    """``call()``, or a ``Raised`` for the ``ChatSessionError`` it raised.

    Anything else (a raw ``sqlite3`` error, a ``TypeError``) escapes and fails the test.
    """
    try:
        return call()
    except ChatSessionError as error:
        return Raised(type(error).__name__, _detail(error))


def _scalar(value: Any) -> Any:
    """A field value with its type (``True`` is not ``1``) and a datetime's UTC offset."""
    kind = type(value)
    if kind is datetime:
        return (kind, value, value.utcoffset())
    return (kind, value)


def _typed(values: tuple[Any, ...], times: Sequence[int]) -> Any:
    """``values``, their types and the UTC offsets of the datetimes at ``times``."""
    offsets = tuple(None if values[i] is None else values[i].utcoffset() for i in times)
    return (values, tuple(map(type, values)), offsets)


def shape(value: Any) -> Any:
    """``value`` as plain data that compares types and UTC offsets too."""
    if isinstance(value, ChatSession):
        return (
            ChatSession,
            _typed(_session_values(value), _SESSION_TIMES),
            value.transfer_state,
            shape(value.pending_events),
        )
    if isinstance(value, OutboxRecord):
        return (
            OutboxRecord,
            _typed(_record_values(value), _RECORD_TIMES),
            json.dumps(value.payload, sort_keys=True),  # JSON keeps True apart from 1
        )
    if isinstance(value, ChatSessionPage):
        return (ChatSessionPage, shape(value.items), value.next_after)
    if isinstance(value, dict):
        return (dict, tuple((k, shape(value[k])) for k in sorted(value)))
    if isinstance(value, list | tuple):
        return (type(value), tuple(map(shape, value)))
    if is_dataclass(value) and not isinstance(value, type):  # events, outcomes, Raised
        return (type(value), tuple(shape(getattr(value, f.name)) for f in fields(value)))
    return _scalar(value)


_session_values = attrgetter(*FIELDS)
_SESSION_TIMES = tuple(
    i for i, name in enumerate(FIELDS) if name.startswith("when_") or name.endswith("_at")
)
_RECORD_FIELDS = tuple(f.name for f in fields(OutboxRecord) if f.name != "payload")
_record_values = attrgetter(*_RECORD_FIELDS)
_RECORD_TIMES = tuple(i for i, name in enumerate(_RECORD_FIELDS) if name.endswith("_at"))


def same(memory: Any, sqlite: Any, what: str) -> None:
    """Assert that both adapters gave the same result for ``what``."""
    assert shape(memory) == shape(sqlite), (
        f"the adapters disagree on {what}:\n  memory: {memory!r}\n  sqlite: {sqlite!r}"
    )


def check_stale(
    saved: Any, stale: Any, first: ChatSession, loaded: int, session: ChatSession
) -> None:
    """After a save that stored, saving the other copy loaded at the same version conflicts.

    Unless that copy breaks an invariant: ``save`` checks those first. A save of a copy
    that did not change stores nothing (its version stays ``loaded``): no conflict then.
    """
    if isinstance(saved, Raised) or first.version == loaded:
        return
    expected = "InvariantViolationError" if invariant_violations(session) else "ConcurrencyError"
    assert isinstance(stale, Raised) and stale.kind == expected, stale


# ------------------------------------------------------------- the operations


@dataclass
class Ids:
    """The stored ids in id order, and those of the sessions in a live chat."""

    known: list[int] = field(default_factory=list)
    live: list[int] = field(default_factory=list)

    def copy(self) -> Ids:
        return Ids(list(self.known), list(self.live))


@dataclass(frozen=True)
class Known:
    """The ``index``-th stored id (modulo how many there are); 1 in an empty store.

    With ``live``, the ``index``-th of the sessions in a live chat (CustomerLast or
    UserLast), if there are any: where transfers and messages happen.
    """

    index: int
    live: bool = False

    def resolve(self, ids: Ids) -> int:
        pool = ids.live if self.live and ids.live else ids.known
        return pool[self.index % len(pool)] if pool else 1


@dataclass(frozen=True)
class Above:
    """The id ``step`` above the largest stored one: not stored, not drawn by ``next_id`` yet."""

    step: int

    def resolve(self, ids: Ids) -> int:
        return max(ids.known, default=0) + self.step


IdChoice = Any
"""A ``Known`` or ``Above`` id, any other int (maybe not stored), or a bad id."""


def resolve(choice: IdChoice, ids: Ids) -> Any:
    return choice.resolve(ids) if isinstance(choice, Known | Above) else choice


@dataclass(frozen=True)
class Request:
    """``ChatSession.request`` on a topic; then maybe a pick-up."""

    topic_id: int = 1
    prechat: bool = False
    faq: bool = False
    bot: bool = False
    agents: bool = True
    queue_length: int = 0
    customer: Customer | None = None
    pick_up_by: int | None = None

    @property
    def topic(self) -> ChatTopic:
        return ChatTopic(
            id=self.topic_id, use_prechat_form=self.prechat, use_faq=self.faq, bot_enabled=self.bot
        )

    def build(self, sid: int, clock: ManualClock) -> ChatSession:
        session = ChatSession.request(
            sid,
            self.topic,
            at=clock.now(),
            customer=self.customer if self.customer is not None else Customer(),
            agents_available=self.agents,
            queue_length=self.queue_length,
        )
        if self.pick_up_by is not None and session.status is S.InQueue and not self.bot:
            session.pick_up(by=self.pick_up_by, at=clock.now())
        return session


@dataclass(frozen=True)
class Command:
    """One domain command (or a direct change of a service field) with its arguments.

    An actor is a user id, ``"owner"`` (the handling user) or ``"target"`` (the transfer
    target), so that the commands meet the right associate often, and the wrong one too.
    """

    name: str
    args: tuple[tuple[str, Any], ...] = ()

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args)
        return f"Command.{self.name}({inner})"

    def apply(self, s: ChatSession, topic: ChatTopic, at: datetime) -> Outcome | None:
        """Run the command on ``s`` at ``at``."""
        a = dict(self.args)

        def actor(key: str = "by") -> Any:
            who = a[key]
            if who == "owner":
                return s.user_id if s.user_id is not None else 1
            if who == "target":
                return s.transfer_to if s.transfer_to is not None else 2
            return who

        n = self.name
        if n == "pick_up":
            return s.pick_up(by=actor(), at=at)
        if n == "post_customer_message":  # post_form: the topic passed, its post-chat form
            form = a.get("post_form")
            passed = None if form is None else topic.model_copy(update={"post_form_enabled": form})
            return s.post_customer_message(a["text"], topic=passed, at=at)
        if n == "post_user_message":
            return s.post_user_message(a["text"], by=actor(), at=at)
        if n == "post_bot_message":
            return s.post_bot_message(a["text"], at=at)
        if n == "transfer":
            return s.transfer(to=actor("to"), by=actor(), at=at)
        if n == "accept_transfer":
            return s.accept_transfer(by=actor(), at=at)
        if n == "reject_transfer":
            return s.reject_transfer(by=actor(), at=at)
        if n == "cancel_transfer":
            return s.cancel_transfer(by=actor(), at=at)
        if n == "expire_transfer":
            return s.expire_transfer(timedelta(minutes=a["minutes"]), at=at)
        if n == "end":
            return s.end(a["reason"], by=None if a["by"] is None else actor(), at=at)
        if n == "reset":
            by = None if a["by"] is None else actor()
            return s.reset(agents_available=a["agents"], by=by, at=at)
        if n == "submit_prechat_form":
            return s.submit_prechat_form(topic, agents_available=a["agents"], at=at)
        if n == "faq_not_helpful":
            return s.faq_not_helpful(agents_available=a["agents"], at=at)
        if n == "set_field":
            setattr(s, a["field"], a["value"])
            return None
        command: Callable[..., Outcome] = getattr(s, n)  # the commands without arguments
        return command(at=at)


# Every argument is drawn from a short list of values chosen to meet the rules (owners,
# targets, strangers; stored, unknown and bad ids; texts the store must keep as they are),
# and most operations are one draw from a precomputed list of them: drawing is most of
# what a step costs, and a list shrinks to its first, simplest, entry.


class _Entry:
    """``values[i]``, with a short repr: hypothesis shows strategies in its messages."""

    def __init__(self, values: Sequence[Any], label: str) -> None:
        self.values = values
        self.label = label

    def __call__(self, index: int) -> Any:
        return self.values[index]

    def __repr__(self) -> str:
        return f"<one of {len(self.values)} {self.label}>"


def pick(values: Sequence[T], label: str = "values") -> st.SearchStrategy[T]:
    """One of ``values``, as one draw; shrinks to the first (and keeps the repr short)."""
    return st.integers(0, len(values) - 1).map(_Entry(values, label))


def _every(name: str, kind: type[Any], **options: Sequence[Any]) -> st.SearchStrategy[Any]:
    """``kind(name, args)`` for every combination of ``options``, as one draw."""
    keys = list(options)
    combos = itertools.product(*options.values())
    return pick([kind(name, tuple(zip(keys, combo, strict=True))) for combo in combos], name)


ACTORS = ("owner", "target", 1, 2, 3, 4)
OWNER_MOSTLY = ("owner", "owner", "target", 1, 2)
TARGET_MOSTLY = ("target", "target", "owner", 1, 2)
# at the limit, NUL and emoji; then refused: over the limit, a lone surrogate, empty
TEXTS = ("hi", "é" * 1024, "a\x00b 🙂", "é" * 1025, "\ud800", "")
CHAT_COMMANDS: st.SearchStrategy[Command] = st.one_of(  # a live chat and its transfers
    _every("pick_up", Command, by=ACTORS),
    _every("post_customer_message", Command, text=TEXTS),
    _every("post_user_message", Command, text=TEXTS[:3], by=OWNER_MOSTLY),
    _every("transfer", Command, to=ACTORS[1:], by=OWNER_MOSTLY),
    _every("accept_transfer", Command, by=TARGET_MOSTLY),
    _every("reject_transfer", Command, by=TARGET_MOSTLY),
    _every("cancel_transfer", Command, by=OWNER_MOSTLY),
    _every("expire_transfer", Command, minutes=(0, 5, 30)),
    _every("end", Command, reason=list(EndReason), by=(None, None, *OWNER_MOSTLY)),
)
OTHER_COMMANDS: st.SearchStrategy[Command] = st.one_of(
    _every("post_customer_message", Command, text=TEXTS[:1], post_form=(True, False, None)),
    _every("customer_fetched", Command),
    _every("post_bot_message", Command, text=TEXTS),
    _every("reset", Command, agents=(True, False), by=(None, *ACTORS)),
    _every("submit_prechat_form", Command, agents=(True, False)),
    _every("faq_not_helpful", Command, agents=(True, False)),
    _every("faq_resolved", Command),
    _every("submit_offline_request", Command),
    _every("leave_queue", Command),
    _every("close", Command),
    _every("delete", Command),
    pick(  # the fields no command sets; some values break an invariant
        [
            Command("set_field", (("field", name), ("value", value)))
            for name, values in (
                ("alert_level", (2, -1, 2**31)),
                ("rank", (3, 0)),
                ("rating", (5, None)),
                ("flags", tuple(ChatSessionFlags)),
                ("project_id", (7, None, 0)),
                ("sale_id", (8,)),
                ("ticket_id", (9, 2**31)),
                ("customer_name", ("Zoë", "a\x00b", "\udfff")),
            )
            for value in values
        ],
        "set_field",
    ),
)
COMMANDS = st.one_of(CHAT_COMMANDS, CHAT_COMMANDS, OTHER_COMMANDS)
"""A command: those of a live chat twice as often as the rest (forms, ends, resets)."""
CUSTOMERS = (
    None,
    Customer(alias="ann", name="Ann Öberg", consented=True, person_id=7),
    Customer(name="a\x00b 🙂", email="x@example.com", phone="+47", host="h", contact_id=3),
)
ROUTES = (  # (pre-chat form, FAQ, chatbot): straight to the queue half of the time
    (False, False, False),
    (False, False, False),
    (False, False, False),
    (False, False, False),
    (True, False, False),
    (False, True, False),
    (False, False, True),
    (True, True, True),
)
REQUESTS: st.SearchStrategy[Request] = pick(
    [
        Request(topic, prechat, faq, bot, agents, queue_length, customer, pick_up_by)
        for topic in (1, 2, 3)
        for prechat, faq, bot in ROUTES
        for agents in (True, True, True, False)
        for pick_up_by in (None, 1, 2, 3)
        for customer in CUSTOMERS
        for queue_length in (0, 4)
    ],
    "requests",
)
KNOWN = st.integers(0, 7).map(Known)
LIVE = st.integers(0, 3).map(lambda i: Known(i, live=True))
ID_CHOICES: st.SearchStrategy[IdChoice] = st.one_of(
    LIVE,
    LIVE,
    KNOWN,
    st.one_of(st.integers(1, 2).map(Above), st.integers(1, 40), st.sampled_from(BAD_IDS)),
)
TOPIC_FILTERS = (None, 1, 2, 3, 4, 0, "1")
USER_FILTERS = (1, 2, 3, 4, 0, True)
STATUS_FILTERS = (
    None,
    S.InQueue,
    S.UserLast,
    S.Finished,
    (S.CustomerLast, S.UserLast),
    [S.InQueue, S.Deleted, S.OfflineForm],
    (),
    frozenset(S),
)
LIMITS = (1, 2, 5, 0)
AFTERS = (0, 1, 3, 7, 20, -1)
SEQUENCES = st.lists(st.sampled_from((1, 2, 3, 5, 8, 13, 21, 40, 0, -2, True)), max_size=4)


@dataclass(frozen=True)
class OutboxRead:
    """``outbox.read`` with these arguments."""

    after: int = 0
    limit: int | None = 100
    include_published: bool = False
    chat_session_id: IdChoice = None

    def run(self, repo: ChatSessionRepository, ids: Ids) -> Any:
        return attempt(
            lambda: repo.outbox.read(
                after=self.after,
                limit=self.limit,
                include_published=self.include_published,
                chat_session_id=resolve(self.chat_session_id, ids),
            )
        )


@dataclass(frozen=True)
class MarkPublished:
    """``outbox.mark_published`` of these sequences (``None``: every unpublished one)."""

    sequences: tuple[Any, ...] | None
    at: timedelta | None = None  # from the clock's now, in another offset
    offset_minutes: int = 0

    def run(self, repo: ChatSessionRepository, clock: ManualClock) -> Any:
        if self.sequences is None:
            wanted: list[Any] = [r.sequence for r in repo.outbox.read(limit=None)]
        else:
            wanted = list(self.sequences)
        at = None  # the repository's utc_now hook: the clock (see AdaptersAgree)
        if self.at is not None:
            zone = timezone(timedelta(minutes=self.offset_minutes))
            at = (clock.now() + self.at).astimezone(zone)
        return attempt(lambda: repo.outbox.mark_published(wanted, at=at))


@dataclass(frozen=True)
class Query:
    """One of the store's queries, with its arguments."""

    name: str
    args: tuple[tuple[str, Any], ...] = ()

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args)
        return f"Query.{self.name}({inner})"

    def run(self, store: ChatSessionStore) -> Any:
        a = dict(self.args)
        if self.name == "first_in_queue":
            return attempt(
                lambda: store.first_in_queue(a["topic_id"], include_bot_sessions=a["bots"])
            )
        if self.name == "count_in_queue":
            return attempt(lambda: store.count_in_queue(a["topic_id"]))
        if self.name == "active_sessions_of":
            return attempt(lambda: store.active_sessions_of(a["user_id"]))
        if self.name == "list_page":
            return attempt(lambda: store.list_page(**a))
        # page_through: every page of a listing, following next_after to the end
        pages: list[Any] = []
        after = 0
        while True:
            page = attempt(lambda start=after: store.list_page(after=start, **a))
            pages.append(page)
            if isinstance(page, Raised) or page.next_after is None:
                return pages
            assert page.next_after > after
            after = page.next_after


QUERIES: st.SearchStrategy[Query] = st.one_of(
    _every("first_in_queue", Query, topic_id=TOPIC_FILTERS, bots=(False, True)),
    _every("count_in_queue", Query, topic_id=TOPIC_FILTERS),
    _every("active_sessions_of", Query, user_id=USER_FILTERS),
    _every(
        "list_page",
        Query,
        after=AFTERS,
        limit=LIMITS,
        status=STATUS_FILTERS,
        topic_id=TOPIC_FILTERS[:5],
        user_id=(None, *USER_FILTERS[:5]),
    ),
    _every("page_through", Query, limit=(1, 2, 4), status=STATUS_FILTERS, topic_id=(None, 1, 2)),
)
OUTBOX_READS: st.SearchStrategy[OutboxRead] = pick(
    [
        OutboxRead(after, limit, include, chat_session_id)
        for after in AFTERS
        for limit in (None, *LIMITS)
        for include in (False, True)
        for chat_session_id in (None, Known(0), Known(1), 2, 999, 0)
    ],
    "outbox reads",
)
MARKS: st.SearchStrategy[MarkPublished] = st.builds(
    MarkPublished,
    sequences=st.none() | SEQUENCES.map(tuple),
    at=st.sampled_from((None, timedelta(0), timedelta(hours=1, microseconds=7))),
    offset_minutes=st.sampled_from((0, 330, -600)),
)


# -------------------------------------------------------- units of work


class Unit:
    """What one adapter's run of a unit of work sees, and the sessions it touched."""

    def __init__(
        self,
        repo: ChatSessionRepository,
        tx: ChatSessionStore,
        ids: Ids,
        topics: dict[int, ChatTopic],
    ) -> None:
        self.repo = repo
        self.tx = tx
        self.ids = ids  # the stored ids, and those this unit added
        self.topics = topics
        self.touched: list[ChatSession] = []

    def store(self, via_repo: bool) -> ChatSessionStore:
        """The unit of work, or the repository itself (which joins it)."""
        return self.repo if via_repo else self.tx


@dataclass(frozen=True)
class AddNew:
    """Draw an id and add a new session."""

    request: Request
    via_repo: bool = False

    def run(self, unit: Unit, clock: ManualClock) -> Any:
        store = unit.store(self.via_repo)
        sid = attempt(store.next_id)
        if isinstance(sid, Raised):
            return sid
        session = self.request.build(sid, clock)
        unit.touched.append(session)
        result = attempt(lambda: store.add(session))
        if not isinstance(result, Raised):
            unit.ids.known.append(sid)
            unit.topics[sid] = self.request.topic
        return (sid, result)


@dataclass(frozen=True)
class AddAt:
    """Add a new session with an id chosen here (maybe stored already, maybe bad)."""

    target: IdChoice
    request: Request
    via_repo: bool = False

    def run(self, unit: Unit, clock: ManualClock) -> Any:
        sid = resolve(self.target, unit.ids)
        session = attempt(lambda: self.request.build(sid, clock))
        if isinstance(session, Raised):
            return session
        unit.touched.append(session)
        result = attempt(lambda: unit.store(self.via_repo).add(session))
        if not isinstance(result, Raised):
            unit.ids.known.append(sid)
            unit.topics[sid] = self.request.topic
        return result


@dataclass(frozen=True)
class Change:
    """Load a session, then apply each command and save after each (several versions)."""

    target: IdChoice
    commands: tuple[Command, ...]
    via_repo: bool = False

    def run(self, unit: Unit, clock: ManualClock) -> Any:
        store = unit.store(self.via_repo)
        session = attempt(lambda: store.get(resolve(self.target, unit.ids)))
        if isinstance(session, Raised):
            return session
        unit.touched.append(session)
        topic = unit.topics.get(session.chat_session_id, ChatTopic(id=session.topic_id))
        trace: list[Any] = []
        for command in self.commands:
            trace.append(attempt(lambda c=command: c.apply(session, topic, clock.now())))
            trace.append(attempt(lambda: store.save(session)))
        return trace


@dataclass(frozen=True)
class StaleSave:
    """Load twice, save one, then the other (``ConcurrencyError``), and go on."""

    target: IdChoice

    def run(self, unit: Unit, clock: ManualClock) -> Any:
        sid = resolve(self.target, unit.ids)
        first = attempt(lambda: unit.tx.get(sid))
        if isinstance(first, Raised):
            return first
        second = unit.tx.get(sid)
        unit.touched += [first, second]
        loaded = first.version
        saved = attempt(lambda: unit.tx.save(first))
        stale = attempt(lambda: unit.tx.save(second))
        check_stale(saved, stale, first, loaded, second)
        return (saved, stale)


@dataclass(frozen=True)
class Read:
    """``outbox.read`` inside the unit of work."""

    read: OutboxRead

    def run(self, unit: Unit, clock: ManualClock) -> Any:
        return self.read.run(unit.repo, unit.ids)


@dataclass(frozen=True)
class Mark:
    """``outbox.mark_published`` inside the unit of work."""

    mark: MarkPublished

    def run(self, unit: Unit, clock: ManualClock) -> Any:
        return self.mark.run(unit.repo, clock)


@dataclass(frozen=True)
class Ask:
    """A query inside the unit of work (it sees its own writes)."""

    query: Query
    via_repo: bool = False

    def run(self, unit: Unit, clock: ManualClock) -> Any:
        return self.query.run(unit.store(self.via_repo))


Step = AddNew | AddAt | Change | StaleSave | Read | Mark | Ask
STEPS: st.SearchStrategy[Step] = st.one_of(
    st.builds(
        Change, ID_CHOICES, st.lists(COMMANDS, min_size=1, max_size=3).map(tuple), st.booleans()
    ),
    st.builds(AddNew, REQUESTS, st.booleans()),
    st.builds(Mark, MARKS),
    st.builds(Read, OUTBOX_READS),
    st.builds(Ask, QUERIES, st.booleans()),
    st.builds(StaleSave, ID_CHOICES),
    st.builds(AddAt, ID_CHOICES, REQUESTS, st.booleans()),
)


# ------------------------------------------------------------- the machine


def ids_of(listing: Sequence[ChatSession]) -> Ids:
    """The ids of a full listing, and of its sessions in a live chat."""
    return Ids(
        [s.chat_session_id for s in listing],
        [s.chat_session_id for s in listing if s.status in ACTIVE],
    )


@functools.cache
def empty_store() -> Path:
    """An empty SQLite store (schema migrated, closed), made once per test run.

    Each example copies it: opening a copy is about 3x faster than creating and
    migrating a new file, and the examples are many (the contract suite covers creating
    and migrating a file).
    """
    directory = tempfile.mkdtemp(prefix="chatsession-agree-empty-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = Path(directory) / "empty.sqlite3"
    SqliteChatSessionRepository(path, synchronous="NORMAL").close()
    return path


class AdaptersAgree(RuleBasedStateMachine):
    """The memory and the SQLite adapter, driven with the same operations."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.directory = tempfile.mkdtemp(prefix="chatsession-agree-")
        path = Path(self.directory) / "chat.sqlite3"
        shutil.copyfile(empty_store(), path)
        self.memory = InMemoryChatSessionRepository()
        self.sqlite = SqliteChatSessionRepository(path, synchronous="NORMAL")
        # mark_published without ``at`` reads the repository's utc_now hook: both read
        # the clock, so that they stamp the same time (the real one would differ).
        for repo in (self.memory, self.sqlite):
            repo.utc_now = self.clock.now  # type: ignore[method-assign]
        self.ids = Ids()
        self.topics: dict[int, ChatTopic] = {}
        self.dirty = False  # a rule that may have written since the stores were compared

    def teardown(self) -> None:
        # The file is deleted next: no fsync for the checkpoint that closing it runs.
        self.sqlite.connection().execute("PRAGMA synchronous = OFF")
        self.sqlite.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def both(self, what: str, call: Callable[[ChatSessionRepository], Any]) -> tuple[Any, Any]:
        """``call`` on the memory adapter, then on SQLite; both must give the same result."""
        memory = attempt(lambda: call(self.memory))
        sqlite = attempt(lambda: call(self.sqlite))
        same(memory, sqlite, what)
        return memory, sqlite

    def snapshot(self, repo: ChatSessionRepository) -> Any:
        """Everything stored: every session and every outbox record."""
        return (
            shape(repo.list_page(limit=EVERYTHING)),
            shape(repo.outbox.read(limit=None, include_published=True)),
        )

    # ------------------------------------------------------------- rules

    @initialize(requests=st.lists(REQUESTS, min_size=1, max_size=3))
    def some_sessions(self, requests: list[Request]) -> None:
        """Start with a few sessions, so that the first steps find some."""
        for request in requests:
            self.add_new_session(request)
        self.ids = ids_of(self.memory.list_page(limit=EVERYTHING).items)

    @rule(request=REQUESTS)
    def add_new_session(self, request: Request) -> None:
        """``next_id`` on both (the ids agree), then ``add`` of copies of one session."""
        self.dirty = True
        sid, _ = self.both("next_id()", lambda r: r.next_id())
        assert isinstance(sid, int)
        session = request.build(sid, self.clock)
        mine, theirs = session.copy(), session.copy()
        same(
            attempt(lambda: self.memory.add(mine)), attempt(lambda: self.sqlite.add(theirs)), "add"
        )
        same(mine, theirs, "the added session")
        self.topics[sid] = request.topic

    @rule(which=ID_CHOICES, request=REQUESTS)
    def add_at_an_id(self, which: IdChoice, request: Request) -> None:
        """``add`` with an id not drawn by ``next_id`` (stored already, larger, or bad)."""
        self.dirty = True
        sid = resolve(which, self.ids)
        session = attempt(lambda: request.build(sid, self.clock))
        if isinstance(session, Raised):
            return
        mine, theirs = session.copy(), session.copy()
        result, _ = self.both(
            f"add({sid!r})", lambda r: r.add(mine if r is self.memory else theirs)
        )
        same(mine, theirs, "the added session")
        if not isinstance(result, Raised):
            self.topics[sid] = request.topic

    @rule(which=ID_CHOICES)
    def get_session(self, which: IdChoice) -> None:
        """``get`` of a stored id, an unknown one or a bad one; then a careless caller.

        The caller changes the loaded session and never saves it: nothing stored may change.
        """
        sid = resolve(which, self.ids)
        for loaded in self.both(f"get({sid!r})", lambda r: r.get(sid)):
            if isinstance(loaded, ChatSession):
                loaded.customer_name = "changed, never saved"
                loaded.version += 7
                self.dirty = True

    @rule(
        which=ID_CHOICES,
        commands=st.lists(COMMANDS, min_size=1, max_size=2),
        save_anyway=st.booleans(),
    )
    def change(self, which: IdChoice, commands: list[Command], save_anyway: bool) -> None:
        """Load from both, apply the same commands to each copy, save if anything changed."""
        self.dirty = True
        sid = resolve(which, self.ids)
        mine, theirs = self.both(f"get({sid!r})", lambda r: r.get(sid))
        if isinstance(mine, Raised):
            return
        topic = self.topics.get(sid, ChatTopic(id=mine.topic_id))
        before = shape(mine)
        for command in commands:
            same(
                attempt(lambda c=command: c.apply(mine, topic, self.clock.now())),
                attempt(lambda c=command: c.apply(theirs, topic, self.clock.now())),
                repr(command),
            )
            same(mine, theirs, f"the session after {command!r}")
        if shape(mine) != before or save_anyway:
            same(
                attempt(lambda: self.memory.save(mine)),
                attempt(lambda: self.sqlite.save(theirs)),
                "save",
            )
            same(mine, theirs, "the saved session")

    @rule(which=LIVE, commands=st.lists(CHAT_COMMANDS, min_size=1, max_size=4))
    def chat(self, which: Known, commands: list[Command]) -> None:
        """``change`` of a session in a live chat, with the commands of a chat and transfers."""
        self.change(which, commands, save_anyway=False)

    @rule(which=ID_CHOICES, first=COMMANDS, second=COMMANDS)
    def stale_save(self, which: IdChoice, first: Command, second: Command) -> None:
        """Load twice, save one, then the other: the second save raises ``ConcurrencyError``."""
        self.dirty = True
        sid = resolve(which, self.ids)

        def race(repo: ChatSessionRepository) -> Any:
            one, two = repo.get(sid), repo.get(sid)
            loaded = one.version
            topic = self.topics.get(sid, ChatTopic(id=one.topic_id))
            trace = [attempt(lambda: first.apply(one, topic, self.clock.now()))]
            saved = attempt(lambda: repo.save(one))
            trace += [saved, attempt(lambda: second.apply(two, topic, self.clock.now()))]
            stale = attempt(lambda: repo.save(two))
            check_stale(saved, stale, one, loaded, two)
            return [*trace, stale, one, two]

        self.both(f"a stale save of {sid!r}", race)

    @rule(steps=st.lists(STEPS, min_size=1, max_size=5), roll_back=st.booleans())
    def unit_of_work(self, steps: list[Step], roll_back: bool) -> None:
        """Several steps in one unit of work that commits, or raises ``BoomError`` to roll back.

        Each step's errors are caught inside it (the unit of work goes on). Afterwards the
        sessions it touched must have the same versions and pending events on both, and
        a rolled-back unit of work must have stored nothing.
        """
        self.dirty = True
        same(
            self._run_unit(self.memory, steps, roll_back),
            self._run_unit(self.sqlite, steps, roll_back),
            f"the unit of work {steps!r}",
        )

    def _run_unit(self, repo: ChatSessionRepository, steps: list[Step], roll_back: bool) -> Any:
        """Run ``steps`` in a unit of work of ``repo``: what each gave, the end, the sessions."""
        before = self.snapshot(repo) if roll_back else None
        trace: list[Any] = []
        touched: list[ChatSession] = []
        topics = dict(self.topics)

        def work() -> str:
            with repo.transaction() as tx:
                unit = Unit(repo, tx, self.ids.copy(), topics)
                try:
                    for step in steps:
                        trace.append(step.run(unit, self.clock))
                finally:
                    touched.extend(unit.touched)
                if roll_back:
                    raise BoomError
            return "committed"

        try:
            outcome = attempt(work)
        except BoomError:
            outcome = "rolled back"
            assert self.snapshot(repo) == before, "a rolled-back unit of work stored something"
        if outcome == "committed":
            self.topics.update(topics)
        return (trace, outcome, touched)

    @rule(query=QUERIES)
    def ask(self, query: Query) -> None:
        """A query with random arguments (good and bad ones)."""
        self.both(repr(query), query.run)

    @rule(read=OUTBOX_READS)
    def read_outbox(self, read: OutboxRead) -> None:
        """``outbox.read`` with random arguments; then a careless reader.

        The reader empties the payloads it got: nothing stored may change.
        """
        for records in self.both(repr(read), lambda r: read.run(r, self.ids)):
            for record in records if isinstance(records, list) else ():
                if isinstance(record.payload, dict):
                    record.payload.clear()
                    self.dirty = True

    @rule(mark=MARKS)
    def mark_published(self, mark: MarkPublished) -> None:
        """``outbox.mark_published`` of random sequences, outside a unit of work."""
        self.dirty = True
        self.both(repr(mark), lambda r: mark.run(r, self.clock))

    @rule(step=st.integers(0, 2 * 86_400 * 10**6).map(lambda us: timedelta(microseconds=us)))
    def advance_clock(self, step: timedelta) -> None:
        """Time passes (the clock is shared: the commands on both adapters run at its time)."""
        self.clock.advance(step)

    @rule(
        offset=st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m))
        | st.sampled_from([timedelta(hours=5, minutes=30, seconds=15), timedelta(seconds=-1)])
    )
    def change_offset(self, offset: timedelta) -> None:
        """The same instant in another UTC offset: the commands record it in UTC on both."""
        self.clock.set(self.clock.now().astimezone(timezone(offset)))

    # ---------------------------------------------------------- invariant

    @invariant()
    def the_stores_agree(self) -> None:
        """Every stored session and every outbox record is the same on both.

        Checked after the rules that may write (the others only read, and would be caught
        by the next check anyway): the comparison is the costliest part of a step.
        """
        if not self.dirty:
            return
        self.dirty = False
        listing = self.memory.list_page(limit=EVERYTHING).items
        same(listing, self.sqlite.list_page(limit=EVERYTHING).items, "the stored sessions")
        records = self.memory.outbox.read(limit=None, include_published=True)
        same(records, self.sqlite.outbox.read(limit=None, include_published=True), "the outbox")
        times = [getattr(s, FIELDS[i]) for s in listing for i in _SESSION_TIMES]
        times += [t for r in records for t in (r.occurred_at, r.published_at)]
        assert all(t is None or t.utcoffset() == timedelta(0) for t in times), (
            "a recorded time is not in UTC"
        )
        self.ids = ids_of(listing)


# The loaded profile's examples (dev 200, CI 2,000) of up to 15 steps each: the CI run
# takes about 35 s on 2 cores. Longer runs (1,500 examples of 60 and 80 steps) found
# nothing that these do not.
AdaptersAgree.TestCase.settings = settings(settings.default, stateful_step_count=15)
TestAdaptersAgree = AdaptersAgree.TestCase
