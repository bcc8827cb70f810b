"""How much building, loading and commanding a ChatSession costs, side by side.

Run: ``python benchmarks/bench_aggregate.py``. Prints ratios against a plain slotted
object of the same fields, measured in the same run (absolute times vary by machine).
"""

from __future__ import annotations

import timeit
from dataclasses import make_dataclass
from datetime import UTC, datetime
from typing import Any

from transitions import Machine

from chatsession import ChatSession, ChatTopic
from chatsession.domain.lifecycle import STATUS_TRANSITIONS
from chatsession.domain.session_data import FIELDS
from chatsession.domain.status import ChatSessionStatus

AT = datetime(2026, 1, 1, tzinfo=UTC)
TOPIC = ChatTopic(id=1)


PlainSession = make_dataclass("PlainSession", FIELDS, slots=True)
"""The baseline: a slotted dataclass with the same fields and nothing else."""


def _stored_fields() -> dict[str, Any]:
    session = ChatSession.request(1, TOPIC, at=AT)
    session.pick_up(by=7, at=AT)
    session.transfer(to=8, by=7, at=AT)
    return session.to_dict()


STORED = _stored_fields()


def load_plain() -> object:
    return PlainSession(**STORED)


def load_session() -> object:
    return ChatSession(**STORED)


def request_session() -> object:
    return ChatSession.request(1, TOPIC, at=AT)


def request_session_now() -> object:
    """Without ``at``: the command reads ``ChatSession.utc_now()``."""
    return ChatSession.request(1, TOPIC)


def per_object_machine() -> object:
    """The anti-pattern we avoid: a Machine built for every session object."""

    class Model:
        status = ChatSessionStatus.Invalid

    model = Model()
    Machine(model=model, states=list(ChatSessionStatus), transitions=STATUS_TRANSITIONS,
            initial=ChatSessionStatus.Invalid, auto_transitions=False, send_event=True,
            model_attribute="status")
    return model


def transfer_round_trip() -> None:
    session = ChatSession(**STORED)
    session.reject_transfer(by=8, at=AT)
    session.transfer(to=8, by=7, at=AT)


def reject_noop() -> None:
    SESSION_NO_TRANSFER.reject_transfer(by=8, at=AT)


SESSION_NO_TRANSFER = ChatSession.request(2, TOPIC, at=AT)


def measure(fn: Any, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def main() -> None:
    n = 20_000
    base = measure(load_plain, n)
    rows = [
        ("slotted dataclass, same fields", base),
        ("ChatSession(**stored) (load)", measure(load_session, n)),
        ("ChatSession.request(..., at=...)", measure(request_session, n)),
        ("ChatSession.request(...) (reads utc_now)", measure(request_session_now, n)),
        ("reject_transfer no-op", measure(reject_noop, n)),
        ("load + reject + transfer", measure(transfer_round_trip, n)),
        ("per-object transitions Machine (avoided)", measure(per_object_machine, 500)),
    ]
    print(f"{'operation':45} {'ratio to dataclass':>22}")
    for label, seconds in rows:
        print(f"{label:45} {seconds / base:>21.2f}x")


if __name__ == "__main__":
    main()
