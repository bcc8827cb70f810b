"""Webhooks: the outbox published as SuperOffice's ``chatsession.*`` integration events.

``publish_pending(repository, deliver)`` reads the unpublished outbox records in sequence
order, builds each one's payload in SuperOffice's shape and hands it to ``deliver`` (for
example ``chatsession.adapters.webhook_http.HttpDelivery``); a record is marked published
only after ``deliver`` returned. Delivery is therefore at least once: a publisher that
dies between the two delivers that record again, with the same ``EventId``. A failed
delivery stops the session's later records for this pass, so that each session's events
arrive in order; other sessions go on.

Several publishers may share one outbox when the store can claim a session's records
(``ClaimableOutbox``, as PostgreSQL's does): a pass then takes the sessions with pending
records one by one and delivers each one's records in order, each record under a claim
(skipping a session another publisher holds): read the oldest pending one, deliver it,
mark it. A record is sent twice only if its publisher died (or lost its connection)
between delivering it and storing the mark.

Payload (SuperOffice's "Chat events" page): ``EventId`` (a UUID derived from the record,
stable across retries), ``Timestamp`` (UTC), ``Changes`` (the ``chat_session`` columns the
event set), ``Event`` (``chatsession.created`` for a new session, ``chatsession.message``
for a message, ``chatsession.changed`` otherwise), ``PrimaryKey`` (the session id),
``Entity`` (``"chatsession"``), ``ContextIdentifier``, ``ChangedByAssociateId``,
``WebhookName`` and ``FieldValues`` (the documented fields, as they were after the
event). The SessionKey is never in a payload.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from enum import Enum
from typing import Any

from chatsession.adapters.event_codec import decode_event
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.events import ChatSessionEvent, MessagePosted, SessionRequested
from chatsession.domain.messages import author_name
from chatsession.domain.session_data import SESSION_FIELDS
from chatsession.ports.outbox_sharing import ClaimableOutbox
from chatsession.ports.stores import ChatSessionRepository, OutboxRecord

Payload = dict[str, Any]
Deliver = Callable[[Payload], object]
"""Sends one payload; returns when the receiver took it, raises if it did not."""

EVENT_NAMESPACE = uuid.UUID("5b0c6f0e-2f34-4e55-9d0e-6c6861747365")
"""The namespace of ``EventId`` UUIDs (uuid5 of the webhook name and the record)."""

NOT_PUBLISHED = frozenset({"CustomerFetched"})
"""Events marked published without a delivery: a customer's poll is no change of state."""

FIELD_VALUES: tuple[tuple[str, str], ...] = (
    ("AlertLevel", "alert_level"),
    ("ChatbotIsactive", "chatbot_is_active"),
    ("Consented", "customer_consented"),
    ("ContactId", "contact_id"),
    ("CustomerAlias", "customer_alias"),
    ("CustomerId", "person_id"),
    ("ProjectId", "project_id"),
    ("Rating", "rating"),
    ("SaleId", "sale_id"),
    ("Status", "status"),
    ("TicketId", "ticket_id"),
    ("TopicId", "topic_id"),
    ("UserId", "user_id"),
)
"""SuperOffice's ``FieldValues`` of a chat event, and the session field each one shows."""

_COLUMNS = {f.name: f.column for f in SESSION_FIELDS}
_SECRET = "session_key"


@dataclass
class PublishReport:
    """What one pass did: records ``delivered``, ``skipped`` (marked, not sent), ``failed``."""

    delivered: int = 0
    skipped: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    """Sessions whose delivery failed this pass, and why (their later records wait)."""
    held_elsewhere: int = 0
    """Sessions with pending records that another publisher held (it delivers them)."""

    @property
    def pending_left(self) -> bool:
        """True if a delivery failed: a later pass must try again."""
        return bool(self.failed)


def event_name(event: ChatSessionEvent) -> str:
    """The SuperOffice event a domain event is published as."""
    if isinstance(event, SessionRequested):
        return "chatsession.created"
    if isinstance(event, MessagePosted):
        return "chatsession.message"
    return "chatsession.changed"


def event_id(record: OutboxRecord, webhook_name: str) -> str:
    """A UUID for ``record`` that every retry of it repeats."""
    key = f"{webhook_name}/{record.chat_session_id}/{record.sequence}"
    return str(uuid.uuid5(EVENT_NAMESPACE, key))


