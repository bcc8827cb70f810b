"""Several processes on one SQLite file: the transfer race, and SIGKILL at random moments.

The counts are printed (``pytest -s``); set ``CHATSESSION_RACE_SEED`` to vary the runs.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from workloads import (
    RaceLog,
    check_store,
    crash_worker,
    mp_context,
    prepare_crash,
    prepare_race,
    prepare_sessions,
    race_loop,
    race_worker,
    read_race_logs,
    verify_race,
)

from chatsession.adapters.memory import InMemoryChatSessionRepository
from chatsession.adapters.sqlite import SqliteChatSessionRepository

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX"),
]

WORKERS = 8
SESSIONS = 12
COMMANDS = 400
KILLS = 60
SEED = int(os.environ.get("CHATSESSION_RACE_SEED", "20240501"))


def test_eight_processes_racing_transfers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    handlers = prepare_race(path, SESSIONS, SEED)
    ids = sorted(handlers)
    ctx = mp_context()
    procs = [
        ctx.Process(target=race_worker, args=(str(path), n, ids, COMMANDS, SEED))
        for n in range(WORKERS)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    elapsed = time.perf_counter() - started
    assert [p.exitcode for p in procs] == [0] * WORKERS

    with SqliteChatSessionRepository(path) as repo:
        assert repo.connection().execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        summary = verify_race(repo, handlers, read_race_logs(path, WORKERS), WORKERS * COMMANDS)
    print(
        f"\nrace: {WORKERS} processes x {COMMANDS} commands on {SESSIONS} sessions "
        f"in {elapsed:.1f}s: {summary}"
    )
    assert summary.lost == 0
    assert summary.conflicts > 0, "the optimistic path was never raced"
    assert summary.applied > 0


def test_eight_threads_racing_transfers_on_the_memory_repository_lose_nothing() -> None:
    repo = InMemoryChatSessionRepository()
    handlers = prepare_sessions(repo, SESSIONS, SEED)
    ids = sorted(handlers)
    logs: dict[int, RaceLog] = {}

    def work(n: int) -> None:
        logs[n] = race_loop(repo, n, ids, COMMANDS // 2, SEED)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    summary = verify_race(repo, handlers, list(logs.values()), WORKERS * (COMMANDS // 2))
    print(f"\nmemory race: {WORKERS} threads: {summary}")
    assert summary.lost == 0 and summary.conflicts > 0


def test_sigkill_at_random_moments_leaves_a_consistent_store(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    prepare_crash(path, n_sessions=6)
    rng = random.Random(SEED)
    ctx = mp_context()
    before = check_store(path)
    assert before.problems == []
    events_committed = before.outbox_rows
    in_commit = 0
    started = time.perf_counter()
    for kill in range(KILLS):
        ready = ctx.Value("i", 0, lock=False)
        committed = ctx.Value("q", 0, lock=False)
        proc = ctx.Process(target=crash_worker, args=(str(path), SEED + kill, ready, committed))
        proc.start()
        if rng.random() < 0.9:  # mostly mid-work; now and then while it opens the file
            deadline = time.monotonic() + 10
            while not ready.value and time.monotonic() < deadline:
                time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.04))
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(timeout=10)
        assert proc.exitcode == -signal.SIGKILL

        after = check_store(path)
        assert after.problems == [], f"after kill {kill + 1}: {after.problems[:5]}"
        # Durable: every unit of work whose COMMIT returned is still there.
        events_committed += committed.value
        assert after.outbox_rows >= events_committed, f"after kill {kill + 1}: events lost"
        if after.outbox_rows > events_committed:
            in_commit += 1  # the commit reached the WAL; the child died before counting it
        events_committed = after.outbox_rows
        for sid, version in before.versions.items():
            assert after.versions.get(sid, 0) >= version, f"session {sid} went back"
        before = after
    elapsed = time.perf_counter() - started
    print(
        f"\ncrash: {KILLS} SIGKILLs in {elapsed:.1f}s; store at {before.sessions} sessions, "
        f"{before.outbox_rows} outbox events; {in_commit} kills landed after a commit "
        "reached the WAL but before COMMIT returned"
    )
