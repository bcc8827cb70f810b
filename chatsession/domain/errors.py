"""The errors the domain raises. Every one is a ``ChatSessionError``.

Every error class carries a stable, machine-readable ``code`` (``"not_handling_user"``)
and the HTTP status a web face should answer with (``http_status``); a subclass that
does not set its own inherits its parent's. ``docs/errors.md`` tables them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from chatsession.domain.status import ChatSessionStatus


class ChatSessionError(Exception):
    """Base class of every error raised by ``chatsession``."""

    code: ClassVar[str] = "chat_session_error"
    """A stable, machine-readable name of the error (snake_case)."""
    http_status: ClassVar[int] = 500
    """The HTTP status that suits the error."""


class InvalidArgumentError(ChatSessionError, ValueError):
    """A command or constructor got a value it cannot use (wrong type, range, naive time)."""

    code = "invalid_argument"
    http_status = 400


class CommandNotAllowedError(ChatSessionError):
    """A command is illegal in the session's current state (and is not a documented no-op).

    Attributes name what was asked (``command``), in which status (``status``), and the
    statuses from which the command would have been allowed (``allowed``). Subclasses
    whose cause is not the status (the actor, the target, the bot) say what it is instead.
    """

    code = "command_not_allowed"
    http_status = 409

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
        super().__init__(self._describe())

    def _describe(self) -> str:
        message = f"{self.command} is not allowed in status {self.status.name}"
        if self.detail:
            message += f": {self.detail}"
        if self.allowed and self.status not in self.allowed:
            message += f" (allowed in: {', '.join(s.name for s in self.allowed)})"
        return message


class _ActorOrTargetError(CommandNotAllowedError):
    """A refusal whose cause is not the status: the message says the cause alone."""

    def _describe(self) -> str:
        return f"{self.command}: {self.detail}" if self.detail else self.command


class NotHandlingUserError(_ActorOrTargetError):
    """The acting associate is not the session's handling user, and no no-op is documented."""

    code = "not_handling_user"
    http_status = 403


class TransferToSelfError(_ActorOrTargetError):
    """A user tried to transfer a session to themselves."""

    code = "transfer_to_self"
    http_status = 409


class ChatbotActiveError(_ActorOrTargetError):
    """The command needs a human, but a chatbot holds the session (reset it first)."""

    code = "chatbot_active"
    http_status = 409


class ChatbotInactiveError(_ActorOrTargetError):
    """The command needs the session's chatbot, but no chatbot is active on it."""

    code = "chatbot_inactive"
    http_status = 409


class InvariantViolationError(ChatSessionError):
    """A session breaks one or more domain invariants; ``violations`` lists every one."""

    code = "invariant_violation"
    http_status = 422

    def __init__(self, violations: Sequence[str], *, chat_session_id: int | None = None) -> None:
        self.violations: tuple[str, ...] = tuple(violations)
        self.chat_session_id = chat_session_id
        head = "chat session" if chat_session_id is None else f"chat session {chat_session_id}"
        lines = "\n".join(f"  - {v}" for v in self.violations)
        super().__init__(f"{head} breaks {len(self.violations)} invariant(s):\n{lines}")


class InvalidChatTopicError(InvalidArgumentError):
    """Topic data (a wire ``ChatTopicEntity``) breaks the topic's rules; ``problems`` lists each.

    ``chat_topic_id`` is the topic's id when the data has one.
    """

    code = "invalid_chat_topic"
    http_status = 422

    def __init__(self, problems: Sequence[str], *, chat_topic_id: int | None = None) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.chat_topic_id = chat_topic_id
        head = "chat topic" if chat_topic_id is None else f"chat topic {chat_topic_id}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head} is invalid ({len(self.problems)} problem(s)):\n{lines}")
