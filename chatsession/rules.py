"""The rules as data: every reachable abstract state of a session, and what every command
does in it for every actor.

An abstract state is what the rules read: the status, whether a transfer is pending,
whether a bot is active, whether a user handles the session, and the alert level.
``explore()`` searches breadth-first from every way a session starts (each topic setting,
agents available or not), applies every command variant for every actor role to a copy,
and records the
result: the new abstract state, a documented no-op with its reason, or the error's
``code``. It checks the invariants in every state it reaches, keeps several sessions per
state reached by different paths and fails if they disagree (the abstraction would then
miss something the rules read), and fails on any exception that is not a
``ChatSessionError``.

``python -m chatsession.rules`` prints ``docs/rules.md``; a test keeps the page equal.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import product

from chatsession.domain.amend import amend
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.events import EndReason
from chatsession.domain.invariants import check_invariants
from chatsession.domain.outcome import Outcome
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ChatSessionStatus
from chatsession.domain.topic import ChatTopic

AT = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
HANDLER, TARGET, STRANGER, OTHER_TARGET = 7, 8, 9, 10
REPRESENTATIVES = 3
"""Sessions kept per abstract state, reached by different paths, that must agree."""

ROLES = ("handler", "target", "stranger", "customer", "bot", "system")
"""The actors: the handling user, the pending transfer's target, another agent, the
customer, the session's bot and the system. Where nobody holds the handler or target
role, an agent who holds nothing stands in (7 and 8)."""


@dataclass(frozen=True, order=True)
class State:
    """What the rules read of a session."""

    status: ChatSessionStatus
    transfer: bool
    bot: bool
    user: bool
    alert: int = 0
    """The alert level (``raise_alert`` reads it)."""

    @classmethod
    def of(cls, session: ChatSession) -> State:
        """The abstract state of ``session``."""
        return cls(
            session.status,
            session.transfer_to is not None,
            session.chatbot_is_active,
            session.user_id is not None,
            session.alert_level,
        )

    def __str__(self) -> str:
        marks = [m for m, on in (("user", self.user), ("transfer", self.transfer),
                                  ("bot", self.bot)) if on]
        alert = f" +alert{self.alert}" if self.alert else ""
        return self.status.name + "".join(f" +{m}" for m in marks) + alert


Call = Callable[[ChatSession, int], Outcome]
"""A command variant: run on a session by the associate of a role (or 0 for none)."""


@dataclass(frozen=True)
class Command:
    """A command of ``ChatSession`` and the variants of its other arguments."""

    name: str
    roles: tuple[str, ...]
    variants: dict[str, Call] = field(default_factory=dict)


def _topic(session: ChatSession, **settings: bool) -> ChatTopic:
    return ChatTopic.model_validate({"id": session.topic_id, **settings})


_STAND_INS = {"handler": (HANDLER, 11), "target": (TARGET, 12), "stranger": (STRANGER, 13, 14)}


def _agent(session: ChatSession, role: str) -> int:
    """The associate of an agent role: its holder, or an agent who holds nothing."""
    if role == "handler" and session.user_id is not None:
        return session.user_id
    if role == "target" and session.transfer_to is not None:
        return session.transfer_to
    taken = {session.user_id, session.transfer_to}
    return next(a for a in _STAND_INS[role] if a not in taken)


def _prechat(faq: bool, agents: bool) -> Call:
    return lambda s, _: s.submit_prechat_form(
        _topic(s, use_prechat_form=True, use_faq=faq), agents_available=agents, at=AT
    )


def _faq_not_helpful(agents: bool) -> Call:
    return lambda s, _: s.faq_not_helpful(agents_available=agents, at=AT)


def _reset(agents: bool) -> Call:
    return lambda s, by: s.reset(agents_available=agents, by=by or None, at=AT)


COMMANDS: tuple[Command, ...] = (
    Command("submit_prechat_form", ("customer",), {
        f"FAQ {'on' if faq else 'off'}, agents {'in' if agents else 'out'}": _prechat(faq, agents)
        for faq, agents in product((False, True), repeat=2)
    }),
    Command("faq_not_helpful", ("customer",), {
        f"agents {'in' if agents else 'out'}": _faq_not_helpful(agents) for agents in (True, False)
    }),
    Command("faq_resolved", ("customer",), {"": lambda s, _: s.faq_resolved(at=AT)}),
    Command("submit_offline_request", ("customer",),
            {"": lambda s, _: s.submit_offline_request(at=AT)}),
    Command("leave_queue", ("customer",), {"": lambda s, _: s.leave_queue(at=AT)}),
    Command("take_offline_form", ("customer",),
            {"": lambda s, _: s.take_offline_form(at=AT)}),
    Command("pick_up", ("handler", "target", "stranger"),
            {"": lambda s, by: s.pick_up(by=by, at=AT)}),
    Command("post_customer_message", ("customer",), {
        "no topic": lambda s, _: s.post_customer_message("hi", at=AT),
        "post form off": lambda s, _: s.post_customer_message("hi", topic=_topic(s), at=AT),
        "post form on": lambda s, _: s.post_customer_message(
            "hi", topic=_topic(s, post_form_enabled=True), at=AT
        ),
    }),
    Command("post_user_message", ("handler", "target", "stranger"),
            {"": lambda s, by: s.post_user_message("hi", by=by, at=AT)}),
    Command("post_bot_message", ("bot",), {"": lambda s, _: s.post_bot_message("hi", at=AT)}),
    Command("transfer", ("handler", "target", "stranger"), {
        "to another agent": lambda s, by: s.transfer(to=OTHER_TARGET, by=by, at=AT),
        "to themselves": lambda s, by: s.transfer(to=by, by=by, at=AT),
    }),
    Command("accept_transfer", ("handler", "target", "stranger"),
            {"": lambda s, by: s.accept_transfer(by=by, at=AT)}),
    Command("reject_transfer", ("handler", "target", "stranger"),
            {"": lambda s, by: s.reject_transfer(by=by, at=AT)}),
    Command("cancel_transfer", ("handler", "target", "stranger"),
            {"": lambda s, by: s.cancel_transfer(by=by, at=AT)}),
    Command("expire_transfer", ("system",), {
        "waited the timeout": lambda s, _: s.expire_transfer(timedelta(0), at=AT),
        "not yet": lambda s, _: s.expire_transfer(timedelta(days=1), at=AT),
    }),
    Command("end", ("handler", "target", "stranger", "customer", "bot", "system"), {
        "": lambda s, by: _end(s, by),
    }),
    Command("reset", ("handler", "target", "stranger", "system"), {
        f"agents {'in' if agents else 'out'}": _reset(agents) for agents in (True, False)
    }),
    Command("assign_rank", ("system",), {"": lambda s, _: s.assign_rank(1, at=AT)}),
    Command("raise_alert", ("system",), {
        "level 1": lambda s, _: s.raise_alert(1, at=AT),
        "level 2": lambda s, _: s.raise_alert(2, at=AT),
    }),
    Command("rate", ("customer",), {"": lambda s, _: s.rate(4, at=AT)}),
    Command("close", ("system",), {"": lambda s, _: s.close(at=AT)}),
    Command("delete", ("system",), {"": lambda s, _: s.delete(at=AT)}),
    Command("customer_fetched", ("customer",), {"": lambda s, _: s.customer_fetched(at=AT)}),
    # a raw save may set any field; the table shows one that no rule reads (the customer's
    # name, always to a new value): it is saved in every state but Deleted
    Command("amend", ("system",), {"customer name": lambda s, _: amend(
        s, {"customer_name": s.customer_name + "!"}, at=AT
    )}),
)
"""Every command of ``ChatSession`` (``request`` starts the search), with its variants, and
``chatsession.domain.amend.amend``, the raw save: of its variants only one whose result
is the same in every state of a status (a save that sets the status may reach any state
the invariants allow, so it has no place in a table of the lifecycle)."""

_CUSTOMER, _BOT, _SYSTEM = -1, -2, 0
_END_REASONS = {_CUSTOMER: EndReason.BY_CUSTOMER, _BOT: EndReason.BY_BOT, _SYSTEM: EndReason.IDLE}


def _end(session: ChatSession, by: int) -> Outcome:
    """An agent ends as user; the customer, the bot and the idle timeout with their reason."""
    if by > 0:
        return session.end(EndReason.BY_USER, by=by, at=AT)
    return session.end(_END_REASONS[by], at=AT)


def _actor(session: ChatSession, role: str) -> int:
    """What a role passes as ``by``: an associate id, 0 for none, below 0 a non-associate."""
    if role in ("handler", "target", "stranger"):
        return _agent(session, role)
    return {"customer": _CUSTOMER, "bot": _BOT, "system": _SYSTEM}[role]


@dataclass(frozen=True)
class Result:
    """What a command did: ``to`` a state, a no-op ``reason``, or an error ``code``."""

    to: State | None = None
    reason: str = ""
    code: str = ""

    def __str__(self) -> str:
        if self.to is not None:
            return f"→ {self.to}"
        return f"no-op: {self.reason}" if self.reason else f"error: {self.code}"


@dataclass
class Exploration:
    """The reachable states, how each starts (if it can), and every command's result."""

    starts: dict[State, list[str]] = field(default_factory=dict)
    results: dict[tuple[str, str, State, str], Result] = field(default_factory=dict)
    sessions: dict[State, list[ChatSession]] = field(default_factory=dict)

    @property
    def states(self) -> list[State]:
        """Every reachable abstract state, in a stable order."""
        return sorted(self.sessions)

    @property
    def transitions(self) -> int:
        """How many (state, command variant, role) results were recorded."""
        return len(self.results)


