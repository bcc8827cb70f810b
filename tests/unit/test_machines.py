"""The lifecycles are transitions Machines, built once per class and holding no sessions."""

import gc
import weakref

from actors import ALICE, BOB

from chatsession import ChatSession, ChatSessionStatus, ChatTopic, ManualClock
from chatsession.domain.lifecycle import (
    DOCUMENTED_NO_OPS,
    STATUS_MACHINE,
    STATUS_TRANSITIONS,
    TRANSFER_MACHINE,
)


def _busy_session(clock: ManualClock, i: int) -> ChatSession:
    session = ChatSession.request(i, ChatTopic(id=1), at=clock.now())
    session.pick_up(by=ALICE, at=clock.now())
    session.transfer(to=BOB, by=ALICE, at=clock.now())
    session.reject_transfer(by=BOB, at=clock.now())
    return session


def test_machines_hold_no_sessions(clock: ManualClock) -> None:
    sessions = [_busy_session(clock, i) for i in range(1, 200)]
    assert STATUS_MACHINE.models == [] and TRANSFER_MACHINE.models == []
    assert len(sessions) == 199


def test_sessions_are_garbage_collected_after_commands(clock: ManualClock) -> None:
    session = _busy_session(clock, 1)
    ref = weakref.ref(session)
    del session
    gc.collect()
    assert ref() is None


def test_sessions_share_the_machine_and_carry_no_machine_state(clock: ManualClock) -> None:
    session = _busy_session(clock, 1)
    assert not hasattr(session, "__dict__")
    assert not hasattr(session, "trigger") and not hasattr(session, "to_Finished")


def test_every_status_is_a_machine_state() -> None:
    assert {s.value for s in STATUS_MACHINE.states.values()} == set(ChatSessionStatus)


def test_every_trigger_in_the_table_is_a_session_command() -> None:
    for row in STATUS_TRANSITIONS:
        assert callable(getattr(ChatSession, row["trigger"], None)) or row["trigger"] == "request"
    for command in DOCUMENTED_NO_OPS:
        assert callable(getattr(ChatSession, command))
