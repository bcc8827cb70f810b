"""Hypothesis strategies for wire documents (JSON-ready dicts with SuperOffice names).

The strategy for a model is derived from its declared fields: each field's annotation
(a string, since the model modules use ``from __future__ import annotations``) names
one of the wire types of ``chatsession.wire.types``/``enums``, a nested carrier, or a
limited text (an alias of the model's module made by ``limited_text(n)``: at most ``n``
characters). Every key is optional, and a few unknown keys are mixed in.
"""

from __future__ import annotations

import copy
import sys
import typing
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from hypothesis import strategies as st
from pydantic import StringConstraints

from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.status import ChatSessionStatus
from chatsession.wire import INT32_MAX, INT32_MIN, WireModel, rights
from chatsession.wire import carriers as carriers_module

JsonDoc = dict[str, Any]

int32s = st.integers(INT32_MIN, INT32_MAX)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
doubles = st.one_of(st.integers(-(2**53), 2**53), finite_floats)
texts = st.text(max_size=8)
enum_names = st.sampled_from(["FULL", "Delete", "Lost", "AnonymousAssociate", "Welcome"]) | (
    st.text(st.characters(codec="ascii", categories=["Lu", "Ll"]), min_size=1, max_size=8)
)

json_scalars = st.none() | st.booleans() | st.integers() | finite_floats | texts
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=4,
)
json_objects = st.dictionaries(texts, json_values, max_size=3)


_SECONDS_MIN = (datetime(1, 1, 2) - datetime(1970, 1, 1)) // timedelta(seconds=1)
_SECONDS_MAX = (datetime(9999, 12, 30) - datetime(1970, 1, 1)) // timedelta(seconds=1)


def _date_time_text(seconds: int, ticks: int, digits: int, minutes: int) -> str:
    moment = datetime(1970, 1, 1) + timedelta(seconds=seconds)
    text = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}"
    if digits:
        text += "." + f"{ticks:07d}"[:digits]
    if minutes == 0 and seconds % 2:
        return text + "Z"
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


date_time_texts = st.builds(
    _date_time_text,
    st.integers(_SECONDS_MIN, _SECONDS_MAX),
    st.integers(0, 9_999_999),
    st.integers(0, 7),
    st.integers(-14 * 60, 14 * 60),
)
"""ISO 8601 with a UTC offset (or Z) and 0 to 7 fractional digits (.NET ticks)."""


def _model(name: str) -> type[WireModel]:
    model = getattr(carriers_module, name, None) or getattr(rights, name)
    assert isinstance(model, type) and issubclass(model, WireModel), name
    return model


def text_limit(alias: object) -> int | None:
    """``n`` if ``alias`` is ``limited_text(n)`` (a string of at most n characters, or null)."""
    for member in typing.get_args(alias):
        if typing.get_origin(member) is typing.Annotated:
            for constraint in member.__metadata__:
                if isinstance(constraint, StringConstraints) and constraint.max_length:
                    return constraint.max_length
    return None


def limited_texts(limit: int) -> st.SearchStrategy[str | None]:
    """Null, short texts, and texts at (or just under) ``limit`` characters."""
    return st.none() | texts | st.text(min_size=max(0, limit - 2), max_size=limit)


