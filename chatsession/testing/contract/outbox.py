"""The repository contract: the outbox: events stored with the state, in order, marked published."""

from __future__ import annotations

import copy
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta

import pytest

from chatsession.adapters.clock import ManualClock
from chatsession.adapters.event_codec import decode_event
from chatsession.domain.errors import InvalidArgumentError
from chatsession.ports.errors import ConcurrencyError
from chatsession.ports.stores import ChatSessionRepository, OutboxRecord
from chatsession.testing.contract.support import (
    START,
    BoomError,
    all_records,
    decoded,
    request,
    stored,
)


class OutboxContract:
    """The outbox: events stored with the state, in order, marked published."""

    # ---------------------------------------------------------------- outbox

    def test_outbox_holds_the_events_in_order_with_their_versions(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Each event is stored once, in order, with the version its save wrote."""
        session = request(repository, clock)
        expected = [(1, e) for e in session.pending_events]
        repository.add(session)
        now = clock.advance(timedelta(seconds=5))
        session.pick_up(by=7, at=now)
        session.transfer(to=8, by=7, at=now)
        expected += [(2, e) for e in session.pending_events]
        repository.save(session)
        session.accept_transfer(by=8, at=clock.advance(timedelta(seconds=5)))
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
        a.transfer(to=9, by=7, at=clock.now())
        repository.save(a)
        b.transfer(to=9, by=8, at=clock.now())
        repository.save(b)
        a.cancel_transfer(by=7, at=clock.now())
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

    def test_changing_a_read_payload_changes_nothing_stored(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A record's payload is the reader's own: changing it changes no later read.

        (A consumer that "normalises" its copy must not corrupt the stored event.) An
        adapter may hand out read-only mappings instead; then there is nothing to change.
        """
        stored(repository, clock, user=7)

        def meddle(records: list[OutboxRecord]) -> None:
            for record in records:
                payload = record.payload
                if isinstance(payload, MutableMapping):
                    payload["topic_id"] = 999
                    payload["extra"] = 1
                    payload.pop("chat_session_id", None)

        before = all_records(repository)
        expected = [copy.deepcopy(dict(r.payload)) for r in before]
        meddle(before)
        assert [dict(r.payload) for r in all_records(repository)] == expected
        assert decoded(all_records(repository))  # still decodes
        with repository.transaction() as tx:
            tx.add(request(repository, clock))
            staged = repository.outbox.read(limit=None)
            expected = [copy.deepcopy(dict(r.payload)) for r in staged]
            meddle(staged)
            assert [dict(r.payload) for r in repository.outbox.read(limit=None)] == expected
        assert [dict(r.payload) for r in repository.outbox.read(limit=None)] == expected

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
        assert repository.outbox.mark_published(done, at=clock.now()) == 2
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
        fresh.customer_fetched(at=clock.now())
        repository.save(fresh)
        records = all_records(repository)
        stale.transfer(to=8, by=7, at=clock.now())
        stale.cancel_transfer(by=7, at=clock.now())
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

    def test_mark_published_inside_a_rolled_back_transaction_is_undone(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Marks made inside a unit of work that rolls back are dropped with it."""
        stored(repository, clock, user=7)
        records = repository.outbox.read()
        assert len(records) == 2
        clock.advance(timedelta(minutes=1))
        with pytest.raises(BoomError), repository.transaction():
            assert repository.outbox.mark_published(r.sequence for r in records) == 2
            assert repository.outbox.read() == []  # the unit of work sees its own marks
            raise BoomError
        assert repository.outbox.read() == records
        assert not any(r.published for r in all_records(repository))
        assert repository.outbox.mark_published([records[0].sequence]) == 1  # not marked yet

    def test_mark_published_inside_a_transaction_is_stored_when_it_commits(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Marks made inside a unit of work are stored with it, once each."""
        stored(repository, clock, user=7)
        records = repository.outbox.read()
        at = START + timedelta(hours=2)
        with repository.transaction() as tx:
            new = request(repository, clock)
            tx.add(new)
            mine = repository.outbox.read(chat_session_id=new.chat_session_id)
            sequences = [*(r.sequence for r in records), mine[0].sequence]
            assert repository.outbox.mark_published(sequences, at=at) == 3
            assert repository.outbox.mark_published(sequences, at=START) == 0
        everything = all_records(repository)
        assert [r.published_at for r in everything] == [at, at, at]
        assert repository.outbox.read() == []

    def test_mark_published_without_at_stamps_the_current_utc_time(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Without ``at``, ``published_at`` is the time of the call, in UTC.

        The repository has no clock of its own: the time is the current UTC time
        between just before and just after the call (not the test's ``ManualClock``).
        """
        stored(repository, clock, user=7)
        records = repository.outbox.read()
        before = datetime.now(UTC)
        assert repository.outbox.mark_published([records[0].sequence]) == 1
        after = datetime.now(UTC)
        [marked] = [r for r in all_records(repository) if r.published]
        assert marked.sequence == records[0].sequence
        assert marked.published_at is not None
        assert marked.published_at.utcoffset() == timedelta(0)
        assert before <= marked.published_at <= after
        assert marked.published_at != clock.now()
        assert repository.outbox.read() == records[1:]

    def test_purge_deletes_only_records_published_before_the_limit(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A retention limit: old published records go, unpublished and newer ones stay."""
        session = stored(repository, clock, user=7)
        session.post_user_message("hello", by=7, at=clock.now())
        repository.save(session)
        old, recent, unpublished = all_records(repository)
        repository.outbox.mark_published([old.sequence], at=clock.now())
        repository.outbox.mark_published(
            [recent.sequence], at=clock.now() + timedelta(days=2)
        )
        limit = clock.now() + timedelta(days=1)
        assert repository.outbox.purge_published(before=limit) == 1
        left = all_records(repository)
        assert [r.sequence for r in left] == [recent.sequence, unpublished.sequence]
        assert repository.outbox.purge_published(before=limit) == 0
        with pytest.raises(InvalidArgumentError):
            repository.outbox.purge_published(before=datetime(2026, 1, 1))  # naive
