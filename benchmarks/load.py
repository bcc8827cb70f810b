"""Load: building sessions from stored fields, many held at once, and what each one weighs."""

from __future__ import annotations

import gc
import sqlite3
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import datetime
from time import perf_counter
from typing import Any

from benchmarks.baselines import PydanticSession, SlottedSession, stored_fields
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
from chatsession import ChatSession, ChatSessionFlags, ChatSessionStatus
from chatsession.adapters.sqlite import tables
from chatsession.adapters.sqlite.migrations import migrate
from chatsession.domain.session_data import FIELDS, SESSION_FIELDS
from chatsession.domain.session_key import SessionKey

SIZES_FULL = (1_000, 10_000, 100_000)
SIZES_QUICK = (100, 1_000)


def field_rows(count: int) -> list[dict[str, Any]]:
    """``count`` stored sessions' fields, one dict each (ids 1..count)."""
    base = stored_fields()
    return [dict(base, chat_session_id=i) for i in range(1, count + 1)]


def sqlite_rows(count: int) -> list[tuple[Any, ...]]:
    """``count`` rows of ``chat_session`` as SQLite hands them back (in ``FIELDS`` order)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(conn)
        base = stored_fields()
        conn.execute("BEGIN")
        conn.executemany(
            tables.INSERT,
            (
                tables.insert_params(ChatSession(**dict(base, chat_session_id=i)), 1)
                for i in range(1, count + 1)
            ),
        )
        conn.execute("COMMIT")
        select = tables.SELECT_ONE.replace(" WHERE id = ?", " ORDER BY id")
        return list(conn.execute(select).fetchall())
    finally:
        conn.close()


# The decoding floor: the same conversions written by hand, without the integrity check.
_TIMES = tuple(i for i, f in enumerate(SESSION_FIELDS) if f.kind is datetime)
_BOOLS = tuple(i for i, f in enumerate(SESSION_FIELDS) if f.kind is bool)
_STATUS = FIELDS.index("status")
_FLAGS = FIELDS.index("flags")
_KEY = FIELDS.index("session_key")
_STATUSES = {int(s): s for s in ChatSessionStatus}


def hand_decode(row: Sequence[Any]) -> Any:
    """A ``SlottedSession`` from a row, converted by hand (no checks)."""
    values = list(row)
    fromiso = datetime.fromisoformat
    for i in _TIMES:
        if values[i] is not None:
            values[i] = fromiso(values[i])
    for i in _BOOLS:
        values[i] = bool(values[i])
    values[_STATUS] = _STATUSES[values[_STATUS]]
    values[_FLAGS] = ChatSessionFlags(values[_FLAGS])
    values[_KEY] = SessionKey(values[_KEY])
    return SlottedSession(**dict(zip(FIELDS, values, strict=True)))


def holding(build: Callable[[Any], Any], items: Sequence[Any]) -> Batch:
    """A batch that builds one object per item and holds them all until the clock stops."""

    def batch(n: int) -> float:
        source = items[:n]
        gc.collect()
        start = perf_counter()
        held = [build(item) for item in source]
        elapsed = perf_counter() - start
        del held
        return elapsed

    return batch


def bytes_per_object(build: Callable[[Any], Any], items: Sequence[Any]) -> float:
    """Bytes allocated per object built and held (tracemalloc; the holding list aside)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        held = [build(item) for item in items]
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before - sys.getsizeof(held)) / len(items)


