"""A session rebuilt from its events equals the stored one, field for field, on every adapter."""

import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatsession import (
    ChatSession,
    ChatSessionError,
    ChatSessionRepository,
    ChatTopic,
    EndReason,
    InMemoryChatSessionRepository,
    InvalidArgumentError,
    SqliteChatSessionRepository,
)
from chatsession.domain.replay import replay
from chatsession.entrypoints import cli
from chatsession.service.verify import rebuilt, verify_store
from chatsession.testing.strategies import sessions

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
COMMANDS: list[Callable[[ChatSession, datetime], Any]] = [
    lambda s, at: s.post_customer_message("more", at=at),
    lambda s, at: s.post_user_message("answer", by=s.user_id or 7, at=at),
    lambda s, at: s.transfer(to=8, by=s.user_id or 7, at=at),
    lambda s, at: s.accept_transfer(by=8, at=at),
    lambda s, at: s.reject_transfer(by=8, at=at),
    lambda s, at: s.end(EndReason.BY_CUSTOMER, at=at),
    lambda s, at: s.post_customer_message(
        "back", topic=ChatTopic(id=s.topic_id, post_form_enabled=True), at=at
    ),
    lambda s, at: s.reset(at=at),
    lambda s, at: s.customer_fetched(at=at),
    lambda s, at: s.close(at=at),
]


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def repository(request: pytest.FixtureRequest) -> Iterator[ChatSessionRepository]:
    if request.param == "memory":
        yield InMemoryChatSessionRepository()
        return
    with SqliteChatSessionRepository(
        Path(tempfile.mkdtemp()) / "replay.db", synchronous="NORMAL"
    ) as repo:
        yield repo


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_fold_of_the_outbox_is_the_stored_session(
    repository: ChatSessionRepository, data: st.DataObject
) -> None:
    # service_fields=False: fields set directly, not by a command, are in no event
    session = data.draw(sessions(chat_session_id=repository.next_id(), service_fields=False))
    repository.add(session)
    steps = data.draw(st.lists(st.sampled_from(range(len(COMMANDS))), max_size=12))
    at = max(session.when_requested, AT)
    for step in steps:
        at += timedelta(seconds=data.draw(st.integers(0, 3600)))
        loaded = repository.get(session.chat_session_id)
        try:
            changed = COMMANDS[step](loaded, at).changed
        except ChatSessionError:
            continue
        if changed:
            repository.save(loaded)
    stored = repository.get(session.chat_session_id)
    again = rebuilt(repository, session.chat_session_id)
    assert again == stored  # every field, version included
    assert again.to_dict() == stored.to_dict()


def test_replay_refuses_a_history_that_does_not_start_with_the_request() -> None:
    session = ChatSession.request(1, ChatTopic(id=1), at=AT)
    session.pick_up(by=7, at=AT)
    events = session.pull_events()
    with pytest.raises(InvalidArgumentError, match="start with SessionRequested"):
        replay(events[1:])
    with pytest.raises(InvalidArgumentError, match="no events"):
        replay([])


def test_verify_reports_a_session_its_events_do_not_describe(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    assert cli.main(["--db", str(path), "demo"]) == 0
    assert cli.main(["--db", str(path), "verify"]) == 0
    with SqliteChatSessionRepository(path) as repo:
        assert verify_store(repo) == []
        repo.connection().execute("UPDATE chat_session SET rank = 3 WHERE id = 1")
        [mismatch] = verify_store(repo)
        assert mismatch.fields == ("rank",) and "rank" in str(mismatch)
    assert cli.main(["--db", str(path), "verify"]) == 6
