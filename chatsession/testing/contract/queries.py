"""The repository contract: the queue, a user's active sessions, paging, ids."""

from __future__ import annotations

import threading

import pytest

from chatsession.adapters.clock import ManualClock
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.events import EndReason
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE
from chatsession.domain.topic import ChatTopic
from chatsession.ports.stores import ChatSessionRepository
from chatsession.testing.contract.support import (
    BoomError,
    S,
    request,
    stored,
)


class QueryContract:
    """The queue, a user's active sessions, paging, ids."""

    # ---------------------------------------------------------------- queries

    def test_first_in_queue_is_the_oldest_waiting_session(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """The first in the queue is the InQueue session with the lowest id (per topic)."""
        topic_2_first = stored(repository, clock, topic_id=2)
        stored(repository, clock, topic_id=1, user=7)  # active: not waiting
        topic_1_first = stored(repository, clock, topic_id=1)
        stored(repository, clock, topic_id=2)
        stored(repository, clock, topic_id=1)
        first = repository.first_in_queue()
        assert first == topic_2_first
        assert repository.first_in_queue(1) == topic_1_first
        assert repository.first_in_queue(2) == topic_2_first
        assert repository.first_in_queue(3) is None

    def test_first_in_queue_skips_sessions_a_chatbot_holds(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Sessions a chatbot holds are not offered to users unless asked for."""
        bot = stored(repository, clock, bot=True)
        human = stored(repository, clock)
        assert bot.chatbot_is_active and bot.status is S.InQueue
        assert repository.first_in_queue() == human
        assert repository.first_in_queue(include_bot_sessions=True) == bot

    def test_first_in_queue_of_an_empty_queue_is_none(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """With nobody waiting, the first in the queue is None."""
        assert repository.first_in_queue() is None
        stored(repository, clock, user=7)
        assert repository.first_in_queue() is None

    def test_count_in_queue_counts_the_waiting_sessions(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """The queue count is the number of InQueue sessions (per topic)."""
        assert repository.count_in_queue() == 0
        for topic_id in (1, 1, 2):
            stored(repository, clock, topic_id=topic_id)
        stored(repository, clock, topic_id=1, bot=True)
        stored(repository, clock, topic_id=1, user=7)
        offline = request(repository, clock, agents_available=False)
        repository.add(offline)
        left = stored(repository, clock, topic_id=2)
        left.leave_queue(at=clock.now())
        repository.save(left)
        assert repository.count_in_queue() == 4
        assert repository.count_in_queue(1) == 3
        assert repository.count_in_queue(2) == 1
        assert repository.count_in_queue(99) == 0

    def test_active_sessions_of_a_user_are_the_active_ones_in_id_order(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A user's active sessions: CustomerLast/UserLast sessions they handle, by id."""
        a = stored(repository, clock, user=7)
        stored(repository, clock, user=8)
        b = stored(repository, clock, user=7, topic_id=2)
        b.post_customer_message("hello?", at=clock.now())
        repository.save(b)
        ended = stored(repository, clock, user=7)
        ended.end(EndReason.BY_CUSTOMER, at=clock.now())
        repository.save(ended)
        stored(repository, clock)
        got = repository.active_sessions_of(7)
        assert got == [a, b]
        assert {s.status for s in got} <= ACTIVE
        assert repository.active_sessions_of(9) == []
        moved = repository.get(a.chat_session_id)
        moved.transfer(to=9, by=7, at=clock.now())
        moved.accept_transfer(by=9, at=clock.now())
        repository.save(moved)
        assert repository.active_sessions_of(7) == [b]
        assert repository.active_sessions_of(9) == [moved]

    def test_list_page_pages_through_every_session_in_id_order(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Keyset pages cover every session once, in id order."""
        made = [stored(repository, clock, topic_id=1 + n % 2) for n in range(7)]
        seen: list[ChatSession] = []
        after: int | None = 0
        pages = 0
        while after is not None:
            page = repository.list_page(after=after, limit=3)
            seen.extend(page.items)
            after = page.next_after
            pages += 1
        assert seen == sorted(made, key=lambda s: s.chat_session_id)
        assert pages == 3
        exact = repository.list_page(limit=7)
        assert len(exact) == 7 and exact.next_after is None
        assert list(repository.list_page(limit=1)) == seen[:1]

    def test_list_page_filters_by_status_topic_and_user(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """The listing filters by status (one or several), topic and user."""
        queued = stored(repository, clock, topic_id=1)
        active = stored(repository, clock, topic_id=2, user=7)
        other = stored(repository, clock, topic_id=2, user=8)
        assert repository.list_page(status=S.InQueue).items == (queued,)
        assert repository.list_page(status=[S.UserLast, S.InQueue]).items == (
            queued,
            active,
            other,
        )
        assert repository.list_page(status=[]).items == ()
        assert repository.list_page(topic_id=2).items == (active, other)
        assert repository.list_page(user_id=8).items == (other,)
        assert repository.list_page(topic_id=2, user_id=7, status=S.UserLast).items == (active,)
        assert repository.list_page(topic_id=1, user_id=7).items == ()

    @pytest.mark.parametrize("bad", [{"limit": 0}, {"limit": -1}, {"after": -1}])
    def test_list_page_rejects_bad_arguments(
        self, repository: ChatSessionRepository, bad: dict[str, int]
    ) -> None:
        """A negative cursor or a limit below 1 is an ``InvalidArgumentError``."""
        with pytest.raises(ChatSessionError):
            repository.list_page(**bad)  # type: ignore[arg-type]

    def test_next_id_is_unique_and_increasing(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``next_id`` increases and stays above every stored id."""
        got = [repository.next_id() for _ in range(20)]
        assert got == sorted(set(got))
        assert got[0] >= 1
        big = ChatSession.request(got[-1] + 1000, ChatTopic(id=1), at=clock.now())
        repository.add(big)
        assert repository.next_id() > big.chat_session_id

    def test_next_id_from_threads_never_repeats(self, repository: ChatSessionRepository) -> None:
        """``next_id`` from several threads never hands out an id twice."""
        got: list[int] = []
        lock = threading.Lock()

        def take() -> None:
            mine = [repository.next_id() for _ in range(25)]
            with lock:
                got.extend(mine)

        threads = [threading.Thread(target=take) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(got) == len(set(got)) == 100

    def test_next_id_after_a_rolled_back_unit_of_work_stays_unique(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """After a rollback, ``next_id`` is still above every stored or committed id.

        An id drawn inside a unit of work that rolled back is released with it: the port
        lets an adapter hand it out again (the library's adapters do), never an id stored
        or drawn by a transaction that committed.
        """
        drawn = repository.next_id()
        kept = stored(repository, clock)
        with pytest.raises(BoomError), repository.transaction() as tx:
            inside = [tx.next_id(), repository.next_id()]
            assert inside == sorted(set(inside)) and inside[0] > kept.chat_session_id
            tx.add(request(repository, clock))
            raise BoomError
        after = repository.next_id()
        assert after > max(drawn, kept.chat_session_id)
        assert repository.next_id() > after
        session = ChatSession.request(after, ChatTopic(id=1), at=clock.now())
        repository.add(session)  # the id is free: nothing of the rolled-back unit stayed
        assert repository.get(after) == session

    def test_next_id_inside_a_unit_of_work_is_above_the_ids_it_added(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``next_id`` in a unit of work skips an id that unit of work added (not committed yet).

        The id a unit of work stored is "stored" for the unit of work itself: drawing it
        again would make the next ``add`` in that unit a ``DuplicateChatSessionError``.
        """
        kept = repository.next_id()
        with repository.transaction() as tx:
            tx.add(ChatSession.request(kept + 1, ChatTopic(id=1), at=clock.now()))
            repository.add(ChatSession.request(kept + 2, ChatTopic(id=1), at=clock.now()))
            drawn = [tx.next_id(), repository.next_id()]
            assert drawn[0] > kept + 2 and drawn[1] > drawn[0]
            for sid in drawn:
                tx.add(ChatSession.request(sid, ChatTopic(id=1), at=clock.now()))
        assert repository.next_id() > drawn[1]
        assert [s.chat_session_id for s in repository.list_page()] == [kept + 1, kept + 2, *drawn]
