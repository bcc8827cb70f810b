"""Per-thread connections to one SQLite file: opened on first use, closed when their thread ends.

A ``sqlite3.Connection`` cannot be weakly referenced, so each thread's locals hold a
small ``_ThreadConnection`` beside it, and ``weakref.finalize`` on that closes the
connection once the thread has ended (or everything is closed). Connections inherited
over ``fork()`` are never closed nor garbage-collected in the child: closing one would
drop the child's own POSIX locks on the file (SQLite's "how to corrupt" page, 2.6).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable

import chatsession.adapters.sqlite.fork_gate as fork_gate
from chatsession.ports.errors import RepositoryError, StoreUnavailableError, TransactionError


class _ThreadConnection:
    """Kept in a thread's locals beside its connection: it dies with them."""

    __slots__ = ("__weakref__",)


_Registry = dict[int, "tuple[sqlite3.Connection, weakref.finalize[..., _ThreadConnection]]"]


def _release(
    registry: _Registry,
    lock: threading.RLock,
    key: int,
    conn: sqlite3.Connection,
    pid: int,
    gate_key: str,
) -> None:
    """Close a thread's connection and forget it (its finalizer; runs once).

    Holds no reference to the owner, which may be gone. In a forked child the
    connection is the parent's: it is kept, never closed.
    """
    if os.getpid() != pid:
        fork_gate.INHERITED.append(conn)
        return

    def close() -> None:
        with lock:
            registry.pop(key, None)
        conn.close()

    fork_gate.run_or_defer(gate_key, close)


class ThreadConnections:
    """Each thread's connection to ``path`` (and each process's: a forked child opens its own).

    ``configure`` runs on every new connection (pragmas); ``open_error`` turns a driver
    error of ``sqlite3.connect`` into the store's error.
    """

    def __init__(
        self,
        path: str,
        *,
        timeout: float,
        gate_key: str,
        configure: Callable[[sqlite3.Connection], None],
        open_error: Callable[[sqlite3.Error], RepositoryError],
    ) -> None:
        self._path = path
        self._timeout = timeout
        self._gate_key = gate_key
        self._configure = configure
        self._open_error = open_error
        self._local = threading.local()
        self._lock = threading.RLock()
        self._keys = itertools.count()
        self._registry: _Registry = {}
        self._pid = os.getpid()
        self.closed = False

    def get(self) -> sqlite3.Connection:
        """This thread's connection, opened (in a passage of the fork gate) on first use."""
        if self.closed:
            raise TransactionError(f"the store at {self._path} is closed")
        pid = os.getpid()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == pid:
            return conn
        with fork_gate.Passage(self._gate_key):
            return self._open(pid)

    def drop_current(self) -> None:
        """Close this thread's connection (one that could not roll back); the next opens anew."""
        release = getattr(self._local, "release", None)
        self._local.conn = None
        self._local.holder = None
        if release is not None:
            release()

    def close(self) -> None:
        """Close every connection opened in this process, every thread's; refuse new ones."""
        pid = os.getpid()
        if pid != self._pid and fork_gate.poisoned(self._gate_key):
            self.closed = True  # a child that cannot use the file: it opened nothing
            return
        with fork_gate.Passage(self._gate_key):
            with self._lock:
                self.closed = True
                self._forget_inherited(pid)
                entries = list(self._registry.values())
            for _conn, release in entries:
                release()

    def count(self) -> int:
        """How many connections are open in this process."""
        with self._lock:
            return len(self._registry) if self._pid == os.getpid() else 0

    def _open(self, pid: int) -> sqlite3.Connection:
        if fork_gate.poisoned(self._gate_key):
            raise StoreUnavailableError(
                f"{self._path}: this process (pid {pid}) was forked while a unit of work was "
                "open on this file, and SQLite's locks do not survive fork(): the file cannot "
                "be used in this process. Fork only when no unit of work is open, or start "
                "processes with the spawn or forkserver method"
            )
        with self._lock:
            if self.closed:
                raise TransactionError(f"the store at {self._path} is closed")
            self._forget_inherited(pid)
            try:
                conn = sqlite3.connect(
                    self._path,
                    timeout=self._timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            except sqlite3.Error as exc:
                raise self._open_error(exc) from exc
            key = next(self._keys)
            holder = _ThreadConnection()
            release = weakref.finalize(
                holder, _release, self._registry, self._lock, key, conn, pid, self._gate_key
            )
            self._registry[key] = (conn, release)
        try:
            self._configure(conn)
        except BaseException:
            release()
            raise
        self._local.holder = holder  # replaces (and so releases) an earlier one
        self._local.release = release
        self._local.conn = conn
        self._local.pid = pid
        return conn

    def _forget_inherited(self, pid: int) -> None:
        """In a forked child: keep the parent's connections alive for good, never close them."""
        if self._pid == pid:
            return
        for conn, release in self._registry.values():
            release.detach()
            fork_gate.INHERITED.append(conn)
        self._registry.clear()
        self._pid = pid
