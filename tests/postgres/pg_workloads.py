"""Workloads for the multi-process PostgreSQL tests: the transfer race, the queue, the crash loop.

Each worker is a child process that opens its own ``PostgresChatSessionRepository`` on
the shared database and schema (a psycopg connection never crosses a fork) and writes
what it did to a JSON file. The race reuses the SQLite tests' workloads
(``tests/integration/workloads.py``): the same commands, the same verification.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

# the SQLite tests' workloads (tests/integration/workloads.py), reused
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

import workloads

from chatsession import ChatAgent, ChatSession, ChatTopic, ManualClock, SystemClock
from chatsession.adapters.postgres import PostgresChatSessionRepository
from chatsession.domain.errors import ChatSessionError
from chatsession.ports.errors import ConcurrencyError

CLOCK = SystemClock()


def open_repository(dsn: str, schema: str) -> PostgresChatSessionRepository:
    """A worker's own repository (a small pool, a long lock timeout)."""
    return PostgresChatSessionRepository(dsn, schema=schema, timeout=30.0, pool_size=2)


# ------------------------------------------------------------------ the race


def race_worker(
    dsn: str, schema: str, logs: str, worker: int, ids: list[int], commands: int, seed: int
) -> None:
    """``workloads.race_loop`` on a repository of its own; the log goes to a JSON file."""
    with open_repository(dsn, schema) as repo:
        log = workloads.race_loop(repo, worker, ids, commands, seed)
    (Path(logs) / f"race-{worker}.json").write_text(json.dumps(log.__dict__))


def read_race_logs(logs: Path, workers: int) -> list[workloads.RaceLog]:
    """The logs the race workers wrote."""
    out = []
    for n in range(workers):
        data = json.loads((logs / f"race-{n}.json").read_text())
        data["applied"] = [tuple(a) for a in data["applied"]]
        out.append(workloads.RaceLog(**data))
    return out


# ------------------------------------------------------------------ the queue


def queue_worker(dsn: str, schema: str, logs: str, worker: int) -> None:
    """Pick up the first queued session, again and again, until the queue is empty.

    Records the sessions picked and how many pick-ups lost a race (``ConcurrencyError``
    after the service's retries): with ``FOR UPDATE SKIP LOCKED`` there are none.
    """
    picked: list[int] = []
    conflicts = 0
    with open_repository(dsn, schema) as repo:
        agent = ChatAgent(repo, clock=CLOCK, retries=0)
        while True:
            try:
                reply = agent.pick_up_first(by=100 + worker)
            except ConcurrencyError:
                conflicts += 1
                continue
            if reply is None:
                if repo.count_in_queue() == 0:
                    break
                continue  # queued sessions other workers hold: look again
            sid = reply.entity.chat_session_id
            assert sid is not None
            picked.append(sid)
    record = {"picked": picked, "conflicts": conflicts}
    (Path(logs) / f"queue-{worker}.json").write_text(json.dumps(record))


def fill_queue(repo: PostgresChatSessionRepository, count: int) -> list[int]:
    """Queue ``count`` new sessions on topic 1; their ids."""
    ids = []
    with repo.transaction() as tx:
        for _ in range(count):
            session = ChatSession.request(tx.next_id(), ChatTopic(id=1), at=CLOCK.now())
            tx.add(session)
            ids.append(session.chat_session_id)
    return ids


# ------------------------------------------------------------------ opening at once


def open_worker(dsn: str, schema: str, logs: str, worker: int, start_at: float) -> None:
    """Open the repository at ``start_at`` (a shared moment), add one session, report."""
    time.sleep(max(0.0, start_at - time.time()))
    with open_repository(dsn, schema) as repo:
        session = ChatSession.request(repo.next_id(), ChatTopic(id=1), at=CLOCK.now())
        repo.add(session)
    (Path(logs) / f"open-{worker}.json").write_text(json.dumps(session.chat_session_id))


# ------------------------------------------------------------------ the sweep


def sweep_worker(dsn: str, schema: str, logs: str, worker: int, at: str, start_at: float) -> None:
    """One ``ChatAgent.sweep`` at the time ``at`` (ISO 8601), started at ``start_at``."""
    with open_repository(dsn, schema) as repo:
        agent = ChatAgent(repo, clock=ManualClock(datetime.fromisoformat(at)))
        time.sleep(max(0.0, start_at - time.time()))
        report = agent.sweep()
    record = {
        "alerts": sorted(report.alerts.items()),
        "transfers_expired": report.transfers_expired,
        "idle_ended": report.idle_ended,
    }
    (Path(logs) / f"sweep-{worker}.json").write_text(json.dumps(record))


# ------------------------------------------------------------------ the crash loop


def crash_worker(dsn: str, schema: str, seed: int, ready: Any, committed_events: Any) -> None:
    """Apply random commands forever, one unit of work each, until killed.

    ``ready`` is set once the repository is open; ``committed_events`` counts the events
    of the units of work whose commit has returned (``workloads._crash_step`` decides).
    """
    rng = random.Random(seed)
    repo = open_repository(dsn, schema)
    ready.value = 1
    while True:
        try:
            with repo.transaction() as tx:
                written = workloads._crash_step(rng, tx, CLOCK.now())
        except ChatSessionError:
            continue
        committed_events.value += written
