"""Workloads for the multi-process SQLite tests: the transfer race and the crash loop.

Workers run in child processes (``multiprocessing`` with the ``fork`` start method where
the platform has it, else ``spawn``); each opens its own ``SqliteChatSessionRepository``
on the shared file. Nothing here holds a connection across a fork. Every command runs at
``CLOCK.now()`` (the system clock, as a service passes its clock's time).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from chatsession import (
    ChatSession,
    ChatTopic,
    EndReason,
    Outcome,
    SystemClock,
    check_invariants,
)
from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.domain.errors import ChatSessionError
from chatsession.ports.errors import ConcurrencyError
from chatsession.ports.stores import ChatSessionRepository

CLOCK = SystemClock()
USERS = (1, 2, 3, 4)
RACE_COMMANDS = ("transfer", "accept_transfer", "reject_transfer", "cancel_transfer")
EVENT_OF = {
    "transfer": "TransferRequested",
    "accept_transfer": "TransferAccepted",
    "reject_transfer": "TransferRejected",
    "cancel_transfer": "TransferCancelled",
}


def mp_context() -> multiprocessing.context.BaseContext:
    """``fork`` where available (cheap children), else ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


# ------------------------------------------------------------------ the race


def prepare_race(path: Path, n_sessions: int, seed: int) -> dict[int, int]:
    """Store ``n_sessions`` active sessions in a new SQLite file; see ``prepare_sessions``."""
    with SqliteChatSessionRepository(path) as repo:
        return prepare_sessions(repo, n_sessions, seed)


def prepare_sessions(repo: ChatSessionRepository, n_sessions: int, seed: int) -> dict[int, int]:
    """Store ``n_sessions`` active sessions, each handled by one of ``USERS``.

    Returns the handling user of each session id.
    """
    rng = random.Random(seed)
    handlers: dict[int, int] = {}
    for _ in range(n_sessions):
        session = ChatSession.request(repo.next_id(), ChatTopic(id=1), at=CLOCK.now())
        user = rng.choice(USERS)
        session.pick_up(by=user, at=CLOCK.now())
        repo.add(session)
        handlers[session.chat_session_id] = user
    return handlers


@dataclass
class RaceLog:
    """What one race worker did."""

    applied: list[tuple[int, int, str, int]] = field(default_factory=list)
    """(session id, version written, command, actor) of every committed command."""
    noops: int = 0
    conflicts: int = 0
    locked: int = 0
    optimistic: int = 0


def _apply(session: ChatSession, command: str, by: int, to: int) -> Outcome:
    at = CLOCK.now()
    if command == "transfer":
        return session.transfer(to=to, by=by, at=at)
    method = getattr(session, command)
    outcome: Outcome = method(by=by, at=at)
    return outcome


def _choose(rng: random.Random, session: ChatSession) -> tuple[str, int, int]:
    """A command, its actor and (for transfer) target; mostly the actor who can act."""
    command = rng.choice(RACE_COMMANDS)
    by = rng.choice(USERS)
    if rng.random() < 0.7:
        if command in ("accept_transfer", "reject_transfer") and session.transfer_to is not None:
            by = session.transfer_to
        elif command in ("transfer", "cancel_transfer") and session.user_id is not None:
            by = session.user_id
    to = rng.choice([u for u in USERS if u != by])
    return command, by, to


def race_loop(
    repo: ChatSessionRepository, worker: int, ids: list[int], commands: int, seed: int
) -> RaceLog:
    """Run ``commands`` random transfer commands on the shared sessions of ``repo``.

    A quarter go through ``repo.transaction()`` (load and save under the write lock: they
    cannot conflict); the rest load with ``get``, think for up to a millisecond and
    ``save`` optimistically, as a service without locks does.
    """
    rng = random.Random(seed * 1000 + worker)
    log = RaceLog()
    for _ in range(commands):
        sid = rng.choice(ids)
        if rng.random() < 0.25:
            log.locked += 1
            with repo.transaction() as tx:
                session = tx.get(sid)
                command, by, to = _choose(rng, session)
                outcome = _apply(session, command, by, to)
                if outcome.changed:
                    tx.save(session)
            if outcome.changed:
                log.applied.append((sid, session.version, command, by))
            else:
                log.noops += 1
            continue
        log.optimistic += 1
        session = repo.get(sid)
        command, by, to = _choose(rng, session)
        outcome = _apply(session, command, by, to)
        if not outcome.changed:
            log.noops += 1
            continue
        time.sleep(rng.random() * 0.001)
        try:
            repo.save(session)
        except ConcurrencyError:
            log.conflicts += 1
        else:
            log.applied.append((sid, session.version, command, by))
    return log


