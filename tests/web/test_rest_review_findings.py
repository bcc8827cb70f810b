"""Findings of a hostile review of the REST face (issue 11): each test fails while the bug stands.

Every test names what it expects per docs/web.md, docs/decisions.md ("The REST face"),
superoffice-chat-rest.md or issue 11; the report beside this file says which line.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_support import START, basic

from chatsession import ManualClock
from chatsession.domain.account import AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service import credentials
from chatsession.service.agent import ChatAgent
from chatsession.web import create_app

CREATE = "/api/v1/Agents/Chat/CreateChatSessionForTopic"


def _request(client: TestClient) -> dict[str, Any]:
    created = client.post(CREATE, json={"ChatTopicId": 1})
    assert created.status_code == 200
    document: dict[str, Any] = created.json()
    return document


def _entity(client: TestClient, sid: int) -> dict[str, Any]:
    got = client.get(f"/api/v1/ChatSession/{sid}", headers=basic("admin"))
    assert got.status_code == 200
    document: dict[str, Any] = got.json()
    document.pop("_Links", None)
    return document


# ------------------------------------------------------------ 1. SessionKey in admin saves


@pytest.mark.parametrize("route", ["PATCH", "PUT", "SaveChatSessionEntity"])
def test_an_admins_no_op_save_does_not_reveal_the_session_key(
    client: TestClient, route: str
) -> None:
    """docs/web.md: "An agent-side reply never carries the SessionKey: it is null there";
    decisions 118: CreateChatSessionForTopic's reply "is the only agent-route reply with
    the SessionKey". An administrator's GET shows null, yet an empty PATCH (or a PUT /
    SaveChatSessionEntity of the entity just read) hands the customer's key out."""
    session = _request(client)
    sid, key = session["ChatSessionId"], session["SessionKey"]
    assert _entity(client, sid)["SessionKey"] is None  # GET holds
    admin = basic("admin")
    if route == "PATCH":
        reply = client.patch(f"/api/v1/ChatSession/{sid}", json=[], headers=admin)
    elif route == "PUT":
        reply = client.put(f"/api/v1/ChatSession/{sid}", json=_entity(client, sid), headers=admin)
    else:
        reply = client.post("/api/v1/Agents/Chat/SaveChatSessionEntity",
                            json=_entity(client, sid), headers=admin)
    assert reply.status_code == 200
    assert reply.headers["chatsession-outcome"].startswith("no-op")
    assert key not in reply.text
    assert reply.json()["SessionKey"] is None


# ------------------------------------------------ 2. pick-up-first bypasses topic rights


def test_pick_up_first_gives_no_session_the_caller_may_not_pick_up_by_id(
    client: TestClient, repository: ChatSessionRepository
) -> None:
    """Rights table (docs/web.md): "pick up: [an administrator, its handling user, its
    transfer target, or a member of its topic], and CanRespond on the topic". carol (no
    topic) is refused on POST ChatSession/{id}/Pickup, but POST ChatSession/Pickup hands
    her the same session: ChatAgent._first_for falls back to *any* topic for an associate
    who responds on none, and _pick_up skips the responder check for a topic the store
    does not have. The REST face never calls rights.check_session on that route."""
    admin = basic("admin")
    default = client.get("/api/v1/ChatSession/default", headers=admin).json()
    default["TopicId"] = 99  # a topic the store does not have (or whose row was deleted)
    created = client.post("/api/v1/ChatSession", json=default, headers=admin)
    assert created.status_code == 200 and created.json()["Status"] == "InQueue"
    sid = created.json()["ChatSessionId"]

    by_id = client.post(f"/api/v1/ChatSession/{sid}/Pickup", headers=basic("carol"))
    assert by_id.status_code == 403  # holds

    first = client.post("/api/v1/ChatSession/Pickup", headers=basic("carol"))
    assert first.status_code in (200, 403)
    assert first.status_code == 403 or first.json() is None, first.text
    assert repository.get(sid).user_id != 9


# ------------------------------------------------------- 3. If-Match races on whole saves


class _WriteSlipsIn:
    """A repository where another writer (a customer's poll) commits before the next transaction."""

    def __init__(self, inner: ChatSessionRepository) -> None:
        self._inner = inner
        self.armed: int | None = None  # the session a customer writes to, once

    def transaction(self) -> AbstractContextManager[Any]:
        if self.armed is not None:
            sid, self.armed = self.armed, None
            ChatAgent(self._inner, clock=ManualClock(START)).customer_fetched(sid)
        return self._inner.transaction()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.fixture
def racy(repository: ChatSessionRepository) -> Iterator[tuple[TestClient, _WriteSlipsIn]]:
    store = _WriteSlipsIn(repository)
    app = create_app(store, clock=ManualClock(START))
    with TestClient(app) as test_client:
        yield test_client, store


