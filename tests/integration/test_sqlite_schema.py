"""The SQLite adapter's own promises: schema, migrations, settings, stored forms."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from chatsession import ChatSession, ChatTopic, Customer, ManualClock
from chatsession.adapters.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteChatSessionRepository
from chatsession.adapters.sqlite.migrations import (
    APPLICATION_ID,
    check_store,
    migrate,
    schema_version,
)
from chatsession.adapters.sqlite.tables import COLUMN_NAMES, row_to_session, session_to_row
from chatsession.domain.errors import InvalidArgumentError
from chatsession.ports.errors import (
    ForeignStoreError,
    RepositoryBusyError,
    RepositoryError,
    SchemaVersionError,
    TransactionError,
)

START = datetime(2024, 5, 1, 9, 30, 0, 123456, tzinfo=timezone(timedelta(hours=5, minutes=30)))

SUPEROFFICE_COLUMNS = {
    "id", "topic_id", "user_id", "customer_id", "customer_alias", "status",
    "when_requested", "when_started", "when_ended", "idle", "customer_fetch", "session_key",
    "initial_queue_pos", "customer_host", "alert_level", "rank", "name", "company_name",
    "email", "phone", "first_message", "last_message", "flags", "project_id", "sale_id",
    "ticket_id", "contact_id", "transfer_to", "consented", "chatbot_isactive", "country",
    "rating",
}  # fmt: skip


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[SqliteChatSessionRepository]:
    repository = SqliteChatSessionRepository(tmp_path / "chat.db")
    yield repository
    repository.close()


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute("SELECT * FROM pragma_table_info(?)", (table,))]


def test_the_table_has_the_superoffice_columns_plus_version_and_transfer_time(
    repo: SqliteChatSessionRepository,
) -> None:
    got = set(columns(repo.connection(), "chat_session"))
    assert got == SUPEROFFICE_COLUMNS | {"version", "transfer_requested_at"}
    assert set(COLUMN_NAMES) == got - {"country"}


def test_the_queue_index_is_status_topic_id_id(repo: SqliteChatSessionRepository) -> None:
    conn = repo.connection()
    index = [r[2] for r in conn.execute("PRAGMA index_info(chat_session_status_topic_id)")]
    assert index == ["status", "topic_id", "id"]


def test_the_queue_queries_use_the_index(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    for topic in (1, 2, 2):
        repo.add(ChatSession.request(repo.next_id(), ChatTopic(id=topic), at=clock.now()))
    conn = repo.connection()
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        repo.first_in_queue(2)
        repo.count_in_queue(2)
    finally:
        conn.set_trace_callback(None)
    assert len(statements) == 2
    for sql in statements:
        plan = " ".join(str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "chat_session_status_topic_id" in plan, plan


def test_a_new_file_is_at_the_latest_schema_in_wal_mode(
    repo: SqliteChatSessionRepository,
) -> None:
    conn = repo.connection()
    assert schema_version(conn) == SCHEMA_VERSION == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_synchronous_and_timeout_can_be_chosen(tmp_path: Path) -> None:
    with SqliteChatSessionRepository(
        tmp_path / "fast.db", synchronous="NORMAL", timeout=0.25
    ) as repo:
        conn = repo.connection()
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 250


def test_a_version_1_file_is_migrated_forward_keeping_its_sessions(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "old.db"
    session = ChatSession.request(41, ChatTopic(id=3), at=clock.now())
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    assert schema_version(conn) == 1
    marks = ", ".join("?" for _ in COLUMN_NAMES)
    conn.execute(
        f"INSERT INTO chat_session ({', '.join(COLUMN_NAMES)}) VALUES ({marks})",
        (*session_to_row(session)[:-1], 1),
    )
    conn.close()
    with SqliteChatSessionRepository(path) as repo:
        assert schema_version(repo.connection()) == SCHEMA_VERSION
        indexes = {r[1] for r in repo.connection().execute("PRAGMA index_list(chat_session)")}
        assert "chat_session_user_status" in indexes
        loaded = repo.get(41)
        session.version = 1
        assert loaded == session
        assert repo.next_id() == 1  # the v1 file's sequence carries on


def test_a_file_newer_than_the_code_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn)  # a chatsession file, as a later release would leave it
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaVersionError) as caught:
        SqliteChatSessionRepository(path)
    assert type(caught.value) is SchemaVersionError
    assert (caught.value.found, caught.value.supported) == (SCHEMA_VERSION + 1, SCHEMA_VERSION)
    assert "upgrade chatsession" in str(caught.value)
    assert path.read_bytes() == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not even WAL
    conn.close()


FOREIGN_FILES: dict[str, tuple[str, ...]] = {
    "its own tables at version 0": (
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO users VALUES (1, 'x')",
    ),
    "its own tables at version 1": (
        "CREATE TABLE users (id INTEGER PRIMARY KEY)",
        "PRAGMA user_version = 1",
    ),
    "its own tables at a version this code knows": (
        "CREATE TABLE users (id INTEGER PRIMARY KEY)",
        f"PRAGMA user_version = {SCHEMA_VERSION}",
    ),
    "its own tables at a later version": (
        "CREATE TABLE users (id INTEGER PRIMARY KEY)",
        "PRAGMA user_version = 7",
    ),
    "a table named like ours at version 0": (
        "CREATE TABLE chat_session (id INTEGER PRIMARY KEY, whatever TEXT)",
    ),
    "only a view": ("CREATE VIEW answer AS SELECT 42",),
    "its own application_id": ("PRAGMA application_id = 1234",),
    "another application_id on chatsession's tables": (
        *(statement for step in MIGRATIONS[:2] for statement in step),
        "PRAGMA user_version = 2",
        "PRAGMA application_id = 1234",
    ),
}


@pytest.mark.parametrize("statements", FOREIGN_FILES.values(), ids=FOREIGN_FILES.keys())
def test_another_application_s_database_is_refused_untouched(
    tmp_path: Path, statements: tuple[str, ...]
) -> None:
    """No table added, no migration, no WAL: a ``ForeignStoreError`` before any change."""
    path = tmp_path / "their.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    version = schema_version(conn)
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ForeignStoreError) as caught:
        SqliteChatSessionRepository(path)
    error = caught.value
    assert isinstance(error, SchemaVersionError) and isinstance(error, RepositoryError)
    assert (error.found, error.supported) == (version, SCHEMA_VERSION)
    assert "not a chatsession store" in str(error) and str(path) in str(error)
    assert "upgrade chatsession" not in str(error)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["their.db"]  # no -wal, no -shm
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_an_empty_file_becomes_a_store(tmp_path: Path, clock: ManualClock) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with SqliteChatSessionRepository(path) as repo:
        repo.add(ChatSession.request(repo.next_id(), ChatTopic(id=1), at=clock.now()))
        assert schema_version(repo.connection()) == SCHEMA_VERSION
    with SqliteChatSessionRepository(path) as repo:  # and opens again
        assert repo.count_in_queue() == 1


def test_a_store_carries_chatsession_s_application_id(
    repo: SqliteChatSessionRepository,
) -> None:
    conn = repo.connection()
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


@pytest.mark.parametrize("old", [1, 2])
def test_an_older_chatsession_file_is_migrated_and_marked(tmp_path: Path, old: int) -> None:
    """Files of earlier releases (no application_id yet) are recognised by their tables."""
    path = tmp_path / f"v{old}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=old)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0
    conn.close()
    with SqliteChatSessionRepository(path) as repo:
        conn = repo.connection()
        assert schema_version(conn) == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_check_store_reads_only() -> None:
    """The check runs in one read transaction and leaves none open."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(ForeignStoreError):
        check_store(conn)
    assert not conn.in_transaction
    conn.close()


