"""The PostgreSQL tests: a real server named by ``CHATSESSION_PG_DSN``.

Without it (or without psycopg, the ``postgres`` extra) the tests that need a server skip,
saying why; under CI (``CI=true``) they fail instead, so that a CI run can never pass
with the PostgreSQL adapter untested. ``.ci/run`` starts a throwaway server and sets
both. Every repository a test opens gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from pg_support import drop_schemas, new_schema_name, server


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """The server's connection string; skip (fail under CI) if there is no server."""
    return server()


@pytest.fixture
def pg_schemas(pg_dsn: str) -> Iterator[Callable[[], str]]:
    """Hands out new schema names; drops every one of them after the test."""
    made: list[str] = []

    def new() -> str:
        made.append(new_schema_name())
        return made[-1]

    yield new
    drop_schemas(pg_dsn, made)


@pytest.fixture
def pg_schema(pg_schemas: Callable[[], str]) -> str:
    """One new schema name for the test (dropped after it)."""
    return pg_schemas()


# ------------------------------------------------------------------ the run's summary

_OUTCOMES: dict[str, Counter[str]] = {"contract": Counter(), "all": Counter()}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the outcomes of this directory's tests (for the summary line)."""
    if "test_postgres" not in report.nodeid.split("::")[0]:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        outcome = "errors" if report.when == "setup" and report.failed else report.outcome
        _OUTCOMES["all"][outcome] += 1
        if "::TestPostgresRepository::" in report.nodeid:
            _OUTCOMES["contract"][outcome] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many PostgreSQL tests ran, so that a log shows they were not skipped."""
    if not _OUTCOMES["all"]:
        return

    def counts(outcomes: Counter[str]) -> str:
        return ", ".join(f"{outcomes[k]} {k}" for k in ("passed", "failed", "errors", "skipped"))

    contract = _OUTCOMES["contract"]
    ran = (
        f"the repository contract {counts(contract)}"
        if contract
        else "the repository contract did not run (not selected, or no server: see the skips)"
    )
    terminalreporter.write_line(
        f"PostgreSQL: {ran}; every PostgreSQL test {counts(_OUTCOMES['all'])}"
    )
