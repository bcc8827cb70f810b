"""State diagrams (Mermaid) generated from the lifecycle machines themselves.

``python -m chatsession.diagrams`` prints them; the docs embed the output, and a test
keeps the committed copy equal to what the machines say.
"""

from __future__ import annotations

from collections import defaultdict
from enum import Enum

from transitions import Machine

from chatsession.domain.lifecycle import STATUS_MACHINE, TRANSFER_MACHINE
from chatsession.domain.status import ChatSessionStatus


def _label(condition_names: list[str], trigger: str) -> str:
    guard = f" [{' and '.join(condition_names)}]" if condition_names else ""
    return f"{trigger}{guard}"


def mermaid(
    machine: Machine, *, initial: Enum | None = None, hide: frozenset[str] = frozenset()
) -> str:
    """Render ``machine``'s transitions as a Mermaid ``stateDiagram-v2``.

    ``initial`` is drawn as the start pseudo-state (``[*]``); transitions with no
    destination (internal ones) are drawn as self-loops; triggers in ``hide`` are left
    out (``hidden_triggers`` describes them in words).
    """
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for trigger, event in machine.events.items():
        if trigger in hide:
            continue
        for source, transitions in event.transitions.items():
            for transition in transitions:
                names = [
                    ("not " if not c.target else "") + getattr(c.func, "__name__", str(c.func))
                    for c in transition.conditions
                ]
                names = [n.lstrip("_") for n in names]
                dest = transition.dest if transition.dest is not None else source
                src = "[*]" if initial is not None and source == initial.name else source
                edges[(src, dest)].append(_label(names, trigger))
    lines = ["stateDiagram-v2"]
    for (src, dest), labels in edges.items():
        lines.append(f"    {src} --> {dest}: {'<br/>'.join(labels)}")
    return "\n".join(lines) + "\n"


def hidden_triggers(machine: Machine, hide: frozenset[str]) -> str:
    """One Markdown line per hidden trigger: from which states it goes where."""
    out = []
    for trigger in sorted(hide):
        event = machine.events[trigger]
        sources = ", ".join(sorted(event.transitions))
        dests = sorted({t.dest for ts in event.transitions.values() for t in ts if t.dest})
        where = f"to {', '.join(dests)}" if dests else "stays in the same status"
        out.append(f"- `{trigger}`: from {sources}; {where}.")
    return "\n".join(out) + "\n"


STATUS_HIDDEN = frozenset({"close", "delete", "customer_fetched"})
"""Triggers that apply to (almost) every status; listed in words under the diagram."""


def status_diagram() -> str:
    """The status lifecycle: the twelve SuperOffice statuses (Invalid drawn as the start)."""
    return mermaid(STATUS_MACHINE, initial=ChatSessionStatus.Invalid, hide=STATUS_HIDDEN)


def transfer_diagram() -> str:
    """The transfer lifecycle: none / pending."""
    return mermaid(TRANSFER_MACHINE)


def markdown() -> str:
    """Both diagrams as the Markdown page ``docs/diagrams.md``."""
    return (
        "# State diagrams\n\n"
        "Generated from the machines by `python -m chatsession.diagrams`; do not edit.\n\n"
        "## Status lifecycle\n\n```mermaid\n" + status_diagram() + "```\n\n"
        "Not drawn, to keep the picture readable:\n\n"
        + hidden_triggers(STATUS_MACHINE, STATUS_HIDDEN)
        + "\n## Transfer lifecycle\n\n```mermaid\n" + transfer_diagram() + "```\n"
    )


def main() -> None:
    """Print the diagrams page."""
    print(markdown(), end="")


if __name__ == "__main__":
    main()
