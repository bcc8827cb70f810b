"""SaveChatSessionEntity and CreateDefaultChatSessionEntity through ChatAgent, on every store.

The memory and SQLite stores always; PostgreSQL when ``CHATSESSION_PG_DSN`` names a
server (in a schema of its own, dropped afterwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chatsession import (
    ChatSessionStatus,
    ChatTopic,
    InMemoryChatSessionRepository,
    InvariantViolationError,
    ManualClock,
    NoOpReason,
    SqliteChatSessionRepository,
)
from chatsession.domain.errors import InvalidArgumentError
from chatsession.ports.errors import ChatSessionNotFoundError, ConcurrencyError
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service import ChatAgent
from chatsession.service.verify import rebuilt, verify_store
from chatsession.wire import Associate, ChatSessionEntity, apply_patch

S = ChatSessionStatus
ALICE, BOB = 7, 8
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PG_DSN = os.environ.get("CHATSESSION_PG_DSN", "").strip()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChatSessionRepository]:
    if request.param == "memory":
        yield InMemoryChatSessionRepository()
    elif request.param == "sqlite":
        with SqliteChatSessionRepository(tmp_path / "save.db") as sqlite:
            yield sqlite
    else:
        if not PG_DSN:
            pytest.skip("CHATSESSION_PG_DSN is not set: no PostgreSQL server")
        psycopg = pytest.importorskip("psycopg")
        from chatsession.adapters.postgres.repository import PostgresChatSessionRepository

        schema = f"cs_test_{uuid.uuid4().hex[:16]}"
        pg = PostgresChatSessionRepository(PG_DSN, schema=schema, pool_size=2)
        try:
            yield pg
        finally:
            pg.close()
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def agent(repo: ChatSessionRepository, clock: ManualClock) -> ChatAgent:
    return ChatAgent(repo, clock=clock)


def event_names(repo: ChatSessionRepository, sid: int) -> list[str]:
    return [r.event_name for r in repo.outbox.read(chat_session_id=sid, limit=None)]


def live_chat(agent: ChatAgent, clock: ManualClock) -> int:
    """A session picked up by ALICE; the clock moved on."""
    sid = agent.create_session(ChatTopic(id=3)).entity.chat_session_id
    assert sid is not None
    agent.pick_up(sid, by=ALICE)
    clock.advance(timedelta(minutes=1))
    return sid


def edited(agent: ChatAgent, sid: int, **changes: Any) -> ChatSessionEntity:
    """The stored entity with ``changes`` (attribute names) made."""
    return agent.get_session_entity(sid).model_copy(update=changes)


# ------------------------------------------------------------------- default


def test_the_default_entity_is_a_new_request_now(agent: ChatAgent) -> None:
    default = agent.default_entity()
    assert default.chat_session_id == 0 and default.topic_id == 0
    assert default.status is S.InQueue
    assert default.when_requested == T0
    assert default.session_key is None and "SessionKey" not in default.to_wire()
    assert default.user is None and default.when_started is None
    assert (default.initial_queue_pos, default.alert_level, default.rank) == (0, 0, 0)
    assert default.customer_name == "" and default.chatbot_is_active is False


# -------------------------------------------------------------------- create


def test_an_entity_with_id_0_is_created_with_a_new_id_and_key(
    agent: ChatAgent, repo: ChatSessionRepository
) -> None:
    first = agent.create_session(ChatTopic(id=3)).entity.chat_session_id
    entity = agent.default_entity().model_copy(update={"topic_id": 3, "customer_name": "Ann"})
    reply = agent.save_entity(entity, by=ALICE)
    assert reply.changed and reply.version == 1
    sid = reply.entity.chat_session_id
    assert sid is not None and first is not None and sid > first
    stored = repo.get(sid)
    assert stored.customer_name == "Ann" and stored.status is S.InQueue
    assert stored.session_key and stored.when_requested == T0
    assert stored.initial_queue_pos == 2  # one session was waiting on the topic
    assert event_names(repo, sid) == ["SessionRequested"]
    assert rebuilt(repo, sid) == stored


def test_a_created_entity_without_an_id_keeps_its_key_and_values(
    agent: ChatAgent, repo: ChatSessionRepository
) -> None:
    when = T0 - timedelta(hours=1)
    entity = ChatSessionEntity.from_wire({
        "TopicId": 4, "Status": "Finished", "SessionKey": "my-key",
        "WhenRequested": when.isoformat(), "WhenEnded": T0.isoformat(),
    })
    sid = agent.save_entity(entity).entity.chat_session_id
    assert sid is not None
    stored = repo.get(sid)
    assert stored.session_key == "my-key" and stored.status is S.Finished
    assert stored.when_requested == when and stored.when_ended == T0


def test_a_created_entity_that_breaks_an_invariant_stores_nothing(
    agent: ChatAgent, repo: ChatSessionRepository
) -> None:
    no_topic = agent.default_entity()  # TopicId 0
    with pytest.raises(InvariantViolationError, match="topic_id"):
        agent.save_entity(no_topic)
    ended = agent.default_entity().model_copy(update={"topic_id": 3, "status": S.Closed})
    with pytest.raises(InvariantViolationError, match="when_ended is not set"):
        agent.save_entity(ended)
    assert list(repo.list_page(after=0, limit=10)) == []


# -------------------------------------------------------------------- update


def test_an_update_records_one_event_with_exactly_the_changed_fields(
    agent: ChatAgent, repo: ChatSessionRepository, clock: ManualClock
) -> None:
    sid = live_chat(agent, clock)
    before = repo.get(sid)
    entity = edited(agent, sid, customer_name="Ann", customer_email="ann@example.com",
                    status=S.CustomerLast)
    reply = agent.save_entity(entity, by=ALICE, expected_version=before.version)
    assert reply.changed and reply.version == before.version + 1
    stored = repo.get(sid)
    assert (stored.customer_name, stored.status) == ("Ann", S.CustomerLast)
    assert stored.session_key == before.session_key
    [record] = repo.outbox.read(chat_session_id=sid, limit=None)[-1:]
    assert record.event_name == "SessionAmended" and record.version == before.version + 1
    assert set(record.payload["changes"]) == {"customer_name", "customer_email", "status"}
    assert record.payload["by"] == ALICE
    assert record.occurred_at == clock.now()


def test_an_unchanged_entity_is_a_no_op(
    agent: ChatAgent, repo: ChatSessionRepository, clock: ManualClock
) -> None:
    sid = live_chat(agent, clock)
    before, events = repo.get(sid), event_names(repo, sid)
    reply = agent.save_entity(agent.get_session_entity(sid))
    assert not reply.changed and reply.outcome.reason is NoOpReason.NOTHING_TO_CHANGE
    assert reply.version == before.version
    assert repo.get(sid) == before and event_names(repo, sid) == events
    # a round trip through JSON changes nothing either (times, enums, carriers)
    again = ChatSessionEntity.from_wire(agent.get_session_entity(sid).to_wire())
    assert not agent.save_entity(again).changed


def test_the_session_key_of_a_stored_session_is_kept(
    agent: ChatAgent, repo: ChatSessionRepository, clock: ManualClock
) -> None:
    sid = live_chat(agent, clock)
    key = repo.get(sid).session_key
    assert not agent.save_entity(edited(agent, sid, session_key="stolen")).changed
    assert not agent.save_entity(edited(agent, sid, session_key=None)).changed
    assert repo.get(sid).session_key == key


def test_a_transfer_set_by_a_save_starts_its_timer(
    agent: ChatAgent, repo: ChatSessionRepository, clock: ManualClock
) -> None:
    sid = live_chat(agent, clock)
    agent.save_entity(edited(agent, sid, transfer_to=Associate(associate_id=BOB)))
    stored = repo.get(sid)
    assert stored.transfer_to == BOB and stored.transfer_pending
    assert stored.transfer_requested_at == clock.now()
    agent.save_entity(edited(agent, sid, transfer_to=None))
    stored = repo.get(sid)
    assert stored.transfer_to is None and stored.transfer_requested_at is None


def test_an_update_that_breaks_an_invariant_is_refused_and_nothing_is_stored(
    agent: ChatAgent, repo: ChatSessionRepository, clock: ManualClock
) -> None:
    sid = live_chat(agent, clock)
    before, events = repo.get(sid), event_names(repo, sid)
    with pytest.raises(InvariantViolationError, match="when_ended is not set"):
        agent.save_entity(edited(agent, sid, status=S.Finished))
    with pytest.raises(InvariantViolationError, match="no user handles it"):
        agent.save_entity(edited(agent, sid, user=None))
    with pytest.raises(InvariantViolationError, match="first_message changed"):
        agent.save_entity(edited(agent, sid, first_message="hi", last_message="hi"))
        agent.save_entity(edited(agent, sid, first_message="other"))
    assert event_names(repo, sid)[-1] == "SessionAmended"  # the first save above went in
    events.append("SessionAmended")
    before = repo.get(sid)
    with pytest.raises(InvalidArgumentError, match="topic_id never changes"):
        agent.save_entity(edited(agent, sid, topic_id=4))
    assert repo.get(sid) == before and event_names(repo, sid) == events


def test_a_raw_save_may_end_a_chat_the_invariants_allow(
    agent: ChatAgent, repo: ChatSessionRepository, clock: ManualClock
) -> None:
    sid = live_chat(agent, clock)
    entity = edited(agent, sid, status=S.Finished, when_ended=clock.now(), rank=0)
    assert agent.save_entity(entity).changed
    assert repo.get(sid).status is S.Finished
    assert verify_store(repo) == []


def test_a_stale_expected_version_is_a_concurrency_error(
    agent: ChatAgent, repo: ChatSessionRepository, clock: ManualClock
) -> None:
    sid = live_chat(agent, clock)
    version = repo.get(sid).version
    with pytest.raises(ConcurrencyError) as caught:
        agent.save_entity(edited(agent, sid, customer_name="Ann"), expected_version=version - 1)
    assert (caught.value.expected_version, caught.value.actual_version) == (version - 1, version)
    assert repo.get(sid).customer_name == "" and repo.get(sid).version == version


def test_an_unknown_id_is_not_found(agent: ChatAgent) -> None:
    entity = agent.default_entity().model_copy(update={"chat_session_id": 999, "topic_id": 3})
    with pytest.raises(ChatSessionNotFoundError):
        agent.save_entity(entity)


def test_bad_arguments_are_refused(agent: ChatAgent) -> None:
    with pytest.raises(InvalidArgumentError):
        agent.save_entity({"ChatSessionId": 0})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        agent.save_entity(agent.default_entity().model_copy(update={"chat_session_id": -1}))
    with pytest.raises(InvalidArgumentError):
        agent.save_entity(agent.default_entity(), expected_version=-1)


def test_a_patch_through_the_entity_then_replay_equals_the_store(
    agent: ChatAgent, repo: ChatSessionRepository, clock: ManualClock
) -> None:
    sid = live_chat(agent, clock)
    steps: list[object] = [
        [{"op": "replace", "path": "customername", "value": "Ann"},
         {"op": "add", "path": "/Project", "value": {"ProjectId": 5}}],
        {"CustomerEmail": "ann@example.com", "Project": None},
        [{"op": "add", "path": "/TransferTo", "value": {"AssociateId": BOB}}],
        [{"op": "remove", "path": "/TransferTo"}, {"op": "replace", "path": "/Status",
                                                   "value": "CustomerLast"}],
    ]
    for patch in steps:
        clock.advance(timedelta(seconds=5))
        document = apply_patch(agent.get_session_entity(sid).to_wire(), patch)
        assert agent.save_entity(ChatSessionEntity.from_wire(document), by=ALICE).changed
    stored = repo.get(sid)
    assert stored.customer_email == "ann@example.com" and stored.project_id is None
    assert stored.status is S.CustomerLast and stored.transfer_to is None
    assert event_names(repo, sid)[-4:] == ["SessionAmended"] * 4
    assert rebuilt(repo, sid) == stored and rebuilt(repo, sid).to_dict() == stored.to_dict()
    assert verify_store(repo) == []


def test_a_save_is_published_as_chatsession_changed(
    agent: ChatAgent, repo: ChatSessionRepository, clock: ManualClock
) -> None:
    from chatsession.service.webhooks import publish_pending

    sid = live_chat(agent, clock)
    agent.save_entity(edited(agent, sid, customer_name="Ann", customer_consented=True), by=BOB)
    delivered: list[dict[str, Any]] = []
    publish_pending(repo, delivered.append, batch=100)
    saved = delivered[-1]
    assert saved["Event"] == "chatsession.changed" and saved["PrimaryKey"] == sid
    assert saved["Changes"] == ["consented", "name"]  # the chat_session columns
    assert saved["ChangedByAssociateId"] == BOB
    assert saved["FieldValues"]["Consented"] is True
