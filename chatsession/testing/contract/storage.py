"""The repository contract: adding, loading and saving: versions, conflicts, independent copies."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatsession.adapters.clock import ManualClock
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.events import EndReason
from chatsession.domain.invariants import check_invariants
from chatsession.domain.session import ChatSession
from chatsession.domain.topic import ChatTopic
from chatsession.ports.errors import (
    ChatSessionNotFoundError,
    ConcurrencyError,
    DuplicateChatSessionError,
)
from chatsession.ports.stores import ChatSessionRepository, Outbox
from chatsession.testing.contract.support import (
    PROPERTY_SETTINGS,
    START,
    TIME_FIELDS,
    S,
    all_records,
    decoded,
    request,
    stored,
)
from chatsession.testing.strategies import sessions

OFFSETS = st.integers(-14 * 3600, 14 * 3600).map(lambda s: timezone(timedelta(seconds=s)))
"""A UTC offset of whole seconds (what the domain accepts), UTC among them."""


class StorageContract:
    """Adding, loading and saving: versions, conflicts, independent copies."""

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
    @PROPERTY_SETTINGS
    def test_round_trip_of_any_valid_session_keeps_every_field_offset_and_event(
        self, repository: ChatSessionRepository, data: st.DataObject
    ) -> None:
        """Any valid session comes back equal, at version 1, with its times in UTC.

        Its events are in the outbox, and decode to what they were. Commands record UTC
        times; a session restored from elsewhere may hold any offset, so its times are
        moved to a drawn one first (the same instants): stored times are UTC.
        """
        session = data.draw(sessions(chat_session_id=repository.next_id()), label="session")
        zone = data.draw(OFFSETS, label="offset")
        for name in TIME_FIELDS:
            value = getattr(session, name)
            if value is not None:
                setattr(session, name, value.astimezone(zone))
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
        for name in TIME_FIELDS:  # equal instants, loaded in UTC
            before, after = getattr(original, name), getattr(loaded, name)
            if before is not None:
                assert after == before and after.utcoffset() == timedelta(0), name

    def test_a_loaded_session_needs_no_clock(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A session loaded from the store takes commands at the time given (``at=``).

        The store hands out no clock: the command records ``at`` (in UTC) on the session
        and its events, and a save stores that time with them.
        """
        session = request(repository, clock)
        repository.add(session)
        later = clock.advance(timedelta(minutes=5))
        loaded = repository.get(session.chat_session_id)
        assert loaded.pick_up(by=7, at=later).changed
        assert loaded.when_started == later
        assert loaded.pending_events
        assert all(e.occurred_at == later for e in loaded.pending_events)
        repository.save(loaded)
        again = repository.get(session.chat_session_id)
        assert again.when_started == later
        assert again.when_started is not None and again.when_started.utcoffset() == timedelta(0)
        assert again.when_requested == START
        records = repository.outbox.read(chat_session_id=session.chat_session_id, limit=None)
        assert [r.occurred_at for r in records] == [START] + [later] * (len(records) - 1)
        assert all(r.occurred_at.utcoffset() == timedelta(0) for r in records)

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
            first.chat_session_id, ChatTopic(id=2), at=clock.now(), agents_available=False
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
            session.customer_fetched(at=clock.advance(timedelta(seconds=1)))
            repository.save(session)
            assert session.version == expected
            assert repository.get(session.chat_session_id).version == expected

    def test_save_stores_the_changes(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``save`` stores what the commands changed."""
        session = stored(repository, clock)
        now = clock.advance(timedelta(minutes=1))
        session.pick_up(by=7, at=now)
        session.transfer(to=8, by=7, at=now)
        repository.save(session)
        loaded = repository.get(session.chat_session_id)
        assert loaded == session
        assert loaded.when_started == loaded.transfer_requested_at == now
        assert loaded.transfer_pending
        assert (loaded.user_id, loaded.transfer_to) == (7, 8)

    def test_stale_save_raises_concurrency_error_and_stores_nothing(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Saving a session someone else saved since it was loaded raises; nothing is stored."""
        sid = stored(repository, clock, user=7).chat_session_id
        mine, theirs = repository.get(sid), repository.get(sid)
        theirs.transfer(to=8, by=7, at=clock.now())
        repository.save(theirs)
        winner, records = repository.get(sid), all_records(repository)
        mine.end(EndReason.BY_CUSTOMER, at=clock.now())
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
        theirs.transfer(to=8, by=7, at=clock.now())
        repository.save(theirs)
        mine.transfer(to=9, by=7, at=clock.now())
        with pytest.raises(ConcurrencyError):
            repository.save(mine)
        retry = repository.get(sid)
        retry.transfer(to=9, by=7, at=clock.now())
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
        loaded.transfer(to=8, by=7, at=clock.now())
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
        session.pick_up(by=7, at=clock.now())
        assert repository.get(session.chat_session_id) == snapshot

    def test_every_query_returns_independent_copies(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Sessions from the queries are copies too."""
        sid = stored(repository, clock, user=7).chat_session_id
        queue = stored(repository, clock).chat_session_id
        first = repository.first_in_queue()
        assert first is not None and first.chat_session_id == queue
        first.leave_queue(at=clock.now())
        [active] = repository.active_sessions_of(7)
        active.transfer(to=9, by=7, at=clock.now())
        for s in repository.list_page().items:
            s.alert_level = 3
        assert repository.get(queue).status is S.InQueue
        assert repository.get(sid).transfer_to is None
        assert all(s.alert_level == 0 for s in repository.list_page().items)
