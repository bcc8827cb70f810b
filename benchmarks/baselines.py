"""What ``ChatSession`` is measured against: the same fields and the same transfer lifecycle
written other ways.

* ``SlottedSession``: a slotted, keyword-only dataclass of the session's fields (with
  their defaults), and nothing else.
* ``PydanticSession``: a pydantic model of the same fields and types; loaded with
  ``model_validate`` (lax mode, pydantic's default).
* ``BareSession`` + ``bare_transfer_machine``: the transfer lifecycle on a bare
  ``transitions`` Machine built once (``model=None``), configured as
  ``chatsession.domain.lifecycle`` configures its own (the same transition table, enter
  callbacks, ``send_event=True``, no auto transitions), with enum or string states. It
  checks nothing and records no event: the engine alone.
* ``HandSession``: the same two commands written by hand with if/else: the same argument
  checks, the same no-op reasons and the same events as ``ChatSession``. The floor.
* ``PerObjectSession``: a ``transitions`` Machine built for every session object (the
  library avoids this).
* ``transfer_chart``: the transfer lifecycle in python-statemachine (the ``bench`` extra),
  one machine per session object, as that library is used.
"""

from __future__ import annotations

import logging
from dataclasses import MISSING, field, fields, make_dataclass
from datetime import UTC, datetime
from typing import Any

import pydantic
from transitions import EventData, Machine

from chatsession import ChatSession, ChatTopic
from chatsession.domain.events import ChatSessionEvent, TransferRejected, TransferRequested
from chatsession.domain.lifecycle import TRANSFER_TRANSITIONS, TransferState
from chatsession.domain.outcome import NoOpReason, Outcome
from chatsession.domain.session_data import SESSION_FIELDS, ChatSessionData
from chatsession.domain.status import ACTIVE

AT = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
"""The time of every command: a fixed aware UTC datetime, as the service passes it."""
TOPIC = ChatTopic(id=1)
T = TransferState

# transitions logs a warning for an event that is not valid in the current state (the
# bare machines' no-op); the library itself sets this logger to WARNING.
logging.getLogger("transitions").setLevel(logging.ERROR)


def active_session(chat_session_id: int = 1) -> ChatSession:
    """A session user 7 handles (UserLast), no transfer pending, no events pending."""
    session = ChatSession.request(chat_session_id, TOPIC, at=AT)
    session.pick_up(by=7, at=AT)
    session.pull_events()
    return session


def stored_fields(chat_session_id: int = 1) -> dict[str, Any]:
    """The fields of a stored active session, as a store hands them to the constructor."""
    return active_session(chat_session_id).to_dict()


# ------------------------------------------------------------------ same fields

_DATA_FIELDS = [f for f in fields(ChatSessionData) if f.init]


def _spec(f: Any) -> tuple[str, Any, Any]:
    return (f.name, f.type, field() if f.default is MISSING else field(default=f.default))


SlottedSession: Any = make_dataclass(
    "SlottedSession", [_spec(f) for f in _DATA_FIELDS], slots=True, kw_only=True
)
"""A slotted keyword-only dataclass of the same fields and defaults: the load baseline."""


def _pydantic_type(kind: type, optional: bool) -> Any:
    base: Any = str if issubclass(kind, str) else kind  # SessionKey: a str
    return base | None if optional else base


PydanticSession: Any = pydantic.create_model(
    "PydanticSession",
    **{
        f.name: (
            _pydantic_type(spec.kind, spec.optional),
            ... if f.default is MISSING else f.default,
        )
        for f, spec in zip(_DATA_FIELDS, SESSION_FIELDS, strict=True)
    },
)
"""A pydantic model of the same fields and types."""


# ------------------------------------------------------------- the bare engine


class _TransferCallbacks:
    """The enter callbacks of ``ChatSession``'s transfer machine, as they are written there."""

    __slots__ = ()
    transfer_to: int | None
    transfer_requested_at: datetime | None

    def _on_transfer_pending(self, event: EventData) -> None:
        self.transfer_to = event.kwargs["to"]
        self.transfer_requested_at = event.kwargs["now"]

    def _on_transfer_cleared(self, event: EventData) -> None:
        self.transfer_to = None
        self.transfer_requested_at = None


BareSession: Any = make_dataclass(
    "BareSession",
    [*(_spec(f) for f in _DATA_FIELDS), ("transfer_state", Any, field(default=T.NONE))],
    bases=(_TransferCallbacks,),
    slots=True,
    kw_only=True,
)
"""The same fields plus the machine's ``transfer_state``, and the same callbacks."""

STRING_TRANSITIONS = [
    {
        **row,
        "source": [str(s) for s in row["source"]]
        if isinstance(row["source"], list)
        else str(row["source"]),
        "dest": str(row["dest"]),
    }
    for row in TRANSFER_TRANSITIONS
]
"""``TRANSFER_TRANSITIONS`` with string states."""


def bare_transfer_machine(*, strings: bool = False) -> Machine:
    """A Machine built once, as ``lifecycle._machine`` builds the library's."""
    states: list[Any] = ["none", "pending"] if strings else list(T)
    machine = Machine(
        model=None,
        states=states,
        transitions=STRING_TRANSITIONS if strings else TRANSFER_TRANSITIONS,
        initial=None,
        auto_transitions=False,
        send_event=True,
        model_attribute="transfer_state",
        name="TransferState",
        # an event not valid in the current state does nothing (the no-op), without
        # raising: the cheapest way this engine has to say "nothing happens"
        ignore_invalid_triggers=True,
    )
    machine.get_state(states[1]).add_callback("enter", "_on_transfer_pending")
    machine.get_state(states[0]).add_callback("enter", "_on_transfer_cleared")
    return machine


