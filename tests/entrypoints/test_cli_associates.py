"""The ``associate`` commands: accounts, passwords from stdin, tokens shown once, revocation."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.entrypoints.cli import main
from chatsession.service.credentials import token_hash, verify_password

PASSWORD = "p4ss w0rd \u00e6\u00f8\u00e5"


def run(db: Path, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--db", str(db), *argv], out=out)
    return code, out.getvalue()


def cli(db: Path, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed program in a process of its own (its real stdin, stdout and stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "chatsession", "--db", str(db), *argv],
        input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_a_password_from_stdin_is_stored_hashed_and_never_echoed(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    done = cli(db, "associate", "add", "--id", "7", "--user-name", "alice",
               "--full-name", "Alice Agent", "--password-stdin", "--admin",
               stdin=PASSWORD + "\nsecond line is not read\n")
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout and PASSWORD not in done.stderr
    assert "scrypt" not in done.stdout
    assert lines(done.stdout) == [{"AssociateId": 7, "UserName": "alice",
                                   "FullName": "Alice Agent", "Deleted": False,
                                   "Admin": True, "HasPassword": True}]
    with SqliteChatSessionRepository(db) as repo:
        account = repo.get_account(7)
        assert account is not None and verify_password(PASSWORD, account.password_hash)
    assert PASSWORD.encode() not in db.read_bytes()
    listed = cli(db, "associate", "list")
    assert listed.returncode == 0 and "scrypt" not in listed.stdout
    assert lines(listed.stdout)[0]["HasPassword"] is True


def test_re_adding_updates_the_account_and_keeps_its_password(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    assert cli(db, "associate", "add", "--id", "7", "--user-name", "alice",
               "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    assert run(db, "associate", "add", "--id", "7", "--user-name", "Alice",
               "--full-name", "Alice A.")[0] == 0
    with SqliteChatSessionRepository(db) as repo:
        account = repo.get_account(7)
        assert account is not None and not account.admin
        assert account.info.full_name == "Alice A." and account.user_name == "Alice"
        assert verify_password(PASSWORD, account.password_hash)
    assert cli(db, "associate", "add", "--id", "7", "--user-name", "alice",
               "--password-stdin", stdin="new one\r\n").returncode == 0
    with SqliteChatSessionRepository(db) as repo:
        account = repo.get_account(7)
        assert account is not None and verify_password("new one", account.password_hash)
        assert not verify_password(PASSWORD, account.password_hash)


def test_without_a_password_the_account_has_none_and_empty_stdin_is_refused(
    tmp_path: Path,
) -> None:
    db = tmp_path / "chat.db"
    code, text = run(db, "associate", "add", "--id", "8", "--user-name", "bob")
    assert code == 0 and lines(text)[0]["HasPassword"] is False
    refused = cli(db, "associate", "add", "--id", "8", "--password-stdin", stdin="")
    assert refused.returncode == 2 and "no password" in refused.stderr


def test_a_user_name_held_by_another_associate_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "chat.db"
    run(db, "associate", "add", "--id", "7", "--user-name", "alice")
    assert run(db, "associate", "add", "--id", "9", "--user-name", "ALICE")[0] == 2
    assert "belongs to associate 7" in capsys.readouterr().err


def test_a_token_is_printed_once_alone_and_authenticates_until_revoked(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    run(db, "associate", "add", "--id", "7", "--user-name", "alice")
    made = cli(db, "associate", "token", "--id", "7")
    assert made.returncode == 0, made.stderr
    [token] = made.stdout.splitlines()  # the token, and nothing else, on stdout
    assert len(token) >= 40 and token not in made.stderr
    assert "token 1 of associate 7" in made.stderr
    with SqliteChatSessionRepository(db) as repo:
        account = repo.account_for_token(token_hash(token))
        assert account is not None and account.associate_id == 7
    assert token.encode() not in db.read_bytes()
    second = cli(db, "associate", "token", "--id", "7").stdout.strip()
    assert second != token
    code, text = run(db, "associate", "tokens", "--id", "7")
    assert code == 0 and token not in text and token_hash(token) not in text
    assert [(t["TokenId"], t["Revoked"]) for t in lines(text)] == [(1, None), (2, None)]
    code, text = run(db, "associate", "revoke", "--token-id", "1")
    assert code == 0 and lines(text) == [{"TokenId": 1, "Revoked": True}]
    with SqliteChatSessionRepository(db) as repo:
        assert repo.account_for_token(token_hash(token)) is None
        assert repo.account_for_token(token_hash(second)) is not None
    code, text = run(db, "associate", "tokens", "--id", "7")
    assert lines(text)[0]["Revoked"] is not None and lines(text)[1]["Revoked"] is None
    assert run(db, "associate", "revoke", "--token-id", "1")[0] == 1  # revoked already
    assert run(db, "associate", "revoke", "--token-id", "99")[0] == 1  # unknown


def test_a_token_for_an_unknown_associate_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "chat.db"
    code, text = run(db, "associate", "token", "--id", "7")
    assert code == 2 and text == ""
    assert "has no account" in capsys.readouterr().err
    assert run(db, "associate", "tokens", "--id", "7")[0] == 1


@pytest.mark.parametrize("command", [["associate", "list"], ["associate", "tokens", "--id", "7"]])
def test_the_read_only_commands_create_no_file(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "missing.db"
    assert run(db, *command)[0] == 3
    assert not db.exists()


def test_transfers_resolve_stored_associates_by_user_name(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    run(db, "associate", "add", "--id", "20", "--user-name", "carol", "--full-name", "Carol C")
    run(db, "associate", "add", "--id", "21", "--user-name", "dave", "--full-name", "Dave D")
    run(db, "request", "--topic", "1")
    assert run(db, "pick-up", "1", "--by", "20")[0] == 0
    code, text = run(db, "transfer", "1", "--to", "DAVE", "--by", "20")
    assert code == 0
    entity = json.loads(text)
    assert entity["TransferTo"]["AssociateId"] == 21
    assert entity["TransferTo"]["FullName"] == "Dave D"
    assert entity["User"]["UserName"] == "carol"
    # once associates are stored, the demo team is no longer a target
    assert run(db, "transfer", "1", "--to", "bob", "--by", "20")[0] == 2
