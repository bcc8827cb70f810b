"""A day of a help desk on a manual clock: two topics (one with a bot), four agents coming
and going, opening hours, 200 customers. Every step keeps the invariants; ranks stay
distinct and minimal per user; no absent agent is a transfer target; every alert and
offline form comes at the documented time."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, time, timedelta

from chatsession import (
    ChatAgent,
    ChatSessionStatus,
    ChatTopic,
    EndReason,
    InMemoryChatSessionRepository,
    ManualClock,
    check_invariants,
)
from chatsession.domain.opening_hours import DayHours, OpeningHours
from chatsession.domain.presence import Presence
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.service.errors import TransferTargetUnavailableError

S = ChatSessionStatus
START = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)  # a Wednesday, before the desk opens
OPEN, CLOSE = time(8, 0), time(16, 0)
WEEKDAY = DayHours(enabled=True, start=OPEN, stop=CLOSE)
SALES = ChatTopic(
    id=1, name="Sales", welcome_message="Welcome to Sales",
    opening_hours=OpeningHours(enabled=True, time_zone="UTC", mon=WEEKDAY, tue=WEEKDAY,
                               wed=WEEKDAY, thu=WEEKDAY, fri=WEEKDAY),
    warn_new_chat_minutes=2, warn_manager_new_chat_minutes=5,
    warn_chat_message_minutes=3, warn_manager_chat_message_minutes=6,
    use_queue_offline_form=True, offline_form_queue_length=8,
    transfer_timeout=timedelta(minutes=2), idle_timeout=timedelta(minutes=10),
)
BOT = ChatTopic(id=2, name="Support", bot_enabled=True, warn_new_chat_minutes=4)
AGENTS = {7: (1,), 8: (1,), 9: (1, 2), 10: (2,)}
SHIFTS = {  # when each agent is present (UTC hours, [start, stop))
    7: [(8.0, 12.0), (13.0, 16.0)],
    8: [(8.0, 16.5)],
    9: [(9.0, 11.0), (14.0, 17.0)],
    10: [(7.0, 18.0)],
}


def present(user: int, at: datetime) -> bool:
    hour = at.hour + at.minute / 60
    return any(start <= hour < stop for start, stop in SHIFTS[user])


def test_a_day_of_a_help_desk() -> None:
    rng = random.Random(20261125)
    clock = ManualClock(START)
    repo = InMemoryChatSessionRepository()
    agent = ChatAgent(repo, clock=clock)
    repo.add_topic(SALES)
    repo.add_topic(BOT)
    for user, topics in AGENTS.items():
        for topic_id in topics:
            repo.put_topic_agent(ChatTopicAgent(topic_id, user, can_respond=True))
    offline: list[int] = []
    transfers_refused = expired = idle = 0
    gone: set[int] = set()
    alerts: Counter[int] = Counter()
    arrivals = sorted(rng.uniform(0, 9 * 3600) for _ in range(200))
    step = timedelta(seconds=30)
    while clock.now() < START + timedelta(hours=11):
        at = clock.now()
        for user in AGENTS:
            repo.set_presence(Presence(user, present=present(user, at)))
        while arrivals and START + timedelta(seconds=arrivals[0]) <= at:
            arrivals.pop(0)
            topic = SALES if rng.random() < 0.75 else BOT
            waiting = repo.count_in_queue(topic.id)
            open_now = OPEN <= at.time() < CLOSE
            someone = any(present(u, at) for u, t in AGENTS.items() if topic.id in t)
            available = topic.bot_enabled or (open_now and someone and waiting < 8)
            reply = agent.create_session(topic.id, first_message="hello")
            sid = reply.entity.chat_session_id
            assert sid is not None
            agent.customer_fetched(sid)  # the widget polls once it is open
            if rng.random() < 0.1:
                gone.add(sid)  # closes the browser tab: no more polls, no more words
            # the offline form exactly when nobody can answer (outside the hours, all away,
            # or the queue offline form's 8 waiting already); a bot topic never shows it
            assert (reply.entity.status is S.OfflineForm) == (not available), (sid, at)
            if reply.entity.status is S.OfflineForm:
                offline.append(sid)
                agent.submit_offline_request(sid)
        for session in repo.list_page(limit=1000, status={S.InQueue, S.CustomerLast,
                                                           S.UserLast}):
            sid = session.chat_session_id
            if session.chatbot_is_active and rng.random() < 0.3:
                agent.reset(sid)  # the bot hands off
            elif session.status is S.InQueue and not session.chatbot_is_active:
                pickers = [u for u, t in AGENTS.items()
                           if session.topic_id in t and present(u, at)
                           and len(repo.active_sessions_of(u)) < 3]
                if pickers and rng.random() < 0.12:  # agents are busy: queues build up
                    user = rng.choice(pickers)
                    taken = {s.rank for s in repo.active_sessions_of(user)}
                    picked = agent.pick_up(sid, by=user)
                    assert picked is not None and picked.entity.rank == min(
                        n for n in range(1, len(taken) + 2) if n not in taken
                    )  # the lowest free number, given at the pick-up
            elif session.status.is_active and session.user_id is not None:
                roll = rng.random()
                if session.transfer_to is not None:
                    if rng.random() < 0.15:  # targets answer slowly: some transfers expire
                        (agent.accept_transfer if rng.random() < 0.5 else agent.reject_transfer)(
                            sid, by=session.transfer_to)
                elif roll < 0.05:
                    target = rng.choice([u for u in AGENTS if u != session.user_id])
                    try:
                        agent.transfer(sid, to=target, by=session.user_id)
                    except TransferTargetUnavailableError:
                        transfers_refused += 1
                        assert not present(target, at) or session.topic_id not in AGENTS[target]
                elif roll < 0.25:
                    agent.add_user_message(sid, "how can I help?", by=session.user_id)
                elif sid in gone:
                    pass
                elif roll < 0.4:
                    agent.add_customer_message(sid, "thanks")
                elif roll < 0.5:
                    agent.end(sid, EndReason.BY_CUSTOMER)
                elif roll < 0.8:
                    agent.customer_fetched(sid)
        report = agent.sweep()
        for sid, level in report.alerts.items():
            swept = repo.get(sid)
            assert swept.alert_level == level
            alerts[level] += 1
        expired += len(report.transfers_expired)
        idle += len(report.idle_ended)
        check_day(repo, at)
        clock.advance(step)
    final = Counter(s.status.name for s in repo.list_page(limit=1000))
    assert sum(final.values()) == 200
    assert offline and alerts[1] and alerts[2] and expired and idle
    print(f"\nday summary: sessions by final status {dict(sorted(final.items()))}; "
          f"alerts raised: level 1 {alerts[1]}, level 2 {alerts[2]}; offline forms shown "
          f"{len(offline)}; transfers expired {expired}; idle chats ended {idle}; "
          f"transfers refused (target absent or unable) {transfers_refused}")


def check_day(repo: InMemoryChatSessionRepository, at: datetime) -> None:
    """What must hold after every step of the day."""
    by_user: dict[int, list[int]] = {}
    for session in repo.list_page(limit=1000):
        check_invariants(session)
        if session.transfer_to is not None:  # no absent agent holds a transfer
            target = session.transfer_to
            assert present(target, session.transfer_requested_at or at), (session, target)
        if session.status.is_active and session.user_id is not None:
            by_user.setdefault(session.user_id, []).append(session.rank)
        if session.status is S.InQueue and not session.chatbot_is_active:
            waited = at - session.when_requested
            topic = SALES if session.topic_id == 1 else BOT
            expected = (2 if waited >= timedelta(minutes=topic.warn_manager_new_chat_minutes)
                        and topic.warn_manager_new_chat_minutes else
                        1 if waited >= timedelta(minutes=topic.warn_new_chat_minutes)
                        and topic.warn_new_chat_minutes else 0)
            assert session.alert_level == expected, (session, waited)
        if session.status is S.CustomerLast and session.when_idle is not None:
            topic = SALES if session.topic_id == 1 else BOT
            silent = at - session.when_idle  # the customer waits for an answer this long
            due = (2 if topic.warn_manager_chat_message_minutes and silent >= timedelta(
                minutes=topic.warn_manager_chat_message_minutes) else
                1 if topic.warn_chat_message_minutes and silent >= timedelta(
                minutes=topic.warn_chat_message_minutes) else 0)
            assert session.alert_level >= due, (session, silent)
    for ranks in by_user.values():  # distinct per user (each was minimal when given)
        assert len(set(ranks)) == len(ranks) and min(ranks) >= 1, by_user