def test_a_put_conditional_on_a_list_of_tags_is_not_applied_after_a_write_slips_in(
    racy: tuple[TestClient, _WriteSlipsIn], repository: ChatSessionRepository
) -> None:
    """docs/web.md (ETags): "The check runs inside the command's unit of work, so a write
    that slips in between gives 412, never a command applied to a version the caller did
    not see." session_entities._save checks If-Match with a separate read and passes
    ``expected_version`` to the save only when If-Match names exactly one version; with a
    list ("1", "9") the save is unconditional and lands on version 2."""
    client, store = racy
    sid = _request(client)["ChatSessionId"]
    entity = _entity(client, sid)
    assert client.get(f"/api/v1/ChatSession/{sid}", headers=basic("admin")).headers["etag"] == '"1"'
    entity["CustomerName"] = "Renamed"
    store.armed = sid
    reply = client.put(f"/api/v1/ChatSession/{sid}", json=entity,
                       headers={**basic("admin"), "If-Match": '"1", "9"'})
    assert repository.get(sid).version >= 2  # the other write did happen
    # today: 200, CustomerName "Renamed", and the customer's WhenFetched (written at
    # version 2) is reset to null by the stale entity: a lost update
    assert reply.status_code == 412, (reply.status_code, reply.text[:200])
    assert repository.get(sid).customer_name != "Renamed"
    assert repository.get(sid).when_fetched is not None


def test_a_put_conditional_on_one_tag_answers_412_not_409_when_a_write_slips_in(
    racy: tuple[TestClient, _WriteSlipsIn],
) -> None:
    """Same line of docs/web.md ("gives 412"), and the status table: 412 "If-Match names
    another version", 409 "a lost race" for unconditional requests. With a single tag the
    save refuses (good) but as 409 concurrency_conflict."""
    client, store = racy
    sid = _request(client)["ChatSessionId"]
    entity = _entity(client, sid)
    entity["CustomerName"] = "Renamed"
    store.armed = sid
    reply = client.put(f"/api/v1/ChatSession/{sid}", json=entity,
                       headers={**basic("admin"), "If-Match": '"1"'})
    assert reply.status_code == 412, reply.json()["code"]
    assert reply.json()["code"] == "precondition_failed"


# -------------------------------------------- 4. user-name enumeration by scrypt timing


def test_basic_for_a_token_only_account_costs_the_same_scrypt_work_as_for_nobody(
    client: TestClient, repository: ChatSessionRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/web.md: "An unknown user name costs the same scrypt work as a known one."
    An account without a password (password_hash "", "signs in with API tokens only")
    is checked against "" which verify_password rejects without any scrypt, so a wrong
    Basic for such a user answers ~50 ms faster than for a name nobody has: timing
    tells which user names exist."""
    repository.put_account(AssociateAccount(
        info=AssociateInfo(10, "robot", "Token Only"), admin=False, password_hash="",
    ))
    calls: list[int] = []
    real = credentials._scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(credentials, "_scrypt", counting)
    work = {}
    for user_name in ("robot", "nobody-at-all"):
        calls.clear()
        token = base64.b64encode(f"{user_name}:guess".encode()).decode()
        reply = client.get("/api/v1/ChatSession/ForCurrentUser",
                           headers={"Authorization": f"Basic {token}"})
        assert reply.status_code == 401
        work[user_name] = len(calls)
    assert work["robot"] == work["nobody-at-all"], work


# ------------------------------------------------------------- 5. GetAll paging, $filter


def test_top_zero_does_not_answer_a_next_link_to_the_same_page(client: TestClient) -> None:
    """docs/web.md: "$top defaults to 100 ... $skip skips rows, and odata.nextLink names
    the next page." With $top=0 the answer is an empty page whose nextLink is the same
    request ($skip unchanged): a client that follows nextLink loops forever."""
    _request(client)
    reply = client.get("/api/v1/ChatSession", params={"$top": 0, "$skip": 0},
                       headers=basic("admin"))
    assert reply.status_code == 200 and reply.json()["value"] == []
    next_link = reply.json()["odata.nextLink"]
    assert next_link is None or "%24skip=0" not in next_link, next_link


@pytest.mark.parametrize(
    "filter_",
    [
        "status eq 'InQueue' and status eq 'Closed'",
        "topicId eq 2 and topicId eq 1",
        "status oneOf()",
    ],
)
def test_filter_clauses_joined_by_and_narrow_the_rows(client: TestClient, filter_: str) -> None:
    """docs/web.md: "$filter understands status eq ..., topicId eq 1 and userId eq 7,
    joined by and". parse_filter unions status clauses (so "and" acts as "or"), lets the
    last topicId win, and treats an empty oneOf() as "any status": each of these answers
    the queued session of topic 1 although no session can match."""
    _request(client)
    reply = client.get("/api/v1/ChatSession", params={"$filter": filter_}, headers=basic("admin"))
    assert reply.status_code == 400 or reply.json()["value"] == [], reply.json()["value"][:1]


# --------------------------------------------- 6. a customer's read fails on its side effect


def test_a_customers_message_read_answers_as_its_transcript_read_on_a_deleted_session(
    client: TestClient,
) -> None:
    """docs/web.md: the key works "on GET/POST .../Messages (a customer's message; a fetch
    records WhenFetched), and on Transcript". On a Deleted session the transcript and the
    entity are served to the key, but GET Messages is 409 command_not_allowed, because the
    sign-of-life write (customer_fetched) is refused: a read fails on its side effect, and
    the REST answers for the same data disagree."""
    session = _request(client)
    sid, key = session["ChatSessionId"], session["SessionKey"]
    customer = {"ChatSession-Key": key}
    assert client.post(f"/api/v1/ChatSession/{sid}/Messages", json={"Message": "hi"},
                       headers=customer).status_code == 200
    assert client.delete(f"/api/v1/ChatSession/{sid}", headers=basic("admin")).status_code == 204
    transcript = client.post(f"/api/v1/ChatSession/{sid}/Transcript", headers=customer)
    messages = client.get(f"/api/v1/ChatSession/{sid}/Messages", headers=customer)
    assert messages.status_code == transcript.status_code, messages.text[:160]
