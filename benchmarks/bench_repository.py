"""What storing chat sessions costs: the memory and SQLite repositories side by side.

Run: ``python benchmarks/bench_repository.py``. Prints operations per second and the
ratio to the in-memory repository, measured in the same run (absolute numbers vary by
machine and disk; ``synchronous=FULL`` pays one fsync per commit).
"""

from __future__ import annotations

import itertools
import tempfile
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from chatsession import ChatSession, ChatTopic, ManualClock
from chatsession.adapters.memory import InMemoryChatSessionRepository
from chatsession.adapters.sqlite import SqliteChatSessionRepository
from chatsession.ports.stores import ChatSessionRepository

CLOCK = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
"""The time of every command (``at=``): the repositories hold no clock."""
TOPIC = ChatTopic(id=1)
PREPARED = 200


def operations(repo: ChatSessionRepository) -> dict[str, Callable[[], object]]:
    """The measured operations on ``repo``, after storing ``PREPARED`` active sessions."""
    ids = []
    for _ in range(PREPARED):
        session = ChatSession.request(repo.next_id(), TOPIC, at=CLOCK.now())
        session.pick_up(by=7, at=CLOCK.now())
        repo.add(session)
        ids.append(session.chat_session_id)
    cycle = itertools.cycle(ids)

    def add() -> None:
        repo.add(ChatSession.request(repo.next_id(), TOPIC, at=CLOCK.now()))

    def get() -> None:
        repo.get(next(cycle))

    def save() -> None:
        session = repo.get(next(cycle))
        if session.transfer_to is None:
            session.transfer(to=8, by=7, at=CLOCK.now())
        else:
            session.cancel_transfer(by=7, at=CLOCK.now())
        repo.save(session)

    def command_in_unit_of_work() -> None:
        with repo.transaction() as tx:
            session = tx.get(next(cycle))
            session.customer_fetched(at=CLOCK.now())
            tx.save(session)

    def first_in_queue() -> None:
        repo.first_in_queue()

    return {
        "add (new session + 1 event)": add,
        "get": get,
        "get + save (1 event)": save,
        "unit of work: get + save": command_in_unit_of_work,
        "first_in_queue": first_in_queue,
    }


def rate(fn: Callable[[], object], number: int) -> float:
    """Operations per second: the best of three runs."""
    return number / min(timeit.repeat(fn, number=number, repeat=3))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        repos: dict[str, ChatSessionRepository] = {
            "memory": InMemoryChatSessionRepository(),
            "sqlite FULL": SqliteChatSessionRepository(folder / "full.db"),
            "sqlite NORMAL": SqliteChatSessionRepository(
                folder / "normal.db", synchronous="NORMAL"
            ),
        }
        table = {name: operations(repo) for name, repo in repos.items()}
        names = list(repos)
        print(f"{'operation':28}" + "".join(f"{n:>16}" for n in names) + "   ratio to memory")
        for op in table["memory"]:
            rates = [rate(table[n][op], 2000 if n == "memory" else 300) for n in names]
            cells = "".join(f"{r:>13,.0f}/s" for r in rates)
            ratios = " ".join(f"{rates[0] / r:>6.1f}x" for r in rates[1:])
            print(f"{op:28}{cells}   {ratios}")
        for repo in repos.values():
            close = getattr(repo, "close", None)
            if close is not None:
                close()


if __name__ == "__main__":
    main()