def race_worker(path: str, worker: int, ids: list[int], commands: int, seed: int) -> None:
    """A race process: ``race_loop`` on its own repository; the log goes to a JSON file."""
    with SqliteChatSessionRepository(path, timeout=30.0) as repo:
        log = race_loop(repo, worker, ids, commands, seed)
    Path(path).with_name(f"worker-{worker}.json").write_text(json.dumps(log.__dict__))


@dataclass
class RaceSummary:
    """The race's counts, once verified."""

    applied: int
    noops: int
    conflicts: int
    lost: int
    locked: int
    optimistic: int

    def __str__(self) -> str:
        return (
            f"applied {self.applied}, no-ops {self.noops}, conflicts {self.conflicts}, "
            f"lost {self.lost} (units of work: {self.locked} locked, "
            f"{self.optimistic} optimistic)"
        )


def verify_race(
    repo: ChatSessionRepository, handlers: dict[int, int], logs: list[RaceLog], commands: int
) -> RaceSummary:
    """Check the race's outcome in ``repo``; raise ``AssertionError`` on any discrepancy.

    * every command was applied, a no-op, or a conflict;
    * every applied command wrote exactly one version of its session, with exactly one
      outbox event of its kind and actor, and no outbox event lacks an applied command;
    * every session satisfies the invariants and its version is 1 + its saves;
    * replaying a session's outbox from the prepared state gives its stored state.
    """
    applied = [a for log in logs for a in log.applied]
    noops = sum(log.noops for log in logs)
    conflicts = sum(log.conflicts for log in logs)
    assert len(applied) + noops + conflicts == commands

    records = [r for r in repo.outbox.read(limit=None, include_published=True) if r.version > 1]
    written = Counter((sid, version) for sid, version, _, _ in applied)
    assert not written or max(written.values()) == 1, "two commands claim one version"
    outbox = {(r.chat_session_id, r.version): r for r in records}
    assert len(outbox) == len(records), "a save wrote more than one event"
    lost = set(written) ^ set(outbox)
    assert not lost, f"lost or unaccounted commands: {sorted(lost)[:10]}"
    for sid, version, command, by in applied:
        record = outbox[(sid, version)]
        assert record.event_name == EVENT_OF[command], (record, command)
        assert record.payload["by"] == by, (record, by)

    saves = Counter(sid for sid, *_ in applied)
    for sid, handler in handlers.items():
        session = repo.get(sid)
        check_invariants(session)
        assert session.version == 1 + saves[sid], (session, saves[sid])
        user, to = handler, None
        for version in range(2, session.version + 1):
            record = outbox[(sid, version)]
            if record.event_name == "TransferRequested":
                assert record.payload["by"] == user, record
                to = record.payload["to"]
            else:
                assert to is not None, f"{record.event_name} without a pending transfer"
                if record.event_name == "TransferAccepted":
                    assert record.payload["by"] == to, record
                    user = to
                to = None
        assert (session.user_id, session.transfer_to) == (user, to), session
    return RaceSummary(
        applied=len(applied),
        noops=noops,
        conflicts=conflicts,
        lost=len(lost),
        locked=sum(log.locked for log in logs),
        optimistic=sum(log.optimistic for log in logs),
    )


def read_race_logs(path: Path, workers: int) -> list[RaceLog]:
    """The logs the workers wrote."""
    logs = []
    for n in range(workers):
        data = json.loads(path.with_name(f"worker-{n}.json").read_text())
        data["applied"] = [tuple(a) for a in data["applied"]]
        logs.append(RaceLog(**data))
    return logs


# ------------------------------------------------------------------ the crash loop


def prepare_crash(path: Path, n_sessions: int) -> None:
    """Store a few active sessions for the crash loop to work on."""
    prepare_race(path, n_sessions, seed=7)


def crash_worker(path: str, seed: int, ready: Any, committed_events: Any) -> None:
    """Apply random commands forever, one unit of work each, until killed.

    ``ready`` is set once the repository is open; ``committed_events`` counts the
    events of the units of work whose commit has returned.
    """
    rng = random.Random(seed)
    repo = SqliteChatSessionRepository(path, timeout=30.0)
    ready.value = 1
    while True:
        with repo.transaction() as tx:
            written = _crash_step(rng, tx, CLOCK.now())
        committed_events.value += written


