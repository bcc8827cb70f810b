"""SQLite against PostgreSQL: one service command, side by side; then several processes at once.

Run by hand against a server with its default durability (``fsync`` and
``synchronous_commit`` on, as SQLite's ``synchronous=FULL`` is)::

    python -m benchmarks.postgres --dsn postgresql://user@/db?host=/tmp/sock
    python -m benchmarks.postgres --quick          # small sizes (the numbers mean nothing)

The DSN defaults to ``$CHATSESSION_PG_DSN``. Each run works in a schema of its own,
dropped at the end. Not part of ``python -m benchmarks`` (which needs no server).

1. One client: ``ChatAgent.reject_transfer`` then ``transfer`` (two units of work, load,
   apply, save, commit), SQLite and PostgreSQL interleaved round after round
   (``harness.interleave``); the ratio is the median of the per-round ratios.
2. ``WORKERS`` processes at once, each on sessions of its own, for ``SECONDS``: the
   commands per second of all of them together, on SQLite (one writer at a time) and on
   PostgreSQL (a row lock per session).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.baselines import AT, TOPIC
from benchmarks.harness import interleave, median, per_second, ratio, seconds, spread
from benchmarks.stores import SESSIONS, agent_batch
from chatsession import ChatAgent, ChatSession, ManualClock, SqliteChatSessionRepository
from chatsession.adapters.postgres import PostgresChatSessionRepository

WORKERS = 4
SECONDS = 5.0


def _open(kind: str, where: str, schema: str) -> Any:
    if kind == "sqlite":
        return SqliteChatSessionRepository(where, timeout=30.0)
    return PostgresChatSessionRepository(where, schema=schema, timeout=30.0, pool_size=2)


def _sessions(repo: Any, count: int) -> list[int]:
    """``count`` sessions user 7 handles, each with a transfer to 8 pending."""
    ids = []
    with repo.transaction() as tx:
        for _ in range(count):
            session = ChatSession.request(tx.next_id(), TOPIC, at=AT)
            session.pick_up(by=7, at=AT)
            session.transfer(to=8, by=7, at=AT)
            tx.add(session)
            ids.append(session.chat_session_id)
    return ids


def _worker(kind: str, where: str, schema: str, seconds_: float, start_at: float,
            done: Any) -> None:
    """Commands on sessions of this process's own until ``seconds_`` have passed."""
    repo = _open(kind, where, schema)
    ids = _sessions(repo, SESSIONS)
    agent = ChatAgent(repo, clock=ManualClock(AT))
    time.sleep(max(0.0, start_at - time.time()))
    count, end = 0, time.monotonic() + seconds_
    while time.monotonic() < end:
        for sid in ids:
            agent.reject_transfer(sid, by=8)
            agent.transfer(sid, to=8, by=7)
            count += 2
    done.value = count
    repo.close()


def concurrent(kind: str, where: str, schema: str, workers: int, seconds_: float) -> float:
    """Commands per second of ``workers`` processes together."""
    ctx = multiprocessing.get_context("spawn")
    counts = [ctx.Value("q", 0) for _ in range(workers)]
    start_at = time.time() + 3.0  # after every process has imported and set up
    procs = [
        ctx.Process(target=_worker, args=(kind, where, schema, seconds_, start_at, counts[n]))
        for n in range(workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} {kind} worker(s) failed (exit codes {failed})")
    return sum(c.value for c in counts) / seconds_


def server_settings(dsn: str) -> str:
    import psycopg

    with psycopg.connect(dsn) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
        sync = conn.execute("SHOW synchronous_commit").fetchone()
    return (
        f"PostgreSQL {version[0] if version else '?'} (fsync={fsync[0] if fsync else '?'}, "
        f"synchronous_commit={sync[0] if sync else '?'})"
    )


def drop_schema(dsn: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.postgres")
    parser.add_argument("--dsn", default=os.environ.get("CHATSESSION_PG_DSN", ""))
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds")
    args = parser.parse_args(argv)
    if not args.dsn:
        print("no server: pass --dsn or set CHATSESSION_PG_DSN", file=sys.stderr)
        return 2
    rounds, number, span = (3, 20, 1.0) if args.quick else (15, 200, SECONDS)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        try:
            print(f"# SQLite against PostgreSQL ({server_settings(args.dsn)}; SQLite "
                  f"synchronous=FULL on {tmp}; Python {platform.python_version()}, "
                  f"{os.cpu_count()} cores)\n")
            sqlite = SqliteChatSessionRepository(path)
            postgres = PostgresChatSessionRepository(args.dsn, schema=schema)
            try:
                times = interleave(
                    {"SQLite": agent_batch(sqlite), "PostgreSQL": agent_batch(postgres)},
                    number,
                    rounds,
                )
            finally:
                sqlite.close()
                postgres.close()
            lite, pg = times["SQLite"], times["PostgreSQL"]
            print("| one client, one command (reject or transfer) | median | per second "
                  "| spread |")
            print("| --- | ---: | ---: | ---: |")
            for name, values in (("SQLite", lite), ("PostgreSQL", pg)):
                print(f"| {name} | {seconds(median(values))} | {per_second(median(values))} "
                      f"| ±{spread(values) * 100:.0f}% |")
            print(f"\nPostgreSQL / SQLite time per command: {ratio(pg, lite):.2f}x "
                  f"(median of {rounds} per-round ratios)\n")
            together = {
                "SQLite": concurrent("sqlite", path, schema, WORKERS, span),
                "PostgreSQL": concurrent("postgres", args.dsn, schema, WORKERS, span),
            }
            print(f"| {WORKERS} processes at once, {span:g} s, sessions of their own "
                  "| commands per second |")
            print("| --- | ---: |")
            for name, rate in together.items():
                print(f"| {name} | {rate:,.0f}/s |")
            print(f"\nPostgreSQL / SQLite throughput with {WORKERS} processes: "
                  f"{together['PostgreSQL'] / together['SQLite']:.2f}x")
        finally:
            drop_schema(args.dsn, schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
