"""The PostgreSQL adapter's parts that need no server: error mapping, text, SQL, layers, extra."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pg_support import require_psycopg

from chatsession.adapters.open_store import describe, is_postgres
from chatsession.adapters.postgres import PostgresChatSessionRepository, tables
from chatsession.adapters.postgres.migrations import lock_key, quote_ident
from chatsession.adapters.queries import SessionQuery
from chatsession.domain.errors import InvalidArgumentError
from chatsession.ports.errors import (
    RepositoryBusyError,
    RepositoryError,
    StoreUnavailableError,
    TransactionError,
    UnstorableSessionError,
)

PACKAGE = Path(__file__).resolve().parents[2] / "chatsession"
POSTGRES = PACKAGE / "adapters" / "postgres"


@pytest.fixture
def errors() -> Any:
    """The driver's error classes (psycopg's): skip without the extra, fail under CI."""
    require_psycopg()
    import psycopg
    import psycopg.errors

    return psycopg


def translate(exc: BaseException, **situation: Any) -> RepositoryError | None:
    from chatsession.adapters.postgres.driver_errors import translate

    return translate(exc, where="PostgreSQL u@h:5432/db", timeout=2.5, **situation)


# ------------------------------------------------------------------ driver errors


def test_lock_timeouts_deadlocks_and_serialization_failures_are_busy(errors: Any) -> None:
    e = errors.errors
    for exc in (
        e.LockNotAvailable("canceling statement due to lock timeout"),
        e.DeadlockDetected("deadlock detected"),
        e.SerializationFailure("could not serialize access"),
        e.QueryCanceled("canceling statement due to statement timeout"),
    ):
        typed = translate(exc, subject="chat session 7")
        assert isinstance(typed, RepositoryBusyError), exc
        assert "2.5 s" in str(typed) and "try again" in str(typed)
        assert exc.sqlstate in str(typed)


def test_refused_values_are_unstorable_and_name_the_subject(errors: Any) -> None:
    e = errors.errors
    for exc in (
        e.UniqueViolation("duplicate key"),
        e.NumericValueOutOfRange("integer out of range"),
        e.CheckViolation("violates check constraint"),
        errors.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
        UnicodeEncodeError("utf-8", "x\ud800", 1, 2, "surrogates not allowed"),
        OverflowError("int too large"),
    ):
        typed = translate(exc, subject="chat session 7")
        assert isinstance(typed, UnstorableSessionError), exc
        assert "chat session 7" in str(typed) and "nothing was stored" in str(typed)


def test_connection_failures_and_missing_tables_make_the_store_unavailable(errors: Any) -> None:
    e = errors.errors
    for exc in (
        errors.OperationalError("connection to server failed: Connection refused"),
        e.AdminShutdown("terminating connection due to administrator command"),
        e.UndefinedTable('relation "x.chat_session" does not exist'),
        e.InsufficientPrivilege("permission denied for schema x"),
    ):
        typed = translate(exc)
        assert type(typed) is StoreUnavailableError, exc
        assert "PostgreSQL u@h:5432/db" in str(typed)
    opening = translate(errors.OperationalError("refused"), opening=True)
    assert isinstance(opening, StoreUnavailableError) and "cannot open" in str(opening)


def test_the_situation_shapes_the_error(errors: Any) -> None:
    from psycopg_pool import PoolTimeout

    from chatsession.adapters.postgres.driver_errors import after_abort

    assert isinstance(translate(PoolTimeout("timeout"), exhausted=True), RepositoryBusyError)
    unreachable = translate(PoolTimeout("timeout"), exhausted=False)
    assert type(unreachable) is StoreUnavailableError and "reachable" in str(unreachable)
    assert isinstance(translate(errors.OperationalError("x"), closed=True), TransactionError)
    aborted = translate(errors.errors.LockNotAvailable("lock timeout"), aborted=True)
    assert aborted is not None and "aborted the whole unit of work" in str(aborted)
    committing = translate(errors.OperationalError("server closed the connection"),
                           committing=True)
    assert committing is not None and "unknown" in str(committing)
    assert translate(ValueError("not the driver's")) is None
    assert translate(KeyboardInterrupt()) is None
    assert aborted is not None
    aborted.__cause__ = errors.errors.LockNotAvailable("lock timeout")
    assert isinstance(after_abort(aborted, "here"), RepositoryBusyError)
    dead = StoreUnavailableError("gone")
    assert type(after_abort(dead, "here")) is StoreUnavailableError


# ------------------------------------------------------------------ text and SQL


@given(st.text())
def test_any_text_is_stored_without_nul_and_read_back_as_it_was(text: str) -> None:
    stored = tables.store_text(text)
    assert "\x00" not in stored
    assert tables.load_text(stored) == text
    if "\x00" not in text and tables.ESCAPE not in text:
        assert stored == text  # ordinary text is stored as it is


def test_a_session_key_is_stored_as_its_value_not_its_mask() -> None:
    from chatsession.domain.session_key import SessionKey

    assert tables.store_text(SessionKey("s3cret")) == "s3cret"
    assert type(tables.store_text(SessionKey("s3cret"))) is str


def test_every_session_query_field_is_answered() -> None:
    """A filter added to ``SessionQuery`` must be added to ``Tables.select_sessions`` too."""
    assert {f.name for f in fields(SessionQuery)} == tables.SESSION_QUERY_FIELDS


def test_identifiers_are_quoted_and_lock_keys_are_int32() -> None:
    assert quote_ident('we"ird') == '"we""ird"'
    for name in ("a", "chat", "x" * 63, "ø"):
        assert -(2**31) <= lock_key(name) < 2**31
    assert lock_key("a") == lock_key("a") != lock_key("b")


def test_connection_strings_are_told_from_paths_and_shown_without_passwords() -> None:
    assert is_postgres("postgresql://u@h/db") and is_postgres(" POSTGRES://h/db")
    assert not is_postgres("chat.sqlite3") and not is_postgres("/tmp/postgresql/x.db")
    shown = describe("postgresql://u:s3cret@h:5432/db?sslmode=require&password=s3cret")
    assert "s3cret" not in shown and shown.startswith("postgresql://u@h:5432/db")
    assert describe("chat.sqlite3") == "chat.sqlite3"


# ------------------------------------------------------------------ layers and the extra


def imported(path: Path) -> set[str]:
    """The modules ``path`` imports (top-level names resolved from the package)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


