"""The PostgreSQL store under trouble: locks held too long, lost connections, damaged rows,
foreign and newer schemas, forks, pools the service owns, bad arguments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pg_support import server

from chatsession import ChatSession, ChatTopic, Presence
from chatsession.adapters.open_store import open_repository
from chatsession.adapters.postgres import SCHEMA_VERSION, PostgresChatSessionRepository
from chatsession.ports.errors import (
    ChatSessionNotFoundError,
    CorruptStoreError,
    ForeignStoreError,
    RepositoryBusyError,
    SchemaVersionError,
    StoreUnavailableError,
    TransactionError,
)

server()  # every test here needs the server: else the module skips (fails under CI)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def raw(pg_dsn: str) -> Iterator[Any]:
    """A psycopg connection of the test's own (autocommit), to meddle with the store."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture
def repo(pg_dsn: str, pg_schema: str) -> Iterator[PostgresChatSessionRepository]:
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema, timeout=0.3) as repository:
        yield repository


def add(repo: PostgresChatSessionRepository, *, user: int | None = None) -> ChatSession:
    session = ChatSession.request(repo.next_id(), ChatTopic(id=1), at=AT)
    if user is not None:
        session.pick_up(by=user, at=AT)
    repo.add(session)
    return repo.get(session.chat_session_id)


# ------------------------------------------------------------------ locks


def test_a_session_locked_too_long_is_busy_and_the_unit_of_work_is_dead(
    repo: PostgresChatSessionRepository, raw: Any, pg_schema: str
) -> None:
    sid = add(repo, user=7).chat_session_id
    raw.execute("BEGIN")
    raw.execute(f'SELECT 1 FROM "{pg_schema}".chat_session WHERE id = %s FOR UPDATE', (sid,))
    with pytest.raises(RepositoryBusyError) as caught, repo.transaction() as tx:
        try:
            tx.get(sid)
        except RepositoryBusyError as first:
            assert "aborted the whole unit of work" in str(first)
            with pytest.raises(RepositoryBusyError, match="can do nothing more"):
                tx.count_in_queue()
            raise
    assert "0.3 s" in str(caught.value)
    raw.execute("ROLLBACK")
    loaded = repo.get(sid)  # the repository goes on
    loaded.transfer(to=8, by=7, at=AT)
    repo.save(loaded)
    assert repo.get(sid).version == 2


def test_a_save_that_waits_too_long_is_busy_and_its_unit_of_work_goes_on(
    repo: PostgresChatSessionRepository, raw: Any, pg_schema: str
) -> None:
    """The save ran in a savepoint: rolled back to it, the unit of work can still commit."""
    locked = add(repo, user=7)
    free = add(repo, user=7)
    raw.execute("BEGIN")
    raw.execute(
        f'SELECT 1 FROM "{pg_schema}".chat_session WHERE id = %s FOR UPDATE',
        (locked.chat_session_id,),
    )
    later = add(repo, user=7)
    with repo.transaction() as tx:
        locked.transfer(to=8, by=7, at=AT)
        with pytest.raises(RepositoryBusyError):
            tx.save(locked)
        free.transfer(to=8, by=7, at=AT)
        tx.save(free)  # a write after the refused one
        with pytest.raises(RepositoryBusyError):
            tx.save(locked)  # a refused write after a stored one
        later.transfer(to=9, by=7, at=AT)
        tx.save(later)
    raw.execute("ROLLBACK")
    assert repo.get(free.chat_session_id).transfer_to == 8
    assert repo.get(later.chat_session_id).transfer_to == 9
    assert repo.get(locked.chat_session_id).transfer_to is None
    assert locked.version == 1 and locked.pending_events  # kept for a retry
    assert [r.chat_session_id for r in repo.outbox.read(limit=None)][-2:] == [
        free.chat_session_id,
        later.chat_session_id,
    ]


def test_pooled_connections_the_server_dropped_are_replaced_at_the_next_unit_of_work(
    pg_dsn: str, pg_schema: str, raw: Any
) -> None:
    """A restart (here: every idle connection of the repository terminated) costs no call."""
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema, pool_size=2) as repository:
        session = add(repository, user=7)
        with repository.transaction() as tx:
            pid = tx._conn.info.backend_pid
        raw.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with repository.transaction() as tx:  # BEGIN fails on the dead one, then works
            loaded = tx.get(session.chat_session_id)
            loaded.transfer(to=8, by=7, at=AT)
            tx.save(loaded)
        assert repository.get(session.chat_session_id).version == 2