def bare_session(*, strings: bool = False) -> Any:
    """A ``BareSession`` with the stored fields, its state in the machine's form."""
    session = BareSession(**stored_fields())
    session.transfer_state = "none" if strings else T.NONE
    return session


# ------------------------------------------------------------------ by hand

_APPLIED = Outcome.applied()
_NOT_OWNER = Outcome.noop(NoOpReason.NOT_OWNER)
_NO_TRANSFER = Outcome.noop(NoOpReason.NO_TRANSFER_PENDING)
_NOT_TARGET = Outcome.noop(NoOpReason.NOT_TRANSFER_TARGET)
_ID_MAX = 2**31 - 1


def _hand_id(value: object, what: str) -> int:
    if type(value) is not int or not 0 < value <= _ID_MAX:
        raise ValueError(f"{what} must be a positive int32, got {value!r}")
    return value


def _hand_utc(at: object) -> datetime:
    if not isinstance(at, datetime):
        raise ValueError("at must be a datetime")
    if at.tzinfo is UTC:
        return at
    offset = at.utcoffset()
    if offset is None or offset.microseconds:
        raise ValueError("at must be aware, with an offset of whole seconds")
    return at.astimezone(UTC)


_EVENTS_CARRY_CHANGES = "changes" in {f.name for f in fields(TransferRequested)}


def _changes(to: int | None, at: datetime | None) -> dict[str, Any]:
    """The ``changes`` the library's transfer events carry (when its events have them)."""
    if not _EVENTS_CARRY_CHANGES:
        return {}
    return {"changes": {"transfer_to": to, "transfer_requested_at": at}}


HandSessionBase: Any = make_dataclass(
    "HandSessionBase",
    [
        *(_spec(f) for f in _DATA_FIELDS),
        ("_events", list[ChatSessionEvent], field(default_factory=list, init=False)),
    ],
    slots=True,
    kw_only=True,
)


class HandSession(HandSessionBase):  # type: ignore[misc]
    """``transfer`` and ``reject_transfer`` by hand: same checks, no-ops and events."""

    __slots__ = ()

    def transfer(self, *, to: int, by: int, at: datetime) -> Outcome:
        to = _hand_id(to, "to")
        by = _hand_id(by, "by")
        now = _hand_utc(at)
        if self.status not in ACTIVE or by != self.user_id:
            return _NOT_OWNER
        if to == by:
            raise ValueError("cannot transfer to oneself")
        replaced = self.transfer_to
        self.transfer_to = to
        self.transfer_requested_at = now
        self._events.append(
            TransferRequested(
                chat_session_id=self.chat_session_id, occurred_at=now, status=self.status,
                by=by, to=to, replaced=replaced, **_changes(to, now),
            )
        )
        return _APPLIED

    def reject_transfer(self, *, by: int, at: datetime) -> Outcome:
        by = _hand_id(by, "by")
        now = _hand_utc(at)
        if self.transfer_to is None:
            return _NO_TRANSFER
        if by != self.transfer_to:
            return _NOT_TARGET
        self.transfer_to = None
        self.transfer_requested_at = None
        self._events.append(
            TransferRejected(
                chat_session_id=self.chat_session_id, occurred_at=now, status=self.status,
                by=by, to=by, **_changes(None, None),
            )
        )
        return _APPLIED

    def pull_events(self) -> list[ChatSessionEvent]:
        events, self._events = self._events, []
        return events


# ------------------------------------------------------- a Machine per object

PerObjectBase: Any = make_dataclass(
    "PerObjectBase",
    [*(_spec(f) for f in _DATA_FIELDS), ("transfer_state", Any, field(default=T.NONE))],
    kw_only=True,
)


class PerObjectSession(PerObjectBase, _TransferCallbacks):  # type: ignore[misc]
    """A session object that gets a ``transitions`` Machine of its own (not slotted: the
    Machine adds its trigger methods to the object)."""

    def attach_machine(self) -> Machine:
        machine = Machine(
            model=self,
            states=list(T),
            transitions=TRANSFER_TRANSITIONS,
            initial=self.transfer_state,
            auto_transitions=False,
            send_event=True,
            model_attribute="transfer_state",
            ignore_invalid_triggers=True,
        )
        machine.get_state(T.PENDING).add_callback("enter", "_on_transfer_pending")
        machine.get_state(T.NONE).add_callback("enter", "_on_transfer_cleared")
        return machine


# ------------------------------------------------------------ python-statemachine


def transfer_chart() -> Any | None:
    """The transfer lifecycle as a python-statemachine class; None without the ``bench`` extra."""
    try:
        from statemachine import State, StateMachine
    except ImportError:
        return None

    class TransferChart(StateMachine):  # type: ignore[misc]
        """``TRANSFER_TRANSITIONS`` in python-statemachine; the state lives on the model."""

        # "nothing happens" for an event with no transition (the no-op), as above
        allow_event_without_transition = True
        # a new transfer re-enters pending (and runs its enter callback), as ours does
        enable_self_transition_entries = True

        none = State(initial=True, value="none")
        pending = State(value="pending")

        transfer = none.to(pending) | pending.to(pending)
        accept_transfer = pending.to(none)
        reject_transfer = pending.to(none)
        cancel_transfer = pending.to(none)
        expire_transfer = pending.to(none)
        drop_transfer = pending.to(none)

        def on_enter_pending(self, to: int, now: datetime) -> None:
            self.model.transfer_to = to
            self.model.transfer_requested_at = now

        def on_enter_none(self) -> None:
            self.model.transfer_to = None
            self.model.transfer_requested_at = None

    return TransferChart
