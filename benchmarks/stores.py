"""Stores: one command in its unit of work (load, apply, save, commit) against a raw driver loop."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
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
    per_second,
    percent,
    ratio,
    seconds,
)
from chatsession import (
    ChatAgent,
    ChatSession,
    InMemoryChatSessionRepository,
    ManualClock,
    SqliteChatSessionRepository,
    to_entity,
)
from chatsession.adapters.event_codec import dumps, encode_event
from chatsession.adapters.sqlite import tables
from chatsession.domain.invariants import check_invariants
from chatsession.domain.session_data import FIELDS

RAW_MORE = "raw loop + the library's SAVEPOINT, second SELECT, RELEASE"
SESSIONS = 16
"""Sessions each variant cycles through (each with a transfer to 8 pending)."""

_TO = FIELDS.index("transfer_to")
_REQUESTED_AT = FIELDS.index("transfer_requested_at")
_AT_TEXT = AT.isoformat()


def _pending_sessions(repo: Any, count: int) -> list[int]:
    """Store ``count`` sessions that user 7 handles, each with a transfer to 8 pending."""
    ids = []
    with repo.transaction() as tx:
        for _ in range(count):
            session = ChatSession.request(tx.next_id(), TOPIC, at=AT)
            session.pick_up(by=7, at=AT)
            session.transfer(to=8, by=7, at=AT)
            tx.add(session)
            ids.append(session.chat_session_id)
    return ids


def agent_batch(repo: Any) -> Batch:
    """``ChatAgent.reject_transfer`` then ``transfer`` (two units of work), per session."""
    agent = ChatAgent(repo, clock=ManualClock(AT))
    cycle = itertools.cycle(_pending_sessions(repo, SESSIONS))

    def batch(n: int) -> float:
        ids = [next(cycle) for _ in range(n)]
        start = perf_counter()
        for sid in ids:
            agent.reject_transfer(sid, by=8)
            agent.transfer(sid, to=8, by=7)
        return (perf_counter() - start) / 2  # per command

    return batch


def unit_of_work_batch(repo: Any) -> Batch:
    """The same two commands in ``repo.transaction()`` by hand (no ChatAgent, no reply)."""
    cycle = itertools.cycle(_pending_sessions(repo, SESSIONS))

    def batch(n: int) -> float:
        ids = [next(cycle) for _ in range(n)]
        start = perf_counter()
        for sid in ids:
            with repo.transaction() as tx:
                session = tx.get(sid)
                session.reject_transfer(by=8, at=AT)
                tx.save(session)
            with repo.transaction() as tx:
                session = tx.get(sid)
                session.transfer(to=8, by=7, at=AT)
                tx.save(session)
        return (perf_counter() - start) / 2

    return batch


def _raw_command(conn: sqlite3.Connection, sid: int, reject: bool, library_sql: bool) -> None:
    """One command as a raw loop does it: SELECT, UPDATE with the version check, INSERT.

    With ``library_sql`` it also issues the statements the library adds around the write:
    a SAVEPOINT, the save's second SELECT of the row, and RELEASE.
    """
    conn.execute("BEGIN IMMEDIATE")
    row = conn.execute(tables.SELECT_ONE, (sid,)).fetchone()
    if library_sql:
        conn.execute("SAVEPOINT chatsession_write")
        conn.execute(tables.SELECT_ONE, (sid,)).fetchone()
    values = list(row)
    version = values[-1]
    if reject:
        values[_TO] = values[_REQUESTED_AT] = None
        name, payload = "TransferRejected", {"chat_session_id": sid, "occurred_at": _AT_TEXT,
                                             "status": "UserLast", "by": 8, "to": 8}
    else:
        values[_TO], values[_REQUESTED_AT] = 8, _AT_TEXT
        name, payload = "TransferRequested", {"chat_session_id": sid, "occurred_at": _AT_TEXT,
                                              "status": "UserLast", "by": 7, "to": 8,
                                              "replaced": None}
    cur = conn.execute(tables.UPDATE, [*values[1:-1], version + 1, sid, version])
    if cur.rowcount != 1:
        raise RuntimeError("lost the version check")
    conn.execute(
        tables.INSERT_EVENT,
        (sid, version + 1, name, _AT_TEXT, json.dumps(payload, separators=(",", ":"))),
    )
    if library_sql:
        conn.execute("RELEASE chatsession_write")
    conn.execute("COMMIT")


def raw_batch(
    path: Path, synchronous: str, *, library_sql: bool = False
) -> tuple[Batch, Callable[[], None]]:
    """The raw ``sqlite3`` loop on a file of the same schema, with the same pragmas."""
    with SqliteChatSessionRepository(path, synchronous=synchronous) as repo:  # type: ignore[arg-type]
        ids = _pending_sessions(repo, SESSIONS)
    conn = sqlite3.connect(path, isolation_level=None, timeout=5.0)
    conn.execute("PRAGMA busy_timeout = 5000")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    assert str(mode).lower() == "wal"
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    cycle = itertools.cycle(ids)

    def batch(n: int) -> float:
        chosen = [next(cycle) for _ in range(n)]
        start = perf_counter()
        for sid in chosen:
            _raw_command(conn, sid, True, library_sql)
            _raw_command(conn, sid, False, library_sql)
        return (perf_counter() - start) / 2

    return batch, conn.close


def part_batches(path: Path) -> dict[str, Batch]:
    """What the library does around the raw loop's SQL in one command, each piece alone."""
    repo = SqliteChatSessionRepository(path, synchronous="NORMAL")
    sid = _pending_sessions(repo, 1)[0]
    row = repo.connection().execute(tables.SELECT_ONE, (sid,)).fetchone()
    repo.close()
    session = tables.row_to_session(row, "benchmark")
    live = tables.row_to_session(row, "benchmark")
    live.reject_transfer(by=8, at=AT)
    (event,) = live.pull_events()

    def command(n: int) -> float:
        s = session
        start = perf_counter()
        for _ in range(n):
            s.reject_transfer(by=8, at=AT)
            s.transfer(to=8, by=7, at=AT)
        elapsed = perf_counter() - start
        s.pull_events()
        return elapsed / 2

    def decode(n: int) -> float:
        decode_row = tables.row_to_session
        start = perf_counter()
        for _ in range(n):
            decode_row(row, "benchmark")
            decode_row(row, "benchmark")
        return perf_counter() - start

    def invariants(n: int) -> float:
        start = perf_counter()
        for _ in range(n):
            check_invariants(live)
        return perf_counter() - start

    def outbox(n: int) -> float:
        start = perf_counter()
        for _ in range(n):
            dumps(encode_event(event))
        return perf_counter() - start

    def parameters(n: int) -> float:
        start = perf_counter()
        for _ in range(n):
            tables.update_params(live, 1, 2)
        return perf_counter() - start

    def reply(n: int) -> float:
        start = perf_counter()
        for _ in range(n):
            to_entity(live)
        return perf_counter() - start

    return {
        "the command itself (engine, checks, event)": command,
        "decoding the row twice (`row_to_session`: the load, the save's re-read)": decode,
        "the invariants checked before the save (`check_invariants`)": invariants,
        "the UPDATE's parameters (`update_params`)": parameters,
        "the outbox payload (`encode_event` + JSON)": outbox,
        "the reply (`to_entity`, ChatAgent only)": reply,
    }


