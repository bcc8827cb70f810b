"""The SQLite adapter lets no raw driver error escape: busy, refused values, bad settings."""

from __future__ import annotations

import io
import math
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import chatsession.adapters.base as store_base
import chatsession.entrypoints.cli as cli
from chatsession import ChatSession, ChatTopic, ManualClock
from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.domain.errors import ChatSessionError, InvalidArgumentError
from chatsession.domain.events import MessageAuthor, MessagePosted
from chatsession.ports.errors import (
    ChatSessionNotFoundError,
    RepositoryBusyError,
    RepositoryError,
    StoreUnavailableError,
    TransactionError,
    UnstorableSessionError,
)

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[SqliteChatSessionRepository]:
    with SqliteChatSessionRepository(tmp_path / "chat.db", timeout=0.05) as r:
        yield r


def new_session(repo: SqliteChatSessionRepository, clock: ManualClock) -> ChatSession:
    return ChatSession.request(repo.next_id(), ChatTopic(id=1), at=clock.now())


# ------------------------------------------------------------------- busy


BUSY_CALLS: dict[str, Callable[[SqliteChatSessionRepository, ChatSession], object]] = {
    "add": lambda repo, s: repo.add(s),
    "save": lambda repo, s: repo.save(repo.get(1)),
    "next_id": lambda repo, s: repo.next_id(),
    "transaction": lambda repo, s: repo.transaction().__enter__(),
    "mark_published": lambda repo, s: repo.outbox.mark_published([1]),
}


