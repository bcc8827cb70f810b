"""The benchmarks run: ``python -m benchmarks --quick`` writes a page with every section.

No time is asserted: this only keeps the benchmark code from rotting.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SECTIONS = [
    "## The machine",
    "## Targets",
    "## Load",
    "## Commands",
    "## Stores",
    "## Queues",
    "## Web face",
    "## Findings",
]


def test_the_quick_run_writes_every_section(tmp_path: Path) -> None:
    output = tmp_path / "performance.md"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = output.read_text(encoding="utf-8")
    assert page == done.stdout
    for heading in SECTIONS:
        assert f"\n{heading}\n" in page, heading
    for row in (
        "ChatSession(**fields)",
        "row_to_session",
        "ChatSession (ours)",
        "bare transitions, enum states",
        "by hand, if/else",
        "transitions Machine per object",
        "python-statemachine",
        "raw sqlite3 loop",
        "ChatAgent command",
        "PostgreSQL (fsync=" if os.environ.get("CHATSESSION_PG_DSN") else
        "not measured: CHATSESSION_PG_DSN is not set",
        "pick_up_first(by=7)",
        "sweep(), nothing due",
        "RejectTransfer, nothing pending (no-op)",
        "TransferTo + RejectTransfer (changing)",
        "chatsession's app, over HTTP (ours)",
        "minimal FastAPI endpoint, the SQL by hand",
        "ChatAgent, no HTTP",
    ):
        assert row in page, row
    assert "| CPU |" in page
    assert "| SQLite |" in page
