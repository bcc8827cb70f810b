"""`chatsession serve --db postgresql://...`: the REST face on a PostgreSQL database.

The associates and the topic are set up with the CLI on the same connection string, then
a real server answers the RejectTransfer story's core over loopback HTTP; what it wrote
is read back with a repository of the test's own.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import httpx
import pytest

from chatsession.adapters.postgres import PostgresChatSessionRepository

CLI = [sys.executable, "-m", "chatsession"]


def _cli(db: str, *args: str, stdin: str | None = None) -> None:
    done = subprocess.run([*CLI, "--db", db, *args], input=stdin, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def db(pg_dsn: str, pg_schema: str) -> str:
    """A connection string whose search path is a new schema (dropped after the test)."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{pg_schema}"')
    sep = "&" if "?" in pg_dsn else "?"
    return f"{pg_dsn}{sep}options={quote(f'-csearch_path={pg_schema}')}"


def test_serve_answers_over_http_from_a_postgresql_database(db: str, pg_schema: str,
                                                            pg_dsn: str) -> None:
    for associate_id, name in ((7, "alice"), (8, "bob")):
        _cli(db, "associate", "add", "--id", str(associate_id), "--user-name", name,
             "--password-stdin", stdin=f"{name}-password\n")
    _cli(db, "topic", "add", "--id", "1", "--name", "Support")
    for associate_id in ("7", "8"):
        _cli(db, "agent", "add", "--topic", "1", "--user", associate_id, "--respond")
        _cli(db, "presence", "set", "--user", associate_id, "--present")
    port = _port()
    server = subprocess.Popen([*CLI, "--db", db, "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                httpx.get(f"{url}/ChatSession/default", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.1)
        with httpx.Client(base_url=url, timeout=10) as http:
            sid = http.post("/Agents/Chat/CreateChatSessionForTopic",
                            json={"ChatTopicId": 1}).json()["ChatSessionId"]
            assert http.post(f"/ChatSession/{sid}/Pickup",
                             auth=("alice", "alice-password")).status_code == 200
            http.post(f"/ChatSession/{sid}/TransferTo/bob", auth=("alice", "alice-password"))
            rejected = http.post(f"/ChatSession/{sid}/RejectTransfer",
                                 auth=("bob", "bob-password"), headers={"If-Match": '"3"'})
            assert rejected.status_code == 200 and rejected.headers["etag"] == '"4"'
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)
    with PostgresChatSessionRepository(pg_dsn, schema=pg_schema) as stored:
        session = stored.get(sid)
    assert session.transfer_to is None and session.user_id == 7 and session.version == 4
