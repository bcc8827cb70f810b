"""The sweep: what the clock does to sessions, run on a timer by the service.

One pass looks at the sessions that wait (InQueue) and the live ones (CustomerLast,
UserLast), through the status index (never a scan of every session), and, by each
session's topic settings:

* raises ``AlertLevel`` for a session waiting in the queue past ``WarnNewChatMinutes``
  (level 1) and ``WarnManagerNewChatMinutes`` (level 2), and for a chat whose customer has
  waited for an answer (CustomerLast) past ``WarnChatMessageMinutes`` (1) and
  ``WarnManagerChatMessageMinutes`` (2); a delay of 0 is off;
* expires a transfer pending past the topic's ``transfer_timeout``;
* ends a chat whose customer's client has not fetched it for the topic's ``idle_timeout``
  (``WhenFetched``: ClosedByIdle). A session whose client never fetched is left alone.

Each change is a unit of work of its own (load, apply, save), retried on a lost race: two
sweepers running at once change each session once, the second finding nothing to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chatsession.domain.events import EndReason
from chatsession.domain.outcome import Outcome
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE, ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.ports.errors import (
    ChatSessionNotFoundError,
    ConcurrencyError,
    RepositoryBusyError,
)
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service.queue import stored_topic

S = ChatSessionStatus
_MINUTE = timedelta(minutes=1)


@dataclass
class SweepReport:
    """What one sweep changed, by session id."""

    alerts: dict[int, int] = field(default_factory=dict)
    """Sessions whose alert level rose, and to which level."""
    transfers_expired: list[int] = field(default_factory=list)
    idle_ended: list[int] = field(default_factory=list)

    @property
    def changed(self) -> int:
        """How many changes the sweep made."""
        return len(self.alerts) + len(self.transfers_expired) + len(self.idle_ended)


def alert_level(session: ChatSession, topic: ChatTopic, at: datetime) -> int:
    """The level the session's wait calls for (0: none), by the topic's warning delays."""
    if session.status is S.InQueue and not session.chatbot_is_active:  # else not for agents
        waited, first, manager = (
            at - session.when_requested,
            topic.warn_new_chat_minutes,
            topic.warn_manager_new_chat_minutes,
        )
    elif session.status is S.CustomerLast and session.when_idle is not None:
        waited, first, manager = (
            at - session.when_idle,
            topic.warn_chat_message_minutes,
            topic.warn_manager_chat_message_minutes,
        )
    else:
        return 0
    if manager and waited >= manager * _MINUTE:
        return 2
    if first and waited >= first * _MINUTE:
        return 1
    return 0


def is_idle(session: ChatSession, topic: ChatTopic, at: datetime) -> bool:
    """A live chat whose customer's client has not fetched it for ``idle_timeout``."""
    fetched = session.when_fetched
    return session.status in ACTIVE and fetched is not None and at - fetched >= (
        topic.idle_timeout
    )


def sweep(
    repository: ChatSessionRepository, now: Callable[[], datetime], *, page: int = 500
) -> SweepReport:
    """One pass over the waiting and live sessions; see the module docstring."""
    report = SweepReport()
    topics: dict[int, ChatTopic] = {}
    for candidate in _waiting_and_live(repository, page):
        topic = topics.get(candidate.topic_id)
        if topic is None:
            topic = stored_topic(repository, candidate.topic_id) or ChatTopic(
                id=candidate.topic_id
            )
            topics[candidate.topic_id] = topic
        _sweep_one(repository, candidate.chat_session_id, topic, now, report)
    return report


def _waiting_and_live(repository: ChatSessionRepository, page: int) -> Iterator[ChatSession]:
    """The InQueue and active sessions, a page at a time (the status index)."""
    after = 0
    statuses = {S.InQueue, *ACTIVE}
    while True:
        found = repository.list_page(after=after, limit=page, status=statuses)
        yield from found
        if found.next_after is None:
            return
        after = found.next_after


def _sweep_one(
    repository: ChatSessionRepository,
    chat_session_id: int,
    topic: ChatTopic,
    now: Callable[[], datetime],
    report: SweepReport,
) -> None:
    """Apply what the clock calls for to one session, in one unit of work (saved once)."""
    for _ in range(5):  # a lost race: reload and look again
        done: list[str] = []
        try:
            with repository.transaction() as tx:
                session = tx.get(chat_session_id)
                at = now()
                for _step in range(3):  # an end, an expiry and an alert may all be due
                    outcome, what = _due(session, topic, at)
                    if outcome is None or not outcome.changed:
                        break
                    done.append(what)
                if done:
                    tx.save(session)
        except ChatSessionNotFoundError:
            return
        except ConcurrencyError:
            continue
        except RepositoryBusyError:  # another writer holds the store: wait a little
            time.sleep(0.05)
            continue
        for what in done:
            if what == "alert":
                report.alerts[chat_session_id] = session.alert_level
            elif what == "transfer":
                report.transfers_expired.append(chat_session_id)
            else:
                report.idle_ended.append(chat_session_id)
        return


def _due(session: ChatSession, topic: ChatTopic, at: datetime) -> tuple[Outcome | None, str]:
    """The one command the clock calls for now, if any: an idle end first, then the rest."""
    if is_idle(session, topic, at):
        return session.end(EndReason.IDLE, at=at), "idle"
    if session.transfer_to is not None and session.transfer_requested_at is not None and (
        at - session.transfer_requested_at >= topic.transfer_timeout
    ):
        return session.expire_transfer(topic.transfer_timeout, at=at), "transfer"
    level = alert_level(session, topic, at)
    if level > session.alert_level:
        return session.raise_alert(level, at=at), "alert"
    return None, ""
