"""Issues 15.5, 15.7 and 15.8: the stores guard more than (id, version)."""

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chatsession import (
    ChatSession,
    ChatSessionRepository,
    ChatSessionStatus,
    ChatTopic,
    ConcurrencyError,
    IdSpaceExhaustedError,
    InMemoryChatSessionRepository,
    InvalidArgumentError,
    InvariantViolationError,
    SqliteChatSessionRepository,
    TransactionError,
)

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
INT32_MAX = 2**31 - 1


@pytest.fixture(params=["memory", "sqlite"])
def make_repo(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], ChatSessionRepository]]:
    made: list[SqliteChatSessionRepository] = []

    def make() -> ChatSessionRepository:
        if request.param == "memory":
            return InMemoryChatSessionRepository()
        repo = SqliteChatSessionRepository(tmp_path / f"{len(made)}.db", synchronous="NORMAL")
        made.append(repo)
        return repo

    yield make
    for repo in made:
        repo.close()


def test_after_the_largest_id_next_id_says_the_ids_are_exhausted(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    repo.add(ChatSession.request(INT32_MAX, ChatTopic(id=1), at=AT))
    with pytest.raises(IdSpaceExhaustedError, match="no chat-session id is left"):
        repo.next_id()


def test_a_request_with_a_bad_id_does_not_call_it_an_associate_id() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        ChatSession.request(2**31, ChatTopic(id=1), at=AT)
    assert "associate" not in str(caught.value) and "chat_session_id" in str(caught.value)


def test_add_takes_only_a_new_session(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    session = ChatSession.request(1, ChatTopic(id=1), at=AT)
    session.version = 5
    with pytest.raises(InvalidArgumentError, match="version 0"):
        repo.add(session)
    for bad in (None, "session", 1):
        with pytest.raises(InvalidArgumentError):
            repo.add(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError):
            repo.save(bad)  # type: ignore[arg-type]


def test_saving_an_unchanged_session_stores_nothing(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    repo.add(ChatSession.request(1, ChatTopic(id=1), at=AT))
    loaded = repo.get(1)
    records = repo.outbox.read(limit=None)
    repo.save(loaded)
    assert loaded.version == 1 and repo.get(1).version == 1
    assert repo.outbox.read(limit=None) == records


def test_a_deleted_session_assigned_directly_cannot_be_saved_undeleted(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    session = ChatSession.request(1, ChatTopic(id=1), at=AT)
    session.delete(at=AT)
    repo.add(session)
    loaded = repo.get(1)
    loaded.status = ChatSessionStatus.Closed
    with pytest.raises(InvariantViolationError, match="Deleted session changed"):
        repo.save(loaded)
    assert repo.get(1).status is ChatSessionStatus.Deleted


def test_a_session_of_another_store_does_not_overwrite_this_one(make_repo) -> None:  # type: ignore[no-untyped-def]
    here, there = make_repo(), make_repo()
    here.add(ChatSession.request(1, ChatTopic(id=1), at=AT, session_key="here"))
    there.add(ChatSession.request(1, ChatTopic(id=2), at=AT, session_key="there"))
    stranger = there.get(1)
    stranger.pick_up(by=7, at=AT)
    with pytest.raises(InvalidArgumentError, match="not the stored session"):
        here.save(stranger)
    assert here.get(1).topic_id == 1


def test_one_session_object_saved_from_two_threads_writes_its_events_once(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    for trial in range(30):
        sid = repo.next_id()
        repo.add(ChatSession.request(sid, ChatTopic(id=1), at=AT))
        shared = repo.get(sid)
        shared.pick_up(by=7, at=AT)
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def save(
            shared: ChatSession = shared,
            barrier: threading.Barrier = barrier,
            errors: list[BaseException] = errors,
        ) -> None:
            barrier.wait()
            try:
                repo.save(shared)
            except (ConcurrencyError, TransactionError) as error:
                errors.append(error)

        threads = [threading.Thread(target=save) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        names = [r.event_name for r in repo.outbox.read(chat_session_id=sid, limit=None)]
        assert names == ["SessionRequested", "SessionPickedUp"], (trial, names, errors)
        assert repo.get(sid).version == 2
