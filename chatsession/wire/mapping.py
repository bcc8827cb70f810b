"""Mapping between the ``ChatSession`` aggregate and the ``ChatSessionEntity`` wire carrier.

``to_entity`` answers callers in SuperOffice's shape; ``from_entity`` loads wire data into
the domain and refuses data that breaks the domain's invariants, listing every one.
``version`` and ``transfer_requested_at`` are the library's own fields: the entity does
not carry them, so ``from_entity`` takes them as arguments.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from chatsession.domain.aware import require_aware
from chatsession.domain.errors import InvariantViolationError
from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.invariants import invariant_violations
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ChatSessionStatus
from chatsession.ports.clock import Clock
from chatsession.wire.carriers import Associate, Contact, Person, Project, Sale, Ticket
from chatsession.wire.entity import ChatSessionEntity

if TYPE_CHECKING:  # the port refers to the wire's Associate carrier: no import cycle
    from chatsession.ports.associates import AssociateDirectory

_REQUIRED = ("chat_session_id", "topic_id", "status", "when_requested")


def _associate(associate_id: int | None, associates: AssociateDirectory | None) -> Associate | None:
    if associate_id is None:
        return None
    found = associates.by_id(associate_id) if associates is not None else None
    return found if found is not None else Associate(associate_id=associate_id)


def to_entity(
    session: ChatSession, *, associates: AssociateDirectory | None = None
) -> ChatSessionEntity:
    """The session as a ``ChatSessionEntity``.

    Every documented key is present, except the date-times the session does not have yet
    (``WhenStarted`` before a pick-up, ...) and an unset ``Rating``: the wire types of
    those are not nullable, so their keys are left out rather than sent as ``null``.

    ``User`` and ``TransferTo`` come from ``associates`` when it knows the id, else an
    id-only ``Associate``. Person, contact, project, sale and ticket are id-only carriers
    (the library keeps their ids, not their records).
    """
    s = session
    optional = {
        name: value
        for name, value in (
            ("when_started", s.when_started),
            ("when_ended", s.when_ended),
            ("when_idle", s.when_idle),
            ("when_fetched", s.when_fetched),
            ("rating", s.rating),
        )
        if value is not None
    }
    return ChatSessionEntity(
        chat_session_id=s.chat_session_id,
        topic_id=s.topic_id,
        user=_associate(s.user_id, associates),
        person=None if s.person_id is None else Person(person_id=s.person_id),
        customer_alias=s.customer_alias,
        customer_host=s.customer_host,
        customer_name=s.customer_name,
        customer_email=s.customer_email,
        customer_phone=s.customer_phone,
        customer_consented=s.customer_consented,
        customer_company_name=s.customer_company_name,
        status=s.status,
        first_message=s.first_message,
        last_message=s.last_message,
        when_requested=s.when_requested,
        session_key=s.session_key,
        initial_queue_pos=s.initial_queue_pos,
        alert_level=s.alert_level,
        rank=s.rank,
        flags=s.flags,
        contact=None if s.contact_id is None else Contact(contact_id=s.contact_id),
        project=None if s.project_id is None else Project(project_id=s.project_id),
        sale=None if s.sale_id is None else Sale(sale_id=s.sale_id),
        ticket=None if s.ticket_id is None else Ticket(ticket_id=s.ticket_id),
        transfer_to=_associate(s.transfer_to, associates),
        chatbot_is_active=s.chatbot_is_active,
        table_right=None,
        field_properties=None,
        **optional,
    )


def from_entity(
    entity: ChatSessionEntity,
    *,
    clock: Clock,
    version: int = 0,
    transfer_requested_at: datetime | None = None,
) -> ChatSession:
    """Build a ``ChatSession`` from wire data and check the domain invariants.

    Raises ``InvariantViolationError`` listing every missing required field and every
    broken invariant. A pending ``TransferTo`` with no ``transfer_requested_at`` given
    starts its timer now (the wire does not say when the transfer was asked for).
    """
    missing = [
        f"{ChatSessionEntity.model_fields[name].alias} is missing or null"
        for name in _REQUIRED
        if getattr(entity, name) is None
    ]
    if missing:
        raise InvariantViolationError(missing, chat_session_id=entity.chat_session_id)
    transfer_to = _carrier_id(entity.transfer_to)
    if transfer_to is not None and transfer_requested_at is None:
        transfer_requested_at = require_aware(clock.now(), "clock.now()")
    e = entity
    assert e.chat_session_id is not None and e.topic_id is not None
    assert e.status is not None and e.when_requested is not None
    session = ChatSession(
        chat_session_id=e.chat_session_id,
        topic_id=e.topic_id,
        status=ChatSessionStatus(e.status),
        when_requested=e.when_requested,
        clock=clock,
        user_id=_carrier_id(e.user),
        person_id=None if e.person is None else e.person.person_id,
        customer_consented=bool(e.customer_consented),
        when_started=e.when_started,
        when_ended=e.when_ended,
        when_idle=e.when_idle,
        when_fetched=e.when_fetched,
        flags=ChatSessionFlags(e.flags or 0),
        contact_id=None if e.contact is None else e.contact.contact_id,
        project_id=None if e.project is None else e.project.project_id,
        sale_id=None if e.sale is None else e.sale.sale_id,
        ticket_id=None if e.ticket is None else e.ticket.ticket_id,
        transfer_to=transfer_to,
        chatbot_is_active=bool(e.chatbot_is_active),
        rating=e.rating,
        transfer_requested_at=transfer_requested_at,
        version=version,
        customer_alias=e.customer_alias or "",
        customer_host=e.customer_host or "",
        customer_name=e.customer_name or "",
        customer_email=e.customer_email or "",
        customer_phone=e.customer_phone or "",
        customer_company_name=e.customer_company_name or "",
        first_message=e.first_message or "",
        last_message=e.last_message or "",
        session_key=e.session_key or "",
        initial_queue_pos=e.initial_queue_pos or 0,
        alert_level=e.alert_level or 0,
        rank=e.rank or 0,
    )
    violations = invariant_violations(session)
    if violations:
        raise InvariantViolationError(violations, chat_session_id=session.chat_session_id)
    return session


def _carrier_id(associate: Associate | None) -> int | None:
    return None if associate is None else associate.associate_id
