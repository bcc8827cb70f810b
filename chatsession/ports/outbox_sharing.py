"""Ports for webhook publishers that share one outbox: waking on new records, claiming a session.

A store may offer either, or both, besides ``ChatSessionRepository``; the service asks
with ``isinstance`` (the protocols are runtime-checkable) and does without what is missing:

* ``NotifyingOutbox``: ``outbox_listener()`` hands out an ``OutboxWaiter`` whose ``wait``
  returns as soon as a unit of work that wrote outbox records commits (PostgreSQL's
  ``LISTEN``/``NOTIFY``). Without it a publisher sleeps between passes and polls.
* ``ClaimableOutbox``: ``claim_outbox(chat_session_id)`` holds a session's pending records
  for one publisher until the block (a unit of work) ends, so that several publishers
  deliver each record once in the normal case and each session's records in order.
  Without it one publisher must run at a time (or duplicates must be acceptable).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Protocol, Self, runtime_checkable


@runtime_checkable
class OutboxWaiter(Protocol):
    """Waits for new outbox records; used by one thread, closed when the publisher stops."""

    def wait(self, timeout: float) -> bool:
        """Block until new records may be there (True) or ``timeout`` seconds passed (False).

        True may be spurious (another schema's wake-up, a reconnect): a pass finds nothing.
        Wake-ups that came while the caller was not waiting are not lost: the next ``wait``
        returns True at once.
        """
        ...

    def close(self) -> None:
        """Stop listening and give back what the waiter holds (idempotent)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class NotifyingOutbox(Protocol):
    """A store that tells listeners when outbox records are committed."""

    def outbox_listener(self) -> OutboxWaiter:
        """A new waiter, listening from now on (a dedicated connection: close it)."""
        ...


@runtime_checkable
class ClaimableOutbox(Protocol):
    """A store whose outbox publishers can claim one session at a time."""

    def claim_outbox(self, chat_session_id: int) -> AbstractContextManager[bool]:
        """``with store.claim_outbox(7) as held:`` holds session 7's records while ``held``.

        ``held`` is False when another publisher holds them (skip the session: it delivers
        them). The block is a unit of work: the outbox's reads and marks in it join it, and
        the marks are stored when the block ends, before the claim goes (so the next holder
        sees them); a block that raises stores none. The claim ends with the block, or with
        the publisher's process: a publisher that dies releases what it held. Not inside
        another unit of work (``TransactionError``).
        """
        ...