@pytest.mark.parametrize("module", ["datastore", "connections", "driver_errors"])
def test_the_datastore_layer_knows_nothing_of_chat_sessions(module: str) -> None:
    allowed = {"chatsession.ports.errors", "chatsession.adapters.translated_errors"} | {
        f"chatsession.adapters.postgres.{m}" for m in ("connections", "driver_errors")
    }  # translated_errors: shared by both datastores, imports nothing of chatsession
    ours = {m for m in imported(POSTGRES / f"{module}.py") if m.startswith("chatsession")}
    reaching = {m for m in ours if not any(m == a or m.startswith(a + ".") for a in allowed)}
    assert reaching == set(), f"{module} imports {reaching}"


def run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_core_imports_no_psycopg() -> None:
    done = run(
        "import sys, json, chatsession\n"
        "chatsession.PostgresChatSessionRepository, chatsession.open_repository\n"
        "import chatsession.adapters.postgres\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('psycopg'))))"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_without_the_extra_a_postgres_url_says_which_extra_to_install(tmp_path: Path) -> None:
    done = run(
        "import sys\n"
        "sys.modules['psycopg'] = None; sys.modules['psycopg_pool'] = None\n"
        "from chatsession import open_repository, StoreUnavailableError\n"
        "from chatsession import PostgresChatSessionRepository\n"
        "try:\n"
        "    open_repository('postgresql://u@localhost/db')\n"
        "except StoreUnavailableError as e:\n"
        "    print('open_repository:', e)\n"
        "try:\n"
        "    PostgresChatSessionRepository('postgresql://u@localhost/db')\n"
        "except ImportError as e:\n"
        "    print('repository:', e)\n"
        f"repo = open_repository({str(tmp_path / 'x.db')!r})\n"
        "print('sqlite:', type(repo).__name__); repo.close()\n"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("open_repository:") and "chatsession[postgres]" in lines[0]
    assert lines[1].startswith("repository:") and "chatsession[postgres]" in lines[1]
    assert lines[2] == "sqlite: SqliteChatSessionRepository"


# ------------------------------------------------------------------ opening, no server


def test_an_unreachable_server_is_unavailable_and_the_password_is_never_shown(
    tmp_path: Any,
) -> None:
    require_psycopg()  # no server needed: there is none at this address
    dsn = f"postgresql://chat:s3cret@/chat?host={tmp_path}&connect_timeout=2"
    with pytest.raises(StoreUnavailableError) as caught:
        PostgresChatSessionRepository(dsn, timeout=1)
    assert "s3cret" not in str(caught.value)
    assert "cannot open" in str(caught.value)


@pytest.mark.parametrize(
    "bad",
    [
        {"timeout": -1},
        {"timeout": float("nan")},
        {"pool_size": 0},
        {"schema": ""},
        {"schema": "x" * 64},
        {"schema": "a\x00b"},
    ],
    ids=repr,
)
def test_bad_arguments_are_refused_before_connecting(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        PostgresChatSessionRepository("postgresql://nobody@nowhere.invalid/db", **bad)


def test_what_is_no_connection_source_is_refused() -> None:
    require_psycopg()
    source: Callable[..., Any] | Any = object()
    with pytest.raises(InvalidArgumentError):
        PostgresChatSessionRepository(source)
