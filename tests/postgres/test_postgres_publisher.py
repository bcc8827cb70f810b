"""Webhook publishers on PostgreSQL: woken by NOTIFY, several sharing one outbox.

The three-publisher run prints its counts (``pytest -s``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pg_workloads
import pytest
from pg_support import server

from chatsession import ChatAgent, ChatSession, ChatTopic, SystemClock
from chatsession.adapters.postgres import PostgresChatSessionRepository
from chatsession.adapters.webhook_http import verify_signature
from chatsession.ports.errors import TransactionError
from chatsession.ports.outbox_sharing import ClaimableOutbox, NotifyingOutbox, OutboxWaiter
from chatsession.service.publisher import SleepingWaiter, follow, outbox_waiter
from chatsession.service.webhooks import Payload, event_id, publish_pending

server()  # every test here needs the server: else the module skips (fails under CI)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")

SECRET = "publisher-secret-42"
PUBLISHERS = 3
SESSIONS = 20
EVENTS = 300
CLOCK = SystemClock()


def open_repo(dsn: str, schema: str) -> PostgresChatSessionRepository:
    return PostgresChatSessionRepository(dsn, schema=schema, timeout=10.0, pool_size=3)


def new_session(repo: PostgresChatSessionRepository) -> int:
    session = ChatSession.request(repo.next_id(), ChatTopic(id=1), at=CLOCK.now())
    repo.add(session)
    return session.chat_session_id


# ------------------------------------------------------------------ the ports


def test_the_postgres_repository_offers_the_publisher_ports(pg_dsn: str, pg_schema: str) -> None:
    with open_repo(pg_dsn, pg_schema) as repo:
        assert isinstance(repo, NotifyingOutbox)
        assert isinstance(repo, ClaimableOutbox)
        with outbox_waiter(repo) as waiter:
            assert isinstance(waiter, OutboxWaiter)
            assert not isinstance(waiter, SleepingWaiter)


# ------------------------------------------------------------------ (a) LISTEN/NOTIFY


def test_a_listener_wakes_within_a_second_of_a_commit_and_never_for_a_rollback(
    pg_dsn: str, pg_schemas: Callable[[], str]
) -> None:
    schema, other_schema = pg_schemas(), pg_schemas()
    with (
        open_repo(pg_dsn, schema) as repo,
        open_repo(pg_dsn, schema) as writer,
        open_repo(pg_dsn, other_schema) as other,
    ):
        with repo.outbox_listener() as listener:
            assert not listener.wait(0.2), "woken with nothing committed"

            # a command committed by another repository (its own connections), 0.3 s on
            agent = ChatAgent(writer, clock=CLOCK)
            timer = threading.Timer(0.3, lambda: agent.create_session(ChatTopic(id=1)))
            started = time.monotonic()
            timer.start()
            woke = listener.wait(5.0)
            waited = time.monotonic() - started
            timer.join()
            assert woke, "not woken by a committed command"
            assert 0.25 <= waited < 1.3, f"woken after {waited:.2f}s (the commit was at 0.3s)"

            # a unit of work that wrote events and rolled back: no wake-up
            with pytest.raises(RuntimeError), writer.transaction() as tx:
                tx.add(ChatSession.request(tx.next_id(), ChatTopic(id=1), at=CLOCK.now()))
                raise RuntimeError("roll back")
            assert not listener.wait(0.5), "woken by a rolled-back unit of work"

            # another schema's outbox has a channel of its own
            new_session(other)
            assert not listener.wait(0.5), "woken by another schema's commit"

            # commits while nobody waits are kept, and several wake one wait
            for _ in range(3):
                new_session(writer)
            time.sleep(0.1)
            started = time.monotonic()
            assert listener.wait(5.0)
            assert time.monotonic() - started < 0.5
            assert not listener.wait(0.3), "the notifications that came together were not drained"
            assert listener.channel in repr(listener) and "password" not in repr(listener)
        assert listener.closed
        with pytest.raises(TransactionError):
            listener.wait(0.1)
        listener.close()  # idempotent


def test_a_listener_on_a_pool_gives_its_connection_back_unlistened(
    pg_dsn: str, pg_schema: str
) -> None:
    from psycopg_pool import ConnectionPool

    with ConnectionPool(pg_dsn, min_size=1, max_size=2, open=True) as pool:
        repo = PostgresChatSessionRepository(pool, schema=pg_schema)
        with repo.outbox_listener() as listener:
            new_session(repo)
            assert listener.wait(2.0)
        with pool.connection() as one, pool.connection() as two:  # the pool's only two
            for conn in (one, two):
                assert conn.execute("SELECT pg_listening_channels()").fetchall() == []
        repo.close()


def test_a_listener_whose_connection_is_killed_listens_again(pg_dsn: str, pg_schema: str) -> None:
    import psycopg

    with open_repo(pg_dsn, pg_schema) as repo, repo.outbox_listener() as listener:
        listen = f'LISTEN "{listener.channel}"'
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            row = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = %s",
                (listen,),
            ).fetchone()
            assert row is not None and row[0] is True
            assert listener.wait(5.0), "a lost connection must wake (records may be missed)"
            found = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query = %s", (listen,)
            ).fetchone()
            assert found is not None and found[0] == 1, "not listening again"
        new_session(repo)
        assert listener.wait(2.0), "the new connection is not woken"


# ------------------------------------------------------------------ claims


def test_a_claimed_session_is_skipped_by_the_other_publishers(
    pg_dsn: str, pg_schemas: Callable[[], str]
) -> None:
    schema, other_schema = pg_schemas(), pg_schemas()
    with (
        open_repo(pg_dsn, schema) as a,
        open_repo(pg_dsn, schema) as b,
        open_repo(pg_dsn, other_schema) as c,
    ):
        first, second = new_session(a), new_session(a)
        ChatAgent(a, clock=CLOCK).add_customer_message(first, "hello")
        with a.claim_outbox(first) as held:
            assert held
            with b.claim_outbox(first) as also:
                assert not also, "two publishers held one session"
            with c.claim_outbox(first) as elsewhere:
                assert elsewhere, "another schema's session of the same id was held"
            delivered: list[Payload] = []
            report = publish_pending(b, delivered.append)
            assert report.held_elsewhere == 1
            assert [p["PrimaryKey"] for p in delivered] == [second]
        with b.claim_outbox(first) as held:  # the block ended: free again
            assert held
        report = publish_pending(b, delivered.append)
        assert (report.delivered, report.held_elsewhere) == (2, 0)
        assert [p["Event"] for p in delivered[1:]] == ["chatsession.created", "chatsession.message"]
        assert b.outbox.read() == []
        with a.transaction(), pytest.raises(TransactionError), a.claim_outbox(first):
            pass  # not inside a unit of work


def _stalled_publisher(dsn: str, schema: str, sending: Any) -> None:
    """Deliver the first record, then hang before it is marked (until killed)."""
    with open_repo(dsn, schema) as repo:

        def deliver(payload: Payload) -> None:
            sending.value = 1
            time.sleep(60)

        publish_pending(repo, deliver)


def test_a_publisher_killed_mid_delivery_frees_its_session_at_once(
    pg_dsn: str, pg_schema: str
) -> None:
    with open_repo(pg_dsn, pg_schema) as repo:
        sid = new_session(repo)
        ChatAgent(repo, clock=CLOCK).add_customer_message(sid, "anyone?")
        ctx = pg_workloads.workloads.mp_context()
        sending = ctx.Value("i", 0, lock=False)
        child = ctx.Process(target=_stalled_publisher, args=(pg_dsn, pg_schema, sending))
        child.start()
        deadline = time.monotonic() + 10
        while not sending.value and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sending.value, "the publisher never started delivering"
        with repo.claim_outbox(sid) as held:
            assert not held, "the session was not claimed while being delivered"
        killed = time.monotonic()
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join(5)
        while True:  # the server ends the dead publisher's transaction: its claim goes
            with repo.claim_outbox(sid) as held:
                if held or time.monotonic() - killed > 5:
                    break
            time.sleep(0.01)
        freed = time.monotonic() - killed
        assert held, "the dead publisher's claim was never released"
        delivered: list[Payload] = []
        publish_pending(repo, delivered.append)
        # at least once: the record the dead publisher sent (unmarked) is sent again
        assert [p["Event"] for p in delivered] == ["chatsession.created", "chatsession.message"]
        print(f"\nclaim of a SIGKILLed publisher released {freed * 1000:.0f} ms after the kill")
        assert freed < 2.0


# ------------------------------------------------------------------ (b) three publishers


class Receiver:
    """A webhook receiver on loopback: each publisher posts to its own path."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: list[tuple[int, dict[str, Any]]] = []  # (publisher, payload)
        self.bad_signatures = 0


