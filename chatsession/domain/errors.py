"""The errors the domain raises. Every one is a ``ChatSessionError``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatsession.domain.status import ChatSessionStatus


class ChatSessionError(Exception):
    """Base class of every error raised by ``chatsession``."""


class InvalidArgumentError(ChatSessionError, ValueError):
    """A command or constructor got a value it cannot use (wrong type, range, naive time)."""


class CommandNotAllowedError(ChatSessionError):
    """A command is illegal in the session's current state (and is not a documented no-op).

    Attributes name what was asked (``command``), in which status (``status``), and the
    statuses from which the command would have been allowed (``allowed``).
    """

    def __init__(
        self,
        command: str,
        status: ChatSessionStatus,
        allowed: Iterable[ChatSessionStatus] = (),
        detail: str = "",
    ) -> None:
        self.command = command
        self.status = status
        self.allowed: tuple[ChatSessionStatus, ...] = tuple(sorted(allowed))
        self.detail = detail
        message = f"{command} is not allowed in status {status.name}"
        if detail:
            message += f": {detail}"
        if self.allowed and status not in self.allowed:
            message += f" (allowed in: {', '.join(s.name for s in self.allowed)})"
        super().__init__(message)


class NotHandlingUserError(CommandNotAllowedError):
    """The acting associate is not the session's handling user, and no no-op is documented."""


class TransferToSelfError(CommandNotAllowedError):
    """A user tried to transfer a session to themselves."""


class ChatbotActiveError(CommandNotAllowedError):
    """The command needs a human, but a chatbot holds the session (reset it first)."""


class ChatbotInactiveError(CommandNotAllowedError):
    """A bot message was posted on a session with no active chatbot."""


class InvariantViolationError(ChatSessionError):
    """A session breaks one or more domain invariants; ``violations`` lists every one."""

    def __init__(self, violations: Sequence[str], *, chat_session_id: int | None = None) -> None:
        self.violations: tuple[str, ...] = tuple(violations)
        self.chat_session_id = chat_session_id
        head = "chat session" if chat_session_id is None else f"chat session {chat_session_id}"
        lines = "\n".join(f"  - {v}" for v in self.violations)
        super().__init__(f"{head} breaks {len(self.violations)} invariant(s):\n{lines}")
