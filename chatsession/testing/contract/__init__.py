"""The repository contract: one pytest suite every ``ChatSessionRepository`` adapter passes.

An adapter runs it by subclassing ``ChatSessionRepositoryContract`` in a test module
(the class name must start with ``Test`` for pytest to collect it) and overriding the
``repository_factory`` fixture: a callable that takes no argument and returns a new,
empty repository each time it is called::

    import itertools
    import pytest
    from chatsession.testing.contract import ChatSessionRepositoryContract

    class TestMyRepository(ChatSessionRepositoryContract):
        @pytest.fixture
        def repository_factory(self, tmp_path):
            n = itertools.count()
            return lambda: MyRepository(tmp_path / f"{next(n)}.db")

A repository holds no clock: the tests take the time of every command (``at=``) from
the ``clock`` fixture, a ``ManualClock`` they move. The suite needs ``pytest`` and
``hypothesis`` (the ``dev`` extra). Repositories with a ``close()`` method are closed
after each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatsession.adapters.clock import ManualClock
from chatsession.ports.stores import ChatSessionRepository
from chatsession.testing.contract.accounts import AccountContract
from chatsession.testing.contract.arguments import ArgumentContract
from chatsession.testing.contract.messages import MessageContract
from chatsession.testing.contract.outbox import OutboxContract
from chatsession.testing.contract.queries import QueryContract
from chatsession.testing.contract.storage import StorageContract
from chatsession.testing.contract.support import START, RepositoryFactory
from chatsession.testing.contract.topics import TopicContract
from chatsession.testing.contract.unit_of_work import UnitOfWorkContract

__all__ = ["ChatSessionRepositoryContract", "RepositoryFactory"]


class ChatSessionRepositoryContract(
    StorageContract,
    OutboxContract,
    UnitOfWorkContract,
    QueryContract,
    ArgumentContract,
    TopicContract,
    MessageContract,
    AccountContract,
):
    """The behaviour every chat-session repository adapter must have.

    Override the ``repository_factory`` fixture; optionally ``clock``.
    """

    @pytest.fixture
    def clock(self) -> ManualClock:
        """Where the tests take the time of the commands they run (``at=``); they move it."""
        return ManualClock(START)

    @pytest.fixture
    def repository_factory(self) -> RepositoryFactory:
        """Override: return a callable (no arguments) making a new, empty repository."""
        pytest.fail("override the repository_factory fixture to run the contract suite")

    @pytest.fixture
    def repository(self, repository_factory: RepositoryFactory) -> Iterator[ChatSessionRepository]:
        """A new, empty repository; closed afterwards if it can be."""
        repo = repository_factory()
        yield repo
        close = getattr(repo, "close", None)
        if callable(close):
            close()
