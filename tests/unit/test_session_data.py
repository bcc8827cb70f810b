"""The session's data: declared once, copied independently, the transfer state derived."""

import re
from datetime import datetime, timedelta

import pytest
from actors import ALICE, BOB, CAROL

from chatsession import (
    ChatSession,
    ChatSessionFlags,
    ChatSessionStatus,
    ManualClock,
    TransferState,
    check_invariants,
    invariant_violations,
)
from chatsession.domain import session as session_module
from chatsession.domain.session_data import (
    ALIAS_LIMIT,
    FIELDS,
    MESSAGE_TEXT_LIMIT,
    PHONE_LIMIT,
    SESSION_FIELDS,
    ChatSessionData,
)
from chatsession.domain.values import Rule

ENTITY_FIELDS = (
    "chat_session_id", "topic_id", "status", "user_id", "person_id", "customer_alias",
    "customer_host", "customer_name", "customer_email", "customer_phone", "customer_consented",
    "customer_company_name", "first_message", "last_message", "when_requested", "when_started",
    "when_ended", "when_idle", "when_fetched", "session_key", "initial_queue_pos", "alert_level",
    "rank", "flags", "contact_id", "project_id", "sale_id", "ticket_id", "transfer_to",
    "chatbot_is_active", "rating",
)
"""SuperOffice's ``ChatSessionEntity`` fields, in snake_case, as declared."""
OWN_FIELDS = ("transfer_requested_at", "version")
"""The library's own stored fields (not on the wire)."""


# ------------------------------------------------------------- declarations


def test_there_are_33_fields_in_entity_order_then_the_librarys_own() -> None:
    assert len(SESSION_FIELDS) == 33
    assert FIELDS == (*ENTITY_FIELDS, *OWN_FIELDS) == tuple(f.name for f in SESSION_FIELDS)


def test_every_field_declares_a_rule_a_column_and_a_wire_name() -> None:
    for f in SESSION_FIELDS:
        assert isinstance(f.rule, Rule) and callable(f.rule.check) and f.rule.expected, f.name
        assert isinstance(f.column, str) and re.fullmatch(r"[a-z][a-z_]*", f.column), f.name
        if f.name in OWN_FIELDS:
            assert f.wire is None, f.name
        else:
            assert isinstance(f.wire, str) and re.fullmatch(r"[a-z][a-z_]*", f.wire), f.name
    assert len({f.column for f in SESSION_FIELDS}) == 33, "two fields share a column"
    wired = [f.wire for f in SESSION_FIELDS if f.wire is not None]
    assert len(set(wired)) == len(wired) == 31, "two fields share a wire attribute"


def test_the_columns_and_carriers_are_superoffices() -> None:
    columns = {f.name: f.column for f in SESSION_FIELDS if f.column != f.name}
    assert columns == {
        "chat_session_id": "id",
        "person_id": "customer_id",
        "customer_name": "name",
        "customer_email": "email",
        "customer_phone": "phone",
        "customer_consented": "consented",
        "customer_company_name": "company_name",
        "when_idle": "idle",
        "when_fetched": "customer_fetch",
        "chatbot_is_active": "chatbot_isactive",
    }
    carriers = {f.name: (f.wire, f.carrier) for f in SESSION_FIELDS if f.carrier is not None}
    assert carriers == {
        "user_id": ("user", "associate"),
        "person_id": ("person", "person"),
        "contact_id": ("contact", "contact"),
        "project_id": ("project", "project"),
        "sale_id": ("sale", "sale"),
        "ticket_id": ("ticket", "ticket"),
        "transfer_to": ("transfer_to", "associate"),
    }


def test_each_fields_kind_and_optionality_match_its_annotation() -> None:
    optional = {f.name for f in SESSION_FIELDS if f.optional}
    assert optional == {
        "user_id", "person_id", "when_started", "when_ended", "when_idle", "when_fetched",
        "contact_id", "project_id", "sale_id", "ticket_id", "transfer_to", "rating",
        "transfer_requested_at",
    }
    kinds = {f.name: f.kind for f in SESSION_FIELDS}
    assert kinds["status"] is ChatSessionStatus and kinds["flags"] is ChatSessionFlags
    assert {n for n, k in kinds.items() if k is datetime} == {
        "when_requested", "when_started", "when_ended", "when_idle", "when_fetched",
        "transfer_requested_at",
    }


def test_each_rule_accepts_a_valid_sessions_value_and_refuses_a_wrong_type(
    transferring: ChatSession,
) -> None:
    values = transferring.to_dict()
    for f in SESSION_FIELDS:
        assert f.rule.check(values[f.name]), f.name
        assert not f.rule.check(object()), f.name
        assert f.rule.check(None) is f.optional, f.name


