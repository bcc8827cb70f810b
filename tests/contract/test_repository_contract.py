"""The repository contract, run against both adapters the library ships."""

from __future__ import annotations

import itertools
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from chatsession.adapters.clock import ManualClock
from chatsession.adapters.memory import InMemoryChatSessionRepository
from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.domain.topic import ChatTopic
from chatsession.ports.stores import ChatSessionRepository
from chatsession.testing.contract import ChatSessionRepositoryContract, RepositoryFactory
from chatsession.testing.contract.support import BoomError, all_records, request, stored


class LibraryAdapterBehaviour:
    """Where the port leaves a choice, the library's two adapters make the same one."""

    def test_an_id_drawn_in_a_rolled_back_unit_of_work_is_handed_out_again(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Both release the ids a rolled-back unit of work drew, and only those."""
        kept = repository.next_id()
        with pytest.raises(BoomError), repository.transaction() as tx:
            drawn = [tx.next_id(), repository.next_id()]
            tx.add(request(repository, clock))
            raise BoomError
        assert drawn == [kept + 1, kept + 2]
        assert [repository.next_id(), repository.next_id()] == drawn
        with repository.transaction() as tx:
            committed = tx.next_id()
        assert committed == drawn[-1] + 1
        assert repository.next_id() == committed + 1

    def test_a_topic_id_drawn_in_a_rolled_back_unit_of_work_is_handed_out_again(
        self, repository: ChatSessionRepository
    ) -> None:
        """Topic ids are drawn like session ids: a rollback releases them, and only them."""
        kept = repository.next_topic_id()
        with pytest.raises(BoomError), repository.transaction() as tx:
            drawn = tx.next_topic_id()
            tx.add_topic(ChatTopic(id=drawn))
            raise BoomError
        assert drawn == kept + 1
        assert repository.next_topic_id() == drawn
        assert repository.list_topics() == []

    def test_published_at_is_stored_in_utc(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``mark_published(at=)`` in any UTC offset stores the same instant, in UTC."""
        stored(repository, clock)
        at = clock.now().astimezone(timezone(timedelta(hours=-7, minutes=-30)))
        assert repository.outbox.mark_published([1], at=at) == 1
        [record] = all_records(repository)
        assert record.published_at == at
        assert record.published_at is not None
        assert record.published_at.utcoffset() == timedelta(0)


class TestInMemoryRepository(ChatSessionRepositoryContract, LibraryAdapterBehaviour):
    @pytest.fixture
    def repository_factory(self) -> RepositoryFactory:
        return InMemoryChatSessionRepository


class TestSqliteRepository(ChatSessionRepositoryContract, LibraryAdapterBehaviour):
    @pytest.fixture
    def repository_factory(self, tmp_path: Path) -> RepositoryFactory:
        numbers = itertools.count()
        return lambda: SqliteChatSessionRepository(tmp_path / f"chat-{next(numbers)}.db")
