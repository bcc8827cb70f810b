"""A raw save of a whole session: SuperOffice's SaveChatSessionEntity, in the domain.

SaveChatSessionEntity (REST ``POST``, ``PUT`` and ``PATCH ChatSession``) writes the
entity's fields as given: no lifecycle command runs, so a save may move the status
anywhere the invariants allow. Two functions, both checking every value and every
invariant before anything changes (a refusal leaves the session as it was):

* ``amend`` sets fields of an existing session and records ONE ``SessionAmended`` whose
  ``changes`` are exactly the fields whose values differ; when none differs it records
  nothing and answers the ``NOTHING_TO_CHANGE`` no-op;
* ``create`` makes a new session of given fields, recorded as its ``SessionRequested``
  (the first event, which carries every field, as for ``ChatSession.request``).

They live beside the aggregate rather than in it because they check the whole
invariant set (``chatsession.domain.invariants``, which imports the aggregate).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chatsession.domain.errors import InvalidArgumentError, InvariantViolationError
from chatsession.domain.events import SessionRequested
from chatsession.domain.invariants import invariant_violations, transition_violations
from chatsession.domain.outcome import NoOpReason, Outcome
from chatsession.domain.session import ChatSession
from chatsession.domain.session_data import FIELDS, SESSION_FIELDS
from chatsession.domain.values import is_id, utc

FIXED: tuple[str, ...] = ("chat_session_id", "topic_id", "when_requested", "session_key")
"""Fields a save never changes: the session's identity, the topic and time of its request,
and its key (the stores refuse a session whose topic, request time or key differ from the
stored one). Given with the stored value they are accepted and ignored."""

DERIVED: tuple[str, ...] = ("transfer_requested_at", "version")
"""The library's own fields, never given: ``transfer_requested_at`` follows ``transfer_to``
(the save's time when a new target is given, cleared with it); the store counts versions."""

AMENDABLE: tuple[str, ...] = tuple(n for n in FIELDS if n not in FIXED and n not in DERIVED)
"""The fields a save sets: every entity field but the fixed ones."""

REQUIRED: tuple[str, ...] = ("chat_session_id", "topic_id", "status", "when_requested")
"""What ``create`` needs; the other fields have their defaults."""

_TIMES = frozenset(f.name for f in SESSION_FIELDS if f.kind is datetime)
_KNOWN = frozenset(FIELDS)


def amend(
    session: ChatSession,
    values: Mapping[str, Any],
    *,
    at: datetime,
    by: int | None = None,
) -> Outcome:
    """Set the session fields ``values`` (by field name) as given: a raw save.

    Records one ``SessionAmended`` with exactly the fields that differ (and
    ``transfer_requested_at`` when ``transfer_to`` does) and returns ``Outcome.applied()``;
    with nothing different, records nothing: ``NoOpReason.NOTHING_TO_CHANGE``. The status
    is set through the status machine; the transfer state follows ``transfer_to``.

    Raises ``InvalidArgumentError`` for an unknown field, a ``FIXED`` field given another
    value than the session's, a ``DERIVED`` one, a naive time or a bad ``by``; and
    ``InvariantViolationError`` (listing every violation) when the amended session would
    break an invariant, or change what never changes (a Deleted session, a first message
    once set). Either way the session is left as it was.
    """
    if not isinstance(session, ChatSession):
        raise InvalidArgumentError(f"amend needs a ChatSession, got {type(session).__name__}")
    now = utc(at)
    if by is not None and not is_id(by):
        raise InvalidArgumentError(f"by must be a positive int32 associate id, got {by!r}")
    given = _checked(values)
    sid = session.chat_session_id
    for name in DERIVED:
        if name in given:
            raise InvalidArgumentError(f"{name} is not written by a save of chat session {sid}")
    for name in FIXED:
        if name in given and given[name] != getattr(session, name):
            raise InvalidArgumentError(  # never the value: it may be the key
                f"{name} never changes: a save of chat session {sid} cannot set it"
            )
    before = session.to_dict()
    after = {**before, **{n: v for n, v in given.items() if n not in FIXED}}
    if after["transfer_to"] != before["transfer_to"]:
        after["transfer_requested_at"] = None if after["transfer_to"] is None else now
    candidate = ChatSession(**after)
    violations = invariant_violations(candidate) + transition_violations(before, candidate)
    if violations:
        raise InvariantViolationError(violations, chat_session_id=sid)
    changes = {n: after[n] for n in FIELDS if n != "version" and after[n] != before[n]}
    if not changes:
        return Outcome.noop(NoOpReason.NOTHING_TO_CHANGE)
    return session._amended(changes, now, by)


def create(values: Mapping[str, Any], *, at: datetime, by: int | None = None) -> ChatSession:
    """A new session (version 0) of the fields ``values``, its ``SessionRequested`` recorded.

    ``REQUIRED`` fields must be given; the others default as in ``ChatSessionData``.
    ``transfer_requested_at`` is ``at`` when a ``transfer_to`` is given. Raises
    ``InvalidArgumentError`` for an unknown or ``DERIVED`` field, a naive time or a bad
    ``by``, and ``InvariantViolationError`` listing every missing field and broken invariant.
    """
    now = utc(at)
    if by is not None and not is_id(by):
        raise InvalidArgumentError(f"by must be a positive int32 associate id, got {by!r}")
    given = _checked(values)
    for name in DERIVED:
        if name in given:
            raise InvalidArgumentError(f"{name} is not written by a save of a new session")
    missing = [f"{name} is missing" for name in REQUIRED if name not in given]
    if missing:
        raise InvariantViolationError(missing)
    transfer = given.get("transfer_to")
    session = ChatSession(**given, transfer_requested_at=None if transfer is None else now)
    violations = invariant_violations(session)
    if violations:
        raise InvariantViolationError(violations, chat_session_id=session.chat_session_id)
    session._record(
        SessionRequested, now, by=by,
        topic_id=session.topic_id, chatbot_is_active=session.chatbot_is_active,
    )
    return session


def _checked(values: object) -> dict[str, Any]:
    """``values`` as a dict of known fields, its times in UTC (a naive one is refused)."""
    if not isinstance(values, Mapping):
        raise InvalidArgumentError(
            f"values must be a mapping of session fields, got {type(values).__name__}"
        )
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in _KNOWN:
            shown = repr(name) if isinstance(name, str) and len(name) <= 64 else "a key"
            raise InvalidArgumentError(f"{shown} is not a chat session field")
        if name in _TIMES and isinstance(value, datetime):
            value = utc(value, name)
        out[name] = value
    return out
