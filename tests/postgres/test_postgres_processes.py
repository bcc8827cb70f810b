"""Several processes on one PostgreSQL database: the transfer race, the queue, opening at
once, the sweep, and SIGKILL at random moments.

The counts are printed (``pytest -s``); set ``CHATSESSION_RACE_SEED`` to vary the runs.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pg_workloads
import pytest
from pg_support import server
from pg_workloads import open_repository, workloads

from chatsession import ChatAgent, ChatTopic, ChatTopicAgent, ManualClock, Presence
from chatsession.adapters.postgres import SCHEMA_VERSION, PostgresChatSessionRepository
from chatsession.domain.status import ChatSessionStatus

server()  # every test here needs the server: else the module skips (fails under CI)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX"),
]

WORKERS = 8
SESSIONS = 12
COMMANDS = 400
QUEUED = 240
KILLS = 30
SEED = int(os.environ.get("CHATSESSION_RACE_SEED", "20240501"))


def run_all(procs: list[workloads.multiprocessing.process.BaseProcess]) -> float:
    started = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    return time.perf_counter() - started


def test_eight_processes_racing_transfers_lose_nothing(
    pg_dsn: str, pg_schema: str, tmp_path: Path
) -> None:
    with open_repository(pg_dsn, pg_schema) as repo:
        handlers = workloads.prepare_sessions(repo, SESSIONS, SEED)
    ids = sorted(handlers)
    ctx = workloads.mp_context()
    procs = [
        ctx.Process(
            target=pg_workloads.race_worker,
            args=(pg_dsn, pg_schema, str(tmp_path), n, ids, COMMANDS, SEED),
        )
        for n in range(WORKERS)
    ]
    elapsed = run_all(procs)
    with open_repository(pg_dsn, pg_schema) as repo:
        logs = pg_workloads.read_race_logs(tmp_path, WORKERS)
        summary = workloads.verify_race(repo, handlers, logs, WORKERS * COMMANDS)
    print(
        f"\npostgres race: {WORKERS} processes x {COMMANDS} commands on {SESSIONS} sessions "
        f"in {elapsed:.1f}s: {summary}"
    )
    assert summary.lost == 0
    assert summary.conflicts > 0, "the optimistic path was never raced"
    assert summary.applied > 0


def test_eight_processes_picking_up_the_first_queued_session_never_share_one(
    pg_dsn: str, pg_schema: str, tmp_path: Path
) -> None:
    with open_repository(pg_dsn, pg_schema) as repo:
        queued = pg_workloads.fill_queue(repo, QUEUED)
    ctx = workloads.mp_context()
    procs = [
        ctx.Process(
            target=pg_workloads.queue_worker, args=(pg_dsn, pg_schema, str(tmp_path), n)
        )
        for n in range(WORKERS)
    ]
    elapsed = run_all(procs)
    logs = [json.loads((tmp_path / f"queue-{n}.json").read_text()) for n in range(WORKERS)]
    picked = [sid for log in logs for sid in log["picked"]]
    conflicts = sum(log["conflicts"] for log in logs)
    print(
        f"\npostgres queue: {WORKERS} processes picked up {len(picked)} of {QUEUED} sessions "
        f"in {elapsed:.1f}s ({sorted(len(log['picked']) for log in logs)} each), "
        f"{conflicts} conflicts"
    )
    assert sorted(picked) == queued, "a session was picked up twice, or never"
    assert conflicts == 0, "FOR UPDATE SKIP LOCKED: a pick-up never loses a race"
    by_worker = {sid: n for n, log in enumerate(logs) for sid in log["picked"]}
    with open_repository(pg_dsn, pg_schema) as repo:
        assert repo.count_in_queue() == 0
        for sid in queued:
            session = repo.get(sid)
            assert session.user_id == 100 + by_worker[sid]
            assert session.status is not ChatSessionStatus.InQueue
        records = repo.outbox.read(limit=None, include_published=True)
        pickups = Counter(r.chat_session_id for r in records if r.event_name == "SessionPickedUp")
        assert pickups == Counter(queued)


def test_eight_processes_opening_a_new_schema_at_once_migrate_it_once(
    pg_dsn: str, pg_schema: str, tmp_path: Path
) -> None:
    ctx = workloads.mp_context()
    start_at = time.time() + 1.0
    procs = [
        ctx.Process(
            target=pg_workloads.open_worker,
            args=(pg_dsn, pg_schema, str(tmp_path), n, start_at),
        )
        for n in range(WORKERS)
    ]
    run_all(procs)
    ids = [json.loads((tmp_path / f"open-{n}.json").read_text()) for n in range(WORKERS)]
    assert len(set(ids)) == WORKERS
    import psycopg

    with psycopg.connect(pg_dsn) as conn:
        versions = conn.execute(
            f'SELECT version FROM "{pg_schema}".chatsession_schema ORDER BY version'
        ).fetchall()
    assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))


SWEEP_AT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SWEEP_TOPIC = ChatTopic(
    id=1, warn_new_chat_minutes=2, warn_manager_new_chat_minutes=5,
    transfer_timeout=timedelta(minutes=2), idle_timeout=timedelta(minutes=10),
)


def test_three_processes_sweeping_at_once_change_each_session_once(
    pg_dsn: str, pg_schema: str, tmp_path: Path
) -> None:
    """Alerts, expired transfers and idle ends: each once, whichever sweeper made it."""
    with open_repository(pg_dsn, pg_schema) as repo:
        repo.add_topic(SWEEP_TOPIC)
        for user in (7, 8):
            repo.put_topic_agent(ChatTopicAgent(1, user, can_respond=True))
            repo.set_presence(Presence(user, present=True))
        agent = ChatAgent(repo, clock=ManualClock(SWEEP_AT))

        def new() -> int:
            sid = agent.create_session(1).entity.chat_session_id
            assert sid is not None
            return sid

        queued = [new() for _ in range(20)]
        transferring = [new() for _ in range(10)]
        for sid in transferring:
            agent.pick_up(sid, by=7)
            agent.transfer(sid, to=8, by=7)
        idle = [new() for _ in range(10)]
        for sid in idle:
            agent.pick_up(sid, by=8)
            agent.customer_fetched(sid)
        before = repo.outbox.read(limit=None, include_published=True)[-1].sequence
    later = (SWEEP_AT + timedelta(minutes=11)).isoformat()
    ctx = workloads.mp_context()
    start_at = time.time() + 1.0
    procs = [
        ctx.Process(
            target=pg_workloads.sweep_worker,
            args=(pg_dsn, pg_schema, str(tmp_path), n, later, start_at),
        )
        for n in range(3)
    ]
    elapsed = run_all(procs)
    reports = [json.loads((tmp_path / f"sweep-{n}.json").read_text()) for n in range(3)]
    alerted = [sid for report in reports for sid, _ in report["alerts"]]
    expired = [sid for report in reports for sid in report["transfers_expired"]]
    ended = [sid for report in reports for sid in report["idle_ended"]]
    print(
        f"\npostgres sweep: 3 processes in {elapsed:.1f}s: alerts "
        f"{[len(r['alerts']) for r in reports]}, transfers expired "
        f"{[len(r['transfers_expired']) for r in reports]}, idle ended "
        f"{[len(r['idle_ended']) for r in reports]}"
    )
    assert sorted(alerted) == queued  # each once, whichever sweeper did it
    assert sorted(expired) == transferring
    assert sorted(ended) == idle
    with open_repository(pg_dsn, pg_schema) as repo:
        records = repo.outbox.read(after=before, limit=None, include_published=True)
        kinds = Counter(r.event_name for r in records)
        assert kinds["AlertRaised"] == 20 and kinds["TransferExpired"] == 10
        assert kinds["SessionEnded"] == 10
        changed = Counter(r.chat_session_id for r in records if r.event_name in (
            "AlertRaised", "TransferExpired", "SessionEnded"))
        assert set(changed.values()) == {1}
        assert all(repo.get(sid).alert_level == 2 for sid in queued)
        assert all(repo.get(sid).transfer_to is None for sid in transferring)
        assert all(repo.get(sid).status is ChatSessionStatus.Finished for sid in idle)


def check_pg_store(repo: PostgresChatSessionRepository) -> workloads.StoreCheck:
    """Invariants, and outbox versions against session versions (``workloads.check_repository``)."""
    return workloads.check_repository(repo)


def test_sigkill_at_random_moments_leaves_a_consistent_store(
    pg_dsn: str, pg_schema: str
) -> None:
    with open_repository(pg_dsn, pg_schema) as repo:
        workloads.prepare_sessions(repo, 6, seed=7)
        before = check_pg_store(repo)
    assert before.problems == []
    rng = random.Random(SEED)
    ctx = workloads.mp_context()
    events_committed = before.outbox_rows
    in_commit = 0
    started = time.perf_counter()
    for kill in range(KILLS):
        ready = ctx.Value("i", 0, lock=False)
        committed = ctx.Value("q", 0, lock=False)
        proc = ctx.Process(
            target=pg_workloads.crash_worker,
            args=(pg_dsn, pg_schema, SEED + kill, ready, committed),
        )
        proc.start()
        deadline = time.monotonic() + 10
        while not ready.value and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.05))
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(timeout=10)
        assert proc.exitcode == -signal.SIGKILL
        with PostgresChatSessionRepository(pg_dsn, schema=pg_schema, pool_size=1) as repo:
            after = check_pg_store(repo)
        assert after.problems == [], f"after kill {kill + 1}: {after.problems[:5]}"
        events_committed += committed.value
        assert after.outbox_rows >= events_committed, f"after kill {kill + 1}: events lost"
        if after.outbox_rows > events_committed:
            in_commit += 1  # committed on the server; the child died before counting it
        events_committed = after.outbox_rows
        for sid, version in before.versions.items():
            assert after.versions.get(sid, 0) >= version, f"session {sid} went back"
        before = after
    elapsed = time.perf_counter() - started
    print(
        f"\npostgres crash: {KILLS} SIGKILLs in {elapsed:.1f}s; store at {before.sessions} "
        f"sessions, {before.outbox_rows} outbox events; {in_commit} kills landed after the "
        "server committed but before the child counted it"
    )


def test_threads_picking_up_for_one_user_at_once_never_share_a_rank(
    pg_dsn: str, pg_schema: str
) -> None:
    """PostgreSQL locks per session: the rank needs the associate's lock (decision 109)."""
    import threading

    from chatsession import ChatAgent, ChatTopic

    with pg_workloads.open_repository(pg_dsn, pg_schema) as repo:
        agent = ChatAgent(repo)
        sids = [agent.create_session(ChatTopic(id=1)).entity.chat_session_id for _ in range(24)]
        barrier = threading.Barrier(6)
        errors: list[BaseException] = []

        def pick(mine: list[int | None]) -> None:
            barrier.wait()
            try:
                for sid in mine:
                    agent.pick_up(sid or 0, by=7)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=pick, args=(sids[n::6],)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        ranks = sorted(s.rank for s in repo.active_sessions_of(7))
    assert ranks == list(range(1, 25))  # distinct, and each the lowest free when given