def test_the_rules_are_the_ones_the_invariants_check(active: ChatSession) -> None:
    for f in SESSION_FIELDS:
        broken = ChatSession(**(active.to_dict() | {f.name: object()}))
        violations = invariant_violations(broken)
        value = getattr(broken, f.name)
        assert violations == [f"{f.name} must be {f.rule.expected}, got {value!r}"]


def test_the_text_limits_are_the_columns_sizes_and_the_field_rules_use_them() -> None:
    assert (ALIAS_LIMIT, PHONE_LIMIT, MESSAGE_TEXT_LIMIT) == (64, 32, 1024)
    # still importable from chatsession.domain.session, where they used to live
    assert vars(session_module)["MESSAGE_TEXT_LIMIT"] == MESSAGE_TEXT_LIMIT
    assert "MESSAGE_COPY_LIMIT" not in vars(session_module)
    assert vars(session_module)["FIELDS"] is FIELDS
    rules = {f.name: f.rule for f in SESSION_FIELDS}
    for name, limit in (
        ("customer_alias", ALIAS_LIMIT),
        ("customer_phone", PHONE_LIMIT),
        ("first_message", MESSAGE_TEXT_LIMIT),
        ("last_message", MESSAGE_TEXT_LIMIT),
    ):
        assert rules[name].check("x" * limit) and not rules[name].check("x" * (limit + 1)), name


def test_the_data_is_slotted_and_keyword_only() -> None:
    assert issubclass(ChatSession, ChatSessionData)
    assert ChatSession.__slots__ == ()
    with pytest.raises(TypeError):
        ChatSessionData(1, 2)  # type: ignore[call-arg]


# ------------------------------------------------------------------- copy()


def test_a_copy_equals_the_original(transferring: ChatSession, clock: ManualClock) -> None:
    transferring.post_customer_message("hello", at=clock.now())
    copy = transferring.copy()
    assert copy is not transferring and type(copy) is ChatSession
    assert copy == transferring and copy.to_dict() == transferring.to_dict()
    assert copy.pending_events == transferring.pending_events
    assert copy.transfer_state is TransferState.PENDING
    check_invariants(copy)


def test_a_copy_is_independent(transferring: ChatSession, clock: ManualClock) -> None:
    transferring.post_customer_message("hello", at=clock.now())
    fields, events = transferring.to_dict(), transferring.pending_events
    copy = transferring.copy()
    clock.advance(timedelta(minutes=1))
    copy.accept_transfer(by=BOB, at=clock.now())
    copy.rank = 4
    assert transferring.to_dict() == fields and transferring.pending_events == events
    assert copy != transferring and copy.user_id == BOB and transferring.user_id == ALICE
    # and the other way round: the original's commands and pulls leave the copy alone
    copied_fields, copied_events = copy.to_dict(), copy.pending_events
    transferring.transfer(to=CAROL, by=ALICE, at=clock.now())
    assert transferring.pull_events()
    assert copy.to_dict() == copied_fields and copy.pending_events == copied_events


def test_copy_takes_no_arguments(active: ChatSession) -> None:
    with pytest.raises(TypeError):
        active.copy(clock=ManualClock(datetime.now().astimezone()))  # type: ignore[call-arg]


# ------------------------------------------------------------ transfer_state


def test_transfer_state_follows_the_commands(active: ChatSession, clock: ManualClock) -> None:
    assert active.transfer_state is TransferState.NONE and not active.transfer_pending
    active.transfer(to=BOB, by=ALICE, at=clock.now())
    assert active.transfer_state is TransferState.PENDING and active.transfer_pending
    active.reject_transfer(by=BOB, at=clock.now())
    assert active.transfer_state is TransferState.NONE and not active.transfer_pending


def test_transfer_state_is_derived_from_transfer_to(transferring: ChatSession) -> None:
    assert "transfer_state" not in FIELDS, "derived, so never stored"
    restored = ChatSession(**(transferring.to_dict() | {"transfer_to": None,
                                                        "transfer_requested_at": None}))
    assert restored.transfer_state is TransferState.NONE
    restored.transfer_to = CAROL
    assert restored.transfer_state is TransferState.PENDING


def test_transfer_state_cannot_disagree_with_transfer_to(transferring: ChatSession) -> None:
    transferring.transfer_state = TransferState.NONE
    assert transferring.transfer_to == BOB
    assert transferring.transfer_state is TransferState.PENDING
    check_invariants(transferring)
