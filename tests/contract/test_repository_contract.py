"""The repository contract, run against both adapters the library ships."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from chatsession.adapters.clock import ManualClock
from chatsession.adapters.memory import InMemoryChatSessionRepository
from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.ports.clock import Clock
from chatsession.ports.repository import ChatSessionRepository
from chatsession.testing.contract import ChatSessionRepositoryContract, RepositoryFactory
from chatsession.testing.contract.support import BoomError, request


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


class TestInMemoryRepository(ChatSessionRepositoryContract, LibraryAdapterBehaviour):
    @pytest.fixture
    def repository_factory(self) -> RepositoryFactory:
        return lambda clock: InMemoryChatSessionRepository(clock=clock)


class TestSqliteRepository(ChatSessionRepositoryContract, LibraryAdapterBehaviour):
    @pytest.fixture
    def repository_factory(self, tmp_path: Path) -> RepositoryFactory:
        numbers = itertools.count()

        def make(clock: Clock) -> SqliteChatSessionRepository:
            return SqliteChatSessionRepository(tmp_path / f"chat-{next(numbers)}.db", clock=clock)

        return make