@contextmanager
def receiving() -> Iterator[tuple[str, Receiver]]:
    seen = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with seen.lock:
                if verify_signature(body, self.headers.get("X-SuperOffice-Signature"), SECRET):
                    publisher = int(self.path.rsplit("/", 1)[1])
                    seen.accepted.append((publisher, json.loads(body)))
                    status = 200
                else:
                    seen.bad_signatures += 1
                    status = 401
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_address[1]}/hook", seen
    finally:
        http.shutdown()
        http.server_close()


def _cli_publisher(db: str, url: str) -> None:
    """``chatsession --db ... webhooks publish --follow`` in this process, until killed."""
    from chatsession.entrypoints.cli import main

    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the report lines, until killed
    main(["--db", db, "webhooks", "publish", "--url", url, "--secret", SECRET,
          "--follow", "--interval", "30", "--batch", "25"])


def write_events(repo: PostgresChatSessionRepository, seed: int) -> list[int]:
    """``SESSIONS`` new sessions, then customer messages on random ones: ``EVENTS`` events."""
    rng = random.Random(seed)
    agent = ChatAgent(repo, clock=CLOCK)
    ids: list[int] = []
    for _ in range(SESSIONS):
        sid = agent.create_session(ChatTopic(id=1)).entity.chat_session_id
        assert sid is not None
        ids.append(sid)
        time.sleep(0.002)
    for n in range(EVENTS - SESSIONS):
        agent.add_customer_message(rng.choice(ids), f"message {n}")
        if n % 10 == 0:
            time.sleep(0.005)
    return ids


