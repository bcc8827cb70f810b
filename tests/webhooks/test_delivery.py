"""Webhooks delivered to a real receiver on loopback: signed, at least once, in order."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from receiver import receiver

from chatsession import (
    ChatAgent,
    ChatTopic,
    EndReason,
    InMemoryChatSessionRepository,
    ManualClock,
    SqliteChatSessionRepository,
)
from chatsession.adapters.webhook_http import (
    HttpDelivery,
    WebhookDeliveryError,
    body_of,
    sign,
    verify_signature,
)
from chatsession.service.webhooks import NOT_PUBLISHED, event_id, publish_pending

SECRET = "hook-secret-0123"
AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def busy_day(repo: SqliteChatSessionRepository | InMemoryChatSessionRepository, n: int) -> None:
    clock = ManualClock(AT)
    agent = ChatAgent(repo, clock=clock)
    for i in range(n):
        sid = agent.create_session(ChatTopic(id=1 + i % 2)).entity.chat_session_id
        assert sid is not None
        clock.advance(timedelta(seconds=7))
        agent.add_customer_message(sid, f"question {i}")
        agent.pick_up(sid, by=7)
        agent.add_user_message(sid, "an answer", by=7)
        if i % 3 == 0:
            agent.transfer(sid, to=8, by=7)
            agent.reject_transfer(sid, by=8)
        agent.end(sid, EndReason.BY_CUSTOMER)


def expected_ids(repo: SqliteChatSessionRepository) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for record in repo.outbox.read(limit=None, include_published=True):
        if record.event_name not in NOT_PUBLISHED:
            out.setdefault(record.chat_session_id, []).append(event_id(record, "chatsession"))
    return out


def test_the_signature_is_base64_hmac_sha256_of_the_body() -> None:
    body = body_of({"Event": "chatsession.changed", "PrimaryKey": 1})
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    assert sign(body, SECRET) == base64.b64encode(digest).decode()
    assert verify_signature(body, sign(body, SECRET), SECRET)
    assert not verify_signature(body + b" ", sign(body, SECRET), SECRET)
    assert not verify_signature(body, None, SECRET)
    assert SECRET not in repr(HttpDelivery("http://127.0.0.1:9/", secret=SECRET))


def test_a_payload_has_superoffice_s_shape_and_never_the_key() -> None:
    repo = InMemoryChatSessionRepository()
    busy_day(repo, 1)
    delivered: list[dict[str, object]] = []
    publish_pending(repo, delivered.append, batch=100)
    created, message, *_ = delivered
    assert created["Event"] == "chatsession.created" and message["Event"] == "chatsession.message"
    assert set(created) >= {
        "EventId", "Timestamp", "Changes", "Event", "PrimaryKey", "Entity", "ContextIdentifier",
        "ChangedByAssociateId", "WebhookName", "FieldValues",
    }
    assert created["Entity"] == "chatsession" and created["PrimaryKey"] == 1
    assert set(created["FieldValues"]) == {  # type: ignore[arg-type]
        "AlertLevel", "ChatbotIsactive", "Consented", "ContactId", "CustomerAlias",
        "CustomerId", "ProjectId", "Rating", "SaleId", "Status", "TicketId", "TopicId", "UserId",
    }
    assert "session_key" not in created["Changes"]  # type: ignore[operator]
    key = repo.get(1).session_key.reveal()
    assert all(key not in str(payload) for payload in delivered)
    picked = next(
        p for p in delivered
        if p["Event"] == "chatsession.changed" and "user_id" in p["Changes"]  # type: ignore[operator]
    )
    assert picked["FieldValues"]["UserId"] == 7 and picked["ChangedByAssociateId"] == 7  # type: ignore[index]
    assert repo.outbox.read() == []  # every record published (CustomerFetched ones skipped)


def test_a_failed_delivery_keeps_the_session_s_later_events_for_later() -> None:
    repo = InMemoryChatSessionRepository()
    busy_day(repo, 2)
    seen: list[int] = []

    def flaky(payload: dict[str, object]) -> None:
        if payload["PrimaryKey"] == 1 and len([s for s in seen if s == 1]) == 2:
            raise WebhookDeliveryError("receiver down")
        seen.append(payload["PrimaryKey"])  # type: ignore[arg-type]

    report = publish_pending(repo, flaky, batch=1000)
    assert set(report.failed) == {1} and seen.count(1) == 2 and seen.count(2) > 2
    left = repo.outbox.read(limit=None)
    assert left and {r.chat_session_id for r in left} == {1}
    later: list[dict[str, object]] = []
    assert publish_pending(repo, later.append, batch=1000).failed == {}
    assert [p["EventId"] for p in later] == [event_id(r, "chatsession") for r in left
                                             if r.event_name not in NOT_PUBLISHED]
    assert repo.outbox.read() == []


def test_retries_back_off_and_then_give_up(tmp_path: Path) -> None:
    sleeps: list[float] = []
    with receiver(SECRET, fail_every=1) as (url, seen):
        delivery = HttpDelivery(url, secret=SECRET, attempts=3, backoff=0.25,
                                sleep=sleeps.append)
        with pytest.raises(WebhookDeliveryError, match="HTTP 500; 3 attempt"):
            delivery({"Event": "chatsession.changed", "EventId": "x"})
    assert seen.requests == 3 and sleeps == [0.25, 0.5]


@pytest.mark.slow
def test_at_least_once_in_order_through_a_flaky_receiver_and_a_killed_publisher(
    tmp_path: Path,
) -> None:
    db = tmp_path / "hooks.db"
    with SqliteChatSessionRepository(db, synchronous="NORMAL") as repo:
        busy_day(repo, 30)
        expected = expected_ids(repo)
    total = sum(len(ids) for ids in expected.values())
    command = [sys.executable, "-m", "chatsession", "--db", str(db), "webhooks", "publish"]
    with receiver(SECRET, fail_every=3) as (url, seen):
        options = ["--url", url, "--secret", SECRET, "--retry-backoff", "0.01", "--batch", "7"]
        follower = subprocess.Popen(
            [*command, *options, "--follow", "--interval", "0.05"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
        )
        deadline = time.monotonic() + 60
        while len(seen.accepted) < total // 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        follower.send_signal(signal.SIGKILL)  # in the middle: maybe between send and mark
        follower.wait(timeout=30)
        assert 0 < len(seen.accepted) < total, "the publisher was killed in the middle"
        for _ in range(20):  # one-pass publishers until nothing is left
            done = subprocess.run([*command, *options], capture_output=True, text=True,
                                  timeout=120)
            if done.returncode == 0 and done.stdout.startswith("delivered 0, skipped 0"):
                break
        else:
            pytest.fail("the outbox never drained")
    assert seen.bad_signatures == 0 and seen.refused > 0
    arrived: dict[int, list[str]] = {}
    for payload in seen.accepted:
        ids = arrived.setdefault(payload["PrimaryKey"], [])
        if payload["EventId"] not in ids:
            ids.append(payload["EventId"])
    assert arrived == expected  # every event arrived, in order within its session
    assert all(len(bodies) == 1 for bodies in seen.bodies.values())  # a duplicate is the same
    headers = seen.headers[0]  # as sent, names in SuperOffice's spelling
    assert headers["X-SuperOffice-Event"] == seen.accepted[0]["Event"]
    assert headers["X-SuperOffice-EventId"] == seen.accepted[0]["EventId"]
    assert "X-SuperOffice-Signature" in headers
