"""Scalar rules: int32, strictness, doubles, aware date-times, and null."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from chatsession.wire import INT32_MAX, INT32_MIN, ChatSessionEntity, Sale, parse_chat_session


def error_locs(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[tuple[Any, ...]]:
    return [tuple(error["loc"]) for error in excinfo.value.errors()]


@pytest.mark.parametrize("value", [INT32_MIN, -1, 0, 1, INT32_MAX])
def test_int32_range_is_accepted(value: int) -> None:
    assert parse_chat_session({"Rank": value}).rank == value


@pytest.mark.parametrize("value", [INT32_MIN - 1, INT32_MAX + 1, 2**63, -(2**70)])
def test_int32_out_of_range_is_rejected_at_the_field(value: int) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session(f'{{"Rank": {value}}}')
    assert error_locs(excinfo) == [("Rank",)]


@pytest.mark.parametrize("text", ['"123"', "true", "false", "1.0", "1.5", "[]", "{}"])
def test_int32_takes_json_integers_only(text: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session(f'{{"ChatSessionId": {text}}}')
    assert error_locs(excinfo) == [("ChatSessionId",)]


@pytest.mark.parametrize("text", ["1", "0", '"true"', '"false"', "null"])
def test_bool_takes_true_and_false_only(text: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session(f'{{"ChatbotIsActive": {text}}}')
    assert error_locs(excinfo) == [("ChatbotIsActive",)]


@pytest.mark.parametrize("text", ["1", "1.5", "true", "[]"])
def test_string_takes_strings_only(text: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session(f'{{"CustomerName": {text}}}')
    assert error_locs(excinfo) == [("CustomerName",)]


def test_double_takes_integers_up_to_the_double_range_exactly() -> None:
    huge = 10**300 + 1
    assert Sale.from_wire(f'{{"Amount": {huge}}}').to_wire() == {"Amount": huge}


def test_double_keeps_integer_and_float_spelling() -> None:
    sale = Sale.from_wire('{"Amount": 26607, "Earning": 26607.0, "WeightedAmount": 1e-7}')
    assert sale.to_wire() == {"Amount": 26607, "Earning": 26607.0, "WeightedAmount": 1e-7}
    assert type(sale.to_wire()["Amount"]) is int
    assert type(sale.to_wire()["Earning"]) is float


@pytest.mark.parametrize(
    "text", ["1e400", "-1e400", "1" + "0" * 400, "-1" + "0" * 400, '"1.5"', "true", "NaN"]
)
def test_double_rejects_non_finite_and_non_numbers(text: str) -> None:
    with pytest.raises(ValidationError):
        Sale.from_wire(f'{{"Amount": {text}}}')


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "1", 10**400, -(10**309)])
def test_double_rejects_bad_python_values_at_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Sale.from_wire({"Amount": value})
    assert {loc[0] for loc in error_locs(excinfo)} == {"Amount"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-05-05T15:05:41.731003+02:00", datetime(2019, 5, 5, 13, 5, 41, 731003, UTC)),
        ("2019-05-05T15:05:41.7310039+02:00", datetime(2019, 5, 5, 13, 5, 41, 731003, UTC)),
        ("2019-05-05T15:05:41.73+02:00", datetime(2019, 5, 5, 13, 5, 41, 730000, UTC)),
        ("2019-05-05T15:05:41Z", datetime(2019, 5, 5, 15, 5, 41, tzinfo=UTC)),
        ("2019-05-05T15:05:41-05:30", datetime(2019, 5, 5, 20, 35, 41, tzinfo=UTC)),
    ],
)
def test_date_times_are_read_as_aware_instants(text: str, expected: datetime) -> None:
    value = parse_chat_session({"WhenIdle": text}).when_idle
    assert value == expected
    assert value is not None and value.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "2019-05-05T15:05:41.7310039+02:00",
        "2019-05-05T15:05:41+02:00",
        "2019-05-05T15:05:41.5Z",
        "1997-06-08T15:05:41.731003-09:30",
    ],
)
def test_date_times_read_from_text_are_written_back_as_read(text: str) -> None:
    assert parse_chat_session({"WhenIdle": text}).to_wire() == {"WhenIdle": text}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (datetime(2019, 5, 5, 15, 5, 41, 731003, tzinfo=timezone(timedelta(hours=2))),
         "2019-05-05T15:05:41.731003+02:00"),
        (datetime(2019, 5, 5, 15, 5, 41, tzinfo=UTC), "2019-05-05T15:05:41.000000+00:00"),
        (datetime(1997, 6, 8, 15, 5, 41, 5, tzinfo=timezone(-timedelta(hours=9, minutes=30))),
         "1997-06-08T15:05:41.000005-09:30"),
    ],
)
def test_date_times_built_in_python_are_written_with_microseconds_and_their_offset(
    value: datetime, written: str
) -> None:
    assert ChatSessionEntity(when_idle=value).to_wire() == {"WhenIdle": written}


def test_arithmetic_on_a_read_date_time_gives_a_new_value_in_the_canonical_form() -> None:
    read = parse_chat_session({"WhenIdle": "2019-05-05T15:05:41.7310039+02:00"}).when_idle
    assert read is not None
    later = read + timedelta(seconds=1)
    assert ChatSessionEntity(when_idle=later).to_wire() == {
        "WhenIdle": "2019-05-05T15:05:42.731003+02:00"}


@pytest.mark.parametrize(
    "text",
    [
        '"2019-05-05T15:05:41.731003"',  # naive
        '"2019-05-05"',  # a date
        '"1557061541"',  # a Unix timestamp as text
        "1557061541",  # a Unix timestamp
        '"yesterday"',
        '"2019-13-05T15:05:41+02:00"',
        "true",
        '""',
    ],
)
def test_bad_date_times_are_rejected_at_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session(f'{{"WhenRequested": {text}}}')
    assert error_locs(excinfo) == [("WhenRequested",)]


def test_python_datetimes_are_accepted_when_aware_only() -> None:
    aware = datetime(2020, 1, 2, 3, 4, 5, 6, timezone(timedelta(hours=-3)))
    entity = ChatSessionEntity(when_started=aware)
    assert entity.to_wire() == {"WhenStarted": "2020-01-02T03:04:05.000006-03:00"}
    with pytest.raises(ValidationError):
        ChatSessionEntity(when_started=datetime(2020, 1, 2))


DATE_TIME_KEYS = ["WhenRequested", "WhenStarted", "WhenEnded", "WhenIdle", "WhenFetched"]


@pytest.mark.parametrize("key", DATE_TIME_KEYS)
def test_a_null_date_time_reads_as_unset_and_is_written_back(key: str) -> None:
    """Clients send ``"WhenEnded": null`` for a time not set yet: unset, and kept as null."""
    entity = parse_chat_session(f'{{"ChatSessionId": 4, "{key}": null}}')
    (name,) = [n for n, info in ChatSessionEntity.model_fields.items() if info.alias == key]
    assert getattr(entity, name) is None
    assert entity.to_wire() == {"ChatSessionId": 4, key: None}
    assert ChatSessionEntity.model_validate(entity.to_wire()).to_wire() == entity.to_wire()
    # absent stays absent: null is written back only where it was read
    assert parse_chat_session('{"ChatSessionId": 4}').to_wire() == {"ChatSessionId": 4}


def test_a_date_time_set_to_none_in_python_is_written_as_null() -> None:
    assert ChatSessionEntity(when_ended=None).to_wire() == {"WhenEnded": None}


@pytest.mark.parametrize(
    "key",
    ["ChatSessionId", "CustomerConsented", "Status", "Flags", "Rating"],
)
def test_null_is_rejected_for_value_types(key: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session({key: None})
    assert error_locs(excinfo) == [(key,)]


@pytest.mark.parametrize(
    "key",
    [
        "CustomerAlias",
        "User",
        "Person",
        "Contact",
        "Project",
        "Sale",
        "Ticket",
        "TransferTo",
        "TableRight",
        "FieldProperties",
        "_Links",
    ],
)
def test_null_is_kept_for_strings_carriers_and_objects(key: str) -> None:
    entity = parse_chat_session({key: None})
    assert entity.to_wire() == {key: None}


def test_null_inside_carriers_follows_the_same_rules() -> None:
    document = {"User": {"Name": None, "FieldProperties": {"f": {"FieldRight": None}}}}
    assert parse_chat_session(document).to_wire() == document
    with pytest.raises(ValidationError) as excinfo:
        parse_chat_session({"User": {"AssociateId": None}})
    assert error_locs(excinfo) == [("User", "AssociateId")]


def test_absent_keys_stay_absent() -> None:
    assert parse_chat_session("{}").to_wire() == {}
    assert ChatSessionEntity().to_wire() == {}
