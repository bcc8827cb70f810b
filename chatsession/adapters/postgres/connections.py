"""Where the datastore's connections come from: a ``psycopg_pool.ConnectionPool`` or a factory.

A source lends a connection for one unit of work (or one read) and takes it back:

* ``PoolSource``: a ``ConnectionPool``, either the embedding service's (left open when the
  store closes) or one the store made from a connection string (closed with it);
* ``FactorySource``: a callable the embedding service supplies that opens a new
  ``psycopg.Connection``; the source keeps the connections it got idle between uses and
  closes them when the store closes.

Nothing here knows chat sessions nor SQL beyond what a connection needs to be lent.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import pq
from psycopg_pool import ConnectionPool

Connection = psycopg.Connection[Any]
ConnectionFactory = Callable[[], Connection]


class ConnectionSource(ABC):
    """Lends connections for one unit of work (or one read) at a time."""

    owned: bool
    """True if closing the store closes the source (the store made it)."""

    @abstractmethod
    def get(self, timeout: float) -> Connection:
        """A connection, waiting at most ``timeout`` seconds for one (``PoolTimeout``)."""

    @abstractmethod
    def put(self, conn: Connection) -> None:
        """Take ``conn`` back (idle, or closed if it broke)."""

    @abstractmethod
    def exhausted(self) -> bool:
        """True if every connection the source may open is lent out now."""

    @abstractmethod
    def close(self) -> None:
        """Close what the source owns."""


class PoolSource(ConnectionSource):
    """Connections from a ``psycopg_pool.ConnectionPool``."""

    def __init__(self, pool: ConnectionPool[Any], *, owned: bool) -> None:
        self.pool = pool
        self.owned = owned

    def get(self, timeout: float) -> Connection:
        """A connection of the pool (``PoolTimeout`` if none is free in time)."""
        conn: Connection = self.pool.getconn(timeout=timeout)
        return conn

    def put(self, conn: Connection) -> None:
        """Give ``conn`` back to the pool (a broken one is replaced)."""
        self.pool.putconn(conn)  # a closed (broken) connection is discarded and replaced

    def exhausted(self) -> bool:
        """True if the pool is at its largest and lends every connection."""
        stats = self.pool.get_stats()
        return stats.get("pool_available", 0) == 0 and stats.get("pool_size", 0) >= (
            self.pool.max_size
        )

    def close(self) -> None:
        """Close the pool if the store made it."""
        if self.owned:
            self.pool.close(timeout=1.0)


class FactorySource(ConnectionSource):
    """Connections from a factory, kept idle between uses (the newest lent first)."""

    owned = True

    def __init__(self, factory: ConnectionFactory) -> None:
        self._factory = factory
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def get(self, timeout: float) -> Connection:
        """An idle connection, or a new one from the factory."""
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed:
                    return conn
        conn = self._factory()
        if not isinstance(conn, psycopg.Connection):
            raise TypeError(
                f"the connection factory returned {type(conn).__name__}, not a "
                "psycopg.Connection"
            )
        return conn

    def put(self, conn: Connection) -> None:
        """Keep ``conn`` idle for the next use (closed if it broke)."""
        usable = not conn.closed and conn.info.transaction_status == pq.TransactionStatus.IDLE
        with self._lock:
            if usable and not self._closed:
                self._idle.append(conn)
                return
        conn.close()

    def exhausted(self) -> bool:
        """Never: a factory opens one more whenever asked."""
        return False

    def close(self) -> None:
        """Close the idle connections; those lent out close when returned."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
