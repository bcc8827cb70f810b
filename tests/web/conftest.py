"""Fixtures of the REST face's tests: a live ``chatsession serve`` on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from live_server import LiveServer, seed
from web_support import START, seed_repository

from chatsession import InMemoryChatSessionRepository, ManualClock
from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.ports.stores import ChatSessionRepository
from chatsession.web import create_app


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file seeded through the CLI once; each live server serves a copy."""
    db = tmp_path_factory.mktemp("seeded") / "chat.sqlite3"
    seed(db)
    return db


@pytest.fixture
def live_server(tmp_path: Path, seeded_db: Path) -> Iterator[LiveServer]:
    """A served copy of the seeded SQLite file; stopped after the test."""
    server = LiveServer.start(tmp_path, seeded_db)
    yield server
    server.stop()


# ------------------------------------------------------------------ in-process app


@pytest.fixture(params=["memory", "sqlite"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChatSessionRepository]:
    """A seeded repository of each embedded kind."""
    if request.param == "memory":
        found: ChatSessionRepository = InMemoryChatSessionRepository()
        seed_repository(found)
        yield found
        return
    sqlite = SqliteChatSessionRepository(tmp_path / "chat.sqlite3")
    seed_repository(sqlite)
    with sqlite:
        yield sqlite


@pytest.fixture
def clock() -> ManualClock:
    """The app's clock."""
    return ManualClock(START)


@pytest.fixture
def client(repository: ChatSessionRepository, clock: ManualClock) -> Iterator[TestClient]:
    """The app over the seeded repository, in process."""
    with TestClient(create_app(repository, clock=clock)) as test_client:
        yield test_client
