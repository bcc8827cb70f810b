"""The repository contract, run against PostgreSQL: each test on a fresh, empty schema.

Plus what the PostgreSQL adapter does where the port leaves a choice (ids from sequences
are skipped after a rollback, never handed out again), and its own guarantees: times in
UTC whatever the connection's zone, any text (U+0000 included), the per-session write
lock of a unit of work, ``first_in_queue`` passing over locked sessions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta, timezone

import pytest
from pg_support import server

from chatsession.adapters.clock import ManualClock
from chatsession.adapters.postgres import PostgresChatSessionRepository
from chatsession.domain.session import ChatSession
from chatsession.domain.topic import ChatTopic
from chatsession.ports.stores import ChatSessionRepository
from chatsession.testing.contract import ChatSessionRepositoryContract, RepositoryFactory
from chatsession.testing.contract.support import BoomError, all_records, request, stored

server()  # every test here needs the server: else the module skips (fails under CI)


class PostgresAdapterBehaviour:
    """Where the port leaves a choice: the PostgreSQL adapter's, and its own guarantees."""

    def test_an_id_drawn_in_a_rolled_back_unit_of_work_is_skipped_never_reused(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Sequences never roll back: the ids are skipped, and stay above every drawn id."""
        kept = repository.next_id()
        with pytest.raises(BoomError), repository.transaction() as tx:
            drawn = [tx.next_id(), repository.next_id()]
            tx.add(request(repository, clock))
            raise BoomError
        assert drawn[0] > kept and drawn[1] > drawn[0]
        after = [repository.next_id(), repository.next_id()]
        assert min(after) > max(drawn) + 1  # the add's own draw is skipped too
        with repository.transaction() as tx:
            committed = tx.next_id()
        assert committed > max(after)
        assert repository.next_id() == committed + 1

    def test_a_topic_id_drawn_in_a_rolled_back_unit_of_work_is_skipped(
        self, repository: ChatSessionRepository
    ) -> None:
        kept = repository.next_topic_id()
        with pytest.raises(BoomError), repository.transaction() as tx:
            drawn = tx.next_topic_id()
            tx.add_topic(ChatTopic(id=drawn))
            raise BoomError
        assert drawn == kept + 1
        assert repository.next_topic_id() == drawn + 1
        assert repository.list_topics() == []

    def test_published_at_is_stored_in_utc(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        stored(repository, clock)
        at = clock.now().astimezone(timezone(timedelta(hours=-7, minutes=-30)))
        assert repository.outbox.mark_published([all_records(repository)[0].sequence], at=at)
        [record] = all_records(repository)
        assert record.published_at == at
        assert record.published_at is not None
        assert record.published_at.utcoffset() == timedelta(0)

    def test_text_with_nul_and_the_escape_character_comes_back_as_it_was(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """PostgreSQL's text holds no U+0000: the adapter escapes it, invisibly."""
        odd = ["\x00", "a\x00b", "\uffff", "\uffff0", "\uffff\uffff", "x\\0\uffff\x00\uffff"]
        for text in odd:
            session = request(repository, clock)
            session.customer_name = text
            session.post_customer_message(text or "?", at=clock.now())
            repository.add(session)
            loaded = repository.get(session.chat_session_id)
            assert loaded.customer_name == text
            assert [m.text for m in repository.messages(session.chat_session_id)] == [text]

    def test_get_inside_a_unit_of_work_holds_the_session_until_it_ends(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A second unit of work on the session waits, then reads what the first committed."""
        sid = stored(repository, clock, user=7).chat_session_id
        first_has_it = threading.Event()
        seen: list[int] = []

        def second() -> None:
            first_has_it.wait(5)
            with repository.transaction() as tx:
                session = tx.get(sid)
                seen.append(session.version)
                session.cancel_transfer(by=7, at=clock.now())
                tx.save(session)  # never a conflict: the unit read the latest version

        thread = threading.Thread(target=second)
        thread.start()
        with repository.transaction() as tx:
            session = tx.get(sid)
            first_has_it.set()
            thread.join(0.3)
            assert thread.is_alive(), "the second unit of work did not wait"
            session.transfer(to=8, by=7, at=clock.now())
            tx.save(session)
        thread.join(10)
        assert seen == [2]
        assert repository.get(sid).version == 3
        assert repository.get(sid).transfer_to is None

    def test_two_units_taking_the_first_in_queue_never_get_the_same_session(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``first_in_queue`` in a unit of work passes over a session another unit holds."""
        queued = [stored(repository, clock).chat_session_id for _ in range(3)]
        barrier = threading.Barrier(2)
        got: list[int | None] = []
        lock = threading.Lock()

        def pick(by: int) -> None:
            with repository.transaction() as tx:
                session = tx.first_in_queue()
                with lock:
                    got.append(None if session is None else session.chat_session_id)
                barrier.wait(5)  # both hold their session at once
                if session is not None:
                    session.pick_up(by=by, at=clock.now())
                    tx.save(session)

        threads = [threading.Thread(target=pick, args=(by,)) for by in (7, 8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert sorted(i for i in got if i is not None) == queued[:2]
        assert repository.first_in_queue() is not None
        assert repository.count_in_queue() == 1


class TestPostgresRepository(ChatSessionRepositoryContract, PostgresAdapterBehaviour):
    @pytest.fixture
    def repository_factory(self, pg_dsn: str, pg_schemas: Callable[[], str]) -> RepositoryFactory:
        return lambda: PostgresChatSessionRepository(pg_dsn, schema=pg_schemas(), pool_size=6)


class TestPostgresRepositoryOnAFactory(PostgresAdapterBehaviour):
    """The same behaviour on connections from a factory, in a zone that is not UTC."""

    @pytest.fixture
    def clock(self) -> ManualClock:
        from chatsession.testing.contract.support import START

        return ManualClock(START)

    @pytest.fixture
    def repository(self, pg_dsn: str, pg_schema: str) -> Iterator[ChatSessionRepository]:
        import psycopg

        def connect() -> psycopg.Connection[tuple[object, ...]]:
            conn = psycopg.connect(pg_dsn)
            conn.execute("SET TimeZone = 'Asia/Kathmandu'")  # +05:45
            conn.commit()
            return conn

        repo = PostgresChatSessionRepository(connect, schema=pg_schema)
        yield repo
        repo.close()


def test_times_read_back_in_utc_whatever_the_connection_zone(
    pg_dsn: str, pg_schema: str
) -> None:
    import psycopg

    def connect() -> psycopg.Connection[tuple[object, ...]]:
        conn = psycopg.connect(pg_dsn, autocommit=True)
        conn.execute("SET TimeZone = 'America/St_Johns'")  # -03:30 or -02:30
        return conn

    clock = ManualClock(ChatSession.utc_now())
    with PostgresChatSessionRepository(connect, schema=pg_schema) as repo:
        session = request(repo, clock)
        repo.add(session)
        loaded = repo.get(session.chat_session_id)
        assert loaded.when_requested == session.when_requested
        assert loaded.when_requested.utcoffset() == timedelta(0)
        [record] = repo.outbox.read()
        assert record.occurred_at.utcoffset() == timedelta(0)
