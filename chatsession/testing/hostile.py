"""Hostile arguments: what a careless or hostile caller passes to a public function.

``hostile_values()`` draws values of the wrong type, out of range, malformed or absurd
(``None``, ``True`` for an id, ``2**31``, ``10**400``, ``nan``, lone surrogates, naive and
odd-offset datetimes, huge timedeltas, containers, enums of the wrong kind ...).
``assert_only_documented_errors(call)`` runs ``call`` and lets through only the errors a
caller is promised: a ``ChatSessionError`` (``InvalidArgumentError`` above all) or, for
pydantic models, a ``pydantic.ValidationError``. Anything else (``TypeError``,
``AttributeError``, ``OverflowError``, a raw driver error ...) fails the test::

    @given(bad=hostile_values())
    def test_pick_up_refuses_hostile_ids(bad):
        session = ChatSession.request(1, ChatTopic(id=1))
        assert_only_documented_errors(lambda: session.pick_up(by=bad))

Needs ``hypothesis`` (the ``dev`` extra).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Any

from hypothesis import strategies as st
from pydantic import ValidationError

from chatsession.domain.errors import ChatSessionError
from chatsession.domain.status import ChatSessionStatus


class _Color(Enum):
    RED = 1


_FIXED: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    2**31,
    -(2**31) - 1,
    2**63,
    10**400,
    1.5,
    math.nan,
    math.inf,
    "",
    "1",
    "x" * 5000,
    "\ud800",
    b"1",
    bytearray(b"1"),
    [],
    [1],
    {},
    {"a": 1},
    (),
    set(),
    object(),
    _Color.RED,
    ChatSessionStatus.Invalid,
    datetime(2026, 1, 1),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(minutes=19, seconds=32))),
    datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=23))),
    datetime(2026, 1, 1, tzinfo=timezone(timedelta(microseconds=1))),
    datetime.max.replace(tzinfo=UTC),
    timedelta(days=-1),
    timedelta(days=999_999_999),
    lambda: None,
)
"""Fixed hostile values, each a known way to break a careless check."""


def hostile_values() -> st.SearchStrategy[Any]:
    """The fixed hostile values, and random ones of every JSON-ish kind."""
    return st.sampled_from(_FIXED) | st.one_of(
        st.integers(),
        st.floats(),
        st.text(),
        st.binary(max_size=8),
        st.lists(st.integers(), max_size=3),
        st.datetimes(),
        st.timedeltas(),
    )


DOCUMENTED: tuple[type[BaseException], ...] = (ChatSessionError, ValidationError)
"""The errors a public function may raise for a bad argument."""


def assert_only_documented_errors(call: Callable[[], object]) -> object | None:
    """Run ``call``; return its result, or None if it raised a documented error.

    Any other exception propagates (with a note naming it as undocumented), failing the test.
    """
    try:
        return call()
    except DOCUMENTED:
        return None
    except Exception as error:
        error.add_note(f"undocumented error for a hostile argument: {type(error).__name__}")
        raise
