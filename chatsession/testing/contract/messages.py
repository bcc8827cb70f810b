"""The message-log part of the repository contract: written with the events, in one unit."""

from __future__ import annotations

import pytest

from chatsession.adapters.clock import ManualClock
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.events import EndReason
from chatsession.domain.messages import ChatMessageType, SpecialType
from chatsession.domain.topic import ChatTopic
from chatsession.ports.stores import ChatSessionRepository
from chatsession.testing.contract.support import BoomError, request


class MessageContract:
    """Every repository keeps a session's message log with its events."""

    def test_messages_are_written_with_the_events_that_make_them(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A posted message, a welcome at pick-up, a transfer, its rejection, the end."""
        session = request(repository, clock)
        session.post_customer_message("my invoice", at=clock.now())
        repository.add(session)
        session = repository.get(session.chat_session_id)
        session.pick_up(by=7, welcome="Hello, I am Alice", at=clock.now())
        session.post_user_message("let me look", by=7, at=clock.now())
        session.transfer(to=8, by=7, at=clock.now())
        session.reject_transfer(by=8, at=clock.now())
        session.end(EndReason.BY_USER, by=7, at=clock.now())
        repository.save(session)
        log = repository.messages(session.chat_session_id)
        assert [(m.type, m.special_type, m.text) for m in log] == [
            (ChatMessageType.ToUser, SpecialType.None_, "my invoice"),
            (ChatMessageType.Special, SpecialType.Welcome, "Hello, I am Alice"),
            (ChatMessageType.ToCustomer, SpecialType.None_, "let me look"),
            (ChatMessageType.Special, SpecialType.TransferedSession, ""),
            (ChatMessageType.Special, SpecialType.TransferRejected, ""),
            (ChatMessageType.Special, SpecialType.ClosedByUser, ""),
        ]
        assert [m.author for m in log][:3] == ["customer", "system", "user:7"]
        assert all(m.chat_session_id == session.chat_session_id for m in log)
        assert all(m.when == clock.now() and m.when.utcoffset() is not None for m in log)

    def test_message_ids_grow_over_the_store_and_page_with_after(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """One id sequence per store; ``after`` and ``limit`` page a session's log."""
        first, second = request(repository, clock), request(repository, clock)
        for n in range(3):
            first.post_customer_message(f"a{n}", at=clock.now())
            second.post_customer_message(f"b{n}", at=clock.now())
        repository.add(first)
        repository.add(second)
        ids_first = [m.chat_message_id for m in repository.messages(first.chat_session_id)]
        ids_second = [m.chat_message_id for m in repository.messages(second.chat_session_id)]
        assert ids_first == sorted(ids_first) and ids_second == sorted(ids_second)
        assert max(ids_first) < min(ids_second)
        page = repository.messages(first.chat_session_id, after=ids_first[0], limit=1)
        assert [m.text for m in page] == ["a1"]
        assert repository.messages(first.chat_session_id, after=ids_first[-1]) == []
        assert repository.messages(2**31 - 1) == []

    def test_a_rolled_back_unit_of_work_writes_no_message(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Messages go with the unit of work: a rollback drops them, and their ids."""
        session = request(repository, clock)
        repository.add(session)
        with pytest.raises(BoomError), repository.transaction() as tx:
            loaded = tx.get(session.chat_session_id)
            loaded.post_customer_message("lost", at=clock.now())
            tx.save(loaded)
            assert [m.text for m in tx.written_messages] == ["lost"]
            assert [m.text for m in tx.messages(session.chat_session_id)] == ["lost"]
            raise BoomError
        assert repository.messages(session.chat_session_id) == []
        loaded = repository.get(session.chat_session_id)
        loaded.post_customer_message("kept", at=clock.now())
        repository.save(loaded)
        [kept] = repository.messages(session.chat_session_id)
        assert kept.text == "kept"

    def test_a_reactivation_and_an_idle_end_write_their_system_messages(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """ReopenedByCustomer before the returning customer's message; ClosedByIdle."""
        session = request(repository, clock)
        session.pick_up(by=7, at=clock.now())
        session.end(EndReason.IDLE, at=clock.now())
        topic = ChatTopic(id=session.topic_id, post_form_enabled=True)
        session.post_customer_message("me again", topic=topic, at=clock.now())
        repository.add(session)
        assert [(m.special_type, m.text) for m in repository.messages(session.chat_session_id)] == [
            (SpecialType.ClosedByIdle, ""),
            (SpecialType.ReopenedByCustomer, ""),
            (SpecialType.None_, "me again"),
        ]

    @pytest.mark.parametrize(
        ("args", "kwargs"),
        [((0,), {}), (("1",), {}), ((True,), {}), ((1,), {"after": -1}),
         ((1,), {"after": "2"}), ((1,), {"limit": 0}), ((1,), {"limit": True})],
    )  # fmt: skip
    def test_bad_message_arguments_are_refused(
        self, repository: ChatSessionRepository, args: tuple[object, ...], kwargs: dict[str, object]
    ) -> None:
        """Ids, cursors and limits are checked as everywhere else."""
        with pytest.raises(InvalidArgumentError):
            repository.messages(*args, **kwargs)  # type: ignore[arg-type]