def run(settings: Settings) -> Section:
    """The stores section."""
    section = Section(
        "Stores",
        "One command in its own unit of work, as the service runs it: "
        "`ChatAgent.reject_transfer(sid, by=8)` on a session with a transfer pending, then "
        "`ChatAgent.transfer(sid, to=8, by=7)` (each loads the session, applies the "
        "command, saves it with its event in the outbox, commits, and answers with the "
        "`ChatSessionEntity`). The same two commands in `repo.transaction()` by hand show "
        "what the store costs without the service and its reply. The raw loop does the same "
        "SQL with `sqlite3` alone on a file of the same schema with the same pragmas (WAL, "
        "the same `synchronous`, `BEGIN IMMEDIATE`): the same SELECT, the same UPDATE with "
        "the version check, one outbox INSERT with a JSON payload, COMMIT; it decodes "
        "nothing and checks nothing. Per command; the ratio is the share of the raw loop's "
        "throughput.",
    )
    with tempfile.TemporaryDirectory(prefix="chatsession-bench-") as tmp:
        folder = Path(tmp)
        for synchronous, full_number in (("FULL", 150), ("NORMAL", 600)):
            repo = SqliteChatSessionRepository(folder / f"store-{synchronous}.db",
                                               synchronous=synchronous)  # type: ignore[arg-type]
            raw, close = raw_batch(folder / f"raw-{synchronous}.db", synchronous)
            raw_more, close_more = raw_batch(folder / f"raw-more-{synchronous}.db", synchronous,
                                             library_sql=True)
            try:
                measured = interleave(
                    {
                        "raw sqlite3 loop": raw,
                        RAW_MORE: raw_more,
                        "repository unit of work": unit_of_work_batch(repo),
                        "ChatAgent command": agent_batch(repo),
                    },
                    settings.number(full_number),
                    settings.rounds,
                )
            finally:
                close()
                close_more()
                repo.close()
            _rows(section, f"SQLite, synchronous={synchronous}", measured)
            if synchronous == "NORMAL":
                parts = interleave(part_batches(folder / "parts.db"),
                                   settings.number(2_000), settings.rounds)
                _parts(section, measured, parts)
        memory = InMemoryChatSessionRepository()
        measured = interleave(
            {
                "repository unit of work": unit_of_work_batch(memory),
                "ChatAgent command": agent_batch(memory),
            },
            settings.number(1_000),
            settings.rounds,
        )
        for name, values in measured.items():
            section.rows.append(
                Row("in memory", name,
                    f"{seconds(median(values))} ({per_second(median(values))})")
            )
    _postgres(section, settings)
    section.notes.append(_gap_note(section))
    section.notes.append(
        "With `synchronous=FULL` every commit waits for an fsync of the WAL, which the raw "
        "loop pays as well: the disk sets the pace and the library's share shrinks. With "
        "`NORMAL` a commit is a write into the OS's page cache, so the Python work around "
        "the SQL decides."
    )
    return section