def _run(
    session: ChatSession, command: Command, variant: str, role: str
) -> tuple[Result, ChatSession | None]:
    copy = session.copy()
    by = _actor(copy, role)
    try:
        outcome = command.variants[variant](copy, by)
    except ChatSessionError as error:
        return Result(code=error.code), None
    if not outcome.changed:
        assert outcome.reason is not None
        return Result(reason=outcome.reason.value), None
    check_invariants(copy)
    return Result(to=State.of(copy)), copy


def _starts() -> list[tuple[str, ChatSession]]:
    out = []
    for prechat, faq, bot, agents in product((False, True), repeat=4):
        topic = ChatTopic(id=1, use_prechat_form=prechat, use_faq=faq, bot_enabled=bot)
        session = ChatSession.request(1, topic, agents_available=agents, at=AT)
        settings = [n for n, on in (("pre-chat form", prechat), ("FAQ", faq), ("bot", bot))
                    if on]
        label = (", ".join(settings) or "no forms") + (", agents in" if agents else
                                                       ", agents out")
        out.append((label, session))
    return out


def explore() -> Exploration:
    """Search every reachable abstract state; record and cross-check every result."""
    found = Exploration()
    queue: deque[ChatSession] = deque()

    def reach(session: ChatSession) -> None:
        check_invariants(session)
        state = State.of(session)
        kept = found.sessions.setdefault(state, [])
        if len(kept) < REPRESENTATIVES:
            kept.append(session)
            queue.append(session)

    for label, session in _starts():
        found.starts.setdefault(State.of(session), []).append(label)
        reach(session)
    while queue:
        session = queue.popleft()
        state = State.of(session)
        for command in COMMANDS:
            for variant in command.variants:
                for role in command.roles:
                    result, after = _run(session, command, variant, role)
                    key = (command.name, variant, state, role)
                    seen = found.results.setdefault(key, result)
                    if seen != result:
                        raise AssertionError(
                            f"{command.name} ({variant}) by {role} in {state}: {seen} for one "
                            f"session, {result} for another: the rules read more than "
                            "the abstract state"
                        )
                    if after is not None:
                        reach(after)
    return found


