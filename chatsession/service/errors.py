"""The errors the service raises, beside the domain's and the stores'."""

from __future__ import annotations

from chatsession.domain.errors import ChatSessionError


class UnknownAssociateError(ChatSessionError, LookupError):
    """A transfer named an associate the directory does not know (or knows as deleted)."""

    code = "unknown_associate"
    http_status = 404


class NotTopicResponderError(ChatSessionError):
    """The associate may not answer sessions of this topic (no ``CanRespond`` on it)."""

    code = "not_topic_responder"
    http_status = 403


class TransferTargetUnavailableError(ChatSessionError):
    """The transfer target is not present, or cannot respond, on the session's topic."""

    code = "transfer_target_unavailable"
    http_status = 409


class PreconditionFailedError(ChatSessionError):
    """A conditional command (HTTP ``If-Match``) met the session at another version."""

    code = "precondition_failed"
    http_status = 412

    def __init__(self, chat_session_id: int, expected: frozenset[int], actual: int) -> None:
        self.chat_session_id = chat_session_id
        self.expected = expected
        self.actual = actual
        wanted = " or ".join(str(v) for v in sorted(expected)) or "none"
        super().__init__(
            f"chat session {chat_session_id} is at version {actual}, not {wanted}: "
            "nothing was done"
        )


class NotAuthenticatedError(ChatSessionError):
    """The caller gave no credentials, or credentials that name nobody (HTTP 401)."""

    code = "not_authenticated"
    http_status = 401


class ForbiddenError(ChatSessionError):
    """The caller is known but has no right to this session, topic or presence (HTTP 403)."""

    code = "forbidden"
    http_status = 403