_GAP: dict[str, float] = {}
PG_DSN = "CHATSESSION_PG_DSN"
"""The variable naming the PostgreSQL server the PostgreSQL rows run on."""


def _postgres(section: Section, settings: Settings) -> None:
    """The same commands on PostgreSQL beside SQLite ``synchronous=FULL``, if a server is set."""
    dsn = os.environ.get(PG_DSN)
    if not dsn:
        section.rows.append(Row("PostgreSQL", "-", f"not measured: {PG_DSN} is not set"))
        return
    try:
        import psycopg  # noqa: F401  (the postgres extra)
    except ImportError:
        section.rows.append(Row("PostgreSQL", "-", "not measured: no `postgres` extra"))
        return
    from chatsession.adapters.postgres import PostgresChatSessionRepository

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    repo = PostgresChatSessionRepository(dsn, schema=schema, pool_size=2)
    try:
        durable = _server_settings(dsn)
        with tempfile.TemporaryDirectory(prefix="chatsession-bench-") as tmp:
            sqlite = SqliteChatSessionRepository(Path(tmp) / "full.db", synchronous="FULL")
            try:
                measured = interleave(
                    {
                        "SQLite FULL, ChatAgent command": agent_batch(sqlite),
                        "PostgreSQL, repository unit of work": unit_of_work_batch(repo),
                        "PostgreSQL, ChatAgent command": agent_batch(repo),
                    },
                    settings.number(150),
                    settings.rounds,
                )
            finally:
                sqlite.close()
    finally:
        repo.close()
        _drop_schema(dsn, schema)
    reference = measured["SQLite FULL, ChatAgent command"]
    for name in ("PostgreSQL, repository unit of work", "PostgreSQL, ChatAgent command"):
        values = measured[name]
        section.rows.append(
            Row(f"PostgreSQL ({durable})", name.removeprefix("PostgreSQL, "),
                f"{seconds(median(values))} ({per_second(median(values))})",
                f"{ratio(values, reference):.2f}x SQLite FULL's ChatAgent command")
        )


