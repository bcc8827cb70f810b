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
