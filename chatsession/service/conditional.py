"""Conditional commands: a repository view that holds one session to an expected version.

HTTP's ``If-Match`` makes a command conditional on the version the caller last saw. The
check belongs inside the command's unit of work (a check before it would race a writer
in between), so ``expecting_version(repository, chat_session_id, versions)`` wraps the
repository: every load of that session, in or out of a transaction, raises
``PreconditionFailedError`` when its stored version is another. ``ChatAgent`` over the
view runs the command as usual; its retry after a lost race loads the session again,
meets the new version and stops with the same error, so a conditional command never
applies to a version the caller did not see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from chatsession.domain.session import ChatSession
from chatsession.ports.stores import ChatSessionRepository, ChatStore
from chatsession.service.errors import PreconditionFailedError


class _Checked:
    """Delegates everything to ``inner``; ``get`` of the guarded session checks its version."""

    def __init__(self, inner: Any, chat_session_id: int, versions: frozenset[int]) -> None:
        self._inner = inner
        self._id = chat_session_id
        self._versions = versions

    def get(self, chat_session_id: int) -> ChatSession:
        """The stored session; the guarded one only at the expected version."""
        session: ChatSession = self._inner.get(chat_session_id)
        if chat_session_id == self._id and session.version not in self._versions:
            raise PreconditionFailedError(chat_session_id, self._versions, session.version)
        return session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CheckedRepository(_Checked):
    """The repository view: its transactions yield checked stores too."""

    @contextmanager
    def transaction(self) -> Iterator[ChatStore]:
        """The inner repository's unit of work, with the guarded session's loads checked."""
        with self._inner.transaction() as tx:
            yield cast(ChatStore, _Checked(tx, self._id, self._versions))


def expecting_version(
    repository: ChatSessionRepository, chat_session_id: int, versions: int | frozenset[int]
) -> ChatSessionRepository:
    """``repository``, with every load of ``chat_session_id`` held to one of ``versions``."""
    if isinstance(versions, int):
        versions = frozenset({versions})
    return cast(ChatSessionRepository, _CheckedRepository(repository, chat_session_id, versions))