def test_a_connection_lost_in_a_unit_of_work_makes_the_store_unavailable_for_it(
    repo: PostgresChatSessionRepository, raw: Any
) -> None:
    sid = add(repo).chat_session_id
    with pytest.raises(StoreUnavailableError), repo.transaction() as tx:
        pid = tx._conn.info.backend_pid
        raw.execute("SELECT pg_terminate_backend(%s)", (pid,))
        tx.get(sid)
    assert repo.get(sid).chat_session_id == sid  # a new connection serves the next call
    assert repo.count_in_queue() == 1


# ------------------------------------------------------------------ damaged rows


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("UPDATE {s}.chat_session SET status = 99", "status"),
        ("UPDATE {s}.chat_session SET user_id = -3", "user_id"),
        ("UPDATE {s}.chat_session SET session_key = E'\\\\x'", None),
    ],
)
def test_a_damaged_session_row_is_a_corrupt_store(
    repo: PostgresChatSessionRepository, raw: Any, pg_schema: str, sql: str, what: str | None
) -> None:
    sid = add(repo).chat_session_id
    raw.execute(sql.format(s=f'"{pg_schema}"'))
    if what is None:  # a key of any text is no damage
        assert repo.get(sid).chat_session_id == sid
        return
    with pytest.raises(CorruptStoreError) as caught:
        repo.get(sid)
    assert f"id={sid}" in str(caught.value) and pg_schema in str(caught.value)
    with pytest.raises(CorruptStoreError):
        repo.list_page()


def test_damaged_outbox_topic_and_presence_rows_are_a_corrupt_store(
    repo: PostgresChatSessionRepository, raw: Any, pg_schema: str
) -> None:
    s = f'"{pg_schema}"'
    add(repo)
    repo.add_topic(ChatTopic(id=1))
    repo.set_presence(Presence(7, True))
    raw.execute(f"UPDATE {s}.chat_session_outbox SET payload = '[1]'")
    with pytest.raises(CorruptStoreError, match="chat_session_outbox row sequence=1"):
        repo.outbox.read()
    raw.execute(f"""UPDATE {s}.chat_topic SET settings = '{{"id": 2}}'""")
    with pytest.raises(CorruptStoreError, match="chat_topic row id=1"):
        repo.get_topic(1)
    raw.execute(f"UPDATE {s}.chat_presence SET topic_ids = ARRAY[-1]")
    with pytest.raises(CorruptStoreError, match="chat_presence row user_id=7"):
        repo.get_presence(7)


# ------------------------------------------------------------------ schemas


def test_a_schema_with_another_application_s_chat_session_is_foreign_and_left_alone(
    pg_dsn: str, pg_schema: str, raw: Any
) -> None:
    raw.execute(f'CREATE SCHEMA "{pg_schema}"')
    raw.execute(f'CREATE TABLE "{pg_schema}".chat_session (id text)')
    with pytest.raises(ForeignStoreError, match="chat_session"):
        PostgresChatSessionRepository(pg_dsn, schema=pg_schema)
    tables = raw.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        (pg_schema,),
    ).fetchall()
    assert tables == [("chat_session",)]


def test_other_tables_beside_the_store_are_no_concern_of_it(
    pg_dsn: str, pg_schema: str, raw: Any
) -> None:
    raw.execute(f'CREATE SCHEMA "{pg_schema}"')
    raw.execute(f'CREATE TABLE "{pg_schema}".orders (id int)')
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema) as repository:
        add(repository)


def test_a_newer_schema_is_refused(pg_dsn: str, pg_schema: str, raw: Any) -> None:
    PostgresChatSessionRepository(pg_dsn, schema=pg_schema).close()
    raw.execute(
        f'INSERT INTO "{pg_schema}".chatsession_schema (version, description) '
        "VALUES (%s, 'from the future')",
        (SCHEMA_VERSION + 1,),
    )
    with pytest.raises(SchemaVersionError) as caught:
        PostgresChatSessionRepository(pg_dsn, schema=pg_schema)
    assert (caught.value.found, caught.value.supported) == (SCHEMA_VERSION + 1, SCHEMA_VERSION)


