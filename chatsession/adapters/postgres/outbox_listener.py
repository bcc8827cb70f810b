"""PostgresOutboxListener: a publisher waits on ``LISTEN`` until outbox records are committed.

Every unit of work that appends outbox records also runs ``pg_notify`` on the schema's
channel (``tables.outbox_channel``) in its transaction: PostgreSQL delivers it when the
transaction commits, never for one that rolls back. The listener holds one dedicated
connection (``PostgresDatastore.dedicated``) that ran ``LISTEN`` on that channel; ``wait``
blocks on it with psycopg's ``Connection.notifies``.

A notification that came while nobody waited is kept by the connection: the next ``wait``
returns at once. Several that came together wake one ``wait`` (the rest are drained with
it: one pass reads them all). If the connection is lost (a server restart), ``wait``
reconnects once and returns True, since records may have been committed meanwhile; if
that fails too, it raises ``StoreUnavailableError``.
"""

from __future__ import annotations

import math
from types import TracebackType

import psycopg

from chatsession.adapters.postgres.datastore import DedicatedConnection, PostgresDatastore
from chatsession.adapters.postgres.migrations import quote_ident
from chatsession.domain.errors import InvalidArgumentError
from chatsession.ports.errors import TransactionError


class PostgresOutboxListener:
    """An ``OutboxWaiter`` on one schema's outbox channel; one thread uses it, then closes it."""

    __slots__ = ("_held", "_store", "channel")

    def __init__(self, store: PostgresDatastore, channel: str) -> None:
        self._store = store
        self.channel = channel
        """The ``NOTIFY`` channel listened to."""
        self._held: DedicatedConnection | None = None
        self._held = self._listen()

    def wait(self, timeout: float) -> bool:
        """True as soon as a unit of work that wrote outbox records committed (or had, unseen).

        False when ``timeout`` seconds passed without one. True may be spurious (after a
        reconnect): a pass then finds nothing to do.
        """
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not (
            0 <= timeout < math.inf
        ):
            raise InvalidArgumentError(f"timeout must be seconds >= 0, got {timeout!r}")
        held = self._held
        if held is None:
            raise TransactionError(f"the outbox listener of {self._store.where} is closed")
        try:
            woke = any(True for _ in held.conn.notifies(timeout=timeout, stop_after=1))
            if woke:  # the others that came with it: one pass answers them all
                for _ in held.conn.notifies(timeout=0):
                    pass
            return woke
        except psycopg.Error:
            if not (held.conn.closed or held.conn.broken):
                with self._store.errors():
                    raise
        # the connection is gone: listen again; anything may have been committed meanwhile
        held.close()
        self._held = None
        self._held = self._listen()
        return True

    def close(self) -> None:
        """Stop listening and close (or give back) the connection; idempotent, never raises."""
        held, self._held = self._held, None
        if held is not None:
            held.close()

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._held is None

    def __enter__(self) -> PostgresOutboxListener:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._held is None else "listening"
        return f"PostgresOutboxListener({self.channel!r} on {self._store.where!r}, {state})"

    def _listen(self) -> DedicatedConnection:
        held = self._store.dedicated()
        try:
            with self._store.errors():
                held.conn.execute(f"LISTEN {quote_ident(self.channel)}")
        except BaseException:
            held.close()
            raise
        return held
