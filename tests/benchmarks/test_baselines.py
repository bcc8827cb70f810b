"""The baselines do what ChatSession does, so that the ratios compare like with like."""

from benchmarks.baselines import (
    AT,
    HandSession,
    PerObjectSession,
    PydanticSession,
    SlottedSession,
    active_session,
    bare_session,
    bare_transfer_machine,
    stored_fields,
    transfer_chart,
)


def test_the_hand_written_floor_answers_and_records_as_chat_session() -> None:
    ours, hand = active_session(), HandSession(**stored_fields())
    for session in (ours, hand):
        assert session.reject_transfer(by=8, at=AT).reason is not None  # the no-op
        assert session.transfer(to=8, by=7, at=AT).changed
        assert session.reject_transfer(by=9, at=AT).reason is not None  # not the target
        assert session.reject_transfer(by=8, at=AT).changed
    assert hand.pull_events() == ours.pull_events()
    assert (hand.transfer_to, hand.transfer_requested_at) == (None, None)


def test_the_bare_machines_and_the_peers_move_the_transfer_like_chat_session() -> None:
    for strings in (False, True):
        machine, model = bare_transfer_machine(strings=strings), bare_session(strings=strings)
        assert not machine.events["reject_transfer"].trigger(model, now=AT)
        assert machine.events["transfer"].trigger(model, now=AT, to=8)
        assert (model.transfer_to, model.transfer_requested_at) == (8, AT)
        assert machine.events["reject_transfer"].trigger(model, now=AT)
        assert model.transfer_to is None
    per_object = PerObjectSession(**stored_fields())
    per_object.attach_machine()
    assert per_object.transfer(now=AT, to=8)
    assert per_object.transfer_to == 8
    chart = transfer_chart()
    if chart is not None:  # the `bench` extra
        model = bare_session(strings=True)
        machine = chart(model=model, state_field="transfer_state")
        machine.transfer(to=8, now=AT)
        assert (model.transfer_to, model.transfer_state) == (8, "pending")
        machine.reject_transfer(now=AT)
        assert (model.transfer_to, model.transfer_state) == (None, "none")


def test_the_load_baselines_hold_the_same_fields() -> None:
    fields = stored_fields()
    slotted = SlottedSession(**fields)
    validated = PydanticSession.model_validate(fields)
    for name, value in fields.items():
        assert getattr(slotted, name) == value, name
        assert getattr(validated, name) == value, name
