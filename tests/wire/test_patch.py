"""PATCH bodies on a ChatSessionEntity document: JSON Patch (RFC 6902) and Merge Patch (7396)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatsession import ChatSessionError
from chatsession.domain.errors import InvalidArgumentError
from chatsession.testing.strategies import sessions
from chatsession.wire import (
    ChatSessionEntity,
    InvalidPatchError,
    PatchTestFailedError,
    UnknownPatchPathError,
    UnsupportedPatchOperationError,
    apply_patch,
    to_entity,
)

SECRET = "s3cr3t-value"


def document() -> dict[str, Any]:
    return {
        "ChatSessionId": 12,
        "TopicId": 3,
        "User": {"AssociateId": 7, "Name": "alice"},
        "Person": None,
        "CustomerName": "Ann",
        "Status": "UserLast",
        "SessionKey": SECRET,
        "FieldProperties": {"CustomerName": {"FieldRight": None, "FieldLength": 30}},
    }


# ------------------------------------------------------------------ each op


def test_add_replace_remove_and_test() -> None:
    doc = document()
    out = apply_patch(doc, [
        {"op": "test", "path": "/Status", "value": "UserLast"},
        {"op": "replace", "path": "/Status", "value": "CustomerLast"},
        {"op": "add", "path": "/CustomerEmail", "value": "ann@example.com"},
        {"op": "remove", "path": "/CustomerName"},
    ])
    assert out["Status"] == "CustomerLast"
    assert out["CustomerEmail"] == "ann@example.com"
    assert "CustomerName" not in out
    assert doc == document()  # the input is not changed


def test_paths_are_case_insensitive_and_the_slash_is_optional() -> None:
    out = apply_patch(document(), [
        {"op": "replace", "path": "status", "value": "Finished"},
        {"op": "replace", "path": "/CUSTOMERNAME", "value": "Bo"},
        {"op": "add", "path": "whenended", "value": "2026-01-01T00:00:00Z"},
        {"op": "REPLACE", "path": "/topicid", "value": 4},
    ])
    assert (out["Status"], out["CustomerName"], out["TopicId"]) == ("Finished", "Bo", 4)
    assert out["WhenEnded"] == "2026-01-01T00:00:00Z"  # the entity's own spelling
    assert "whenended" not in out and "status" not in out


def test_nested_paths_reach_into_carriers() -> None:
    out = apply_patch(document(), [
        {"op": "replace", "path": "/User/AssociateId", "value": 8},
        {"op": "add", "path": "/user/fullname", "value": "Bob"},
        {"op": "add", "path": "/Person", "value": {"PersonId": 5}},
        {"op": "remove", "path": "/User/Name"},
        {"op": "add", "path": "/FieldProperties/Status", "value": {"FieldLength": 4}},
    ])
    assert out["User"] == {"AssociateId": 8, "FullName": "Bob"}
    assert out["Person"] == {"PersonId": 5}
    assert out["FieldProperties"]["Status"] == {"FieldLength": 4}


def test_a_declared_property_the_document_leaves_out_is_null() -> None:
    out = apply_patch(document(), [
        {"op": "test", "path": "/WhenStarted", "value": None},
        {"op": "replace", "path": "/Rating", "value": 4},
        {"op": "remove", "path": "/TransferTo"},
    ])
    assert out["Rating"] == 4 and "TransferTo" not in out


def test_json_pointer_escapes_and_array_indexes() -> None:
    doc = {"_Links": {"a/b": [1, 2], "c~d": 0}}
    out = apply_patch(doc, [
        {"op": "add", "path": "/_Links/a~1b/-", "value": 3},
        {"op": "add", "path": "/_Links/a~1b/0", "value": 0},
        {"op": "test", "path": "/_Links/a~1b/3", "value": 3},
        {"op": "replace", "path": "/_Links/c~0d", "value": 1},
        {"op": "remove", "path": "/_Links/a~1b/1"},
    ])
    assert out["_Links"] == {"a/b": [0, 2, 3], "c~d": 1}


# -------------------------------------------------------------------- refusals


def test_a_failed_test_is_a_409_that_applies_nothing_and_shows_no_value() -> None:
    doc = document()
    with pytest.raises(PatchTestFailedError) as caught:
        apply_patch(doc, [
            {"op": "replace", "path": "/Status", "value": "Closed"},
            {"op": "test", "path": "/SessionKey", "value": "guess"},
        ])
    error = caught.value
    assert isinstance(error, ChatSessionError)
    assert (error.code, error.http_status) == ("patch_test_failed", 409)
    assert (error.index, error.path) == (1, "/SessionKey")
    assert "operation 1" in str(error) and "/SessionKey" in str(error)
    assert SECRET not in str(error) and "guess" not in str(error)
    assert doc == document()


@pytest.mark.parametrize("value", [True, 2.5, "1", [1], {"a": 1}, None])
def test_test_compares_json_types(value: object) -> None:
    with pytest.raises(PatchTestFailedError):
        apply_patch({"Rank": 1}, [{"op": "test", "path": "/Rank", "value": value}])


def test_test_compares_numbers_by_value_and_objects_unordered() -> None:
    doc = {"Rank": 1, "User": {"AssociateId": 7, "Name": "a"}}
    apply_patch(doc, [
        {"op": "test", "path": "/Rank", "value": 1.0},
        {"op": "test", "path": "/User", "value": {"Name": "a", "AssociateId": 7}},
    ])


@pytest.mark.parametrize("op", ["move", "copy", "MOVE", "frobnicate"])
def test_move_copy_and_unknown_ops_are_refused(op: str) -> None:
    with pytest.raises(UnsupportedPatchOperationError) as caught:
        apply_patch(document(), [{"op": op, "from": "/Status", "path": "/CustomerName"}])
    assert caught.value.code == "patch_operation_not_supported"
    assert caught.value.http_status == 400 and caught.value.index == 0


@pytest.mark.parametrize(
    ("patch", "error", "index"),
    [
        ([{"op": "add", "path": "/NoSuchField", "value": SECRET}], UnknownPatchPathError, 0),
        ([{"op": "replace", "path": "/User/NoSuch", "value": SECRET}], UnknownPatchPathError, 0),
        ([{"op": "remove", "path": "/FieldProperties/Nope"}], UnknownPatchPathError, 0),
        ([{"op": "add", "path": "/Person/PersonId", "value": SECRET}], InvalidPatchError, 0),
        ([{"op": "test", "path": "/Status"}], InvalidPatchError, 0),
        ([{"path": "/Status", "value": SECRET}], InvalidPatchError, 0),
        ([{"op": "test", "path": "/Status", "value": "UserLast"}, {"op": "add"}],
         InvalidPatchError, 1),
        ([{"op": "add", "path": "/", "value": SECRET}], InvalidPatchError, 0),
        ([{"op": "add", "path": "/a~2b", "value": SECRET}], InvalidPatchError, 0),
        ([SECRET], InvalidPatchError, 0),
        (SECRET, InvalidPatchError, None),
        ({"NoSuchField": SECRET}, UnknownPatchPathError, None),
        ({"User": {"NoSuch": SECRET}}, UnknownPatchPathError, None),
    ],
)
def test_malformed_patches_and_unknown_paths_are_400s_that_never_echo_values(
    patch: object, error: type[InvalidPatchError], index: int | None
) -> None:
    doc = document()
    with pytest.raises(error) as caught:
        apply_patch(doc, patch)
    assert isinstance(caught.value, InvalidArgumentError)
    assert caught.value.http_status == 400 and caught.value.index == index
    assert SECRET not in str(caught.value)
    assert doc == document()


def test_the_error_classes_have_their_codes() -> None:
    assert InvalidPatchError.code == "invalid_patch"
    assert UnknownPatchPathError.code == "patch_path_unknown"


# ------------------------------------------------------------------ merge patch


def test_merge_patch_sets_merges_and_removes_with_null() -> None:
    out = apply_patch(document(), {
        "status": "Closed",
        "CustomerName": None,
        "User": {"associateid": 8, "Name": None},
        "Person": {"PersonId": 5},
        "FieldProperties": {"Status": {"FieldLength": 4}},
    })
    assert out["Status"] == "Closed" and "CustomerName" not in out
    assert out["User"] == {"AssociateId": 8}
    assert out["Person"] == {"PersonId": 5}
    assert set(out["FieldProperties"]) == {"CustomerName", "Status"}


def test_an_empty_patch_changes_nothing() -> None:
    assert apply_patch(document(), []) == document()
    assert apply_patch(document(), {}) == document()


def _subset(doc: dict[str, Any], keep: list[bool]) -> dict[str, Any]:
    items = [(k, v) for k, v in doc.items() if v is not None]
    return {k: v for (k, v), on in zip(items, keep * len(items), strict=False) if on}


@given(session=sessions(service_fields=True), keep=st.lists(st.booleans(), min_size=1))
def test_a_merge_patch_of_the_documents_own_values_changes_nothing(
    session: Any, keep: list[bool]
) -> None:
    doc = to_entity(session).to_wire()
    patch = copy.deepcopy(_subset(doc, keep))
    assert apply_patch(doc, patch) == doc
    assert ChatSessionEntity.from_wire(apply_patch(doc, patch)) == ChatSessionEntity.from_wire(doc)
    # the same values as JSON Patch replace operations, any case: also nothing changes
    ops = [{"op": "replace", "path": key.lower(), "value": v} for key, v in patch.items()]
    assert apply_patch(doc, ops) == doc
