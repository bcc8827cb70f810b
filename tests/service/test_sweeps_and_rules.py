"""The sweep and the queue's rules, each on its own."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatsession import (
    ChatAgent,
    ChatSessionStatus,
    ChatTopic,
    CommandNotAllowedError,
    InMemoryChatSessionRepository,
    ManualClock,
    NotTopicResponderError,
    SqliteChatSessionRepository,
    TransferTargetUnavailableError,
)
from chatsession.domain.presence import Presence
from chatsession.domain.topic_agent import ChatTopicAgent

S = ChatSessionStatus
AT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TOPIC = ChatTopic(id=1, warn_new_chat_minutes=2, warn_manager_new_chat_minutes=5,
                  warn_chat_message_minutes=3, warn_manager_chat_message_minutes=6,
                  transfer_timeout=timedelta(minutes=2), idle_timeout=timedelta(minutes=10),
                  welcome_message="Hello")


def desk(repo: InMemoryChatSessionRepository | SqliteChatSessionRepository) -> ChatAgent:
    repo.add_topic(TOPIC)
    for user in (7, 8):
        repo.put_topic_agent(ChatTopicAgent(1, user, can_respond=True))
        repo.set_presence(Presence(user, present=True))
    repo.put_topic_agent(ChatTopicAgent(1, 9, can_listen=True))  # listens, cannot answer
    return ChatAgent(repo, clock=ManualClock(AT))


def test_a_waiting_session_is_alerted_at_2_then_5_minutes() -> None:
    repo = InMemoryChatSessionRepository()
    agent = desk(repo)
    clock = agent.clock
    assert isinstance(clock, ManualClock)
    sid = agent.create_session(1).entity.chat_session_id
    assert sid is not None
    clock.advance(timedelta(minutes=1, seconds=59))
    assert agent.sweep().alerts == {}
    clock.advance(timedelta(seconds=1))
    assert agent.sweep().alerts == {sid: 1}
    assert agent.sweep().alerts == {}  # idempotent
    clock.advance(timedelta(minutes=3))
    assert agent.sweep().alerts == {sid: 2}
    picked = agent.pick_up(sid, by=7)
    assert picked is not None and picked.entity.alert_level == 0  # answered


def test_a_customer_waiting_for_an_answer_is_alerted_and_an_answer_clears_it() -> None:
    repo = InMemoryChatSessionRepository()
    agent = desk(repo)
    clock = agent.clock
    assert isinstance(clock, ManualClock)
    sid = agent.create_session(1).entity.chat_session_id
    assert sid is not None
    agent.pick_up(sid, by=7)
    agent.add_customer_message(sid, "are you there?")
    clock.advance(timedelta(minutes=3))
    assert agent.sweep().alerts == {sid: 1}
    clock.advance(timedelta(minutes=3))
    assert agent.sweep().alerts == {sid: 2}
    assert agent.add_user_message(sid, "yes!", by=7).entity.alert_level == 0


def test_the_sweep_expires_transfers_and_ends_idle_chats() -> None:
    repo = InMemoryChatSessionRepository()
    agent = desk(repo)
    clock = agent.clock
    assert isinstance(clock, ManualClock)
    sid = agent.create_session(1).entity.chat_session_id
    assert sid is not None
    agent.pick_up(sid, by=7)
    agent.customer_fetched(sid)
    agent.transfer(sid, to=8, by=7)
    clock.advance(timedelta(minutes=2))
    assert agent.sweep().transfers_expired == [sid]
    clock.advance(timedelta(minutes=8))
    report = agent.sweep()
    assert report.idle_ended == [sid] and repo.get(sid).status is S.Finished
    assert [m.special_type.name for m in repo.messages(sid)][-1] == "ClosedByIdle"


def test_rights_decide_who_picks_up_and_who_is_a_transfer_target() -> None:
    repo = InMemoryChatSessionRepository()
    agent = desk(repo)
    sid = agent.create_session(1).entity.chat_session_id
    assert sid is not None
    with pytest.raises(NotTopicResponderError):
        agent.pick_up(sid, by=9)  # a listener cannot answer
    assert repo.get(sid).status is S.InQueue
    agent.pick_up(sid, by=7)
    with pytest.raises(TransferTargetUnavailableError):
        agent.transfer(sid, to=9, by=7)
    repo.set_presence(Presence(8, present=False))
    with pytest.raises(TransferTargetUnavailableError):
        agent.transfer(sid, to=8, by=7)  # away
    assert repo.get(sid).transfer_to is None
    assert agent.transfer(sid, to=8, by=9).outcome.reason is not None  # not the owner: no-op


def test_nobody_present_sends_a_new_customer_to_the_offline_form() -> None:
    repo = InMemoryChatSessionRepository()
    agent = desk(repo)
    for user in (7, 8):
        repo.set_presence(Presence(user, present=False))
    reply = agent.create_session(1, first_message="anyone?")
    assert reply.entity.status is S.OfflineForm and reply.messages == ()
    agent.submit_offline_request(reply.entity.chat_session_id or 0)


def test_ranks_are_the_lowest_free_and_accept_stats_are_kept() -> None:
    repo = InMemoryChatSessionRepository()
    agent = desk(repo)
    sids = [agent.create_session(1).entity.chat_session_id for _ in range(3)]
    ranks = [agent.pick_up(s or 0, by=7) for s in sids]
    assert [r.entity.rank for r in ranks if r] == [1, 2, 3]
    agent.end(sids[0] or 0, "by_customer")
    fourth = agent.create_session(1).entity.chat_session_id or 0
    picked = agent.pick_up(fourth, by=7)
    assert picked is not None and picked.entity.rank == 1  # the freed number
    assert repo.get_topic(1).last_accept == AT


def test_two_sweepers_at_once_change_each_session_once(tmp_path: Path) -> None:
    path = tmp_path / "sweep.db"
    with SqliteChatSessionRepository(path) as repo:
        agent = desk(repo)
        sids = [agent.create_session(1).entity.chat_session_id for _ in range(20)]
    later = AT + timedelta(minutes=3)
    reports = []

    def run() -> None:
        with SqliteChatSessionRepository(path) as mine:
            reports.append(ChatAgent(mine, clock=ManualClock(later)).sweep())

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    raised = [sid for report in reports for sid in report.alerts]
    assert sorted(raised) == sorted(sids)  # each once, whichever sweeper did it
    with SqliteChatSessionRepository(path) as repo:
        names = [r.event_name for r in repo.outbox.read(limit=None)]
    assert names.count("AlertRaised") == 20


def test_sessions_for_user_are_the_live_sessions_of_the_topics_they_are_a_member_of() -> None:
    repo = InMemoryChatSessionRepository()
    agent = desk(repo)
    repo.add_topic(ChatTopic(id=2))
    repo.put_topic_agent(ChatTopicAgent(2, 8, can_respond=True))
    repo.set_presence(Presence(8, present=True))
    mine = agent.create_session(1).entity.chat_session_id
    other = agent.create_session(2).entity.chat_session_id
    # 9 only listens on topic 1: a member of it, not of topic 2
    assert [t.id for t in agent.topics_for_user(9)] == [1]
    assert [e.chat_session_id for e in agent.sessions_for_user(9)] == [mine]
    assert [e.chat_session_id for e in agent.sessions_for_user(8)] == [mine, other]
    reply = agent.pick_up(mine or 0, by=7)
    assert reply is not None and reply.version == repo.get(mine or 0).version == 2


def test_the_offline_form_is_offered_after_the_topic_s_time_limit_in_the_queue() -> None:
    repo = InMemoryChatSessionRepository()
    agent = desk(repo)
    repo.save_topic(TOPIC.model_copy(update={"use_queue_offline_form": True,
                                             "offline_form_time_limit": 5}))
    clock = agent.clock
    assert isinstance(clock, ManualClock)
    sid = agent.create_session(1).entity.chat_session_id or 0
    assert not agent.offline_form_offered(sid)
    with pytest.raises(CommandNotAllowedError, match="not offered"):
        agent.take_offline_form(sid)
    clock.advance(timedelta(minutes=5))
    assert agent.offline_form_offered(sid)
    reply = agent.take_offline_form(sid)
    assert reply.entity.status is S.OfflineForm
    agent.submit_offline_request(sid)
    assert repo.get(sid).status is S.RequestPosted
