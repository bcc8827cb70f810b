"""Web face: RejectTransfer over loopback HTTP against a minimal endpoint doing the same SQL."""

from __future__ import annotations

import importlib.util
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from time import perf_counter
from typing import Final

from benchmarks.baselines import AT, TOPIC
from benchmarks.harness import (
    Batch,
    Row,
    Section,
    Settings,
    interleave,
    median,
    per_second,
    percent,
    ratio,
    seconds,
)
from benchmarks.stores import _raw_command
from chatsession import ChatAgent, ChatSession, ManualClock, SqliteChatSessionRepository
from chatsession.adapters.sqlite import tables
from chatsession.domain.account import AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.presence import Presence
from chatsession.domain.topic_agent import ChatTopicAgent

try:  # the `web` extra and an HTTP client: the rest of the benchmarks needs neither
    import httpx
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    from chatsession.web import TrustedHeader, create_app
except ImportError as error:
    MISSING: str | None = error.name
else:
    MISSING = None

OURS = "chatsession's app, over HTTP (ours)"
MINIMAL = "minimal FastAPI endpoint, the SQL by hand"
AGENT = "ChatAgent, no HTTP"
SYNCHRONOUS: Final = "NORMAL"
ALICE, BOB = {"X-Remote-User": "alice"}, {"X-Remote-User": "bob"}


def _seed(path: Path) -> tuple[int, int]:
    """alice (7) and bob (8) respond on topic 1 (present); two sessions alice handles."""
    with SqliteChatSessionRepository(path, synchronous=SYNCHRONOUS) as repo:
        repo.add_topic(TOPIC)
        for associate_id, name in ((7, "alice"), (8, "bob")):
            repo.put_account(AssociateAccount(AssociateInfo(associate_id, name, name.title())))
            repo.put_topic_agent(ChatTopicAgent(topic_id=TOPIC.id, user_id=associate_id,
                                                can_respond=True))
            repo.set_presence(Presence(user_id=associate_id, present=True))
        ids = []
        with repo.transaction() as tx:
            for _ in range(2):
                session = ChatSession.request(tx.next_id(), TOPIC, at=AT)
                session.pick_up(by=7, at=AT)
                tx.add(session)
                ids.append(session.chat_session_id)
    return ids[0], ids[1]


