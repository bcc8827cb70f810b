"""Fork safety for the SQLite adapter: a ``fork()`` waits for the open units of work.

SQLite keeps, per process, a table of the POSIX locks it holds on each database file.
A child made by ``fork()`` inherits that table but not the locks themselves: had a
thread of the parent a unit of work open (the write lock taken), the child believes
for ever that it holds the write lock, and every write it tries fails with "database is
locked". (Were a thread inside SQLite at that instant, the child could also inherit one
of SQLite's mutexes locked.)

So the adapter passes every use of SQLite through this gate: a unit of work from its
``BEGIN IMMEDIATE`` to its ``COMMIT``/``ROLLBACK``, a single read, opening or closing a
connection. ``os.fork()`` (and ``multiprocessing`` with the ``fork`` start method) runs
the hooks registered here:

* *before*: new passages wait, and the fork waits until the passages in progress
  ended, ``FORK_WAIT_SECONDS`` at most. It does not wait if the forking thread itself is
  inside one (it would wait for ever): fork outside a unit of work.
* *in the parent, after*: the waiting passages go on.
* *in the child, after*: a file on which a passage was still open at the fork is
  unusable in the child; the repositories refuse it with ``StoreUnavailableError``
  (``poisoned``) rather than fail later with "database is locked".

Processes started with the ``spawn`` or ``forkserver`` methods share nothing of this
and need none of it: prefer them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from types import TracebackType

FORK_WAIT_SECONDS = 10.0
"""How long a ``fork()`` waits for the open units of work of other threads to end.

A unit of work holds the file's write lock, which other processes' writers wait for
``timeout`` seconds only (5 by default): one open for longer is stuck, maybe waiting for
the forking thread itself. Past the wait the fork goes on, and the child cannot use the
files of the units of work still open (``poisoned``).
"""

INHERITED: list[object] = []
"""What a forked child inherited and must never close nor garbage-collect (connections).

Closing a connection inherited over ``fork()`` would drop the child's own POSIX locks
on the file (SQLite's "how to corrupt" page, section 2.6); collecting it closes it.
"""

_lock = threading.RLock()
_cond = threading.Condition(_lock)  # on _lock: waits for the forks / the passages
_active: dict[str, int] = {}  # file -> passages in progress in this process
_forking = 0  # forks in progress (their before hook ran, their after hook not yet)
_forker = 0  # the thread making the latest of them (it must never wait for itself)
_busy_at_fork: frozenset[str] = frozenset()
_poisoned: set[str] = set()
_deferred: list[tuple[int, str, Callable[[], None]]] = []
_mine = threading.local()  # .held: dict[str, int], this thread's passages by file


def _held() -> dict[str, int]:
    try:
        held: dict[str, int] = _mine.held
    except AttributeError:
        held = _mine.held = {}
    return held


def _count(key: str, step: int) -> None:
    """Add ``step`` to the passages on ``key`` (the caller holds ``_lock``)."""
    n = _active.get(key, 0) + step
    if n > 0:
        _active[key] = n
    else:
        _active.pop(key, None)


def enter(key: str) -> None:
    """Start a passage on the file ``key``; wait while a fork is being made.

    A thread already inside a passage never waits (the fork waits for it instead).
    """
    held = _held()
    with _lock:
        if not held:
            while _forking > 0 and _forker != threading.get_ident():
                _cond.wait()
        _active[key] = _active.get(key, 0) + 1
    held[key] = held.get(key, 0) + 1


def leave(key: str) -> None:
    """End a passage ``enter(key)`` started."""
    held = _held()
    n = held.get(key, 0) - 1
    if n > 0:
        held[key] = n
    else:
        held.pop(key, None)
    with _lock:
        _count(key, -1)
        if _forking > 0:
            _cond.notify_all()


class Passage:
    """``with Passage(key):`` is ``enter(key)`` ... ``leave(key)``; re-entrant, shareable."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __enter__(self) -> None:
        enter(self.key)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        leave(self.key)


def run_or_defer(key: str, action: Callable[[], None]) -> None:
    """Run ``action`` as a passage on ``key`` now, or after the fork being made.

    Never waits: for finalizers, which run wherever the garbage collector does,
    the forking thread's fork hook included.
    """
    held = _held()
    with _lock:
        if _forking > 0 and not held:
            _deferred.append((os.getpid(), key, action))
            return
        _count(key, 1)
    held[key] = held.get(key, 0) + 1
    try:
        action()
    finally:
        leave(key)


def poisoned(key: str) -> bool:
    """True in a child forked while a passage on the file ``key`` was open in the parent."""
    return key in _poisoned


def _before_fork() -> None:
    global _forking, _forker, _busy_at_fork
    with _lock:
        _forking += 1
        _forker = threading.get_ident()
        if not _held():  # the forking thread is inside none: wait for the others
            deadline = time.monotonic() + FORK_WAIT_SECONDS
            while _active:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                _cond.wait(left)
        _busy_at_fork = frozenset(_active)


def _after_fork_in_parent() -> None:
    global _forking
    with _lock:
        _forking = max(0, _forking - 1)  # 0 if our before hook was interrupted
        _cond.notify_all()
        if _forking > 0:
            return
        deferred = _deferred[:]
        del _deferred[:]
    pid = os.getpid()
    for owner, key, action in deferred:
        if owner == pid:
            run_or_defer(key, action)


def _after_fork_in_child() -> None:
    global _lock, _cond, _forking, _forker, _active
    # Only the forking thread lives on: its own passages are the only ones open, and
    # the lock may have been held by a thread that is gone.
    _lock = threading.RLock()
    _cond = threading.Condition(_lock)
    _forking = 0
    _forker = 0
    _active = dict(_held())
    _poisoned.update(_busy_at_fork)
    INHERITED.extend(action for _owner, _key, action in _deferred)  # the parent's to close
    del _deferred[:]


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=_after_fork_in_parent,
        after_in_child=_after_fork_in_child,
    )
