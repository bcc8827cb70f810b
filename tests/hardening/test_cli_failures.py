"""Issue 15.3, 15.4 and 15.10: the CLI tells a full stdout from a bad database, reports a
damaged store with its own exit code, creates nothing on a read, and never writes errors
to standard output."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "chatsession"]


def run(args: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=kwargs.pop("capture", True), text=True,
        timeout=60, **kwargs,  # type: ignore[call-overload]
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_stdout_is_not_blamed_on_the_database(tmp_path: Path) -> None:
    assert run(["--db", "c.db", "request", "--topic", "1"], tmp_path).returncode == 0
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*CLI, "--db", "c.db", "message", "1", "refund"], cwd=tmp_path, stdout=full,
            stderr=subprocess.PIPE, text=True, timeout=60,
        )
    assert done.returncode == 5, done.stderr
    assert "was done" in done.stderr and "database" not in done.stderr
    shown = run(["--db", "c.db", "show", "1"], tmp_path)
    assert '"LastMessage": "refund"' in shown.stdout  # posted exactly once


@pytest.mark.parametrize("command", [["show", "1"], ["list"], ["outbox"]])
def test_a_read_on_a_missing_file_creates_nothing(tmp_path: Path, command: list[str]) -> None:
    done = run(["--db", "typo.db", *command], tmp_path)
    assert done.returncode == 3 and "no such file" in done.stderr
    assert not (tmp_path / "typo.db").exists()


def test_a_damaged_row_has_its_own_exit_code_and_no_traceback(tmp_path: Path) -> None:
    assert run(["--db", "d.db", "request", "--topic", "1"], tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "d.db") as conn:
        conn.execute("UPDATE chat_session SET when_requested = 'garbage'")
    for command in (["show", "1"], ["list"], ["pick-up", "1", "--by", "7"]):
        done = run(["--db", "d.db", *command], tmp_path)
        assert done.returncode == 4, (command, done.stderr)
        assert "damaged" in done.stderr and "Traceback" not in done.stderr


def test_with_stderr_closed_errors_do_not_go_to_stdout(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "--db", "nope.db", "show", "1"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, timeout=60, close_fds=True,
        preexec_fn=lambda: os.close(2),
    )
    assert done.returncode == 3 and done.stdout == ""


def test_agent_side_commands_do_not_print_the_session_key(tmp_path: Path) -> None:
    created = run(["--db", "k.db", "request", "--topic", "1"], tmp_path)
    assert '"SessionKey"' in created.stdout  # the customer who asked gets it
    for command in (["pick-up", "1", "--by", "7"], ["show", "1"], ["message", "1", "hi"]):
        assert '"SessionKey"' not in run(["--db", "k.db", *command], tmp_path).stdout
