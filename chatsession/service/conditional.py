"""Checked loads: a repository view that checks one session each time it is loaded.

A check that guards a command belongs inside the command's unit of work: a check made
before it would race a writer in between, and would load the session a second time.
``checking_loads(repository, chat_session_id, check)`` wraps the repository so that every
load of that session, in or out of a transaction, first runs ``check(store, session)``
(which raises to refuse). ``ChatAgent`` over the view runs its commands as usual, and its
retry after a lost race loads the session again, so the check sees every version the
command could apply to.

Two checks use it: HTTP's ``If-Match`` (``expecting_version``: the session must be at a
version the caller saw, else ``PreconditionFailedError``) and the web face's rights (the
caller must be entitled to the session, ``chatsession.service.rights``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from chatsession.domain.session import ChatSession
from chatsession.ports.stores import ChatSessionRepository, ChatStore
from chatsession.service.errors import PreconditionFailedError

LoadCheck = Callable[[ChatStore, ChatSession], None]
"""Runs on each load of the guarded session, with the store it came from; raises to refuse."""


class _Checked:
    """Delegates everything to ``inner``; ``get`` of the guarded session runs the check."""

    def __init__(self, inner: Any, chat_session_id: int, check: LoadCheck) -> None:
        self._inner = inner
        self._id = chat_session_id
        self._check = check

    def get(self, chat_session_id: int) -> ChatSession:
        """The stored session; the guarded one only if the check lets it through."""
        session: ChatSession = self._inner.get(chat_session_id)
        if chat_session_id == self._id:
            self._check(self._inner, session)
        return session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CheckedRepository(_Checked):
    """The repository view: its transactions yield checked stores too."""

    @contextmanager
    def transaction(self) -> Iterator[ChatStore]:
        """The inner repository's unit of work, with the guarded session's loads checked."""
        with self._inner.transaction() as tx:
            yield cast(ChatStore, _Checked(tx, self._id, self._check))


def checking_loads(
    repository: ChatSessionRepository, chat_session_id: int, check: LoadCheck
) -> ChatSessionRepository:
    """``repository``, with ``check`` run on every load of ``chat_session_id``."""
    return cast(ChatSessionRepository, _CheckedRepository(repository, chat_session_id, check))


def version_check(versions: int | frozenset[int]) -> LoadCheck:
    """The check that a session is at one of ``versions`` (``PreconditionFailedError``)."""
    wanted = frozenset({versions}) if isinstance(versions, int) else versions

    def check(store: ChatStore, session: ChatSession) -> None:
        if session.version not in wanted:
            raise PreconditionFailedError(session.chat_session_id, wanted, session.version)

    return check


def expecting_version(
    repository: ChatSessionRepository, chat_session_id: int, versions: int | frozenset[int]
) -> ChatSessionRepository:
    """``repository``, with every load of ``chat_session_id`` held to one of ``versions``."""
    return checking_loads(repository, chat_session_id, version_check(versions))
