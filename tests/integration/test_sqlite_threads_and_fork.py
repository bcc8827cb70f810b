"""The SQLite adapter's connections: one per thread, closed when the thread ends; fork()."""

from __future__ import annotations

import gc
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from chatsession import ChatSession, ChatTopic, ManualClock
from chatsession.adapters.sqlite import SqliteChatSessionRepository, fork_gate
from chatsession.ports.errors import RepositoryError, StoreUnavailableError, TransactionError

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HAS_PROC_FD = os.path.isdir("/proc/self/fd")
CHILD_SECONDS = 30
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def repo(tmp_path: Path, clock: ManualClock) -> Iterator[SqliteChatSessionRepository]:
    with SqliteChatSessionRepository(tmp_path / "chat.db", timeout=0.5) as r:
        r.add(ChatSession.request(r.next_id(), ChatTopic(id=1), at=clock.now()))
        yield r


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def in_threads(work: Callable[[], object], n: int, *, at_once: bool = False) -> list[BaseException]:
    """Run ``work`` in ``n`` new threads (one after the other, or all at once)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    if at_once:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for t in threads:
            t.start()
            t.join()
    return errors


# ------------------------------------------------------ connections per thread


@pytest.mark.skipif(not HAS_PROC_FD, reason="counts /proc/self/fd")
def test_the_connection_of_a_thread_that_ended_is_closed(
    repo: SqliteChatSessionRepository,
) -> None:
    """200 short threads leave no connection (nor its file descriptors) behind."""
    gc.collect()
    fds = open_fds()
    assert in_threads(lambda: repo.get(1), 200) == []
    gc.collect()
    assert repo._open_connections() <= 2  # the main thread's, at most one being closed
    assert open_fds() < fds + 10  # not ~2 per thread
    assert repo.get(1).version == 1  # the main thread's connection still works


@pytest.mark.skipif(not HAS_PROC_FD, reason="counts /proc/self/fd")
def test_threads_ending_together_close_their_connections(
    tmp_path: Path, clock: ManualClock
) -> None:
    """Threads that write at the same time, then end: their connections go with them.

    SQLite keeps the file descriptor of a closed connection (to reuse it) while another
    connection of the process holds a lock on the file, so the descriptors of the threads
    that ran at the same time stay until the main thread's connection closes; but later
    threads reuse them: the count is bounded by one round's threads, not all of them.
    """
    # 40 writers queue for one lock: a patient timeout, so a busy machine cannot fail them
    repo = SqliteChatSessionRepository(tmp_path / "threads.db", timeout=60)
    repo.add(ChatSession.request(repo.next_id(), ChatTopic(id=1), at=clock.now()))
    gc.collect()
    fds = open_fds()

    def work() -> None:
        with repo.transaction() as tx:
            tx.add(ChatSession.request(tx.next_id(), ChatTopic(id=2), at=clock.now()))

    try:
        for _ in range(5):
            assert in_threads(work, 40, at_once=True) == []
            gc.collect()
            assert repo._open_connections() <= 2
        assert open_fds() <= fds + 40 + 5  # not 2 or 3 per thread: 400 or more
        assert repo.count_in_queue(2) == 200
    finally:
        repo.close()


@pytest.mark.skipif(not HAS_PROC_FD, reason="counts /proc/self/fd")
def test_a_repository_dropped_without_close_closes_its_connections(
    tmp_path: Path, clock: ManualClock
) -> None:
    """The finalizers do not keep a repository (nor its connections) alive."""
    gc.collect()
    fds = open_fds()
    repository = SqliteChatSessionRepository(tmp_path / "dropped.db")
    repository.add(ChatSession.request(1, ChatTopic(id=1), at=clock.now()))
    assert in_threads(partial(repository.get, 1), 3, at_once=True) == []
    del repository
    gc.collect()
    assert open_fds() <= fds


def test_close_closes_the_connections_of_live_threads(
    repo: SqliteChatSessionRepository,
) -> None:
    """``close()`` closes every thread's connection, also of threads still running."""
    started, finish = threading.Event(), threading.Event()

    def work() -> None:
        repo.get(1)
        started.set()
        finish.wait(5)

    worker = threading.Thread(target=work)
    worker.start()
    started.wait(5)
    assert repo._open_connections() == 2
    repo.close()
    assert repo._open_connections() == 0
    finish.set()
    worker.join()
    with pytest.raises(TransactionError, match="closed"):
        repo.get(1)


def test_close_under_another_thread_s_unit_of_work_fails_it_with_transaction_error(
    repo: SqliteChatSessionRepository,
) -> None:
    """No raw ``sqlite3.ProgrammingError``: the unit of work fails as documented, rolled back."""
    inside, closed = threading.Event(), threading.Event()
    caught: list[BaseException] = []
    loaded: list[ChatSession] = []

    def work() -> None:
        try:
            with repo.transaction() as tx:
                session = tx.get(1)
                loaded.append(session)
                inside.set()
                closed.wait(5)
                session.pick_up(by=7, at=START)
                tx.save(session)
        except BaseException as exc:
            caught.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    inside.wait(5)
    repo.close()
    closed.set()
    worker.join()
    [error] = caught
    assert isinstance(error, TransactionError), repr(error)
    assert "closed" in str(error)
    [session] = loaded
    assert session.version == 1 and len(session.pending_events) == 1
    with SqliteChatSessionRepository(repo.path) as again:
        assert again.get(1).version == 1


# ------------------------------------------------------------------- fork()


