"""The repository contract, run against both adapters the library ships."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from chatsession.adapters.memory import InMemoryChatSessionRepository
from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.ports.clock import Clock
from chatsession.testing.contract import ChatSessionRepositoryContract, RepositoryFactory


class TestInMemoryRepository(ChatSessionRepositoryContract):
    @pytest.fixture
    def repository_factory(self) -> RepositoryFactory:
        return lambda clock: InMemoryChatSessionRepository(clock=clock)


class TestSqliteRepository(ChatSessionRepositoryContract):
    @pytest.fixture
    def repository_factory(self, tmp_path: Path) -> RepositoryFactory:
        numbers = itertools.count()

        def make(clock: Clock) -> SqliteChatSessionRepository:
            return SqliteChatSessionRepository(tmp_path / f"chat-{next(numbers)}.db", clock=clock)

        return make
