"""What the PostgreSQL tests share: the server's variable, skipping (failing under CI), schemas."""

from __future__ import annotations

import os
import uuid

import pytest

DSN_VARIABLE = "CHATSESSION_PG_DSN"


def under_ci() -> bool:
    """True when the run is CI's (``CI=true``, as CI services and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def unavailable(reason: str) -> None:
    """Skip, saying why; under CI fail instead (the PostgreSQL tests must run there)."""
    if under_ci():
        pytest.fail(
            f"{reason}. CI=true: the PostgreSQL tests must run, not skip (.ci/run starts a "
            f"server and sets {DSN_VARIABLE})",
            pytrace=False,
        )
    pytest.skip(reason)


def require_psycopg() -> None:
    """Skip (fail under CI) without the ``postgres`` extra."""
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed: pip install '.[postgres]'")


def new_schema_name() -> str:
    """A schema name no other test uses."""
    return f"cs_test_{uuid.uuid4().hex[:16]}"


def drop_schemas(dsn: str, names: list[str]) -> None:
    """Drop the schemas ``names`` (and everything in them)."""
    if not names:
        return
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


_SERVER: list[str] = []


def server() -> str:
    """The server's connection string, checked once per run (it must answer).

    Call it at the top of a module whose tests all need the server: without one the
    whole module skips, with one line saying why; under CI it fails instead.
    """
    if _SERVER:
        return _SERVER[0]
    dsn = os.environ.get(DSN_VARIABLE, "").strip()
    if not dsn:
        gone(
            f"{DSN_VARIABLE} is not set: no PostgreSQL server to test against "
            "(e.g. CHATSESSION_PG_DSN=postgresql://user@localhost/chat; .ci/run starts one)"
        )
    try:
        import psycopg
        import psycopg_pool  # noqa: F401
    except ImportError:
        gone("psycopg is not installed: pip install '.[postgres]'")
    try:
        psycopg.connect(dsn, connect_timeout=5).close()
    except psycopg.Error as exc:
        gone(f"cannot connect to the server of {DSN_VARIABLE}: {exc}")
    _SERVER.append(dsn)
    return dsn


def gone(reason: str) -> None:
    """``unavailable`` for a whole module, at its import."""
    if under_ci():
        pytest.fail(
            f"{reason}. CI=true: the PostgreSQL tests must run, not skip (.ci/run starts a "
            f"server and sets {DSN_VARIABLE})",
            pytrace=False,
        )
    pytest.skip(reason, allow_module_level=True)
