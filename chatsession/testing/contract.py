"""The repository contract: one pytest suite every ``ChatSessionRepository`` adapter passes.

An adapter runs it by subclassing ``ChatSessionRepositoryContract`` in a test module
(the class name must start with ``Test`` for pytest to collect it) and overriding the
``repository_factory`` fixture: a callable that takes a ``Clock`` and returns a new,
empty repository using it::

    import itertools
    import pytest
    from chatsession.testing.contract import ChatSessionRepositoryContract

    class TestMyRepository(ChatSessionRepositoryContract):
        @pytest.fixture
        def repository_factory(self, tmp_path):
            n = itertools.count()
            return lambda clock: MyRepository(tmp_path / f"{next(n)}.db", clock=clock)

The suite needs ``pytest`` and ``hypothesis`` (the ``dev`` extra). Repositories with a
``close()`` method are closed after each test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatsession.adapters.clock import ManualClock
from chatsession.adapters.event_codec import decode_event
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.events import ChatSessionEvent, EndReason
from chatsession.domain.invariants import check_invariants
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE, ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.ports.clock import Clock
from chatsession.ports.repository import (
    ChatSessionNotFoundError,
    ChatSessionRepository,
    ConcurrencyError,
    DuplicateChatSessionError,
    Outbox,
    OutboxRecord,
    TransactionError,
)
from chatsession.testing.strategies import sessions

S = ChatSessionStatus
RepositoryFactory = Callable[[Clock], ChatSessionRepository]
"""Makes a new, empty repository whose loaded sessions read the given clock."""

START = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
_TIMES = (
    "when_requested",
    "when_started",
    "when_ended",
    "when_idle",
    "when_fetched",
    "transfer_requested_at",
)
# The repository fixture is shared by the examples on purpose (ids come from next_id()),
# and every adapter's subclass runs the same test function: both checks do not apply.
_PROPERTY = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors]
)


class BoomError(Exception):
    """Raised inside a unit of work to make it roll back."""


def request(
    repo: ChatSessionRepository,
    clock: Clock,
    *,
    topic_id: int = 1,
    bot: bool = False,
    agents_available: bool = True,
) -> ChatSession:
    """A new session from ``repo.next_id()``: InQueue (or OfflineForm without agents)."""
    topic = ChatTopic(id=topic_id, bot_enabled=bot)
    return ChatSession.request(
        repo.next_id(), topic, clock=clock, agents_available=agents_available
    )


def stored(
    repo: ChatSessionRepository,
    clock: Clock,
    *,
    topic_id: int = 1,
    user: int | None = None,
    bot: bool = False,
) -> ChatSession:
    """A session added to ``repo`` (picked up by ``user`` first if given), reloaded."""
    session = request(repo, clock, topic_id=topic_id, bot=bot)
    if user is not None:
        session.pick_up(by=user)
    repo.add(session)
    return repo.get(session.chat_session_id)


def all_records(repo: ChatSessionRepository) -> list[OutboxRecord]:
    """Every outbox record, published or not, in sequence order."""
    return repo.outbox.read(limit=None, include_published=True)


def decoded(records: list[OutboxRecord]) -> list[ChatSessionEvent]:
    """The events of ``records``."""
    return [decode_event(r.event_name, r.payload) for r in records]


class ChatSessionRepositoryContract:
    """The behaviour every chat-session repository adapter must have.

    Override the ``repository_factory`` fixture; optionally ``clock``.
    """

    # ------------------------------------------------------------- fixtures

    @pytest.fixture
    def clock(self) -> ManualClock:
        """The clock loaded sessions read (a ``ManualClock``; tests move it)."""
        return ManualClock(START)

    @pytest.fixture
    def repository_factory(self) -> RepositoryFactory:
        """Override: return a callable making a new, empty repository on a clock."""
        pytest.fail("override the repository_factory fixture to run the contract suite")

    @pytest.fixture
    def repository(
        self, repository_factory: RepositoryFactory, clock: ManualClock
    ) -> Iterator[ChatSessionRepository]:
        """A new, empty repository on ``clock``; closed afterwards if it can be."""
        repo = repository_factory(clock)
        yield repo
        close = getattr(repo, "close", None)
        if callable(close):
            close()

    # -------------------------------------------------------- add, get, save

    def test_the_repository_and_its_outbox_satisfy_the_ports(
        self, repository: ChatSessionRepository
    ) -> None:
        """The adapter is a ``ChatSessionRepository`` and its outbox an ``Outbox``."""
        assert isinstance(repository, ChatSessionRepository)
        assert isinstance(repository.outbox, Outbox)

    def test_add_then_get_returns_an_equal_session_at_version_1(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``add`` stores version 1; ``get`` returns an equal, separate session."""
        session = request(repository, clock)
        repository.add(session)
        loaded = repository.get(session.chat_session_id)
        assert loaded == session
        assert loaded.version == session.version == 1
        assert loaded is not session

    def test_add_takes_the_written_events_off_the_session(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``add`` writes the pending events to the outbox and takes them off the session."""
        session = request(repository, clock)
        events = session.pending_events
        repository.add(session)
        assert session.pending_events == ()
        assert decoded(all_records(repository)) == list(events)
        assert repository.get(session.chat_session_id).pending_events == ()

    @given(data=st.data())
    @_PROPERTY
    def test_round_trip_of_any_valid_session_keeps_every_field_offset_and_event(
        self, repository: ChatSessionRepository, data: st.DataObject
    ) -> None:
        """Any valid session comes back equal, at version 1, with the same UTC offsets.

        Its events are in the outbox, and decode to what they were.
        """
        session = data.draw(sessions(chat_session_id=repository.next_id()), label="session")
        original = session.copy()
        repository.add(session)
        loaded = repository.get(session.chat_session_id)
        records = repository.outbox.read(
            chat_session_id=session.chat_session_id, limit=None, include_published=True
        )
        assert decoded(records) == list(original.pending_events)
        assert {r.version for r in records} == {1}
        original.version = 1
        assert loaded == original
        assert loaded.to_dict() == original.to_dict()
        assert loaded.transfer_state == original.transfer_state
        check_invariants(loaded)
        for name in _TIMES:  # equal instants, and the very same UTC offsets
            before, after = getattr(original, name), getattr(loaded, name)
            if before is not None:
                assert after.utcoffset() == before.utcoffset(), name
                assert after.replace(tzinfo=None) == before.replace(tzinfo=None), name

    def test_loaded_sessions_read_the_repository_clock(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A loaded session gets the repository's clock, not the one it was built on."""
        other = ManualClock(START + timedelta(days=1))
        session = request(repository, other)
        repository.add(session)
        loaded = repository.get(session.chat_session_id)
        assert loaded.clock is repository.clock is clock

    def test_get_of_an_unknown_id_raises_not_found(self, repository: ChatSessionRepository) -> None:
        """``get`` of an id never stored raises ``ChatSessionNotFoundError``."""
        with pytest.raises(ChatSessionNotFoundError) as caught:
            repository.get(424242)
        assert caught.value.chat_session_id == 424242
        assert isinstance(caught.value, ChatSessionError)
        assert isinstance(caught.value, LookupError)
        assert "424242" in str(caught.value)

    def test_add_of_a_stored_id_raises_duplicate_and_changes_nothing(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``add`` of a stored id raises and leaves the store and the session as they were."""
        first = stored(repository, clock)
        again = ChatSession.request(
            first.chat_session_id, ChatTopic(id=2), clock=clock, agents_available=False
        )
        records = all_records(repository)
        with pytest.raises(DuplicateChatSessionError) as caught:
            repository.add(again)
        assert caught.value.chat_session_id == first.chat_session_id
        assert isinstance(caught.value, ChatSessionError)
        assert repository.get(first.chat_session_id) == first
        assert all_records(repository) == records
        assert again.version == 0
        assert len(again.pending_events) == 1

    def test_save_bumps_the_version_by_one(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Every successful ``save`` adds one to the stored and the session's version."""
        session = stored(repository, clock)
        for expected in (2, 3, 4):
            clock.advance(timedelta(seconds=1))
            session.customer_fetched()
            repository.save(session)
            assert session.version == expected
            assert repository.get(session.chat_session_id).version == expected

    def test_save_stores_the_changes(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``save`` stores what the commands changed."""
        session = stored(repository, clock)
        clock.advance(timedelta(minutes=1))
        session.pick_up(by=7)
        session.transfer(to=8, by=7)
        repository.save(session)
        loaded = repository.get(session.chat_session_id)
        assert loaded == session
        assert loaded.transfer_pending
        assert (loaded.user_id, loaded.transfer_to) == (7, 8)

    def test_stale_save_raises_concurrency_error_and_stores_nothing(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Saving a session someone else saved since it was loaded raises; nothing is stored."""
        sid = stored(repository, clock, user=7).chat_session_id
        mine, theirs = repository.get(sid), repository.get(sid)
        theirs.transfer(to=8, by=7)
        repository.save(theirs)
        winner, records = repository.get(sid), all_records(repository)
        mine.end(EndReason.BY_CUSTOMER)
        pending = mine.pending_events
        with pytest.raises(ConcurrencyError) as caught:
            repository.save(mine)
        error = caught.value
        assert (error.chat_session_id, error.expected_version, error.actual_version) == (sid, 1, 2)
        assert isinstance(error, ChatSessionError)
        assert "version 1" in str(error) and "version is 2" in str(error)
        assert repository.get(sid) == winner
        assert all_records(repository) == records
        assert mine.version == 1
        assert mine.pending_events == pending

    def test_reload_and_retry_after_a_conflict_succeeds(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """After a ``ConcurrencyError``, reload, re-apply and save works."""
        sid = stored(repository, clock, user=7).chat_session_id
        mine, theirs = repository.get(sid), repository.get(sid)
        theirs.transfer(to=8, by=7)
        repository.save(theirs)
        mine.transfer(to=9, by=7)
        with pytest.raises(ConcurrencyError):
            repository.save(mine)
        retry = repository.get(sid)
        retry.transfer(to=9, by=7)
        repository.save(retry)
        assert repository.get(sid).transfer_to == 9
        assert repository.get(sid).version == 3

    def test_save_of_a_never_added_session_raises_not_found(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``save`` of a session never added raises ``ChatSessionNotFoundError``."""
        session = request(repository, clock)
        with pytest.raises(ChatSessionNotFoundError):
            repository.save(session)
        assert session.version == 0
        assert len(session.pending_events) == 1
        assert all_records(repository) == []

    def test_changing_a_loaded_session_without_saving_changes_nothing_stored(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Loaded sessions are copies: changing one without saving changes nothing stored."""
        sid = stored(repository, clock, user=7).chat_session_id
        before = repository.get(sid)
        loaded = repository.get(sid)
        loaded.transfer(to=8, by=7)
        loaded.alert_level = 3
        assert repository.get(sid) == before
        assert repository.get(sid).transfer_to is None

    def test_changing_a_session_after_add_changes_nothing_stored(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """The repository keeps its own copy of an added session."""
        session = request(repository, clock)
        repository.add(session)
        snapshot = repository.get(session.chat_session_id)
        session.pick_up(by=7)
        assert repository.get(session.chat_session_id) == snapshot

    def test_every_query_returns_independent_copies(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Sessions from the queries are copies too."""
        sid = stored(repository, clock, user=7).chat_session_id
        queue = stored(repository, clock).chat_session_id
        first = repository.first_in_queue()
        assert first is not None and first.chat_session_id == queue
        first.leave_queue()
        [active] = repository.active_sessions_of(7)
        active.transfer(to=9, by=7)
        for s in repository.list_page().items:
            s.alert_level = 3
        assert repository.get(queue).status is S.InQueue
        assert repository.get(sid).transfer_to is None
        assert all(s.alert_level == 0 for s in repository.list_page().items)

    # ---------------------------------------------------------------- outbox

    def test_outbox_holds_the_events_in_order_with_their_versions(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Each event is stored once, in order, with the version its save wrote."""
        session = request(repository, clock)
        expected = [(1, e) for e in session.pending_events]
        repository.add(session)
        clock.advance(timedelta(seconds=5))
        session.pick_up(by=7)
        session.transfer(to=8, by=7)
        expected += [(2, e) for e in session.pending_events]
        repository.save(session)
        clock.advance(timedelta(seconds=5))
        session.accept_transfer(by=8)
        expected += [(3, e) for e in session.pending_events]
        repository.save(session)
        records = all_records(repository)
        assert [(r.version, decode_event(r.event_name, r.payload)) for r in records] == expected
        assert [r.event_name for r in records] == [e.name for _, e in expected]
        assert all(r.chat_session_id == session.chat_session_id for r in records)
        pairs = zip(records, expected, strict=True)
        assert all(r.occurred_at == e.occurred_at for r, (_, e) in pairs)
        sequences = [r.sequence for r in records]
        assert sequences == sorted(set(sequences))
        assert not any(r.published for r in records)

    def test_outbox_interleaves_sessions_in_commit_order(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Events of several sessions are in the order their saves committed."""
        a = stored(repository, clock, user=7)
        b = stored(repository, clock, user=8)
        a.transfer(to=9, by=7)
        repository.save(a)
        b.transfer(to=9, by=8)
        repository.save(b)
        a.cancel_transfer(by=7)
        repository.save(a)
        tail = [(r.chat_session_id, r.event_name) for r in all_records(repository)[-3:]]
        assert tail == [
            (a.chat_session_id, "TransferRequested"),
            (b.chat_session_id, "TransferRequested"),
            (a.chat_session_id, "TransferCancelled"),
        ]

    def test_outbox_reads_page_with_after_and_limit(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """The outbox pages by sequence (``after``/``limit``) and filters by session."""
        for _ in range(5):
            stored(repository, clock, user=7)
        everything = all_records(repository)
        assert len(everything) == 10
        pages, after = [], 0
        while page := repository.outbox.read(after=after, limit=3):
            pages.append(page)
            after = page[-1].sequence
        assert [len(p) for p in pages] == [3, 3, 3, 1]
        assert [r for p in pages for r in p] == everything
        one = everything[4].chat_session_id
        mine = repository.outbox.read(chat_session_id=one, limit=None)
        assert mine == [r for r in everything if r.chat_session_id == one]

    def test_mark_published_hides_records_from_the_unpublished_read(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Published records leave the default read and keep their first ``published_at``."""
        stored(repository, clock, user=7)
        stored(repository, clock, user=8)
        records = repository.outbox.read()
        assert len(records) == 4
        clock.advance(timedelta(minutes=3))
        done = [records[0].sequence, records[2].sequence]
        assert repository.outbox.mark_published(done) == 2
        assert repository.outbox.read() == [records[1], records[3]]
        assert repository.outbox.read(after=records[1].sequence) == [records[3]]
        later = START + timedelta(hours=1)
        assert repository.outbox.mark_published([*done, 99999], at=later) == 0
        everything = all_records(repository)
        assert [r.published for r in everything] == [True, False, True, False]
        assert everything[0].published_at == clock.now()
        assert everything[0].payload == records[0].payload
        assert repository.outbox.mark_published([]) == 0

    def test_a_failed_save_writes_no_events_and_keeps_them_pending(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A save that fails writes no event; the session keeps them pending."""
        sid = stored(repository, clock, user=7).chat_session_id
        stale, fresh = repository.get(sid), repository.get(sid)
        fresh.customer_fetched()
        repository.save(fresh)
        records = all_records(repository)
        stale.transfer(to=8, by=7)
        stale.cancel_transfer(by=7)
        pending = stale.pending_events
        with pytest.raises(ConcurrencyError), repository.transaction() as tx:
            tx.save(stale)
        assert all_records(repository) == records
        assert stale.pending_events == pending
        assert stale.version == 1

    def test_the_outbox_inside_a_transaction_sees_its_own_writes(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Inside a unit of work the outbox shows its staged records, numbered for good."""
        stored(repository, clock)
        with pytest.raises(BoomError), repository.transaction():
            repository.add(request(repository, clock))
            assert len(repository.outbox.read()) == 2
            raise BoomError
        assert len(repository.outbox.read()) == 1
        with repository.transaction():
            repository.add(request(repository, clock))
            inside = repository.outbox.read()
        assert repository.outbox.read() == inside
        assert inside[0].sequence < inside[1].sequence

    # --------------------------------------------------------- unit of work

    def test_a_transaction_commits_its_writes_together(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A unit of work's writes are all stored when its block ends."""
        existing = stored(repository, clock, user=7)
        with repository.transaction() as tx:
            new = request(repository, clock)
            tx.add(new)
            loaded = tx.get(existing.chat_session_id)
            loaded.transfer(to=8, by=7)
            tx.save(loaded)
            assert new.version == 1 and loaded.version == 2
        assert repository.get(new.chat_session_id) == new
        assert repository.get(existing.chat_session_id).transfer_to == 8
        assert new.pending_events == () and loaded.pending_events == ()
        assert [r.event_name for r in all_records(repository)[-2:]] == [
            "SessionRequested",
            "TransferRequested",
        ]

    def test_a_transaction_rolls_back_when_its_block_raises(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A unit of work that raises stores nothing; versions and events stay on the sessions."""
        existing = stored(repository, clock, user=7)
        records = all_records(repository)
        new = request(repository, clock)
        with pytest.raises(BoomError), repository.transaction() as tx:
            tx.add(new)
            loaded = tx.get(existing.chat_session_id)
            loaded.transfer(to=8, by=7)
            tx.save(loaded)
            raise BoomError
        with pytest.raises(ChatSessionNotFoundError):
            repository.get(new.chat_session_id)
        assert repository.get(existing.chat_session_id) == existing
        assert all_records(repository) == records
        assert (new.version, loaded.version) == (0, 1)
        assert [e.name for e in new.pending_events] == ["SessionRequested"]
        assert [e.name for e in loaded.pending_events] == ["TransferRequested"]
        repository.add(new)  # the events were kept: a retry writes them
        assert all_records(repository)[-1].event_name == "SessionRequested"

    def test_the_repository_inside_a_transaction_joins_it(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """The repository's own methods, inside a unit of work on the same thread, join it."""
        with pytest.raises(BoomError), repository.transaction() as tx:
            new = request(repository, clock)
            repository.add(new)
            assert tx.get(new.chat_session_id) == new
            assert repository.get(new.chat_session_id) == new
            assert repository.count_in_queue() == 1
            first = tx.first_in_queue()
            assert first is not None and first.chat_session_id == new.chat_session_id
            raise BoomError
        with pytest.raises(ChatSessionNotFoundError):
            repository.get(new.chat_session_id)
        assert repository.count_in_queue() == 0

    def test_a_session_saved_twice_in_one_transaction_writes_each_event_once(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Two saves in one unit of work: two versions, each event written once."""
        session = stored(repository, clock, user=7)
        with repository.transaction() as tx:
            session.transfer(to=8, by=7)
            tx.save(session)
            session.reject_transfer(by=8)
            tx.save(session)
        assert session.version == 3
        assert repository.get(session.chat_session_id).version == 3
        tail = all_records(repository)[-2:]
        assert [(r.version, r.event_name) for r in tail] == [
            (2, "TransferRequested"),
            (3, "TransferRejected"),
        ]
        assert session.pending_events == ()

    def test_events_recorded_after_the_last_save_of_a_transaction_stay_pending(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Events recorded after the last save of a unit of work are not taken."""
        session = stored(repository, clock, user=7)
        with repository.transaction() as tx:
            session.transfer(to=8, by=7)
            tx.save(session)
            session.cancel_transfer(by=7)  # not saved in this transaction
        assert [e.name for e in session.pending_events] == ["TransferCancelled"]
        repository.save(session)
        assert all_records(repository)[-1].event_name == "TransferCancelled"
        assert repository.get(session.chat_session_id).transfer_to is None

    def test_a_nested_transaction_raises(self, repository: ChatSessionRepository) -> None:
        """A unit of work inside another on the same thread raises ``TransactionError``."""
        with repository.transaction(), pytest.raises(TransactionError):  # noqa: SIM117
            with repository.transaction():
                pass  # pragma: no cover

    def test_a_finished_transaction_cannot_be_used(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """The ``tx`` of a unit of work that has ended raises ``TransactionError``."""
        session = stored(repository, clock)
        with repository.transaction() as tx:
            pass
        with pytest.raises(TransactionError):
            tx.get(session.chat_session_id)
        with pytest.raises(TransactionError):
            tx.save(session)
        with repository.transaction(), pytest.raises(TransactionError):
            tx.save(session)  # not even inside the next unit of work
        assert repository.get(session.chat_session_id) == session

    def test_a_transaction_can_follow_a_rolled_back_one(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A rolled-back unit of work leaves the repository usable."""
        with pytest.raises(BoomError), repository.transaction():
            raise BoomError
        session = request(repository, clock)
        with repository.transaction() as tx:
            tx.add(session)
        assert repository.get(session.chat_session_id).version == 1

    def test_concurrent_saves_of_one_version_let_exactly_one_win(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Threads saving the same loaded version: exactly one wins, the rest conflict."""
        sid = stored(repository, clock, user=7).chat_session_id
        contenders = [repository.get(sid) for _ in range(4)]
        for n, session in enumerate(contenders):
            session.transfer(to=10 + n, by=7)
        barrier = threading.Barrier(len(contenders))
        results: list[str] = []

        def race(session: ChatSession) -> None:
            barrier.wait()
            try:
                repository.save(session)
            except ConcurrencyError:
                results.append("conflict")
            else:
                results.append("won")

        threads = [threading.Thread(target=race, args=(s,)) for s in contenders]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["conflict", "conflict", "conflict", "won"]
        final = repository.get(sid)
        assert final.version == 2
        assert [r.event_name for r in repository.outbox.read(chat_session_id=sid)] == [
            "SessionRequested",
            "SessionPickedUp",
            "TransferRequested",
        ]
        [winner] = [s for s in contenders if s.version == 2]
        assert final == winner

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
        left.leave_queue()
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
        b.post_customer_message("hello?")
        repository.save(b)
        ended = stored(repository, clock, user=7)
        ended.end(EndReason.BY_CUSTOMER)
        repository.save(ended)
        stored(repository, clock)
        got = repository.active_sessions_of(7)
        assert got == [a, b]
        assert {s.status for s in got} <= ACTIVE
        assert repository.active_sessions_of(9) == []
        moved = repository.get(a.chat_session_id)
        moved.transfer(to=9, by=7)
        moved.accept_transfer(by=9)
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
        big = ChatSession.request(got[-1] + 1000, ChatTopic(id=1), clock=clock)
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
