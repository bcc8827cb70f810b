"""Outcome: what a command did, and NoOpReason: why it did nothing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NoOpReason(StrEnum):
    """Why a command changed nothing: each is a no-op SuperOffice documents (or we decided)."""

    NOT_IN_QUEUE = "not_in_queue"
    """pick_up on a session that is not waiting in the queue (SuperOffice returns nothing)."""
    NOT_OWNER = "not_owner"
    """transfer/cancel_transfer by someone who does not handle the session."""
    NO_TRANSFER_PENDING = "no_transfer_pending"
    """accept/reject/cancel/expire with no pending transfer ("nothing happens")."""
    NOT_TRANSFER_TARGET = "not_transfer_target"
    """accept/reject by someone the pending transfer is not addressed to."""
    NOT_EXPIRED = "not_expired"
    """expire_transfer before the transfer has waited its timeout."""
    ALERT_ALREADY_RAISED = "alert_already_raised"
    """raise_alert to a level the session has already reached (the library's own no-op)."""
    NOTHING_TO_CHANGE = "nothing_to_change"
    """amend (a save of the whole entity) with every value as stored: nothing to record."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a command: ``changed`` and, for a no-op, the ``reason``."""

    changed: bool
    reason: NoOpReason | None = None

    @classmethod
    def applied(cls) -> Outcome:
        """The command changed the session."""
        return _APPLIED

    @classmethod
    def noop(cls, reason: NoOpReason) -> Outcome:
        """The command changed nothing, for ``reason``."""
        return _NOOPS[reason]

    def __str__(self) -> str:
        return "changed" if self.changed else f"no-op ({self.reason})"


_APPLIED = Outcome(changed=True)
_NOOPS = {reason: Outcome(changed=False, reason=reason) for reason in NoOpReason}
