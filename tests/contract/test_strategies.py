"""The strategies adopters use build valid sessions in every status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatsession import ChatSession, ChatSessionStatus, check_invariants
from chatsession.testing.contract.support import TIME_FIELDS
from chatsession.testing.strategies import REAL_STATUSES, session_lists, sessions


@pytest.mark.parametrize("status", REAL_STATUSES, ids=lambda s: s.name)
@settings(max_examples=25)
@given(data=st.data())
def test_sessions_in_a_given_status_are_valid_and_new(
    status: ChatSessionStatus, data: st.DataObject
) -> None:
    session = data.draw(sessions(status))
    assert session.status is status
    check_invariants(session)
    assert session.version == 0
    assert session.pending_events[0].name == "SessionRequested"


@settings(max_examples=50)
@given(sessions([ChatSessionStatus.CustomerLast, ChatSessionStatus.UserLast]))
def test_sessions_in_a_set_of_statuses(session: ChatSession) -> None:
    assert session.status.is_active
    assert session.user_id is not None or session.chatbot_is_active


@settings(max_examples=25)
@given(sessions(chat_session_id=7))
def test_the_id_can_be_fixed_and_every_recorded_time_is_utc(session: ChatSession) -> None:
    assert session.chat_session_id == 7
    assert all(e.chat_session_id == 7 for e in session.pending_events)
    times = [getattr(session, name) for name in TIME_FIELDS]
    times += [e.occurred_at for e in session.pending_events]
    assert all(t is None or t.utcoffset() == timedelta(0) for t in times)


@settings(max_examples=25)
@given(session_lists(min_size=2, max_size=4))
def test_session_lists_have_distinct_ids(found: list[ChatSession]) -> None:
    assert len({s.chat_session_id for s in found}) == len(found)


@settings(max_examples=1)
@given(data=st.data())
def test_invalid_is_refused(data: st.DataObject) -> None:
    with pytest.raises(ValueError, match="Invalid"):
        data.draw(sessions(ChatSessionStatus.Invalid))