_DURABILITY = ("fsync", "synchronous_commit")


def _server_settings(dsn: str) -> str:
    """What the server promises at commit: the figures mean little without it."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        found = [conn.execute(f"SHOW {name}").fetchone() for name in _DURABILITY]
    fsync, commit = (row[0] if row else "?" for row in found)
    return f"fsync={fsync}, synchronous_commit={commit}"


def _drop_schema(dsn: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _gap_note(section: Section) -> str:
    if not _GAP:
        return ""
    raw, sql, python = _GAP["raw"], _GAP["sql"], _GAP["python"]
    allowed = raw * (1 / 0.7 - 1)
    return (
        f"**Where the store command stands.** With `NORMAL` the raw loop takes "
        f"{seconds(raw)} per command; 70% of its throughput leaves {seconds(allowed)} per "
        f"command for everything the library does on top. The SQL the library adds (a "
        f"savepoint around each write, so that a refused write leaves nothing behind, and "
        f"the save's second read of the row) costs {seconds(sql)}; its Python costs "
        f"{seconds(python)}. The pieces measured alone (rows *of which*) are each what the "
        "store promises: every row read is decoded and type-checked (a damaged row raises "
        "`CorruptStoreError` instead of becoming a session), every save checks the "
        "session's invariants and re-reads the stored row (versions, the same session), "
        "every change leaves an outbox event, and the service answers with the entity; the "
        "rest is the unit of work (transaction, fork gate, one writer per session, typed "
        "errors). What could go without weakening any of that: the save's re-read when the "
        "same unit of work loaded the session (it holds the write lock from its first "
        "statement, so the stored row is the one it read: one SELECT and one decode less "
        "per command), and cheaper text checks (ASCII text cannot hold a lone surrogate). "
        "That is a decode and a SELECT per command, a fraction of the gap: 70% of a loop "
        "that decodes and checks nothing is out of reach while every load and save is "
        "checked."
    )


def _parts(section: Section, measured: dict[str, list[float]],
           parts: dict[str, list[float]]) -> None:
    sql = median(measured[RAW_MORE]) - median(measured["raw sqlite3 loop"])
    over = median(measured["ChatAgent command"]) - median(measured[RAW_MORE])
    _GAP.update(raw=median(measured["raw sqlite3 loop"]), sql=sql, python=over)
    section.rows.append(
        Row("SQLite, synchronous=NORMAL", "the library's extra SQL (the two raw loops' gap)",
            seconds(sql), "")
    )
    section.rows.append(
        Row("SQLite, synchronous=NORMAL",
            "the library's Python: ChatAgent command minus the raw loop with its SQL",
            seconds(over), "")
    )
    accounted = 0.0
    for name, values in parts.items():
        accounted += median(values)
        section.rows.append(
            Row("of which (measured alone)", name, seconds(median(values)),
                f"{median(values) / over * 100:.0f}% of the difference")
        )
    section.rows.append(
        Row("of which", "the rest: the unit of work's bookkeeping (transaction, fork gate, "
            "claims, error translation), calls, caches", seconds(over - accounted),
            f"{(over - accounted) / over * 100:.0f}% of the difference")
    )


def _rows(section: Section, case: str, measured: dict[str, list[float]]) -> None:
    raw = measured["raw sqlite3 loop"]
    for name, values in measured.items():
        share = ratio(raw, values)
        row = Row(case, name, f"{seconds(median(values))} ({per_second(median(values))})",
                  "" if values is raw else f"{percent(share)} of raw")
        if name == "ChatAgent command":
            row.target = ">= 70% of raw"
            row.verdict = section.target(
                f"store command, {case}", ">= 70% of the raw loop's throughput", share, 0.7,
                at_most=False, shown=percent(share),
            )
        section.rows.append(row)
