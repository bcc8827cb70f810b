"""The repository contract: bad input is refused alike by every adapter, and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chatsession.adapters.clock import ManualClock
from chatsession.domain.errors import (
    ChatSessionError,
    InvalidArgumentError,
    InvariantViolationError,
)
from chatsession.domain.session import ChatSession
from chatsession.domain.topic import ChatTopic
from chatsession.ports.errors import ChatSessionNotFoundError
from chatsession.ports.stores import ChatSessionRepository
from chatsession.testing.contract.support import S, all_records, request, stored

BAD_IDS: tuple[Any, ...] = ("1", 1.0, True, 0, -1, 2**31, 2**63, None)
"""Not a positive int32 (``True`` and ``"1"`` equal id 1 in SQLite's eyes)."""

BAD_FILTER_IDS = tuple(v for v in BAD_IDS if v is not None)
"""Bad ids for the filters that take ``None`` as "no filter"."""

BAD_FIELDS: tuple[tuple[str, Any], ...] = (
    ("session_key", None),
    ("contact_id", 2**63),
    ("customer_name", "Ann \ud800"),
    ("last_message", "\udfff"),
    ("topic_id", "1"),
    ("customer_consented", 1),
    ("status", S.UserLast),  # active, yet nobody handles it
)
"""(field, value) that make a session break an invariant (type, range or rule)."""

BAD_STATUS_FILTERS: tuple[Any, ...] = (
    "InQueue",
    b"\x04",
    4,
    True,
    [True],
    [4],
    ["InQueue"],
    [S.InQueue, None],
    [S.InQueue, 4.0],
)
"""Not a ``ChatSessionStatus`` nor an iterable of them (a ``str`` is no list of statuses)."""

QUERIES: dict[str, Callable[[ChatSessionRepository, Any], object]] = {
    "active_sessions_of": lambda repo, v: repo.active_sessions_of(v),
    "first_in_queue": lambda repo, v: repo.first_in_queue(v),
    "count_in_queue": lambda repo, v: repo.count_in_queue(v),
    "list_page(topic_id)": lambda repo, v: repo.list_page(topic_id=v),
    "list_page(user_id)": lambda repo, v: repo.list_page(user_id=v),
    "outbox.read(chat_session_id)": lambda repo, v: repo.outbox.read(chat_session_id=v),
}


def _broken(session: ChatSession, name: str, value: Any) -> ChatSession:
    """A copy of ``session`` (with its pending events) with ``name`` set to ``value``."""
    bad = session.copy()
    setattr(bad, name, value)
    return bad


class ArgumentContract:
    """Bad ids and invalid sessions: ``InvalidArgumentError``/``InvariantViolationError``."""

    # ------------------------------------------------------------- bad ids

    @pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
    def test_get_of_a_bad_id_raises_invalid_argument(
        self, repository: ChatSessionRepository, clock: ManualClock, bad: Any
    ) -> None:
        """``get`` of anything but a positive int32 raises ``InvalidArgumentError``.

        Not a session (SQLite compares ``"1"`` and ``True`` equal to 1), not not-found,
        not an ``OverflowError``.
        """
        first = ChatSession.request(1, ChatTopic(id=1), at=clock.now())
        repository.add(first)
        with pytest.raises(InvalidArgumentError) as caught:
            repository.get(bad)
        assert isinstance(caught.value, ChatSessionError)
        assert repository.get(1) == first

    @pytest.mark.parametrize("query", sorted(QUERIES))
    @pytest.mark.parametrize("bad", BAD_FILTER_IDS, ids=repr)
    def test_queries_refuse_a_bad_id_filter(
        self, repository: ChatSessionRepository, clock: ManualClock, query: str, bad: Any
    ) -> None:
        """The id filters of the queries take positive int32s (or None) only."""
        stored(repository, clock, user=1)
        with pytest.raises(InvalidArgumentError):
            QUERIES[query](repository, bad)

    @pytest.mark.parametrize(
        "bad",
        [{"after": 2**63}, {"after": "0"}, {"after": True}, {"limit": 1.5}, {"limit": "9"}],
        ids=repr,
    )
    def test_list_page_refuses_a_bad_cursor_or_limit(
        self, repository: ChatSessionRepository, bad: dict[str, Any]
    ) -> None:
        """``after`` is 0 or an id, ``limit`` an int >= 1: else ``InvalidArgumentError``."""
        with pytest.raises(InvalidArgumentError):
            repository.list_page(**bad)

    @pytest.mark.parametrize("bad", BAD_STATUS_FILTERS, ids=repr)
    def test_list_page_refuses_a_bad_status_filter(
        self, repository: ChatSessionRepository, clock: ManualClock, bad: Any
    ) -> None:
        """``status`` is a ``ChatSessionStatus`` or an iterable of them, else refused.

        ``InvalidArgumentError``: not the characters of a name, not an ``int`` (``True``
        would be status 1).
        """
        stored(repository, clock)
        with pytest.raises(InvalidArgumentError):
            repository.list_page(status=bad)

    def test_list_page_takes_any_iterable_of_statuses(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """One status, a list, a set, a generator, or none at all (an empty page)."""
        made = stored(repository, clock)
        for good in (S.InQueue, [S.InQueue], {S.InQueue, S.Closed}, (s for s in [S.InQueue])):
            assert repository.list_page(status=good).items == (made,)
        assert repository.list_page(status=[S.Closed]).items == ()
        assert repository.list_page(status=[]).items == ()

    def test_a_huge_limit_is_no_error(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Any int limit >= 1 works, however large; so does the largest cursor."""
        made = stored(repository, clock)
        assert repository.list_page(limit=2**63).items == (made,)
        assert repository.list_page(after=2**31 - 1).items == ()
        assert len(repository.outbox.read(limit=2**63)) == 1

    @pytest.mark.parametrize(
        "bad",
        [
            {"after": 2**63},
            {"after": -1},
            {"after": "0"},
            {"limit": 0},
            {"include_published": 1},
            {"include_published": "yes"},
            {"include_published": None},
        ],
        ids=repr,
    )
    def test_outbox_read_refuses_bad_arguments(
        self, repository: ChatSessionRepository, bad: dict[str, Any]
    ) -> None:
        """``Outbox.read`` takes a sequence >= 0 as cursor, a limit >= 1 (or None), a bool."""
        with pytest.raises(InvalidArgumentError):
            repository.outbox.read(**bad)

    @pytest.mark.parametrize("bad", ["1", 1.5, True, 0, -1, 2**63, None], ids=repr)
    def test_mark_published_refuses_a_bad_sequence_and_marks_nothing(
        self, repository: ChatSessionRepository, clock: ManualClock, bad: Any
    ) -> None:
        """Sequences are positive ints: anything else raises, and nothing is marked."""
        stored(repository, clock)
        [record] = repository.outbox.read()
        with pytest.raises(InvalidArgumentError):
            repository.outbox.mark_published([record.sequence, bad])
        assert repository.outbox.read() == [record]

    @pytest.mark.parametrize("bad", [5, None, "12", b"\x01", 1.0], ids=repr)
    def test_mark_published_refuses_what_is_no_iterable_of_sequences(
        self, repository: ChatSessionRepository, clock: ManualClock, bad: Any
    ) -> None:
        """``mark_published`` takes an iterable of sequences: not one int, not a ``str``."""
        stored(repository, clock)
        [record] = repository.outbox.read()
        with pytest.raises(InvalidArgumentError):
            repository.outbox.mark_published(bad)
        assert repository.outbox.read() == [record]

    # ------------------------------------------------------ invalid sessions

    @pytest.mark.parametrize(("name", "value"), BAD_FIELDS, ids=[n for n, _ in BAD_FIELDS])
    def test_add_of_an_invalid_session_raises_and_stores_nothing(
        self, repository: ChatSessionRepository, clock: ManualClock, name: str, value: Any
    ) -> None:
        """``add`` checks the invariants first: a session breaking one is not stored."""
        bad = _broken(request(repository, clock), name, value)
        pending = bad.pending_events
        with pytest.raises(InvariantViolationError) as caught:
            repository.add(bad)
        assert caught.value.violations
        assert repository.list_page().items == ()
        assert all_records(repository) == []
        assert bad.version == 0 and bad.pending_events == pending

    @pytest.mark.parametrize(("name", "value"), BAD_FIELDS, ids=[n for n, _ in BAD_FIELDS])
    def test_save_of_an_invalid_session_raises_and_stores_nothing(
        self, repository: ChatSessionRepository, clock: ManualClock, name: str, value: Any
    ) -> None:
        """``save`` checks the invariants first: the stored session stays as it was."""
        before = stored(repository, clock)
        records = all_records(repository)
        bad = _broken(repository.get(before.chat_session_id), name, value)
        with pytest.raises(InvariantViolationError):
            repository.save(bad)
        assert repository.get(before.chat_session_id) == before
        assert all_records(repository) == records
        assert bad.version == 1

    def test_an_invalid_session_refused_inside_a_unit_of_work_leaves_the_rest(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A caught ``InvariantViolationError`` stores nothing; the unit of work goes on."""
        with repository.transaction() as tx:
            good = request(repository, clock)
            tx.add(good)
            bad = _broken(request(repository, clock), "session_key", None)
            with pytest.raises(InvariantViolationError):
                tx.add(bad)
        assert repository.get(good.chat_session_id) == good
        with pytest.raises(ChatSessionNotFoundError):
            repository.get(bad.chat_session_id)
        assert [r.chat_session_id for r in all_records(repository)] == [good.chat_session_id]
