"""ChatAgent over the in-memory repository (the fake): one command per unit of work."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from chatsession import ChatSessionStatus, ChatTopic, EndReason, ManualClock, NoOpReason
from chatsession.adapters.associates import InMemoryAssociateDirectory
from chatsession.adapters.memory import InMemoryChatSessionRepository
from chatsession.domain.associate import AssociateInfo
from chatsession.ports.errors import ConcurrencyError
from chatsession.service import ChatAgent, UnknownAssociateError

ALICE, BOB = 7, 8
TOPIC = ChatTopic(id=3)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


@pytest.fixture
def repo() -> InMemoryChatSessionRepository:
    return InMemoryChatSessionRepository()


@pytest.fixture
def directory() -> InMemoryAssociateDirectory:
    return InMemoryAssociateDirectory([
        AssociateInfo(associate_id=ALICE, user_name="alice", full_name="Alice"),
        AssociateInfo(associate_id=BOB, user_name="bob", full_name="Bob"),
    ])


@pytest.fixture
def agent(repo: InMemoryChatSessionRepository, clock: ManualClock,
          directory: InMemoryAssociateDirectory) -> ChatAgent:
    return ChatAgent(repo, clock=clock, associates=directory)


def test_created_sessions_queue_up_in_order(agent: ChatAgent) -> None:
    first = agent.create_session(TOPIC).entity
    second = agent.create_session(TOPIC).entity
    assert first.status is ChatSessionStatus.InQueue
    assert (first.initial_queue_pos, second.initial_queue_pos) == (1, 2)
    assert first.chat_session_id != second.chat_session_id
    assert first.session_key and first.session_key != second.session_key


def test_reject_transfer_end_to_end(agent: ChatAgent, repo: InMemoryChatSessionRepository,
                                    clock: ManualClock) -> None:
    sid = agent.create_session(TOPIC).entity.chat_session_id
    assert sid is not None
    agent.pick_up(sid, by=ALICE)
    nothing = agent.reject_transfer(sid, by=BOB)
    assert nothing.outcome.reason is NoOpReason.NO_TRANSFER_PENDING
    version = repo.get(sid).version
    agent.transfer(sid, to="bob", by=ALICE)
    clock.advance(timedelta(seconds=30))
    reply = agent.reject_transfer(sid, by=BOB)
    assert reply.changed
    assert reply.entity.user is not None and reply.entity.user.full_name == "Alice"
    assert reply.entity.transfer_to is None
    assert repo.get(sid).version == version + 2
    names = [r.event_name for r in repo.outbox.read(chat_session_id=sid, limit=None)]
    assert names == ["SessionRequested", "SessionPickedUp", "RankAssigned",
                     "TransferRequested", "TransferRejected"]


def test_a_no_op_is_not_saved(agent: ChatAgent, repo: InMemoryChatSessionRepository) -> None:
    sid = agent.create_session(TOPIC).entity.chat_session_id
    assert sid is not None
    agent.pick_up(sid, by=ALICE)
    before = repo.get(sid)
    events = len(repo.outbox.read(limit=None))
    reply = agent.transfer(sid, to=ALICE, by=BOB)  # BOB does not handle it: NOT_OWNER
    assert reply.outcome.reason is NoOpReason.NOT_OWNER and not reply.changed
    assert reply.entity.user is not None and reply.entity.user.associate_id == ALICE
    assert repo.get(sid) == before and len(repo.outbox.read(limit=None)) == events


def test_pick_up_of_a_session_not_in_the_queue_answers_none(
    agent: ChatAgent, repo: InMemoryChatSessionRepository
) -> None:
    """PickUpChatSession "Returns NULL if session was not in queue"; nothing is saved."""
    sid = agent.create_session(TOPIC).entity.chat_session_id
    assert sid is not None
    picked = agent.pick_up(sid, by=ALICE)
    assert picked is not None and picked.changed
    before = repo.get(sid)
    events = len(repo.outbox.read(limit=None))
    assert agent.pick_up(sid, by=BOB) is None  # already picked up
    assert agent.pick_up(sid, by=ALICE) is None  # even by its own user
    assert repo.get(sid) == before and len(repo.outbox.read(limit=None)) == events
    before_queue = agent.create_session(ChatTopic(id=3, use_prechat_form=True))
    other = before_queue.entity.chat_session_id
    assert other is not None and agent.pick_up(other, by=ALICE) is None  # not queued yet
    assert repo.get(other).status is ChatSessionStatus.PreChatForm


def test_a_customer_message_reactivates_a_finished_chat_through_the_agent(
    agent: ChatAgent, repo: InMemoryChatSessionRepository
) -> None:
    from chatsession import CommandNotAllowedError

    sid = agent.create_session(TOPIC).entity.chat_session_id
    assert sid is not None
    agent.pick_up(sid, by=ALICE)
    agent.end(sid, EndReason.BY_CUSTOMER)
    with pytest.raises(CommandNotAllowedError, match="post-chat form"):
        agent.add_customer_message(sid, "one more thing")  # no topic: cannot return
    assert repo.get(sid).status is ChatSessionStatus.Finished
    returning = ChatTopic(id=TOPIC.id, post_form_enabled=True)
    reply = agent.add_customer_message(sid, "one more thing", topic=returning)
    assert reply.changed and reply.entity.status is ChatSessionStatus.CustomerLast
    assert reply.entity.when_ended is None and reply.entity.last_message == "one more thing"
    names = [r.event_name for r in repo.outbox.read(chat_session_id=sid, limit=None)]
    assert names[-3:] == ["SessionReopened", "MessagePosted", "RankAssigned"]
    assert repo.get(sid).rank == 1  # the chat is its user's again, with a rank


def test_pick_up_first_takes_the_oldest_and_none_when_empty(agent: ChatAgent) -> None:
    assert agent.pick_up_first(by=ALICE) is None
    first = agent.create_session(TOPIC).entity.chat_session_id
    agent.create_session(TOPIC)
    reply = agent.pick_up_first(by=ALICE, topic_id=TOPIC.id)
    assert reply is not None and reply.entity.chat_session_id == first
    assert [e.chat_session_id for e in agent.sessions_for_user(ALICE)] == [first]


def test_transfer_to_an_unknown_user_name_is_an_error(agent: ChatAgent) -> None:
    sid = agent.create_session(TOPIC).entity.chat_session_id
    assert sid is not None
    with pytest.raises(UnknownAssociateError, match="carol"):
        agent.transfer(sid, to="carol", by=ALICE)


class RacingRepository:
    """Wraps a repository; the first ``losses`` saves lose a race (ConcurrencyError)."""

    def __init__(self, inner: InMemoryChatSessionRepository, losses: int) -> None:
        self.inner, self.losses, self.attempts = inner, losses, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        outer = self

        class Tx:
            def __getattr__(self, name: str) -> Any:
                return getattr(tx, name)

            def save(self, session: Any) -> None:
                outer.attempts += 1
                if outer.losses:
                    outer.losses -= 1
                    raise ConcurrencyError(session.chat_session_id, session.version,
                                           session.version + 1)
                tx.save(session)

        with self.inner.transaction() as tx:
            yield Tx()


def test_a_lost_race_is_retried_on_a_fresh_load(repo: InMemoryChatSessionRepository) -> None:
    sid = ChatAgent(repo).create_session(TOPIC).entity.chat_session_id
    assert sid is not None
    racing = RacingRepository(repo, losses=2)
    reply = ChatAgent(racing, retries=3).pick_up(sid, by=ALICE)  # type: ignore[arg-type]
    assert reply is not None and reply.changed and racing.attempts == 3
    assert repo.get(sid).user_id == ALICE


def test_retries_give_up_with_the_concurrency_error(repo: InMemoryChatSessionRepository) -> None:
    sid = ChatAgent(repo).create_session(TOPIC).entity.chat_session_id
    assert sid is not None
    racing = RacingRepository(repo, losses=5)
    with pytest.raises(ConcurrencyError):
        ChatAgent(racing, retries=2).pick_up(sid, by=ALICE)  # type: ignore[arg-type]
    assert racing.attempts == 3
    assert repo.get(sid).status is ChatSessionStatus.InQueue


def test_create_session_checks_the_topic_before_drawing_an_id(
    agent: ChatAgent, repo: InMemoryChatSessionRepository
) -> None:
    from chatsession import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="ChatTopic"):
        agent.create_session("support")  # type: ignore[arg-type]
    assert agent.create_session(TOPIC).entity.chat_session_id == 1


def test_the_agent_s_clock_decides_every_recorded_time(
    agent: ChatAgent, repo: InMemoryChatSessionRepository, clock: ManualClock
) -> None:
    """Each command runs at its clock's time: the session's times and its events' are those."""
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=timezone(timedelta(hours=1))))
    requested = clock.now()
    sid = agent.create_session(TOPIC).entity.chat_session_id
    assert sid is not None
    picked_up = clock.advance(timedelta(minutes=2, microseconds=7))
    agent.pick_up(sid, by=ALICE)
    transferred = clock.advance(timedelta(seconds=30))
    agent.transfer(sid, to="bob", by=ALICE)
    rejected = clock.advance(timedelta(seconds=45))
    agent.reject_transfer(sid, by=BOB)
    ended = clock.advance(timedelta(hours=1))
    agent.end(sid, EndReason.BY_CUSTOMER)

    session = repo.get(sid)
    assert session.when_requested == requested
    assert session.when_started == picked_up
    assert session.when_ended == ended
    for when in (session.when_requested, session.when_started, session.when_ended):
        assert when is not None and when.utcoffset() == timedelta(0)  # the instant, in UTC
    records = repo.outbox.read(chat_session_id=sid, limit=None)
    at = {r.event_name: r.occurred_at for r in records}
    assert at["SessionRequested"] == requested
    assert at["SessionPickedUp"] == picked_up
    assert at["TransferRequested"] == transferred
    assert at["TransferRejected"] == rejected
    assert at["SessionEnded"] == ended
    expected = {requested, picked_up, transferred, rejected, ended}
    assert {r.occurred_at for r in records} == expected  # no time from anywhere else