ALL_STATES = [
    State(status, transfer, bot, user, alert)
    for status, transfer, bot, user, alert in product(
        [s for s in ChatSessionStatus], (False, True), (False, True), (False, True), (0, 1, 2)
    )
]


def markdown(found: Exploration | None = None) -> str:
    """The rules page: reachable states, unreachable ones, and one table per command."""
    found = explore() if found is None else found
    lines = [
        "# The rules, as a table",
        "",
        "Generated by `python -m chatsession.rules` from an exhaustive search of the "
        "lifecycle; do not edit. A state is what the rules read: the status, whether a "
        "user handles the session (`+user`), a transfer is pending (`+transfer`) and a bot is "
        "active (`+bot`), and the alert level (`+alert1`, `+alert2`). Each cell is what "
        "the command does in that state for that actor: "
        "`→` the state it leads to, a documented no-op and its reason, or the error's code "
        "(see [Errors](errors.md)). Where nobody holds the handler or target role, an agent "
        "who holds nothing stands in. See also the [lifecycle](lifecycle.md) and the "
        "[decisions](decisions.md).",
        "",
        f"The search reached {len(found.states)} states and recorded "
        f"{found.transitions} results.",
        "",
        "## Reachable states",
        "",
        "| state | a session starts here when |",
        "|---|---|",
    ]
    for state in found.states:
        lines.append(f"| {state} | {'; '.join(found.starts.get(state, [])) or '-'} |")
    unreachable = [s for s in ALL_STATES if s not in found.sessions]
    lines += ["", f"## Unreachable combinations ({len(unreachable)})", "",
              ", ".join(str(s) for s in unreachable), ""]
    for command in COMMANDS:
        lines += [f"## `{command.name}`", ""]
        head = "| state |" + (" variant |" if len(command.variants) > 1 else "")
        lines.append(head + "".join(f" {role} |" for role in command.roles))
        lines.append("|---" * (head.count("|") - 1 + len(command.roles)) + "|")
        for state in found.states:
            rows = {
                variant: [str(found.results[(command.name, variant, state, role)])
                          for role in command.roles]
                for variant in command.variants
            }
            if len(rows) > 1 and len({tuple(cells) for cells in rows.values()}) == 1:
                rows = {"any": next(iter(rows.values()))}  # every variant alike here
            for variant, cells in rows.items():
                row = f"| {state} |" + (f" {variant} |" if len(command.variants) > 1 else "")
                lines.append(row + "".join(f" {cell} |" for cell in cells))
        lines.append("")
    return "\n".join(lines)


def summary(found: Exploration) -> str:
    """One line: how much the search covered."""
    return (
        f"rules: explored {len(found.states)} reachable abstract states and "
        f"{found.transitions} (state, command variant, actor) results; invariants held"
    )


def main(argv: list[str] | None = None) -> None:
    """Print the rules page (or, with ``--summary``, how much the search covered)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    found = explore()
    print(summary(found) if "--summary" in args else markdown(found), end="\n" if
          "--summary" in args else "")


if __name__ == "__main__":
    main()