def payload_of(
    record: OutboxRecord,
    event: ChatSessionEvent,
    state: Mapping[str, Any],
    *,
    webhook_name: str,
    context: str = "",
) -> Payload:
    """The webhook payload of ``record`` (whose decoded event is ``event``).

    ``state`` is the session's fields after the event (the fold of its events so far).
    """
    changes = sorted(_COLUMNS[name] for name in event.changes if name != _SECRET)
    payload: Payload = {
        "EventId": event_id(record, webhook_name),
        "Timestamp": record.occurred_at.astimezone(UTC).isoformat(),
        "Changes": changes,
        "Event": event_name(event),
        "PrimaryKey": record.chat_session_id,
        "Entity": "chatsession",
        "ContextIdentifier": context,
        "ChangedByAssociateId": event.by or 0,
        "WebhookName": webhook_name,
        "FieldValues": {key: _plain(state.get(name)) for key, name in FIELD_VALUES},
    }
    if isinstance(event, MessagePosted):
        payload["Changes"] = [
            "chatMessage.message", "chatMessage.author", "chatMessage.type", *changes,
        ]
        payload["ChatMessage"] = {
            "Message": event.text,
            "Author": author_name(event.author, event.by),  # as the message log says it
            "Type": "ToUser" if event.author.value == "customer" else "ToCustomer",
        }
    return payload


def publish_pending(
    repository: ChatSessionRepository,
    deliver: Deliver,
    *,
    batch: int = 100,
    webhook_name: str = "chatsession",
    context: str = "",
) -> PublishReport:
    """Deliver up to ``batch`` unpublished records, oldest first; mark each once delivered.

    On a store whose outbox can be claimed (``ClaimableOutbox``), each session's records
    are delivered under its claim, so that several publishers can run at once.
    """
    if type(batch) is not int or batch < 1:
        raise InvalidArgumentError(f"batch must be an int >= 1, got {batch!r}")
    if not isinstance(webhook_name, str) or not isinstance(context, str):
        raise InvalidArgumentError("webhook_name and context must be str")
    run = _Pass(repository, deliver, webhook_name, context)
    if isinstance(repository, ClaimableOutbox):
        run.claimed(repository, batch)
    else:
        for record in repository.outbox.read(limit=batch):
            if record.chat_session_id not in run.report.failed:  # else: keep its order
                run.publish(record)
    return run.report


class _Pass:
    """One pass of ``publish_pending``: its report and the sessions' states so far."""

    def __init__(
        self, repository: ChatSessionRepository, deliver: Deliver, webhook_name: str, context: str
    ) -> None:
        self.repository = repository
        self.deliver = deliver
        self.webhook_name = webhook_name
        self.context = context
        self.report = PublishReport()
        self.states: dict[int, dict[str, Any]] = {}

    def claimed(self, claims: ClaimableOutbox, batch: int) -> None:
        """Up to ``batch`` records, session by session, each record under a claim of its own.

        A claim covers one record: read the session's oldest pending one under it (what the
        previous holder marked is gone), deliver it, mark it; the mark is stored as the
        claim ends. A publisher that dies thus sends at most that one record again.
        """
        outbox = self.repository.outbox
        sessions = dict.fromkeys(r.chat_session_id for r in outbox.read(limit=batch))
        left = batch
        for sid in sessions:
            while left > 0:
                with claims.claim_outbox(sid) as held:
                    if not held:
                        self.report.held_elsewhere += 1
                        break
                    pending = outbox.read(chat_session_id=sid, limit=1)
                    if not pending:
                        break
                    left -= 1
                    published = self.publish(pending[0])
                if not published:
                    break

    def publish(self, record: OutboxRecord) -> bool:
        """Deliver ``record`` (or skip it) and mark it published; False if delivery failed."""
        repository = self.repository
        event = decode_event(record.event_name, record.payload)
        state = _state_after(repository, record, self.states)
        state.update(event.changes)
        if record.event_name in NOT_PUBLISHED:
            repository.outbox.mark_published([record.sequence])
            self.report.skipped += 1
            return True
        payload = payload_of(
            record, event, state, webhook_name=self.webhook_name, context=self.context
        )
        try:
            self.deliver(payload)
        except Exception as error:  # any failure: this record and its successors wait
            self.report.failed[record.chat_session_id] = f"{type(error).__name__}: {error}"
            return False
        repository.outbox.mark_published([record.sequence])
        self.report.delivered += 1
        return True


def _state_after(
    repository: ChatSessionRepository, record: OutboxRecord, states: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """The session's fields before ``record``: folded from its earlier records, once a pass."""
    sid = record.chat_session_id
    state = states.get(sid)
    if state is None:
        state = {}
        for earlier in repository.outbox.read(
            chat_session_id=sid, include_published=True, limit=None
        ):
            if earlier.sequence >= record.sequence:
                break
            state.update(decode_event(earlier.event_name, earlier.payload).changes)
        states[sid] = state
    return state


def _plain(value: Any) -> Any:
    """A field value as JSON: enums as their integer (SuperOffice's column values)."""
    if isinstance(value, Enum):
        return value.value
    return value
