"""The repository contract: transactions: all or nothing, joined, not nested, concurrent saves."""

from __future__ import annotations

import threading

import pytest

from chatsession.adapters.clock import ManualClock
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.session import ChatSession
from chatsession.ports.errors import ChatSessionNotFoundError, ConcurrencyError, TransactionError
from chatsession.ports.stores import ChatSessionRepository
from chatsession.testing.contract.support import (
    BoomError,
    all_records,
    request,
    stored,
)


class UnitOfWorkContract:
    """Transactions: all or nothing, joined, not nested, concurrent saves."""

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
            loaded.transfer(to=8, by=7, at=clock.now())
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
            loaded.transfer(to=8, by=7, at=clock.now())
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
            session.transfer(to=8, by=7, at=clock.now())
            tx.save(session)
            session.reject_transfer(by=8, at=clock.now())
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
            session.transfer(to=8, by=7, at=clock.now())
            tx.save(session)
            session.cancel_transfer(by=7, at=clock.now())  # not saved in this transaction
        assert [e.name for e in session.pending_events] == ["TransferCancelled"]
        repository.save(session)
        assert all_records(repository)[-1].event_name == "TransferCancelled"
        assert repository.get(session.chat_session_id).transfer_to is None

    def test_events_pulled_before_the_commit_do_not_cost_unsaved_ones(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """The commit takes exactly the stored events off the session, not a count of them."""
        session = stored(repository, clock, user=7)
        with repository.transaction() as tx:
            session.transfer(to=8, by=7, at=clock.now())
            tx.save(session)
            assert [e.name for e in session.pull_events()] == ["TransferRequested"]
            session.cancel_transfer(by=7, at=clock.now())  # recorded, not saved in this unit
        assert [e.name for e in session.pending_events] == ["TransferCancelled"]
        assert all_records(repository)[-1].event_name == "TransferRequested"

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
            session.transfer(to=10 + n, by=7, at=clock.now())
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

    def test_lock_associate_joins_the_unit_of_work_and_checks_its_id(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A service may take an associate's lock in a unit of work (for a rank)."""
        with repository.transaction() as tx:
            tx.lock_associate(7)
            tx.lock_associate(7)  # again, in the same unit: no deadlock
            session = request(repository, clock)
            tx.add(session)
        repository.lock_associate(8)  # outside a unit: its own, short one
        with pytest.raises(InvalidArgumentError):
            repository.lock_associate(0)