def test_an_older_schema_is_migrated_forward(pg_dsn: str, pg_schema: str, raw: Any) -> None:
    from chatsession.adapters.postgres.migrations import migrate

    migrate(raw, pg_schema, target=1)
    assert raw.execute(f'SELECT max(version) FROM "{pg_schema}".chatsession_schema').fetchone() == (
        1,
    )
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema) as repository:
        repository.add_topic(ChatTopic(id=1))
    versions = raw.execute(
        f'SELECT version, description FROM "{pg_schema}".chatsession_schema ORDER BY version'
    ).fetchall()
    assert [v for v, _ in versions] == list(range(1, SCHEMA_VERSION + 1))
    assert all(description for _, description in versions)


def test_the_default_schema_is_the_connection_s_current_one(
    pg_dsn: str, pg_schema: str, raw: Any
) -> None:
    raw.execute(f'CREATE SCHEMA "{pg_schema}"')
    sep = "&" if "?" in pg_dsn else "?"
    dsn = f"{pg_dsn}{sep}options=-csearch_path%3D{pg_schema}"
    with open_repository(dsn) as repository:
        assert isinstance(repository, PostgresChatSessionRepository)
        assert repository.schema == pg_schema
        add(repository)


def test_times_are_timestamptz_and_the_queue_index_is_there(
    repo: PostgresChatSessionRepository, raw: Any, pg_schema: str
) -> None:
    types = dict(
        raw.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'chat_session'",
            (pg_schema,),
        ).fetchall()
    )
    for column in ("when_requested", "when_started", "when_ended", "idle", "customer_fetch",
                   "transfer_requested_at"):
        assert types[column] == "timestamp with time zone", column
    index = raw.execute(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = %s "
        "AND indexname = 'chat_session_status_topic_id'",
        (pg_schema,),
    ).fetchone()
    assert index is not None and "(status, topic_id, id)" in index[0]


# ------------------------------------------------------------------ processes and pools


def test_a_forked_child_must_open_its_own_repository(
    repo: PostgresChatSessionRepository,
) -> None:
    import multiprocessing

    sid = add(repo).chat_session_id
    ctx = multiprocessing.get_context("fork")
    result = ctx.Queue()

    def child() -> None:
        try:
            repo.get(sid)
        except StoreUnavailableError as exc:
            result.put(str(exc))
        else:  # pragma: no cover - the failure this test is for
            result.put("used the parent's connection")
        repo.close()  # touches nothing of the parent's

    proc = ctx.Process(target=child)
    proc.start()
    proc.join(30)
    message = result.get(timeout=5)
    assert "open a repository in each process" in message
    assert repo.get(sid).chat_session_id == sid  # the parent's connections are intact


def test_a_pool_the_service_owns_stays_open_and_gets_its_connections_back_as_they_were(
    pg_dsn: str, pg_schema: str
) -> None:
    from psycopg_pool import ConnectionPool

    with ConnectionPool(pg_dsn, min_size=1, max_size=2, open=True) as pool:
        repository = PostgresChatSessionRepository(pool, schema=pg_schema)
        session = add(repository)
        with repository.transaction() as tx:
            tx.get(session.chat_session_id)
        repository.close()
        with pytest.raises(TransactionError):
            repository.get(session.chat_session_id)
        assert not pool.closed
        with pool.connection() as conn:
            assert conn.autocommit is False  # as the pool lent it
            assert conn.info.transaction_status == conn.info.transaction_status.IDLE


def test_a_closed_repository_refuses_every_call(pg_dsn: str, pg_schema: str) -> None:
    repository = PostgresChatSessionRepository(pg_dsn, schema=pg_schema)
    repository.close()
    with pytest.raises(TransactionError):
        repository.get(1)
    with pytest.raises(TransactionError), repository.transaction():
        pass  # pragma: no cover
    reopened = PostgresChatSessionRepository(pg_dsn, schema=pg_schema)
    with reopened, pytest.raises(ChatSessionNotFoundError):
        reopened.get(1)
