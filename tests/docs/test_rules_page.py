"""The rules page is what an exhaustive search of the lifecycle finds, and the search can fail."""

from pathlib import Path

import pytest

import chatsession.rules as rules
from chatsession.rules import explore, markdown, summary

ROOT = Path(__file__).resolve().parents[2]


def test_the_rules_page_is_what_the_search_finds() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == markdown(), "run: python -m chatsession.rules > docs/rules.md"


def test_the_search_covers_every_command_in_every_reachable_state() -> None:
    found = explore()
    assert len(found.states) == 41  # no queue alert left in the offline form
    expected = sum(
        len(command.variants) * len(command.roles) for command in rules.COMMANDS
    ) * len(found.states)
    assert found.transitions == expected
    assert "41 reachable abstract states" in summary(found)


def test_reject_transfer_is_a_no_op_unless_the_target_rejects_a_pending_transfer() -> None:
    found = explore()
    for (command, _, state, role), result in found.results.items():
        if command != "reject_transfer":
            continue
        if state.transfer and role == "target":
            assert result.to is not None and not result.to.transfer
        else:
            assert result.reason in ("no_transfer_pending", "not_transfer_target")


def test_the_search_fails_when_the_state_misses_something_the_rules_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = rules.State.of

    def without_the_user(session: rules.ChatSession) -> rules.State:
        state = real(session)
        return rules.State(state.status, state.transfer, state.bot, False)

    monkeypatch.setattr(rules.State, "of", staticmethod(without_the_user))
    with pytest.raises(AssertionError, match="the rules read more than the abstract state"):
        explore()