def in_child(work: Callable[[], str]) -> str:
    """Run ``work`` in a forked child; return what it returned, its error, or "hung"."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_end)
            try:
                result = work()
            except BaseException as exc:
                result = f"{type(exc).__name__}: {exc}"
            os.write(write_end, result.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    deadline = time.monotonic() + CHILD_SECONDS
    try:
        while select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))[0]:
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        else:
            os.kill(pid, signal.SIGKILL)  # stuck (a lock or mutex it inherited held)
            chunks = [b"hung"]
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    return b"".join(chunks).decode()


@needs_fork
def test_a_fork_waits_for_another_thread_s_unit_of_work(
    repo: SqliteChatSessionRepository,
) -> None:
    """The child can write: the fork waited until the unit of work had committed."""
    started = threading.Event()
    drawn: list[int] = []

    def work() -> None:
        with repo.transaction() as tx:
            drawn.append(tx.next_id())
            started.set()
            time.sleep(0.3)

    worker = threading.Thread(target=work)
    worker.start()
    started.wait(5)
    before = time.monotonic()
    result = in_child(lambda: str(repo.next_id()))
    waited = time.monotonic() - before
    worker.join()
    assert result == str(drawn[0] + 1)  # the child saw the parent's commit, and wrote
    assert waited >= 0.2
    assert repo.next_id() == drawn[0] + 2


@needs_fork
def test_a_child_forked_inside_a_unit_of_work_refuses_the_file_clearly(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    """Forking inside one's own unit of work: no wait (no deadlock), a clear error in the child."""

    def child(tx: object) -> str:
        results = []
        try:
            repo.get(1)
        except StoreUnavailableError as exc:
            results.append(f"get: {'forked while a unit of work was open' in str(exc)}")
        try:
            SqliteChatSessionRepository(repo.path)
        except StoreUnavailableError as exc:
            results.append(f"open: {'spawn or forkserver' in str(exc)}")
        try:
            tx.next_id()  # type: ignore[attr-defined]
        except TransactionError as exc:
            results.append(f"tx: {'cannot cross fork()' in str(exc)}")
        try:
            repo.close()
            results.append("close: ok")
        except RepositoryError as exc:  # pragma: no cover - reported
            results.append(f"close: {exc!r}")
        return ", ".join(results)

    with repo.transaction() as tx:
        tx.add(ChatSession.request(tx.next_id(), ChatTopic(id=1), at=clock.now()))
        result = in_child(lambda: child(tx))
    assert result == "get: True, open: True, tx: True, close: ok"
    assert repo.count_in_queue() == 2  # the parent's unit of work committed
    assert repo.connection().execute("PRAGMA integrity_check").fetchone() == ("ok",)


@needs_fork
def test_a_child_leaving_an_inherited_unit_of_work_commits_nothing(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    """The ``with`` block ending in the child neither commits nor rolls back the parent's."""
    added = ChatSession.request(2, ChatTopic(id=1), at=clock.now())
    read_end, write_end = os.pipe()
    pid = -1
    outcome = "committed"
    try:
        with repo.transaction() as tx:
            tx.add(added)
            pid = os.fork()
    except BaseException as exc:
        if pid != 0:
            raise
        outcome = f"{type(exc).__name__} {'cannot cross fork()' in str(exc)}"
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(write_end, f"{outcome}, version {added.version}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as child:
        assert child.read().decode() == "TransactionError True, version 0"
    assert added.version == 1 and added.pending_events == ()
    assert repo.get(2) == added
    assert repo.connection().execute("PRAGMA integrity_check").fetchone() == ("ok",)


@needs_fork
def test_a_fork_waits_at_most_fork_wait_seconds(
    repo: SqliteChatSessionRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit of work that waits for the forking thread cannot hang the fork for ever."""
    monkeypatch.setattr(fork_gate, "FORK_WAIT_SECONDS", 0.2)
    started, forked = threading.Event(), threading.Event()

    def work() -> None:
        with repo.transaction() as tx:
            tx.next_id()
            started.set()
            forked.wait(10)  # waits for the thread that forks

    worker = threading.Thread(target=work)
    worker.start()
    started.wait(5)
    before = time.monotonic()
    result = in_child(lambda: str(repo.next_id()))
    waited = time.monotonic() - before
    forked.set()
    worker.join()
    assert waited < 5
    assert result.startswith("StoreUnavailableError") and "forked" in result
    assert repo.next_id() == 3  # the parent goes on


@needs_fork
def test_units_of_work_go_on_after_forks(tmp_path: Path) -> None:
    """Threads keep writing while the main thread forks again and again; all children write."""
    repo = SqliteChatSessionRepository(tmp_path / "busy.db", timeout=5)
    stop = threading.Event()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while not stop.is_set():
                with repo.transaction() as tx:
                    tx.next_id()
                time.sleep(0.001)  # let the children get the write lock now and then
        except BaseException as exc:  # pragma: no cover - reported
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for w in workers:
        w.start()
    try:
        results = [in_child(lambda: str(repo.next_id())) for _ in range(10)]
    finally:
        stop.set()
        for w in workers:
            w.join()
        repo.close()
    assert errors == []
    assert all(r.isdigit() for r in results), results


def test_no_passage_stays_open_once_the_calls_ended(
    repo: SqliteChatSessionRepository, clock: ManualClock
) -> None:
    """A leaked passage would make every later fork wait ``FORK_WAIT_SECONDS``."""
    with pytest.raises(ZeroDivisionError), repo.transaction() as tx:
        tx.next_id()
        1 / 0  # noqa: B018
    repo.list_page()
    repo.outbox.read()
    repo.outbox.mark_published([1])
    assert fork_gate._active == {}
    assert fork_gate._held() == {}
