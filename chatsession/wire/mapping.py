"""Mapping between the ``ChatSession`` aggregate and the ``ChatSessionEntity`` wire carrier.

``to_entity`` answers callers in SuperOffice's shape; ``from_entity`` loads wire data into
the domain and refuses data that breaks the domain's invariants, listing every one.
``version`` and ``transfer_requested_at`` are the library's own fields: the entity does
not carry them, so ``from_entity`` takes them as arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields
from datetime import datetime
from typing import Any

from chatsession.domain.associate import AssociateInfo
from chatsession.domain.errors import InvalidArgumentError, InvariantViolationError
from chatsession.domain.invariants import invariant_violations
from chatsession.domain.session import ChatSession
from chatsession.domain.session_data import SESSION_FIELDS, ChatSessionData
from chatsession.domain.values import utc, utc_now
from chatsession.ports.directory import AssociateDirectory
from chatsession.wire.base import WireModel
from chatsession.wire.carriers import Associate, Contact, Person, Project, Sale, Ticket
from chatsession.wire.entity import ChatSessionEntity

_CARRIERS: dict[str, tuple[type[WireModel], str]] = {
    "associate": (Associate, "associate_id"),
    "person": (Person, "person_id"),
    "contact": (Contact, "contact_id"),
    "project": (Project, "project_id"),
    "sale": (Sale, "sale_id"),
    "ticket": (Ticket, "ticket_id"),
}
"""Each carrier a session field's id is wrapped in: its model and the id attribute."""

_WIRED = tuple(f for f in SESSION_FIELDS if f.wire is not None)
_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in fields(ChatSessionData) if f.default is not MISSING
}
_REQUIRED = tuple(f for f in _WIRED if f.name not in _DEFAULTS)


def associate_carrier(info: AssociateInfo) -> Associate:
    """SuperOffice's ``Associate`` carrier for a domain ``AssociateInfo``."""
    return Associate(
        associate_id=info.associate_id,
        name=info.user_name or None,
        user_name=info.user_name or None,
        full_name=info.full_name or None,
        deleted=info.deleted,
    )


def _carrier_of(
    kind: str, value: int | None, associates: AssociateDirectory | None
) -> WireModel | None:
    if value is None:
        return None
    if kind == "associate" and associates is not None:
        found = associates.by_id(value)
        if found is not None:
            return associate_carrier(found)
    model, id_name = _CARRIERS[kind]
    return model(**{id_name: value})


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
    if not isinstance(session, ChatSession):
        raise InvalidArgumentError(f"to_entity needs a ChatSession, got {type(session).__name__}")
    if associates is not None and not isinstance(associates, AssociateDirectory):
        raise InvalidArgumentError(
            f"associates must be an AssociateDirectory, got {type(associates).__name__}"
        )
    values: dict[str, Any] = {"table_right": None, "field_properties": None}
    for f in _WIRED:
        value = getattr(session, f.name)
        if f.carrier is not None:
            values[f.wire] = _carrier_of(f.carrier, value, associates)  # type: ignore[index]
        elif value is not None:
            values[f.wire] = value  # type: ignore[index]
    return ChatSessionEntity(**values)


def from_entity(
    entity: ChatSessionEntity,
    *,
    version: int = 0,
    transfer_requested_at: datetime | None = None,
    at: datetime | None = None,
) -> ChatSession:
    """Build a ``ChatSession`` from wire data and check the domain invariants.

    Raises ``InvariantViolationError`` listing every missing required field and every
    broken invariant. A pending ``TransferTo`` with no ``transfer_requested_at`` given
    starts its timer at ``at`` (default: now, in UTC), since the wire does not say when
    the transfer was asked for.
    """
    if not isinstance(entity, ChatSessionEntity):
        raise InvalidArgumentError(
            f"from_entity needs a ChatSessionEntity, got {type(entity).__name__}"
        )
    missing = [
        f"{ChatSessionEntity.model_fields[f.wire].alias} is missing or null"  # type: ignore[index]
        for f in _REQUIRED
        if getattr(entity, f.wire) is None  # type: ignore[arg-type]
    ]
    if missing:
        raise InvariantViolationError(missing, chat_session_id=entity.chat_session_id)
    values: dict[str, Any] = {}
    for f in _WIRED:
        value = getattr(entity, f.wire)  # type: ignore[arg-type]
        if value is not None and f.carrier is not None:
            value = getattr(value, _CARRIERS[f.carrier][1])
        if value is None:
            value = _DEFAULTS.get(f.name)
        elif f.kind is not datetime and f.kind is not int:
            value = _CONVERT[f.kind](value)
        values[f.name] = value
    if values["transfer_to"] is not None and transfer_requested_at is None:
        transfer_requested_at = utc_now() if at is None else utc(at)
    session = ChatSession(
        **values, version=version, transfer_requested_at=transfer_requested_at
    )
    violations = invariant_violations(session)
    if violations:
        raise InvariantViolationError(violations, chat_session_id=session.chat_session_id)
    return session


_CONVERT: dict[type, Callable[[Any], Any]] = {
    f.kind: f.kind for f in SESSION_FIELDS if f.kind not in (datetime, int)
}
"""How an entity value becomes a field value (enums, ``bool``, ``str``), by field kind."""
