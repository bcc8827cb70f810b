"""Issue 15.9: every public function, given a hostile argument in any one place, raises only
documented errors (a ``ChatSessionError`` or, for pydantic models, a ``ValidationError``)."""

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from chatsession import (
    ChatAgent,
    ChatSession,
    ChatTopic,
    Customer,
    EndReason,
    InMemoryAssociateDirectory,
    InMemoryChatSessionRepository,
    ManualClock,
    SqliteChatSessionRepository,
    from_entity,
    to_entity,
)
from chatsession.domain.associate import AssociateInfo
from chatsession.testing.hostile import assert_only_documented_errors, hostile_values

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TOPIC = ChatTopic(id=1)
SQLITE = SqliteChatSessionRepository(Path(tempfile.mkdtemp()) / "hostile.db", synchronous="NORMAL")
MEMORY = InMemoryChatSessionRepository()


def active() -> ChatSession:
    session = ChatSession.request(1, TOPIC, at=AT)
    session.pick_up(by=7, at=AT)
    session.transfer(to=8, by=7, at=AT)
    return session


def stored(repo: Any) -> ChatSession:
    session = ChatSession.request(repo.next_id(), TOPIC, at=AT)
    repo.add(session)
    return repo.get(session.chat_session_id)


Case = tuple[Callable[..., Any], Callable[[], Any], dict[str, Any]]
"""(call, a fresh first argument, good keyword arguments)."""

SESSION_COMMANDS: dict[str, Case] = {
    "request": (lambda _, **kw: ChatSession.request(**kw), lambda: None,
                {"chat_session_id": 1, "topic": TOPIC, "at": AT, "customer": Customer(),
                 "agents_available": True, "queue_length": 0, "session_key": "k"}),
    "pick_up": (lambda s, **kw: s.pick_up(**kw), active, {"by": 7, "at": AT}),
    "post_customer_message": (lambda s, **kw: s.post_customer_message(**kw), active,
                              {"text": "hi", "topic": TOPIC, "queue_length": 0, "at": AT}),
    "post_user_message": (lambda s, **kw: s.post_user_message(**kw), active,
                          {"text": "hi", "by": 7, "at": AT}),
    "post_bot_message": (lambda s, **kw: s.post_bot_message(**kw), active,
                         {"text": "hi", "at": AT}),
    "transfer": (lambda s, **kw: s.transfer(**kw), active, {"to": 9, "by": 7, "at": AT}),
    "accept_transfer": (lambda s, **kw: s.accept_transfer(**kw), active, {"by": 8, "at": AT}),
    "reject_transfer": (lambda s, **kw: s.reject_transfer(**kw), active, {"by": 8, "at": AT}),
    "cancel_transfer": (lambda s, **kw: s.cancel_transfer(**kw), active, {"by": 7, "at": AT}),
    "expire_transfer": (lambda s, **kw: s.expire_transfer(**kw), active,
                        {"timeout": timedelta(0), "at": AT}),
    "end": (lambda s, **kw: s.end(**kw), active,
            {"reason": EndReason.BY_USER, "by": 7, "at": AT}),
    "reset": (lambda s, **kw: s.reset(**kw), active,
              {"agents_available": True, "by": 7, "queue_length": 0, "at": AT}),
    "submit_prechat_form": (lambda s, **kw: s.submit_prechat_form(**kw),
                            lambda: ChatSession.request(1, ChatTopic(id=1, use_prechat_form=True),
                                                        at=AT),
                            {"topic": ChatTopic(id=1, use_prechat_form=True),
                             "agents_available": True, "queue_length": 0, "at": AT}),
    "close": (lambda s, **kw: s.close(**kw), active, {"at": AT}),
    "customer_fetched": (lambda s, **kw: s.customer_fetched(**kw), active, {"at": AT}),
}

STORE_CALLS: dict[str, Case] = {
    "get": (lambda r, **kw: r.get(**kw), lambda: None, {"chat_session_id": 1}),
    "add": (lambda r, **kw: r.add(**kw), lambda: None, {"session": None}),
    "save": (lambda r, **kw: r.save(**kw), lambda: None, {"session": None}),
    "first_in_queue": (lambda r, **kw: r.first_in_queue(**kw), lambda: None,
                       {"topic_id": 1, "include_bot_sessions": False}),
    "count_in_queue": (lambda r, **kw: r.count_in_queue(**kw), lambda: None, {"topic_id": 1}),
    "active_sessions_of": (lambda r, **kw: r.active_sessions_of(**kw), lambda: None,
                           {"user_id": 7}),
    "list_page": (lambda r, **kw: r.list_page(**kw), lambda: None,
                  {"after": 0, "limit": 5, "status": None, "topic_id": 1, "user_id": 7}),
    "outbox.read": (lambda r, **kw: r.outbox.read(**kw), lambda: None,
                    {"after": 0, "limit": 5, "include_published": False,
                     "chat_session_id": 1}),
    "outbox.mark_published": (lambda r, **kw: r.outbox.mark_published(**kw), lambda: None,
                              {"sequences": [1], "at": AT}),
}