def test_three_follow_publishers_deliver_every_event_once_in_order_per_session(
    pg_dsn: str, pg_schema: str
) -> None:
    db = f"{pg_dsn}{'&' if '?' in pg_dsn else '?'}options={quote(f'-csearch_path={pg_schema}')}"
    ctx = pg_workloads.workloads.mp_context()
    with open_repo(pg_dsn, pg_schema) as repo, receiving() as (url, seen):
        publishers = [
            ctx.Process(target=_cli_publisher, args=(db, f"{url}/{n}"), daemon=True)
            for n in range(PUBLISHERS)
        ]
        for p in publishers:
            p.start()
        try:
            time.sleep(0.5)  # they open the store and listen (any later start only waits less)
            started = time.monotonic()
            write_events(repo, seed=20261129)
            written = time.monotonic() - started
            records = repo.outbox.read(limit=None, include_published=True)
            expected = {event_id(r, "chatsession"): r for r in records}
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                with seen.lock:
                    done = len(seen.accepted) >= len(expected)
                if done and repo.outbox.read() == []:
                    break
                time.sleep(0.05)
            drained = time.monotonic() - started
            time.sleep(0.3)  # a late duplicate would arrive now
            assert all(p.is_alive() for p in publishers), "a publisher stopped"
        finally:
            for p in publishers:
                if p.is_alive():
                    p.terminate()
            for p in publishers:
                p.join(5)
        with seen.lock:
            accepted = list(seen.accepted)
        left = repo.outbox.read(limit=None)
    ids = [payload["EventId"] for _, payload in accepted]
    duplicates = sum(n - 1 for n in Counter(ids).values())
    by_publisher = Counter(publisher for publisher, _ in accepted)
    print(
        f"\n{PUBLISHERS} publishers (--follow, woken by NOTIFY, --interval 30): "
        f"{len(expected)} events over {SESSIONS} sessions written in {written:.2f}s; "
        f"{len(accepted)} deliveries ({dict(sorted(by_publisher.items()))} by publisher), "
        f"{duplicates} duplicates, {len(left)} left unpublished, all delivered "
        f"{drained:.2f}s after the first write"
    )
    assert len(expected) == EVENTS
    assert seen.bad_signatures == 0
    assert left == [], "records left unpublished"
    assert duplicates == 0, "an event was delivered twice"
    assert set(ids) == set(expected), "an event was never delivered (or an unknown one was)"
    arrived: dict[int, list[int]] = {}
    for eid in ids:
        record = expected[eid]
        arrived.setdefault(record.chat_session_id, []).append(record.sequence)
    assert len(arrived) == SESSIONS
    for sid, sequences in arrived.items():
        assert sequences == sorted(sequences), f"session {sid}'s events arrived out of order"
    assert len(by_publisher) > 1, "one publisher did all the work: nothing was shared"


# ------------------------------------------------------------------ follow, in-process


def test_follow_waits_on_the_listener_and_stops_when_told(pg_dsn: str, pg_schema: str) -> None:
    with open_repo(pg_dsn, pg_schema) as repo, open_repo(pg_dsn, pg_schema) as writer:
        delivered: list[Payload] = []
        passes: list[float] = []
        stop = threading.Event()
        runner = threading.Thread(
            target=follow,
            args=(repo, delivered.append),
            kwargs={
                "interval": 30.0,
                "stop": stop.is_set,
                "on_pass": lambda report: passes.append(time.monotonic()),
            },
        )
        runner.start()
        try:
            time.sleep(0.3)
            idle_passes = len(passes)
            sid = new_session(writer)
            deadline = time.monotonic() + 3
            while not delivered and time.monotonic() < deadline:
                time.sleep(0.01)
            assert [p["PrimaryKey"] for p in delivered] == [sid], "not woken by the commit"
        finally:
            stop.set()
            new_session(writer)  # wakes it to see the stop
            runner.join(5)
        assert not runner.is_alive()
        assert idle_passes == 1, "it polled instead of waiting"