def test_a_failing_migration_leaves_the_file_at_the_old_version(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "half.db", isolation_level=None)
    broken = (*MIGRATIONS, ("CREATE TABLE extra (x)", "this is not SQL"))
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, migrations=broken, target=len(broken))
    assert schema_version(conn) == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "extra" not in tables
    conn.close()


def test_threads_opening_a_new_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def open_it() -> None:
        barrier.wait()
        try:
            SqliteChatSessionRepository(path).close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with SqliteChatSessionRepository(path) as repo:
        assert schema_version(repo.connection()) == SCHEMA_VERSION


def test_times_are_iso_text_with_their_offset_and_enums_are_integers(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    """Commands record UTC times, stored as such; a time given in another offset too."""
    session = ChatSession.request(repo.next_id(), ChatTopic(id=1), at=clock.now())
    session.pick_up(by=7, at=clock.advance(timedelta(seconds=2)))
    repo.add(session)
    query = (
        "SELECT when_requested, when_started, status, flags, consented FROM chat_session "
        "WHERE id = ?"
    )
    row = repo.connection().execute(query, (session.chat_session_id,)).fetchone()
    assert row == ("2024-05-01T04:00:00.123456+00:00", "2024-05-01T04:00:02.123456+00:00", 6, 0, 0)
    loaded = repo.get(session.chat_session_id)
    assert loaded.when_started is not None
    assert loaded.when_started.utcoffset() == timedelta(0)
    assert loaded.when_started == clock.now()
    # A time set in another offset (a session restored from elsewhere) is stored in UTC.
    loaded.when_idle = clock.now().astimezone(timezone(timedelta(hours=5, minutes=30)))
    repo.save(loaded)
    idle = repo.connection().execute(
        "SELECT idle FROM chat_session WHERE id = ?", (session.chat_session_id,)
    ).fetchone()[0]
    assert idle == "2024-05-01T04:00:02.123456+00:00"
    again = repo.get(session.chat_session_id)
    assert again.when_idle is not None and again.when_idle.utcoffset() == timedelta(0)
    assert again == loaded  # the same instants
    assert row_to_session(session_to_row(again), "here") == again


def test_hostile_text_is_stored_as_text(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    nasty = 'Robert\'); DROP TABLE chat_session; -- \x00 \u2603 "quoted"'
    customer = Customer(name=nasty, alias=nasty[:64], email=nasty, company_name=nasty)
    session = ChatSession.request(
        repo.next_id(), ChatTopic(id=1), at=clock.now(), customer=customer, session_key=nasty
    )
    session.post_customer_message(nasty, at=clock.now())
    repo.add(session)
    assert repo.get(session.chat_session_id) == session
    assert repo.count_in_queue() == 1


def test_a_memory_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="InMemoryChatSessionRepository"):
        SqliteChatSessionRepository(":memory:")
    with pytest.raises(InvalidArgumentError):
        SqliteChatSessionRepository(tmp_path / "x.db", synchronous="OFF")  # type: ignore[arg-type]


def test_a_closed_repository_refuses_work(tmp_path: Path) -> None:
    repo = SqliteChatSessionRepository(tmp_path / "closed.db")
    repo.close()
    with pytest.raises(TransactionError, match="closed"):
        repo.get(1)


def test_a_writer_waits_for_another_connection_s_lock(tmp_path: Path, clock: ManualClock) -> None:
    path = tmp_path / "busy.db"
    with SqliteChatSessionRepository(path) as repo:
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        timer = threading.Timer(0.2, lambda: other.execute("COMMIT"))
        timer.start()
        session = ChatSession.request(5, ChatTopic(id=1), at=clock.now())
        repo.add(session)  # waits for the COMMIT, then goes through
        timer.join()
        other.close()
        assert repo.get(5) == session


def test_a_writer_gives_up_after_the_busy_timeout(tmp_path: Path, clock: ManualClock) -> None:
    path = tmp_path / "stuck.db"
    with SqliteChatSessionRepository(path, timeout=0.05) as repo:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        session = ChatSession.request(5, ChatTopic(id=1), at=clock.now())
        with pytest.raises(RepositoryBusyError, match="locked") as caught:
            repo.add(session)
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        other.execute("ROLLBACK")
        other.close()
        assert session.version == 0 and len(session.pending_events) == 1
        repo.add(session)  # the same connection works again
        assert repo.get(5).version == 1


def test_readers_are_not_blocked_by_an_open_unit_of_work(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "wal.db"
    with SqliteChatSessionRepository(path, timeout=0.1) as repo:
        session = ChatSession.request(repo.next_id(), ChatTopic(id=1), at=clock.now())
        repo.add(session)
        seen: list[int] = []
        with repo.transaction() as tx:
            loaded = tx.get(session.chat_session_id)
            loaded.leave_queue(at=clock.now())
            tx.save(loaded)
            reader = threading.Thread(target=lambda: seen.append(repo.get(1).version))
            reader.start()
            reader.join()
        assert seen == [1]  # the committed version, read while the writer held its lock
        assert repo.get(1).version == 2
