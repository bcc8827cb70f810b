"""SaveChatSessionEntity and CreateDefaultChatSessionEntity: what ``ChatAgent`` needs.

``ChatAgent.save_entity`` and ``ChatAgent.default_entity`` are thin; the reading of the
entity into session fields is here. A save is raw (SuperOffice writes the entity as
given) through ``chatsession.domain.amend``: the invariants decide what is refused.
"""

from __future__ import annotations

import secrets
from dataclasses import MISSING, fields
from datetime import UTC, datetime
from typing import Any

from chatsession.domain.amend import AMENDABLE, amend, create
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.outcome import Outcome
from chatsession.domain.session import ChatSession
from chatsession.domain.session_data import SESSION_FIELDS, ChatSessionData
from chatsession.domain.status import ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.ports.stores import ChatStore
from chatsession.wire.entity import ChatSessionEntity
from chatsession.wire.mapping import from_entity

_PROBE_AT = datetime(2000, 1, 1, tzinfo=UTC)
NEW_SESSION_STATUS: ChatSessionStatus = ChatSession.request(
    1, ChatTopic(id=1), at=_PROBE_AT
).status
"""The status of a new request on a topic with the default settings (no pre-chat form, no
FAQ) while agents are available: what ``ChatSession.request`` gives, ``InQueue``. The
default entity carries it, and a created entity without a ``Status`` takes it."""

_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in fields(ChatSessionData) if f.default is not MISSING
}
_KEPT_ON_UPDATE = ("topic_id", "status", "when_requested")
"""Required fields that keep their stored value when an update's entity leaves them out."""


def default_entity(at: datetime) -> ChatSessionEntity:
    """The entity a new session starts from: id 0, ``NEW_SESSION_STATUS``, requested ``at``.

    Every other field has the session's default ("" texts, 0 counters, False flags, no
    carriers); ``TopicId`` is 0 (the caller chooses the topic) and there is no
    ``SessionKey`` (the save of a new session makes one). Date-times a new session has
    not got (``WhenStarted`` ...) and ``Rating`` are left out, as ``to_entity`` does.
    """
    values: dict[str, Any] = {"table_right": None, "field_properties": None}
    for f in SESSION_FIELDS:
        if f.wire is None or f.name == "session_key":
            continue
        default = _DEFAULTS.get(f.name)
        if f.carrier is not None:
            values[f.wire] = None
        elif default is not None:
            values[f.wire] = default
    values.update(
        chat_session_id=0, topic_id=0, status=NEW_SESSION_STATUS, when_requested=at
    )
    return ChatSessionEntity(**values)


def entity_id(entity: object) -> int:
    """The entity's ``ChatSessionId``: 0 when it is absent (a new session)."""
    if not isinstance(entity, ChatSessionEntity):
        raise InvalidArgumentError(
            f"save_entity needs a ChatSessionEntity, got {type(entity).__name__}"
        )
    sid = entity.chat_session_id or 0
    if sid < 0:
        raise InvalidArgumentError(f"ChatSessionId must be 0 (new) or a session id, got {sid}")
    return sid


def check_expected_version(expected_version: object) -> None:
    """``expected_version`` is None or a version (an int >= 0)."""
    if expected_version is not None and (
        type(expected_version) is not int or expected_version < 0
    ):
        raise InvalidArgumentError(
            f"expected_version must be None or an int >= 0, got {expected_version!r}"
        )


def create_from(
    tx: ChatStore, entity: ChatSessionEntity, at: datetime, by: int | None
) -> ChatSession:
    """A new session of ``entity``'s values, with a fresh id, in the unit of work ``tx``.

    Filled in when the entity leaves them out: ``Status`` (``NEW_SESSION_STATUS``),
    ``WhenRequested`` (``at``), ``SessionKey`` (a new random one, as ``create_session``
    makes), and ``InitialQueuePos`` of a session that starts in the queue (the sessions
    waiting on its topic, plus one).
    """
    fill: dict[str, Any] = {"chat_session_id": tx.next_id()}
    if entity.status is None:
        fill["status"] = NEW_SESSION_STATUS
    if entity.when_requested is None:
        fill["when_requested"] = at
    if not entity.session_key:
        fill["session_key"] = secrets.token_urlsafe(16)
    read = from_entity(entity.model_copy(update=fill), at=at)
    values = {name: value for name, value in read.to_dict().items() if name in _CREATED}
    if (
        values["status"] is ChatSessionStatus.InQueue
        and values["initial_queue_pos"] == 0
    ):
        values["initial_queue_pos"] = tx.count_in_queue(values["topic_id"]) + 1
    session = create(values, at=at, by=by)
    tx.add(session)
    return session


_CREATED = frozenset(f.name for f in SESSION_FIELDS if f.wire is not None)


def update_from(
    stored: ChatSession, entity: ChatSessionEntity, at: datetime, by: int | None
) -> Outcome:
    """Amend ``stored`` (loaded in a unit of work) to ``entity``'s values.

    A PUT replaces: a key the entity leaves out (or sends null) takes the field's default
    (no user, no ``WhenEnded`` ...), except ``TopicId``, ``Status`` and ``WhenRequested``,
    which keep their stored values. The ``SessionKey`` is never written: the stored key is
    kept, whatever the entity says.
    """
    fill = {name: getattr(stored, name) for name in _KEPT_ON_UPDATE
            if getattr(entity, name) is None}
    read = from_entity(
        entity.model_copy(update=fill),
        version=stored.version,
        # kept with the transfer; a new one starts at ``at`` (``amend`` sets it again)
        transfer_requested_at=None if entity.transfer_to is None else stored.transfer_requested_at,
        at=at,
    )
    values = {name: value for name, value in read.to_dict().items() if name in _UPDATED}
    return amend(stored, values, at=at, by=by)


_UPDATED = frozenset(AMENDABLE) | {"topic_id", "when_requested"}
"""What an update reads from the entity: the amendable fields, and the topic and request
time, which ``amend`` refuses to change (the key is left out: it is kept)."""
