"""The two lifecycles of a chat session as ``transitions`` state machines, built once.

The tables below are the rules at a glance. Each Machine is created once, at import,
with ``model=None``: it holds no list of sessions. A command fires an event on the
shared machine for one session (``fire``); ``transitions`` reads and writes the
session's ``status`` / ``transfer_state`` attribute and runs the callbacks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from transitions import EventData, Machine, MachineError

from chatsession.domain.errors import CommandNotAllowedError
from chatsession.domain.outcome import NoOpReason
from chatsession.domain.status import ACTIVE, ENDED, WAITING, ChatSessionStatus

S = ChatSessionStatus


class TransferState(StrEnum):
    """The transfer lifecycle: no transfer, or one pending to ``transfer_to``."""

    NONE = "none"
    PENDING = "pending"


def _arg(name: str) -> Callable[[EventData], bool]:
    """A condition that reads the boolean keyword ``name`` given to the command."""

    def condition(event: EventData) -> bool:
        return bool(event.kwargs.get(name, False))

    condition.__name__ = name
    return condition


def _has_counterpart(event: EventData) -> bool:
    """Someone is on the other side of the chat: a handling user or an active bot."""
    model: Any = event.model
    return model.user_id is not None or bool(model.chatbot_is_active)


def _someone_present(event: EventData) -> bool:
    """An agent is available, or the session's bot is: "the bot is always present"."""
    model: Any = event.model
    return bool(event.kwargs.get("agents_available", False)) or bool(model.chatbot_is_active)


_prechat = _arg("use_prechat_form")
_faq = _arg("use_faq")
_agents = _arg("agents_available")
_reactivate = _arg("reactivate")

_RESETTABLE = [S.PreChatForm, S.Faq, S.InQueue, *sorted(ACTIVE)]
_NOT_GONE = sorted(set(S) - {S.Invalid, S.Deleted})
_CLOSABLE = sorted(set(S) - {S.Invalid, S.Deleted, S.Closed})

# trigger, source(s), destination (None: internal, status unchanged), conditions.
# Rows of one trigger are tried in order; the first whose conditions hold wins.
STATUS_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "request", "source": S.Invalid, "dest": S.PreChatForm, "conditions": _prechat},
    {"trigger": "request", "source": S.Invalid, "dest": S.Faq, "conditions": _faq},
    {"trigger": "request", "source": S.Invalid, "dest": S.InQueue,
     "conditions": _someone_present},
    {"trigger": "request", "source": S.Invalid, "dest": S.OfflineForm},
    {"trigger": "submit_prechat_form", "source": S.PreChatForm, "dest": S.Faq, "conditions": _faq},
    {"trigger": "submit_prechat_form", "source": S.PreChatForm, "dest": S.InQueue,
     "conditions": _someone_present},
    {"trigger": "submit_prechat_form", "source": S.PreChatForm, "dest": S.OfflineForm},
    {"trigger": "faq_not_helpful", "source": S.Faq, "dest": S.InQueue,
     "conditions": _someone_present},
    {"trigger": "faq_not_helpful", "source": S.Faq, "dest": S.OfflineForm},
    {"trigger": "faq_resolved", "source": S.Faq, "dest": S.Finished},
    {"trigger": "submit_offline_request", "source": S.OfflineForm, "dest": S.RequestPosted},
    {"trigger": "leave_queue", "source": sorted(WAITING), "dest": S.ClosedFromQueue},
    # the queue offline form: a queued customer takes the offline form instead of waiting
    {"trigger": "take_offline_form", "source": S.InQueue, "dest": S.OfflineForm},
    {"trigger": "pick_up", "source": S.InQueue, "dest": S.UserLast},
    # a message that leaves the status as it is is an internal transition (dest None):
    # no exit/enter callbacks to run
    # in the FAQ step the customer's first message is the question: the status stays Faq
    {"trigger": "post_customer_message", "source": [S.Faq, S.InQueue, S.CustomerLast],
     "dest": None},
    {"trigger": "post_customer_message", "source": S.UserLast, "dest": S.CustomerLast},
    # with the topic's post-chat form on, a customer who writes again reactivates the chat
    {"trigger": "post_customer_message", "source": S.Finished, "dest": S.CustomerLast,
     "conditions": [_reactivate, _has_counterpart]},
    {"trigger": "post_customer_message", "source": S.Finished, "dest": S.InQueue,
     "conditions": _reactivate},
    {"trigger": "post_user_message", "source": S.UserLast, "dest": None},
    {"trigger": "post_user_message", "source": S.CustomerLast, "dest": S.UserLast},
    {"trigger": "post_bot_message", "source": S.UserLast, "dest": None},
    # "if the bot says hello before the session reaches In-Queue, the session will move to
    # UserLast and skip the FAQ and pre-chat-form status"
    {"trigger": "post_bot_message", "source": [S.PreChatForm, S.Faq, S.InQueue, S.CustomerLast],
     "dest": S.UserLast},
    {"trigger": "transfer", "source": sorted(ACTIVE), "dest": None},
    {"trigger": "end", "source": sorted(ACTIVE), "dest": S.Finished},
    {"trigger": "close", "source": _CLOSABLE, "dest": S.Closed},
    {"trigger": "reset", "source": _RESETTABLE, "dest": S.InQueue, "conditions": _agents},
    {"trigger": "reset", "source": _RESETTABLE, "dest": S.OfflineForm},
    {"trigger": "delete", "source": _NOT_GONE, "dest": S.Deleted},
    {"trigger": "customer_fetched", "source": _NOT_GONE, "dest": None},
]
"""The status lifecycle. Entering an ended status runs ``ChatSession._on_enter_ended``."""

