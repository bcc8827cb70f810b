"""Queues: the head of the queue and picking it up, with few and with many sessions stored."""

from __future__ import annotations

import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks.baselines import AT, TOPIC
from benchmarks.harness import (
    Batch,
    Row,
    Section,
    Settings,
    interleave,
    median,
    ratio,
    seconds,
    times,
)
from chatsession import (
    ChatAgent,
    ChatSession,
    EndReason,
    InMemoryChatSessionRepository,
    ManualClock,
    SqliteChatSessionRepository,
)

QUEUED = 100
"""Sessions waiting in the queue, the newest ones, whatever the number stored."""
SIZES_FULL = (1_000, 100_000)
SIZES_QUICK = (200, 2_000)


def fill(repo: Any, stored: int) -> None:
    """``stored`` sessions: the oldest ended (picked up, then finished), the newest ``QUEUED`` in
    the queue, as in a store that has run for a while."""
    ended = stored - QUEUED
    chunk = 5_000
    for first in range(0, stored, chunk):
        with repo.transaction() as tx:
            for i in range(first, min(first + chunk, stored)):
                session = ChatSession.request(tx.next_id(), TOPIC, at=AT)
                if i < ended:
                    session.pick_up(by=9, at=AT)
                    session.end(EndReason.BY_CUSTOMER, at=AT)
                session.pull_events()  # history: no outbox records needed
                tx.add(session)


def _first_in_queue(repo: Any) -> Batch:
    def batch(n: int) -> float:
        start = perf_counter()
        for _ in range(n):
            repo.first_in_queue()
        return perf_counter() - start

    return batch


def _pick_up_first(repo: Any) -> Batch:
    """``ChatAgent.pick_up_first(by=7)`` ``n`` times; the sessions go back to the queue after."""
    agent = ChatAgent(repo, clock=ManualClock(AT))

    def batch(n: int) -> float:
        picked = []
        start = perf_counter()
        for _ in range(n):
            picked.append(agent.pick_up_first(by=7))
        elapsed = perf_counter() - start
        for reply in picked:  # back to the head of the queue, for the next batch
            assert reply is not None
            agent.reset(reply.entity.chat_session_id, by=7)
        return elapsed

    return batch


def _sweep(repo: Any) -> Batch:
    """``ChatAgent.sweep()`` ``n`` times at one instant: after the first pass nothing is due,
    so each pass is the cost of looking (the status-index queries), as on a quiet timer."""
    agent = ChatAgent(repo, clock=ManualClock(AT))
    agent.sweep()  # whatever is due at AT happens here, untimed

    def batch(n: int) -> float:
        start = perf_counter()
        for _ in range(n):
            agent.sweep()
        return perf_counter() - start

    return batch


def run(settings: Settings) -> Section:
    """The queues section."""
    sizes = SIZES_QUICK if settings.quick else SIZES_FULL
    small, big = sizes
    section = Section(
        "Queues",
        f"`repo.first_in_queue()`, `ChatAgent.pick_up_first(by=7)` (PickUpFirstChatSession: "
        f"a unit of work that finds the head of the queue, picks it up and saves it) and "
        f"`ChatAgent.sweep()` with nothing due (the timer's pass: alerts, expired transfers, "
        f"idle ends, found through the status index) with "
        f"{small:,} and {big:,} sessions stored: the newest {QUEUED} wait in the queue, the "
        "others ended long ago. After each batch the picked sessions are reset into the "
        "queue again (not timed), so every batch sees the same queue. Per call.",
    )
    with tempfile.TemporaryDirectory(prefix="chatsession-bench-") as tmp:
        stores: dict[str, dict[int, Any]] = {"in memory": {}, "SQLite NORMAL": {}}
        for size in sizes:
            memory = InMemoryChatSessionRepository()
            fill(memory, size)
            stores["in memory"][size] = memory
            sqlite = SqliteChatSessionRepository(Path(tmp) / f"queue-{size}.db",
                                                 synchronous="NORMAL")
            fill(sqlite, size)
            stores["SQLite NORMAL"][size] = sqlite
        try:
            for store, by_size in stores.items():
                for operation, make, number in (
                    ("first_in_queue()", _first_in_queue, settings.number(1_000)),
                    ("pick_up_first(by=7)", _pick_up_first, min(QUEUED, settings.number(50))),
                    ("sweep(), nothing due", _sweep, settings.number(200)),
                ):
                    measured = interleave(
                        {f"{size:,} stored": make(by_size[size]) for size in sizes},
                        number,
                        settings.rounds,
                    )
                    low, high = measured[f"{small:,} stored"], measured[f"{big:,} stored"]
                    for size in sizes:
                        values = measured[f"{size:,} stored"]
                        row = Row(f"{store}: {operation}", f"{size:,} stored",
                                  seconds(median(values)))
                        if size == big:
                            value = ratio(high, low)
                            row.ratio = f"{times(value)} the {small:,}"
                            row.target = f"<= 1.50x the {small:,}"
                            row.verdict = section.target(
                                f"{operation} {store}, {big:,} vs {small:,}",
                                f"<= 1.50x its time at {small:,}", value, 1.5,
                                shown=times(value),
                            )
                        section.rows.append(row)
        finally:
            for repo in stores["SQLite NORMAL"].values():
                repo.close()
    return section
