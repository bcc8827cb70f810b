"""Per-thread connections: closed by a finalizer when their thread ends."""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref

from chatsession.adapters.sqlite import fork_gate

# Connections inherited over fork() are never closed nor garbage-collected in the child:
# closing one would drop the child's own POSIX locks on the file (see SQLite's
# "how to corrupt" page, section 2.6).
_INHERITED = fork_gate.INHERITED


class _ThreadConnection:
    """Kept in a thread's locals beside its connection: it dies with them.

    ``weakref.finalize`` on it closes the thread's connection once the thread has ended
    (or the repository is gone): a ``sqlite3.Connection`` cannot be weakly referenced.
    """

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

    Holds no reference to the repository, which may be gone. In a forked child the
    connection is the parent's: it is kept, never closed (``_INHERITED``).
    """
    if os.getpid() != pid:
        _INHERITED.append(conn)
        return

    def close() -> None:
        with lock:
            registry.pop(key, None)
        conn.close()

    fork_gate.run_or_defer(gate_key, close)