def minimal_app(path: Path) -> tuple[FastAPI, list[sqlite3.Connection]]:
    """One FastAPI app, sync routes as the library's, a connection per thread with its pragmas.

    ``RejectTransfer`` reads the row and answers it (the no-op); ``raw/{command}`` runs the
    stores section's raw command (``transfer`` or ``reject``), then reads and answers the row.
    """
    local = threading.local()
    opened: list[sqlite3.Connection] = []

    def connection() -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(path, timeout=5.0, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
            local.conn = conn
            opened.append(conn)
        return conn

    def answer(conn: sqlite3.Connection, sid: int) -> JSONResponse:
        cursor = conn.execute(tables.SELECT_ONE, (sid,))
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description]
        return JSONResponse(dict(zip(names, row, strict=True)), headers={"ETag": f'"{row[-1]}"'})

    app = FastAPI()

    @app.post("/{sid}/RejectTransfer")
    def reject_transfer(sid: int) -> JSONResponse:
        return answer(connection(), sid)

    @app.post("/{sid}/raw/{command}")
    def raw(sid: int, command: str) -> JSONResponse:
        conn = connection()
        _raw_command(conn, sid, command == "reject", False)
        return answer(conn, sid)

    return app, opened


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` under uvicorn in a background thread, on a free loopback port: its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                            access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def _posts(client: httpx.Client, calls: list[tuple[str, dict[str, str]]]) -> Batch:
    """POST ``calls`` in turn, ``n`` times; seconds per request."""

    def batch(n: int) -> float:
        start = perf_counter()
        for _ in range(n):
            for url, headers in calls:
                client.post(url, headers=headers).raise_for_status()
        return (perf_counter() - start) / len(calls)

    return batch


def _agent(agent: ChatAgent, sid: int, *, pairs: bool) -> Batch:
    """The same commands through ``ChatAgent`` in this thread; seconds per command."""

    def batch(n: int) -> float:
        start = perf_counter()
        if pairs:
            for _ in range(n):
                agent.transfer(sid, to=8, by=7)
                agent.reject_transfer(sid, by=8)
        else:
            for _ in range(n):
                agent.reject_transfer(sid, by=7)
        return (perf_counter() - start) / (2 if pairs else 1)

    return batch


def _check_noop(client: httpx.Client, url: str) -> None:
    """The no-op must be one (not timed): the outcome header says so."""
    outcome = client.post(url, headers=ALICE).raise_for_status().headers["chatsession-outcome"]
    if outcome != "no-op; reason=no_transfer_pending":
        raise RuntimeError(f"RejectTransfer is not the no-op: {outcome}")


def run(settings: Settings) -> Section:
    """The web face section."""
    if MISSING is not None:
        section = Section("Web face", "RejectTransfer over loopback HTTP.")
        section.rows.append(Row("RejectTransfer", "-", f"not measured: no {MISSING} (install "
                                "the `web` extra and httpx)"))
        return section
    section = Section(
        "Web face",
        "Requests per second over loopback HTTP, one request at a time on one keep-alive "
        "`httpx.Client`, each app under uvicorn in a background thread of this process "
        f"({_server_kind()}). *Ours* is `create_app` over a SQLite file (WAL, "
        f"`synchronous={SYNCHRONOUS}`): `POST /api/v1/ChatSession/{{id}}/RejectTransfer` as "
        "alice on a session she handles with nothing pending (the documented no-op: it "
        "authenticates, checks that alice may see the session, runs the command in its unit "
        "of work and answers the entity with its ETag and outcome header). Callers are "
        "authenticated by `TrustedHeader` (`X-Remote-User`), so that the scrypt password "
        "check of HTTP Basic is not what is measured. The *minimal* endpoint is a bare "
        "FastAPI app with a sync route, as the library's: on a file of the same schema with "
        "the same pragmas (a connection per thread, WAL, the same `synchronous`, "
        "`busy_timeout`) it reads the session's row by id and answers it as JSON with an "
        "ETag; it authenticates and checks nothing. The changing variant is a pair, "
        "`TransferTo/bob` as alice then `RejectTransfer` as bob; its minimal endpoint runs "
        "the stores section's raw loop (SELECT, UPDATE with the version check, outbox "
        "INSERT, COMMIT) then reads and answers the row. *ChatAgent, no HTTP* runs the same "
        "commands on our app's repository in this thread: the difference is what the web "
        "face and HTTP cost. Per request; the ratio is the share of the minimal endpoint's "
        "throughput.",
    )
    with tempfile.TemporaryDirectory(prefix="chatsession-bench-") as tmp:
        ours_db, minimal_db = Path(tmp) / "ours.db", Path(tmp) / "minimal.db"
        noop_sid, pair_sid = _seed(ours_db)
        _seed(minimal_db)
        repo = SqliteChatSessionRepository(ours_db, synchronous=SYNCHRONOUS)
        ours_app = create_app(repo, authenticator=TrustedHeader(repo, "X-Remote-User"),
                              clock=ManualClock(AT), console_page=False)
        plain_app, opened = minimal_app(minimal_db)
        agent = ChatAgent(repo, clock=ManualClock(AT))
        try:
            with serving(ours_app) as ours, serving(plain_app) as plain, httpx.Client() as client:
                base = f"{ours}/api/v1/ChatSession"
                _check_noop(client, f"{base}/{noop_sid}/RejectTransfer")
                noop = interleave({
                    OURS: _posts(client, [(f"{base}/{noop_sid}/RejectTransfer", ALICE)]),
                    MINIMAL: _posts(client, [(f"{plain}/{noop_sid}/RejectTransfer", {})]),
                    AGENT: _agent(agent, noop_sid, pairs=False),
                }, settings.number(400), settings.rounds)
                pairs = interleave({
                    OURS: _posts(client, [(f"{base}/{pair_sid}/TransferTo/bob", ALICE),
                                          (f"{base}/{pair_sid}/RejectTransfer", BOB)]),
                    MINIMAL: _posts(client, [(f"{plain}/{pair_sid}/raw/transfer", {}),
                                             (f"{plain}/{pair_sid}/raw/reject", {})]),
                    AGENT: _agent(agent, pair_sid, pairs=True),
                }, settings.number(150), settings.rounds)
        finally:
            for conn in opened:
                conn.close()
            repo.close()
    _rows(section, "RejectTransfer, nothing pending (no-op)", noop, "no-op")
    _rows(section, "TransferTo + RejectTransfer (changing)", pairs, "changing")
    section.notes.append(_note(noop))
    return section


def _rows(section: Section, case: str, measured: dict[str, list[float]], kind: str) -> None:
    minimal, ours = measured[MINIMAL], measured[OURS]
    for name, values in measured.items():
        row = Row(case, name, f"{seconds(median(values))} ({per_second(median(values))})")
        if name == OURS:
            share = ratio(minimal, values)
            row.ratio = f"{percent(share)} of minimal"
            row.target = ">= 50% of minimal"
            row.verdict = section.target(
                f"web face, {kind}", ">= 50% of a minimal endpoint's requests/s", share, 0.5,
                at_most=False, shown=percent(share),
            )
        elif name == AGENT:
            row.ratio = f"{percent(ratio(values, ours))} of ours' time"
        section.rows.append(row)


def _note(noop: dict[str, list[float]]) -> str:
    ours, minimal, agent = (median(noop[name]) for name in (OURS, MINIMAL, AGENT))
    return (
        f"**Where the no-op stands.** Ours takes {seconds(ours)} per request, the command "
        f"through `ChatAgent` alone {seconds(agent)}: HTTP and the web face around the "
        f"command cost {seconds(ours - agent)}. The minimal endpoint, HTTP (uvicorn, FastAPI's "
        "routing, the thread hop of a sync route, the client) plus one SELECT and a short "
        f"JSON reply, takes {seconds(minimal)}. The rest, about {seconds(ours - agent - minimal)}, "
        "is what the web face does beyond a minimal endpoint: the authentication's account "
        "lookup, the rights check (its topic-agent lookup, on the load the command does "
        "anyway), the entity's larger JSON document, the ETag and outcome headers. The "
        "client and the "
        "servers share this process and its GIL: the client's work is in every HTTP row alike."
    )


def _server_kind() -> str:
    """What uvicorn runs on: h11 or httptools, asyncio or uvloop."""
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn {uvicorn.__version__}, {http}, {loop}"