@pytest.mark.parametrize("call", sorted(BUSY_CALLS))
def test_a_write_past_the_busy_timeout_raises_repository_busy(
    repo: SqliteChatSessionRepository, clock: ManualClock, call: str
) -> None:
    stored = new_session(repo, clock)
    repo.add(stored)
    session = new_session(repo, clock)
    records = repo.outbox.read(limit=None, include_published=True)
    other = sqlite3.connect(repo.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(RepositoryBusyError, match="locked") as caught:
            BUSY_CALLS[call](repo, session)
    finally:
        other.execute("ROLLBACK")
        other.close()
    error = caught.value
    assert isinstance(error, RepositoryError) and isinstance(error, ChatSessionError)
    assert isinstance(error.__cause__, sqlite3.OperationalError)
    assert str(repo.path) in str(error) and "0.05 s" in str(error)
    assert repo.outbox.read(limit=None, include_published=True) == records
    assert session.version == 0 and len(session.pending_events) == 1
    repo.add(session)  # the repository works again once the lock is gone
    assert repo.get(session.chat_session_id).version == 1


def test_a_unit_of_work_whose_commit_is_busy_rolls_back(
    repo: SqliteChatSessionRepository, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(repo, clock)
    real = repo.connection()
    commits: list[str] = []

    class BusyCommit:
        """The thread's connection, with a COMMIT that finds the database locked."""

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def execute(self, sql: str, *args: Any) -> Any:
            if sql == "COMMIT":
                commits.append(sql)
                raise sqlite3.OperationalError("database is locked")
            return real.execute(sql, *args)

    store = repo.datastore
    begin = store.begin

    def begin_on_busy_commit() -> Any:
        transaction = begin()
        transaction.conn = BusyCommit()  # type: ignore[assignment]
        return transaction

    monkeypatch.setattr(store, "begin", begin_on_busy_commit)
    with pytest.raises(RepositoryBusyError):
        repo.add(session)
    monkeypatch.undo()
    assert commits == ["COMMIT"]
    assert not real.in_transaction
    assert session.version == 0
    with pytest.raises(ChatSessionNotFoundError):
        repo.get(session.chat_session_id)


# ------------------------------------------------- values the store refuses


@pytest.fixture
def no_invariants(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let invalid sessions past the invariant check, to reach the last line of defence."""
    monkeypatch.setattr(store_base, "check_invariants", lambda session: None)


REFUSED: tuple[tuple[str, Any, type[Exception]], ...] = (
    ("customer_alias", None, sqlite3.IntegrityError),
    ("contact_id", 2**63, OverflowError),
    ("customer_name", "Ann \ud800", UnicodeEncodeError),
)


@pytest.mark.usefixtures("no_invariants")
@pytest.mark.parametrize(("name", "value", "cause"), REFUSED, ids=[n for n, *_ in REFUSED])
def test_a_value_the_store_refuses_raises_unstorable_session(
    repo: SqliteChatSessionRepository,
    clock: ManualClock,
    name: str,
    value: Any,
    cause: type[Exception],
) -> None:
    session = new_session(repo, clock)
    setattr(session, name, value)
    with pytest.raises(UnstorableSessionError) as caught:
        repo.add(session)
    assert isinstance(caught.value.__cause__, cause)
    assert isinstance(caught.value, RepositoryError) and isinstance(caught.value, ValueError)
    assert f"chat session {session.chat_session_id}" in str(caught.value)
    assert repo.list_page().items == ()
    assert repo.outbox.read(limit=None, include_published=True) == []
    assert session.version == 0 and len(session.pending_events) == 1

    good = new_session(repo, clock)
    repo.add(good)
    loaded = repo.get(good.chat_session_id)
    setattr(loaded, name, value)
    with pytest.raises(UnstorableSessionError) as caught:
        repo.save(loaded)
    assert isinstance(caught.value.__cause__, cause)
    assert repo.get(good.chat_session_id) == good
    assert loaded.version == 1


def with_bad_event(session: ChatSession) -> ChatSession:
    """``session`` with one more pending event whose text cannot be encoded as UTF-8."""
    session._events = [
        *session.pending_events,
        MessagePosted(
            chat_session_id=session.chat_session_id,
            occurred_at=START,
            status=session.status,
            author=MessageAuthor.CUSTOMER,
            text="\udcff",
        ),
    ]
    return session


def test_a_refused_event_leaves_nothing_of_its_add_in_the_unit_of_work(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    """Each add/save is all or nothing even when the caller catches the error and commits."""
    with repo.transaction() as tx:
        good = new_session(repo, clock)
        tx.add(good)
        bad = with_bad_event(new_session(repo, clock))
        with pytest.raises(UnstorableSessionError) as caught:
            tx.add(bad)  # the row went in, then its events failed: the row goes too
        assert isinstance(caught.value.__cause__, UnicodeEncodeError)
        again = tx.get(good.chat_session_id)
        again.pick_up(by=7, at=clock.now())
        with_bad_event(again)
        with pytest.raises(UnstorableSessionError):
            tx.save(again)
        assert again.version == 1
    assert repo.get(good.chat_session_id) == good
    with pytest.raises(ChatSessionNotFoundError):
        repo.get(bad.chat_session_id)
    records = repo.outbox.read(limit=None)
    assert [(r.chat_session_id, r.event_name) for r in records] == [
        (good.chat_session_id, "SessionRequested")
    ]
    assert bad.version == 0 and len(bad.pending_events) == 2


# ------------------------------------------------------- the store fails


def fill_the_disk(repo: SqliteChatSessionRepository) -> None:
    """Let the file grow by one page more only: SQLite then answers SQLITE_FULL."""
    conn = repo.connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 1}")


def test_a_full_disk_in_a_unit_of_work_fails_it_with_typed_errors(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    """SQLite rolls the whole transaction back on a full disk: the unit of work is dead.

    The failing call, every later call in the unit of work and its end raise
    ``StoreUnavailableError`` chained to the driver's error; nothing is committed (not
    half of it, not the part before the error), and the sessions keep their versions.
    """
    first = new_session(repo, clock)
    repo.add(first)
    records = repo.outbox.read(limit=None, include_published=True)
    fill_the_disk(repo)
    with pytest.raises(StoreUnavailableError) as at_end, repo.transaction() as tx:
        loaded = tx.get(first.chat_session_id)
        loaded.pick_up(by=7, at=clock.now())
        tx.save(loaded)
        assert loaded.version == 2
        with pytest.raises(StoreUnavailableError) as caught:
            for _ in range(200):
                big = ChatSession.request(tx.next_id(), ChatTopic(id=1), at=clock.now())
                big.customer_name = "y" * 5000
                tx.add(big)
        if repo.connection().in_transaction:  # pragma: no cover - depends on SQLite
            pytest.skip("this SQLite kept the transaction after SQLITE_FULL")
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert "rolled back the whole unit of work" in str(caught.value)
        with pytest.raises(StoreUnavailableError, match="rolled back this unit of work") as later:
            tx.get(first.chat_session_id)
        assert later.value.__cause__ is caught.value.__cause__
    error = at_end.value
    assert isinstance(error, RepositoryError) and isinstance(error, OSError)
    assert "rolled back this unit of work" in str(error) and "full" in str(error)
    assert error.__cause__ is caught.value.__cause__
    assert loaded.version == 1 and len(loaded.pending_events) == 1
    assert repo.get(first.chat_session_id).version == 1
    assert repo.outbox.read(limit=None, include_published=True) == records
    repo.connection().execute("PRAGMA max_page_count = 1073741823")
    repo.save(loaded)  # the repository goes on once there is room
    assert repo.get(first.chat_session_id).version == 2


def test_a_full_disk_outside_a_unit_of_work_raises_store_unavailable(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    fill_the_disk(repo)
    sessions = []
    with pytest.raises(StoreUnavailableError) as caught:
        for _ in range(200):
            big = new_session(repo, clock)
            big.customer_name = "y" * 5000
            sessions.append(big)
            repo.add(big)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert str(repo.path) in str(caught.value)
    assert sessions[-1].version == 0 and len(sessions[-1].pending_events) == 1


def test_any_other_driver_error_is_a_store_unavailable_error(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    """A statement the store cannot run (here: a table dropped by hand) raises no raw error."""
    session = new_session(repo, clock)
    other = sqlite3.connect(repo.path, isolation_level=None)
    other.execute("DROP TABLE chat_session_outbox")
    other.close()
    with pytest.raises(StoreUnavailableError, match="no such table") as caught:
        repo.add(session)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert session.version == 0 and len(session.pending_events) == 1
    with pytest.raises(StoreUnavailableError):
        repo.outbox.read()
    with pytest.raises(ChatSessionNotFoundError):
        repo.get(session.chat_session_id)


def test_a_transaction_ended_behind_the_repository_s_back_is_not_committed(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    """A ROLLBACK run on the unit of work's connection: its end raises, no raw error."""
    session = new_session(repo, clock)
    with pytest.raises(TransactionError, match="not committed"), repo.transaction() as tx:
        tx.add(session)
        repo.connection().execute("ROLLBACK")
    assert session.version == 0
    with pytest.raises(ChatSessionNotFoundError):
        repo.get(session.chat_session_id)


def test_a_driver_error_of_a_closed_repository_is_a_transaction_error(tmp_path: Path) -> None:
    """A statement that meets its connection closed under it (by ``close()``, racing)."""
    repo = SqliteChatSessionRepository(tmp_path / "closing.db")
    conn = repo.connection()
    repo.close()
    with pytest.raises(TransactionError, match="closed") as caught, repo.datastore.errors():
        conn.execute("SELECT 1")
    assert isinstance(caught.value.__cause__, sqlite3.ProgrammingError)
    assert f"the store at {repo.path}" in str(caught.value)


@pytest.mark.parametrize("kind", ["directory", "text file"])
def test_a_path_that_is_no_database_raises_store_unavailable_naming_it(
    tmp_path: Path, kind: str
) -> None:
    if kind == "directory":
        path = tmp_path / "a-directory"
        path.mkdir()
    else:
        path = tmp_path / "notes.db"
        path.write_text("hello world, not sqlite\n" * 10)
    before = None if path.is_dir() else path.read_bytes()
    with pytest.raises(StoreUnavailableError) as caught:
        SqliteChatSessionRepository(path)
    error = caught.value
    assert isinstance(error, RepositoryError) and isinstance(error, OSError)
    assert isinstance(error.__cause__, sqlite3.Error)
    assert str(path) in str(error) and "cannot open" in str(error)
    if before is not None:
        assert path.read_bytes() == before


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    "timeout", [math.nan, math.inf, -math.inf, -1, -0.001, "5", True, None], ids=repr
)
def test_a_bad_timeout_is_refused_before_the_file_is_touched(
    tmp_path: Path, timeout: Any
) -> None:
    path = tmp_path / "never.db"
    with pytest.raises(InvalidArgumentError, match="timeout"):
        SqliteChatSessionRepository(path, timeout=timeout)
    assert not path.exists()


def test_a_huge_timeout_is_capped_at_what_sqlite_takes(tmp_path: Path) -> None:
    with SqliteChatSessionRepository(tmp_path / "patient.db", timeout=1e12) as repo:
        busy = repo.connection().execute("PRAGMA busy_timeout").fetchone()[0]
        assert busy == 2**31 - 1
        assert repo.timeout == 1e12


def test_a_zero_timeout_fails_at_once(tmp_path: Path) -> None:
    with SqliteChatSessionRepository(tmp_path / "now.db", timeout=0) as repo:
        assert repo.connection().execute("PRAGMA busy_timeout").fetchone()[0] == 0
        other = sqlite3.connect(repo.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(RepositoryBusyError):
            repo.next_id()
        other.execute("ROLLBACK")
        other.close()


# ------------------------------------------------------- the command line


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["demo"], 0), (["request", "--topic", "1"], 0), (["list"], 0), (["show", "42"], 1)],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_the_command_line_closes_its_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], code: int
) -> None:
    opened: list[SqliteChatSessionRepository] = []

    class Recorded(SqliteChatSessionRepository):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            opened.append(self)

    import chatsession.adapters.sqlite as sqlite_adapter  # what open_repository opens

    monkeypatch.setattr(sqlite_adapter, "SqliteChatSessionRepository", Recorded)
    SqliteChatSessionRepository(tmp_path / "cli.db").close()  # reads need an existing file
    assert cli.main(["--db", str(tmp_path / "cli.db"), *argv], out=io.StringIO()) == code
    assert len(opened) == 1
    with pytest.raises(TransactionError, match="closed"):
        opened[0].get(1)
