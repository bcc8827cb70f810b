"""A webhook publisher that keeps going: passes of ``publish_pending``, waiting between them.

``follow(repository, deliver, interval=...)`` runs passes until ``stop()`` says so. After
a pass that delivered (or skipped) something it goes on at once; after an idle one it
waits for new records: on a store that notifies (``NotifyingOutbox``, PostgreSQL's
``LISTEN``/``NOTIFY``) until a unit of work that wrote outbox records commits, at most
``interval`` seconds (the safety net: a record a dead publisher held, a lost
notification); on the others it sleeps ``interval`` seconds (``SleepingWaiter``) and polls.

Any number of publishers may follow one outbox that can be claimed (``ClaimableOutbox``):
see ``chatsession.service.webhooks``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from types import TracebackType

from chatsession.domain.errors import InvalidArgumentError
from chatsession.ports.outbox_sharing import NotifyingOutbox, OutboxWaiter
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service.webhooks import Deliver, PublishReport, publish_pending


class SleepingWaiter:
    """The ``OutboxWaiter`` of a store that cannot notify: sleeps the whole timeout."""

    __slots__ = ("_sleep",)

    def __init__(self, sleep: Callable[[float], object] = time.sleep) -> None:
        self._sleep = sleep

    def wait(self, timeout: float) -> bool:
        """Sleep ``timeout`` seconds; False (nothing tells it of new records)."""
        self._sleep(timeout)
        return False

    def close(self) -> None:
        """Nothing to close."""

    def __enter__(self) -> SleepingWaiter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return "SleepingWaiter()"


def outbox_waiter(
    repository: ChatSessionRepository, *, sleep: Callable[[float], object] = time.sleep
) -> OutboxWaiter:
    """The store's listener if it notifies, else a ``SleepingWaiter``; close it after use."""
    if isinstance(repository, NotifyingOutbox):
        return repository.outbox_listener()
    return SleepingWaiter(sleep)


def follow(
    repository: ChatSessionRepository,
    deliver: Deliver,
    *,
    interval: float = 1.0,
    batch: int = 100,
    webhook_name: str = "chatsession",
    context: str = "",
    waiter: OutboxWaiter | None = None,
    on_pass: Callable[[PublishReport], object] | None = None,
    stop: Callable[[], bool] | None = None,
) -> None:
    """Publish until ``stop()`` is true (checked before each pass), or forever without it.

    ``interval`` is the longest wait between idle passes; ``waiter`` defaults to
    ``outbox_waiter(repository)`` (opened here, closed on the way out; one given is the
    caller's to close). ``on_pass`` sees each pass's report.
    """
    if isinstance(interval, bool) or not isinstance(interval, int | float) or not (
        0 <= interval < math.inf
    ):
        raise InvalidArgumentError(f"interval must be seconds >= 0, got {interval!r}")
    own = waiter is None
    used = outbox_waiter(repository) if waiter is None else waiter
    try:
        while stop is None or not stop():
            report = publish_pending(
                repository, deliver, batch=batch, webhook_name=webhook_name, context=context
            )
            if on_pass is not None:
                on_pass(report)
            if not (report.delivered or report.skipped):
                used.wait(interval)
    finally:
        if own:
            used.close()