T = TransferState

TRANSFER_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "transfer", "source": [T.NONE, T.PENDING], "dest": T.PENDING},
    {"trigger": "accept_transfer", "source": T.PENDING, "dest": T.NONE},
    {"trigger": "reject_transfer", "source": T.PENDING, "dest": T.NONE},
    {"trigger": "cancel_transfer", "source": T.PENDING, "dest": T.NONE},
    {"trigger": "expire_transfer", "source": T.PENDING, "dest": T.NONE},
    {"trigger": "drop_transfer", "source": T.PENDING, "dest": T.NONE},
]
"""The transfer lifecycle. A new ``transfer`` replaces a pending one."""

DOCUMENTED_NO_OPS: Mapping[str, tuple[NoOpReason, ...]] = {
    "pick_up": (NoOpReason.NOT_IN_QUEUE,),
    "transfer": (NoOpReason.NOT_OWNER,),
    "accept_transfer": (NoOpReason.NO_TRANSFER_PENDING, NoOpReason.NOT_TRANSFER_TARGET),
    "reject_transfer": (NoOpReason.NO_TRANSFER_PENDING, NoOpReason.NOT_TRANSFER_TARGET),
    "cancel_transfer": (NoOpReason.NO_TRANSFER_PENDING, NoOpReason.NOT_OWNER),
    "expire_transfer": (NoOpReason.NO_TRANSFER_PENDING, NoOpReason.NOT_EXPIRED),
    "raise_alert": (NoOpReason.ALERT_ALREADY_RAISED,),
}
"""The reasons each command may give for doing nothing instead of failing, in the order
the command checks them (``ChatSession`` checks them; the docs and the stateful test read
this table)."""


def _machine(name: str, states: list[Any], transitions: list[dict[str, Any]],
             attribute: str, on_enter: Mapping[Any, str]) -> Machine:
    """One shared Machine: no model, no auto transitions, callbacks get the EventData."""
    machine = Machine(
        model=None,
        states=states,
        transitions=transitions,
        initial=None,
        auto_transitions=False,
        send_event=True,
        model_attribute=attribute,
        name=name,
    )
    for state, callback in on_enter.items():
        machine.get_state(state).add_callback("enter", callback)
    return machine


STATUS_MACHINE: Machine = _machine(
    "ChatSessionStatus", list(S), STATUS_TRANSITIONS, "status",
    on_enter={status: "_on_enter_ended" for status in ENDED},
)
"""The status lifecycle (the twelve SuperOffice statuses). Shared by every session."""

TRANSFER_MACHINE: Machine = _machine(
    "TransferState", list(TransferState), TRANSFER_TRANSITIONS, "transfer_state",
    on_enter={T.PENDING: "_on_transfer_pending", T.NONE: "_on_transfer_cleared"},
)
"""The transfer lifecycle (none / pending). Shared by every session."""


def allowed_sources(machine: Machine, trigger: str) -> frozenset[Any]:
    """The states from which ``trigger`` is defined on ``machine``."""
    return _SOURCES[id(machine)][trigger]


def _sources_of(machine: Machine) -> dict[str, frozenset[Any]]:
    return {
        name: frozenset(machine.get_state(source).value for source in event.transitions)
        for name, event in machine.events.items()
    }


_SOURCES = {id(m): _sources_of(m) for m in (STATUS_MACHINE, TRANSFER_MACHINE)}


def fire(machine: Machine, trigger: str, session: Any, **kwargs: Any) -> None:
    """Run ``trigger`` of ``machine`` on ``session``; raise ``CommandNotAllowedError`` if illegal.

    The session is not added to the machine: ``transitions`` processes the event for
    this one object and keeps no reference to it.
    """
    try:
        done = machine.events[trigger].trigger(session, **kwargs)
    except MachineError:
        done = False
    if not done:
        status_sources = _SOURCES[id(STATUS_MACHINE)].get(trigger, frozenset())
        raise CommandNotAllowedError(trigger, session.status, status_sources)