def test_with_a_directory_a_transfer_needs_a_known_associate_not_deleted(
    agent: ChatAgent, repo: InMemoryChatSessionRepository, directory: InMemoryAssociateDirectory,
    clock: ManualClock,
) -> None:
    sid = agent.create_session(TOPIC).entity.chat_session_id
    assert sid is not None
    agent.pick_up(sid, by=ALICE)
    version = repo.get(sid).version
    with pytest.raises(UnknownAssociateError, match="99"):
        agent.transfer(sid, to=99, by=ALICE)
    directory.add(AssociateInfo(associate_id=BOB, user_name="bob", deleted=True))
    with pytest.raises(UnknownAssociateError):
        agent.transfer(sid, to=BOB, by=ALICE)
    with pytest.raises(UnknownAssociateError, match="bob"):
        agent.transfer(sid, to="bob", by=ALICE)
    assert repo.get(sid).transfer_to is None and repo.get(sid).version == version
    directory.add(AssociateInfo(associate_id=99, user_name="carol"))
    assert agent.transfer(sid, to=99, by=ALICE).changed
    assert repo.get(sid).transfer_to == 99
    # Without a directory there is nothing to check an id against: any id will do.
    other = ChatAgent(repo, clock=clock)
    agent.cancel_transfer(sid, by=ALICE)
    assert other.transfer(sid, to=12345, by=ALICE).changed
    assert repo.get(sid).transfer_to == 12345
