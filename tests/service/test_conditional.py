"""Conditional commands: a command held to a version never applies to another one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from chatsession import ChatAgent, ChatTopic, InMemoryChatSessionRepository, ManualClock
from chatsession.domain.session import ChatSession
from chatsession.ports.errors import ConcurrencyError
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service.conditional import expecting_version
from chatsession.service.errors import PreconditionFailedError

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _picked_up() -> tuple[ChatSessionRepository, int]:
    repository = InMemoryChatSessionRepository()
    agent = ChatAgent(repository, clock=ManualClock(START))
    sid = agent.create_session(ChatTopic(id=1)).entity.chat_session_id
    assert sid is not None
    agent.pick_up(sid, by=7)
    return repository, sid


def test_a_command_at_the_expected_version_runs() -> None:
    repository, sid = _picked_up()
    agent = ChatAgent(expecting_version(repository, sid, 2), clock=ManualClock(START))
    reply = agent.transfer(sid, to=8, by=7)
    assert reply.changed and reply.version == 3


def test_a_command_at_another_version_is_refused_and_nothing_is_written() -> None:
    repository, sid = _picked_up()
    agent = ChatAgent(expecting_version(repository, sid, frozenset({1, 3})),
                      clock=ManualClock(START))
    with pytest.raises(PreconditionFailedError) as refused:
        agent.transfer(sid, to=8, by=7)
    assert refused.value.code == "precondition_failed" and refused.value.http_status == 412
    assert refused.value.actual == 2 and "1 or 3" in str(refused.value)
    assert repository.get(sid).version == 2 and repository.get(sid).transfer_to is None


class _LosesOneRace:
    """A repository whose first save loses a race: another writer commits right after."""

    def __init__(self, inner: ChatSessionRepository, other_write: Callable[[], object]) -> None:
        self._inner, self._other_write, self.lost = inner, other_write, False

    @contextmanager
    def transaction(self) -> Iterator[object]:
        try:
            with self._inner.transaction() as tx:
                yield _SaveLoses(tx, self)
        finally:
            if self.lost and self._other_write is not None:
                write, self._other_write = self._other_write, None  # type: ignore[assignment]
                write()

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


class _SaveLoses:
    def __init__(self, tx: object, race: _LosesOneRace) -> None:
        self._tx, self._race = tx, race

    def save(self, session: ChatSession) -> None:
        if not self._race.lost:
            self._race.lost = True
            raise ConcurrencyError(session.chat_session_id, session.version, session.version + 1)
        self._tx.save(session)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._tx, name)


def test_a_lost_race_is_retried_on_the_new_version_and_then_refused() -> None:
    repository, sid = _picked_up()
    clock = ManualClock(START)
    other = ChatAgent(repository, clock=clock)
    racing = _LosesOneRace(repository, lambda: other.add_user_message(sid, "one moment", by=7))
    guarded = ChatAgent(expecting_version(racing, sid, 2), clock=clock)  # type: ignore[arg-type]
    with pytest.raises(PreconditionFailedError) as refused:
        guarded.transfer(sid, to=8, by=7)
    assert racing.lost and refused.value.actual == 3
    stored = repository.get(sid)
    assert stored.transfer_to is None and stored.version == 3  # nothing of the guarded command
