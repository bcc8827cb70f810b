from datetime import timedelta

import pytest
from actors import ALICE, BOB, T0

from chatsession import ChatSession, ChatTopic, ManualClock


@pytest.fixture
def clock() -> ManualClock:
    """The time the tests pass to commands (``at=clock.now()``); starts at ``T0``."""
    return ManualClock(T0)


@pytest.fixture
def topic() -> ChatTopic:
    return ChatTopic(id=3)


@pytest.fixture
def queued(clock: ManualClock, topic: ChatTopic) -> ChatSession:
    session = ChatSession.request(1, topic, at=clock.now())
    session.pull_events()
    clock.advance(timedelta(seconds=10))
    return session


@pytest.fixture
def active(queued: ChatSession, clock: ManualClock) -> ChatSession:
    queued.pick_up(by=ALICE, at=clock.now())
    queued.pull_events()
    clock.advance(timedelta(seconds=10))
    return queued


@pytest.fixture
def transferring(active: ChatSession, clock: ManualClock) -> ChatSession:
    active.transfer(to=BOB, by=ALICE, at=clock.now())
    active.pull_events()
    clock.advance(timedelta(seconds=10))
    return active