def _crash_step(rng: random.Random, tx: Any, at: datetime) -> int:
    """One command (at ``at``) in the open unit of work ``tx``; return the events it stored."""
    roll = rng.random()
    if roll < 0.08 and tx.count_in_queue() < 5:
        topic = ChatTopic(id=rng.choice((1, 2)))
        session = ChatSession.request(tx.next_id(), topic, at=at)
        n = len(session.pending_events)
        tx.add(session)
        return n
    if roll < 0.16:
        session = tx.first_in_queue()
        if session is None:
            return 0
        session.pick_up(by=rng.choice(USERS), at=at)
    else:
        page = tx.list_page(limit=1000).items
        session = rng.choice(page)
        by = rng.choice(USERS)
        to = rng.choice([u for u in USERS if u != by])
        try:
            _crash_command(rng, session, by, to, at)
        except ChatSessionError:
            return 0  # not allowed in this state: nothing to save
    n = len(session.pending_events)
    if n:
        tx.save(session)
    return n


def _crash_command(rng: random.Random, s: ChatSession, by: int, to: int, at: datetime) -> None:
    pick = rng.randrange(10)
    handler = s.user_id if s.user_id is not None else by
    if pick == 0:
        s.post_customer_message(rng.choice(("hello", "anyone?", "thanks" * 170)), at=at)
    elif pick == 1:
        s.post_user_message("on it", by=handler, at=at)
    elif pick == 2:
        s.transfer(to=to if to != handler else by, by=handler, at=at)
    elif pick == 3:
        s.accept_transfer(by=s.transfer_to or by, at=at)
    elif pick == 4:
        s.reject_transfer(by=s.transfer_to or by, at=at)
    elif pick == 5:
        s.cancel_transfer(by=handler, at=at)
    elif pick == 6:
        s.expire_transfer(timedelta(0), at=at)
    elif pick == 7:
        if s.status.is_active:
            s.end(EndReason.BY_CUSTOMER, at=at)
        else:  # the customer writes again: a finished chat is reactivated
            returning = ChatTopic(id=s.topic_id, post_form_enabled=True)
            s.post_customer_message("back again", topic=returning, at=at)
    elif pick == 8 or rng.random() < 0.7:
        s.customer_fetched(at=at)
    else:
        s.reset(agents_available=True, at=at)


# ------------------------------------------------------------------ checks


@dataclass
class StoreCheck:
    """What a consistency check of the file found."""

    sessions: int
    versions: dict[int, int]
    outbox_rows: int
    problems: list[str]


def check_store(path: Path) -> StoreCheck:
    """Integrity, invariants, and outbox-versus-version agreement of the file at ``path``."""
    with SqliteChatSessionRepository(path) as repo:
        integrity = repo.connection().execute("PRAGMA integrity_check").fetchall()
        check = check_repository(repo)
    if integrity != [("ok",)]:
        check.problems.insert(0, f"integrity_check: {integrity}")
    return check


def check_repository(repo: Any) -> StoreCheck:
    """Invariants, and outbox-versus-version agreement, of any repository.

    The relation checked: every save writes at least one event, so the versions present
    in a session's outbox records are exactly ``1 .. version``.
    """
    problems: list[str] = []
    versions: dict[int, int] = {}
    after: int | None = 0
    while after is not None:
        page = repo.list_page(after=after, limit=500)
        for session in page.items:
            versions[session.chat_session_id] = session.version
            try:
                check_invariants(session)
            except ChatSessionError as exc:
                problems.append(str(exc))
        after = page.next_after
    records = repo.outbox.read(limit=None, include_published=True)
    by_session: dict[int, Counter[int]] = {}
    for record in records:
        by_session.setdefault(record.chat_session_id, Counter())[record.version] += 1
    for sid, version in versions.items():
        present = set(by_session.pop(sid, Counter()))
        if present != set(range(1, version + 1)):
            problems.append(f"session {sid} at version {version}: outbox has {sorted(present)}")
    for sid in by_session:
        problems.append(f"outbox rows for session {sid}, which is not stored")
    sequences = [r.sequence for r in records]
    if sequences != sorted(set(sequences)):
        problems.append("outbox sequences are not strictly increasing")
    return StoreCheck(len(versions), versions, len(records), problems)


def cpu_count() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