OTHER_CALLS: dict[str, Case] = {
    "ManualClock": (lambda _, **kw: ManualClock(**kw), lambda: None, {"start": AT}),
    "ManualClock.set": (lambda c, **kw: c.set(**kw), lambda: ManualClock(AT), {"value": AT}),
    "ManualClock.advance": (lambda c, **kw: c.advance(**kw), lambda: ManualClock(AT),
                            {"delta": timedelta(0)}),
    "to_entity": (lambda _, **kw: to_entity(**kw), lambda: None,
                  {"session": active(), "associates": None}),
    "from_entity": (lambda _, **kw: from_entity(**kw), lambda: None,
                    {"entity": to_entity(active()), "version": 0,
                     "transfer_requested_at": AT, "at": AT}),
    "to_wire": (lambda _, **kw: to_entity(_session_at(kw["when"])).to_wire(), lambda: None,
                {"when": AT}),
    "Customer": (lambda _, **kw: Customer(**kw), lambda: None,
                 {"alias": "a", "person_id": 1, "contact_id": 2, "consented": True}),
    "ChatTopic": (lambda _, **kw: ChatTopic(**kw), lambda: None,
                  {"id": 1, "use_faq": False, "post_form_enabled": True}),
    "AssociateInfo": (lambda _, **kw: AssociateInfo(**kw), lambda: None,
                      {"associate_id": 7, "user_name": "alice", "deleted": False}),
    "SqliteChatSessionRepository": (lambda _, **kw: _open_and_close(**kw), lambda: None,
                                    {"path": None, "timeout": 1.0, "synchronous": "NORMAL"}),
    "ChatAgent": (lambda _, **kw: ChatAgent(MEMORY, **kw), lambda: None,
                  {"clock": ManualClock(AT), "associates": None, "retries": 1}),
    "ChatAgent.transfer": (lambda a, **kw: a.transfer(**kw), lambda: _agent(),
                           {"chat_session_id": 1, "to": 8, "by": 7}),
    "ChatAgent.reject_transfer": (lambda a, **kw: a.reject_transfer(**kw), lambda: _agent(),
                                  {"chat_session_id": 1, "by": 8}),
    "ChatAgent.create_session": (lambda a, **kw: a.create_session(**kw), lambda: _agent(),
                                 {"topic": TOPIC, "customer": Customer(),
                                  "agents_available": True}),
}


def _session_at(when: datetime) -> ChatSession:
    session = active()
    session.when_requested = when  # directly: to_wire must cope with any aware value
    return session


def _open_and_close(path: Any, **kw: Any) -> None:
    """Open a repository on ``path`` inside a fresh temporary folder, never elsewhere."""
    folder = Path(tempfile.mkdtemp())
    if path is None:
        where: Any = folder / "x.db"
    elif isinstance(path, str) and path:
        where = str(folder / path.lstrip("/\\"))  # a hostile name, confined to the folder
    else:
        where = path  # not text: refused before any file is touched
    SqliteChatSessionRepository(where, **kw).close()


def _agent() -> ChatAgent:
    directory = InMemoryAssociateDirectory([AssociateInfo(7), AssociateInfo(8)])
    return ChatAgent(InMemoryChatSessionRepository(), clock=ManualClock(AT),
                     associates=directory)


def _cases(table: dict[str, Case]) -> list[tuple[str, str]]:
    return [(name, param) for name, (_, _, good) in table.items() for param in good]


HOSTILE = settings(max_examples=150, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize(("name", "param"), _cases(SESSION_COMMANDS) + _cases(OTHER_CALLS))
@HOSTILE
@given(bad=hostile_values())
def test_a_hostile_argument_raises_only_documented_errors(
    name: str, param: str, bad: object
) -> None:
    call, target, good = (SESSION_COMMANDS | OTHER_CALLS)[name]
    assert_only_documented_errors(lambda: call(target(), **{**good, param: bad}))


@pytest.mark.parametrize("repo", [MEMORY, SQLITE], ids=["memory", "sqlite"])
@pytest.mark.parametrize(("name", "param"), _cases(STORE_CALLS))
@HOSTILE
@given(bad=hostile_values())
def test_a_hostile_argument_to_a_store_raises_only_documented_errors(
    repo: Any, name: str, param: str, bad: object
) -> None:
    call, _, good = STORE_CALLS[name]
    assert_only_documented_errors(lambda: call(repo, **{**good, param: bad}))
