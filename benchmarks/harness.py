"""What every section uses: interleaved timing, medians and ratios, rows, the machine.

A variant is a *batch*: a function that runs ``n`` operations and returns the seconds
spent in them (it times only the operations; any setup or clean-up around them is its
own business and is not counted). ``interleave`` runs the variants of one comparison in
the same loop, round after round, rotating their order, so that whatever else the machine
does at a moment hits every variant alike. A variant's figure is the median of its
rounds; a ratio is the median of the per-round ratios (each measured seconds apart).
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

Batch = Callable[[int], float]
"""Runs ``n`` operations; returns the seconds they took."""


@dataclass(frozen=True)
class Settings:
    """How long to measure: the full run, or ``--quick`` (small sizes, few rounds)."""

    quick: bool
    rounds: int
    scale: float
    """Multiplies the number of operations per batch (1.0 in the full run)."""

    def number(self, full: int) -> int:
        """Operations per batch: ``full`` in the full run, fewer in the quick one."""
        return max(1, int(full * self.scale))


FULL = Settings(quick=False, rounds=15, scale=1.0)
QUICK = Settings(quick=True, rounds=3, scale=0.02)


def interleave(
    batches: dict[str, Batch], number: int, rounds: int, *, warmup: int = 1
) -> dict[str, list[float]]:
    """Seconds per operation of each variant, one figure per round (warm-up rounds dropped)."""
    names = list(batches)
    out: dict[str, list[float]] = {name: [] for name in names}
    for r in range(-warmup, rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            seconds = batches[name](number)
            if r >= 0:
                out[name].append(seconds / number)
    return out


def median(values: Iterable[float]) -> float:
    """The median."""
    return statistics.median(list(values))


def ratio(times: list[float], reference: list[float]) -> float:
    """The median of the per-round ratios ``times[i] / reference[i]``."""
    return statistics.median(a / b for a, b in zip(times, reference, strict=True))


def spread(times: list[float]) -> float:
    """Half the inter-quartile range relative to the median: how noisy a figure was."""
    if len(times) < 4:
        return (max(times) - min(times)) / 2 / statistics.median(times)
    q1, _, q3 = statistics.quantiles(times, n=4)
    return (q3 - q1) / 2 / statistics.median(times)


# --------------------------------------------------------------------- formatting


def seconds(value: float) -> str:
    """A duration with a unit that keeps three significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def per_second(value: float) -> str:
    """Operations per second, from seconds per operation."""
    return f"{1 / value:,.0f}/s"


def times(value: float) -> str:
    """A ratio as ``1.23x``."""
    return f"{value:.2f}x"


def percent(value: float) -> str:
    """A fraction as ``78%``."""
    return f"{value * 100:.0f}%"


# ----------------------------------------------------------------------- the page


@dataclass
class Row:
    """One line of a section's table."""

    case: str
    variant: str
    median: str
    ratio: str = ""
    target: str = ""
    verdict: str = ""
    """``met``, ``missed`` or empty (no target on this row)."""


@dataclass
class Target:
    """A target of the issue, and what this run measured for it."""

    name: str
    wanted: str
    measured: str
    met: bool | None
    """None: not measured in this run."""


@dataclass
class Section:
    """One section of the page: a table, and what it means."""

    title: str
    intro: str
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def target(self, name: str, wanted: str, value: float, limit: float, *,
               at_most: bool = True, shown: str) -> str:
        """Record a target; return its verdict for the row that shows it."""
        met = value <= limit if at_most else value >= limit
        self.targets.append(Target(name, wanted, shown, met))
        return "met" if met else "**missed**"

    def markdown(self) -> str:
        """The section as markdown."""
        lines = [f"## {self.title}", "", self.intro, ""]
        if self.rows:
            lines += [
                "| case | variant | median | ratio | target |",
                "| --- | --- | ---: | ---: | --- |",
            ]
            for row in self.rows:
                target = f"{row.target}: {row.verdict}" if row.verdict else row.target
                lines.append(
                    f"| {row.case} | {row.variant} | {row.median} | {row.ratio} | {target} |"
                )
            lines.append("")
        for note in self.notes:
            lines += [note, ""]
        return "\n".join(lines)


# -------------------------------------------------------------------- the machine


def cpu_model() -> str:
    """The CPU's model name, from ``/proc/cpuinfo`` (Linux), else what ``platform`` says."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def filesystem_of(path: str) -> str:
    """The file system type ``path`` is on (from ``/proc/mounts``), or ``unknown``."""
    best, kind = "", "unknown"
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                if len(parts) >= 3 and path.startswith(parts[1]) and len(parts[1]) > len(best):
                    best, kind = parts[1], parts[2]
    except OSError:
        pass
    return kind


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine(temp_dir: str) -> list[tuple[str, str]]:
    """What the numbers were measured on."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = f"{os.cpu_count()}" + (f" ({usable} usable)" if usable != os.cpu_count() else "")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        ("CPU", cpu_model()),
        ("cores", cores),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("SQLite", sqlite3.sqlite_version),
        ("OS", platform.platform()),
        ("temporary files", f"{filesystem_of(str(Path(temp_dir).resolve()))} ({temp_dir})"),
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("load average at start (1, 5, 15 min)", load),
        (
            "libraries",
            f"transitions {_version('transitions')}, pydantic {_version('pydantic')}, "
            f"python-statemachine {_version('python-statemachine')}",
        ),
    ]