def run(settings: Settings) -> Section:
    """The load section."""
    sizes = SIZES_QUICK if settings.quick else SIZES_FULL
    section = Section(
        "Load",
        "Building sessions from a stored row's fields, all of them held at once (a queue "
        "view, a report), per object. `ChatSession(**fields)` is what the stores do; the "
        "slotted keyword-only dataclass has the same fields and defaults and nothing else; "
        "the pydantic model the same fields and types (`model_validate`, lax mode). The "
        "garbage collector stays on, as in an application: holding many objects is what "
        "could make the cost per object grow. `row_to_session` is the SQLite decode path "
        "(text times parsed, enums looked up, every field's type checked), against the "
        "same conversions written by hand into the dataclass without the check.",
    )
    items = field_rows(max(sizes))
    rows = sqlite_rows(max(sizes))
    validate = PydanticSession.model_validate
    builders: dict[str, Callable[[Any], Any]] = {
        "slotted dataclass": lambda f: SlottedSession(**f),
        "ChatSession(**fields)": lambda f: ChatSession(**f),
        "pydantic model_validate": validate,
    }
    decoders: dict[str, Callable[[Any], Any]] = {
        "by hand into the dataclass": hand_decode,
        "row_to_session (SQLite)": lambda r: tables.row_to_session(r, "benchmark"),
    }
    # Build them the plain way, without lambdas in between, so that every variant pays
    # only its own call.
    batches: dict[str, Batch] = {
        "slotted dataclass": _comprehension(SlottedSession, items),
        "ChatSession(**fields)": _comprehension(ChatSession, items),
        "pydantic model_validate": holding(validate, items),
        "by hand into the dataclass": holding(hand_decode, rows),
        "row_to_session (SQLite)": _row_to_session_batch(rows),
    }
    per_size: dict[int, dict[str, list[float]]] = {}
    # The inputs (100k dicts of fields, 100k rows) are the benchmark's, not the objects
    # under test: out of the collector's sight, so that a full collection does not walk
    # them. The objects built are collected as usual.
    gc.collect()
    gc.freeze()
    try:
        for size in sizes:
            # fewer rounds for the big sizes: each batch is already a long measurement
            rounds = settings.rounds if size < 100_000 else max(3, settings.rounds // 2)
            per_size[size] = interleave(batches, size, rounds)
    finally:
        gc.unfreeze()

    base = "slotted dataclass"
    for size in sizes:
        measured = per_size[size]
        label = f"{size:,} held"
        for name in builders:
            versus = times(ratio(measured[name], measured[base]))
            cell = "" if name == base else f"{versus} dataclass"
            row = Row(label, name, f"{seconds(median(measured[name]))}/object", cell)
            if name == "ChatSession(**fields)":
                value = ratio(measured[name], measured[base])
                row.target = "<= 1.20x dataclass"
                row.verdict = section.target(
                    f"load, {size:,} held", "<= 1.20x a slotted dataclass", value, 1.2,
                    shown=times(value),
                )
            if name == "pydantic model_validate":
                ours = ratio(measured["ChatSession(**fields)"], measured[name])
                row.ratio += f"; ChatSession is {times(ours)} of it"
            section.rows.append(row)
        hand = measured["by hand into the dataclass"]
        section.rows.append(
            Row(label, "decode by hand into the dataclass",
                f"{seconds(median(hand))}/object",
                f"{times(ratio(hand, measured[base]))} dataclass")
        )
        ours = measured["row_to_session (SQLite)"]
        section.rows.append(
            Row(label, "`row_to_session(row, where)` (SQLite decode)",
                f"{seconds(median(ours))}/object", f"{times(ratio(ours, hand))} by hand")
        )

    small, big = min(sizes), max(sizes)
    for name in [*builders, *decoders]:
        growth = median(per_size[big][name]) / median(per_size[small][name])
        row = Row(f"{big:,} vs {small:,}", name, "per object", f"{times(growth)} growth")
        if name == "ChatSession(**fields)":
            flat = median(per_size[big][base]) / median(per_size[small][base])
            row.target = f"flat: <= 1.20x, or the dataclass's {times(flat)}"
            limit = max(1.2, flat * 1.1)
            row.verdict = section.target(
                f"load flat ({big:,} vs {small:,})", "per-object cost flat", growth, limit,
                shown=f"{times(growth)} (dataclass {times(flat)})",
            )
        section.rows.append(row)

    # Memory: what one more loaded session weighs.
    count = min(10_000, big)
    memory = {name: bytes_per_object(build, items[:count]) for name, build in builders.items()}
    memory["row_to_session (SQLite)"] = bytes_per_object(decoders["row_to_session (SQLite)"],
                                                         rows[:count])
    label = f"memory ({count:,} held)"
    dataclass_bytes = memory[base]
    for name, value in memory.items():
        cell = "" if name == base else f"{times(value / dataclass_bytes)} dataclass"
        row = Row(label, name, f"{value:,.0f} B/object", cell)
        if name == "ChatSession(**fields)":
            row.ratio += f"; {times(value / memory['pydantic model_validate'])} pydantic"
            row.target = "<= 1.10x dataclass"
            row.verdict = section.target(
                "memory per session", "<= 1.10x the dataclass", value / dataclass_bytes, 1.1,
                shown=f"{times(value / dataclass_bytes)} "
                f"({value:,.0f} B vs {dataclass_bytes:,.0f} B)",
            )
        if name == "row_to_session (SQLite)":
            row.ratio += " (with its decoded values: new datetimes and strings)"
        section.rows.append(row)
    extra = memory["ChatSession(**fields)"] - dataclass_bytes
    section.notes.append(
        f"**Memory.** A loaded `ChatSession` takes {extra:,.0f} B more than the dataclass. "
        "Two of its slots are its own (the pending events, and a weak reference slot that "
        "lets tests prove the shared machines keep no session alive): 16 B. "
        + (
            f"The other {extra - 16:,.0f} B are allocated per session as it loads: the "
            "empty list of pending events, which most loaded sessions (a queue view) never "
            "use; created on the first event instead, the session would weigh "
            f"{dataclass_bytes + 16:,.0f} B ({times((dataclass_bytes + 16) / dataclass_bytes)})."
            if extra > 24
            else "Nothing else is allocated per session as it loads."
        )
        + " Loading also allocates one object per session in the dataclass's case and more "
        "in any other: with many sessions held, every allocation counts towards the garbage "
        "collector's next pass, which is what makes the cost per object grow at 100,000."
    )
    return section


def _comprehension(cls: Any, items: Sequence[dict[str, Any]]) -> Batch:
    """``[cls(**fields) for fields in items]``, held until the clock stops."""

    def batch(n: int) -> float:
        source = items[:n]
        gc.collect()
        start = perf_counter()
        held = [cls(**fields) for fields in source]
        elapsed = perf_counter() - start
        del held
        return elapsed

    return batch


def _row_to_session_batch(rows: Sequence[tuple[Any, ...]]) -> Batch:
    decode = tables.row_to_session

    def batch(n: int) -> float:
        source = rows[:n]
        gc.collect()
        start = perf_counter()
        held = [decode(row, "benchmark") for row in source]
        elapsed = perf_counter() - start
        del held
        return elapsed

    return batch
