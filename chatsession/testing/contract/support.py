"""What the contract tests share: the clock start, builders, the hypothesis settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, settings

from chatsession.adapters.event_codec import decode_event
from chatsession.domain.events import ChatSessionEvent
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.ports.clock import Clock
from chatsession.ports.stores import ChatSessionRepository, OutboxRecord

S = ChatSessionStatus
RepositoryFactory = Callable[[], ChatSessionRepository]
"""Makes a new, empty repository (each call its own store)."""

START = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
TIME_FIELDS = (
    "when_requested",
    "when_started",
    "when_ended",
    "when_idle",
    "when_fetched",
    "transfer_requested_at",
)
STORE_EXAMPLES_CAP = 500
"""The most examples a contract property runs per adapter: each one writes to a real store
(a file, a server), so a profile's thousands are spent on the pure properties instead."""
# The repository fixture is shared by the examples on purpose (ids come from next_id()),
# and every adapter's subclass runs the same test function: both checks do not apply.
PROPERTY_SETTINGS = settings(
    max_examples=min(settings().max_examples, STORE_EXAMPLES_CAP),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
)


class BoomError(Exception):
    """Raised inside a unit of work to make it roll back."""


def request(
    repo: ChatSessionRepository,
    clock: Clock,
    *,
    topic_id: int = 1,
    bot: bool = False,
    agents_available: bool = True,
) -> ChatSession:
    """A new session from ``repo.next_id()``, requested at ``clock.now()``.

    InQueue (or OfflineForm without agents).
    """
    topic = ChatTopic(id=topic_id, bot_enabled=bot)
    return ChatSession.request(
        repo.next_id(), topic, at=clock.now(), agents_available=agents_available
    )


def stored(
    repo: ChatSessionRepository,
    clock: Clock,
    *,
    topic_id: int = 1,
    user: int | None = None,
    bot: bool = False,
) -> ChatSession:
    """A session added to ``repo`` (picked up by ``user`` first if given), reloaded.

    Every time it records is ``clock.now()``.
    """
    session = request(repo, clock, topic_id=topic_id, bot=bot)
    if user is not None:
        session.pick_up(by=user, at=clock.now())
    repo.add(session)
    return repo.get(session.chat_session_id)


def all_records(repo: ChatSessionRepository) -> list[OutboxRecord]:
    """Every outbox record, published or not, in sequence order."""
    return repo.outbox.read(limit=None, include_published=True)


def decoded(records: list[OutboxRecord]) -> list[ChatSessionEvent]:
    """The events of ``records``."""
    return [decode_event(r.event_name, r.payload) for r in records]