def _value_strategy(annotation: str, namespace: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """The strategy for one field, from its annotation text (names read in ``namespace``)."""
    scalars: dict[str, st.SearchStrategy[Any]] = {
        "Int32Field": int32s,
        "BoolField": st.booleans(),
        "DoubleField": doubles,
        "DateTimeField": st.none() | date_time_texts,  # null reads as unset
        "TextField": st.none() | texts,
        "EnumNameField": enum_names,
        "StatusField": st.sampled_from([s.name for s in ChatSessionStatus]),
        "FlagsField": st.sampled_from([f.name for f in ChatSessionFlags]),
        "JsonObjectField": st.none() | json_objects,
    }
    if annotation in scalars:
        return scalars[annotation]
    limit = text_limit(namespace.get(annotation))
    if limit is not None:
        return limited_texts(limit)
    if annotation == "FieldProperties":
        field_property = st.deferred(lambda: sparse_documents(_model("FieldProperty")))
        return st.none() | st.dictionaries(texts, field_property, max_size=2)
    name, _, rest = annotation.partition(" | ")
    assert rest == "None", f"no strategy for annotation {annotation!r}"
    return st.none() | st.deferred(lambda: sparse_documents(_model(name)))


def _unknown_keys(model: type[WireModel]) -> st.SearchStrategy[str]:
    # Both the SuperOffice name and the attribute name of a field are known keys.
    declared = {info.alias for info in model.model_fields.values()} | set(model.model_fields)
    return (st.just("SomethingNew") | texts).filter(lambda key: key not in declared)


@cache
def _field_strategies(model: type[WireModel]) -> dict[str, st.SearchStrategy[Any]]:
    """JSON name to value strategy, for every declared field of ``model``."""
    annotations: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for klass in reversed(model.__mro__):
        namespace = vars(sys.modules[klass.__module__])
        for name, text in getattr(klass, "__annotations__", {}).items():
            annotations[name] = (text, namespace)
    return {
        info.alias: _value_strategy(*annotations[name])
        for name, info in model.model_fields.items()
        if info.alias is not None
    }


def _with_unknown_keys(
    model: type[WireModel], known: st.SearchStrategy[JsonDoc], values: st.SearchStrategy[Any]
) -> st.SearchStrategy[JsonDoc]:
    empty: st.SearchStrategy[JsonDoc] = st.just({})
    unknown = empty | st.dictionaries(_unknown_keys(model), values, max_size=2)
    return st.builds(lambda k, u: {**u, **k}, known, unknown)


@cache
def documents(model: type[WireModel]) -> st.SearchStrategy[JsonDoc]:
    """Valid wire documents of ``model``: any subset of its keys, plus unknown keys.

    Nested carriers are drawn with ``sparse_documents`` to keep generation fast.
    """
    known = st.fixed_dictionaries({}, optional=_field_strategies(model))
    return _with_unknown_keys(model, known, json_values)


@st.composite
def _sparse_known(draw: st.DrawFn, model: type[WireModel]) -> JsonDoc:
    fields = _field_strategies(model)
    keys = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=SPARSE_KEYS))
    return {key: draw(fields[key]) for key in keys}


SPARSE_KEYS = 4
"""At most this many declared keys in a nested carrier (``documents`` covers them all)."""


@cache
def sparse_documents(model: type[WireModel]) -> st.SearchStrategy[JsonDoc]:
    """Valid wire documents of ``model`` with at most ``SPARSE_KEYS`` declared keys.

    Unknown keys here hold scalars only; ``documents`` covers nested unknown values.
    """
    return _with_unknown_keys(model, _sparse_known(model), json_scalars)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indices) to a value inside ``document``."""
    found: list[tuple[Any, ...]] = []
    items = document.items() if isinstance(document, dict) else enumerate(document)
    for key, value in items:
        found.append((*prefix, key))
        if isinstance(value, dict | list):
            found.extend(_paths(value, (*prefix, key)))
    return found


edge_integers = st.sampled_from(
    [INT32_MIN - 1, INT32_MAX + 1, 2**53 + 1, 2**63, 2**64, 10**309, -(10**400)]
)
fuzz_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | edge_integers
    | st.floats()
    | texts
    | date_time_texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=4,
)
"""Any JSON-ish value, NaN and infinities included (they must be rejected)."""


@st.composite
def mutated(draw: st.DrawFn, document: JsonDoc) -> JsonDoc:
    """``document`` with one to three values dropped or replaced by random values."""
    result = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(result)
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        parent: Any = result
        for key in parents:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[last]
        else:
            parent[last] = draw(fuzz_values)
    return result
