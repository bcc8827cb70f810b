"""The command-line program on an embedded SQLite file."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chatsession.entrypoints.cli import main


def run(db: Path, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--db", str(db), *argv], out=out)
    return code, out.getvalue()


def test_demo_plays_reject_with_and_without_a_pending_transfer(tmp_path: Path) -> None:
    code, text = run(tmp_path / "demo.sqlite3", "demo")
    assert code == 0
    assert "rejects, nothing pending  -> no-op (no_transfer_pending)" in text
    assert "bob rejects the transfer          -> changed" in text
    body = text.split("RejectTransfer response (ChatSessionEntity):\n")[1].split("\noutbox:")[0]
    entity = json.loads(body)
    assert entity["Status"] == "UserLast" and entity["TransferTo"] is None
    assert entity["User"]["AssociateId"] == 7
    assert "TransferRejected" in text.split("outbox:")[1]


def test_a_session_driven_step_by_step_survives_between_processes(tmp_path: Path) -> None:
    db = tmp_path / "chat.sqlite3"
    assert run(db, "request", "--topic", "2")[0] == 0
    assert run(db, "pick-up", "1", "--by", "7")[0] == 0
    assert run(db, "transfer", "1", "--to", "8", "--by", "7")[0] == 0
    code, text = run(db, "reject", "1", "--by", "9")
    assert code == 0 and json.loads(text)["TransferTo"]["AssociateId"] == 8  # stdout: JSON only
    code, text = run(db, "accept", "1", "--by", "8")
    assert code == 0 and json.loads(text)["User"]["AssociateId"] == 8
    code, text = run(db, "outbox")
    assert [line.split()[4] for line in text.splitlines()] == [
        "SessionRequested", "SessionPickedUp", "RankAssigned", "TransferRequested",
        "TransferAccepted", "RankAssigned"]  # the service gives each user's session its rank


def test_refused_commands_exit_2_and_unknown_sessions_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "chat.sqlite3"
    run(db, "request", "--topic", "2")
    assert run(db, "end", "1")[0] == 2
    assert "end is not allowed in status InQueue" in capsys.readouterr().err
    assert run(db, "show", "42")[0] == 1
    assert "42" in capsys.readouterr().err


def test_the_installed_module_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chatsession", "--db", str(tmp_path / "x.sqlite3"), "demo"],
        capture_output=True, text=True, check=True, timeout=60,
    )
    assert "TransferRejected" in done.stdout


def test_db_may_follow_the_subcommand(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["demo", "--db", str(tmp_path / "after.sqlite3")], out=out) == 0
    assert (tmp_path / "after.sqlite3").is_file()


def test_bad_input_exits_2_with_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "chat.sqlite3"
    assert run(db, "request", "--topic", "0")[0] == 2
    assert "ValidationError" in capsys.readouterr().err
    run(db, "request", "--topic", "1")
    run(db, "pick-up", "1", "--by", "7")
    assert run(db, "transfer", "1", "--to", "\u00b2", "--by", "7")[0] == 2  # not a digit
    assert "UnknownAssociateError" in capsys.readouterr().err


def test_an_unusable_database_file_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "list")[0] == 3  # a directory
    assert "cannot use the database" in capsys.readouterr().err
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello, this is not a database" * 100)
    assert run(not_sqlite, "list")[0] == 3


def test_stdout_is_json_only_and_the_outcome_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "json.sqlite3"
    code, text = run(db, "request", "--topic", "3")
    assert code == 0 and json.loads(text)["Status"] == "InQueue"
    assert "outcome: changed" in capsys.readouterr().err
    code, text = run(db, "reject", "1", "--by", "8")
    assert code == 0 and json.loads(text)["ChatSessionId"] == 1
    assert "outcome: no-op (no_transfer_pending)" in capsys.readouterr().err
