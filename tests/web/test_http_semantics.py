"""HTTP semantics: problems with codes, ETags and If-Match, the outcome header, 503."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_support import START, basic

from chatsession import ManualClock
from chatsession.ports.errors import RepositoryBusyError
from chatsession.ports.stores import ChatSessionRepository
from chatsession.web import create_app


def _picked_up(client: TestClient) -> int:
    created = client.post("/api/v1/Agents/Chat/CreateChatSessionForTopic", json={"ChatTopicId": 1})
    sid: int = created.json()["ChatSessionId"]
    picked = client.post(f"/api/v1/ChatSession/{sid}/Pickup", headers=basic("alice"))
    assert picked.status_code == 200
    return sid


def test_every_reply_of_a_session_carries_its_version_as_etag(client: TestClient) -> None:
    sid = _picked_up(client)
    got = client.get(f"/api/v1/ChatSession/{sid}", headers=basic("alice"))
    assert got.headers["etag"] == '"2"'
    links = got.json()["_Links"]
    assert links["Self"].endswith(f"/api/v1/ChatSession/{sid}")
    agent = client.post("/api/v1/Agents/Chat/GetChatSessionEntity",
                        params={"chatSessionEntityId": sid}, headers=basic("alice"))
    assert agent.headers["etag"] == '"2"' and "_Links" not in agent.json()


@pytest.mark.parametrize("if_match", ['"2"', 'W/"2"', '"1", "2"', "*"])
def test_a_matching_if_match_lets_the_command_run(client: TestClient, if_match: str) -> None:
    sid = _picked_up(client)
    reply = client.post(f"/api/v1/ChatSession/{sid}/TransferTo/8",
                        headers={**basic("alice"), "If-Match": if_match})
    assert reply.status_code == 200 and reply.headers["etag"] == '"3"'


@pytest.mark.parametrize("if_match", ['"1"', '"3"', "garbage", '"x"', '""'])
def test_a_stale_or_foreign_if_match_is_412_and_nothing_is_done(
    client: TestClient, repository: ChatSessionRepository, if_match: str
) -> None:
    sid = _picked_up(client)
    reply = client.post(f"/api/v1/ChatSession/{sid}/TransferTo/8",
                        headers={**basic("alice"), "If-Match": if_match})
    assert reply.status_code == 412
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["code"] == "precondition_failed"
    assert repository.get(sid).version == 2 and repository.get(sid).transfer_to is None


def test_documented_no_ops_are_200_with_the_unchanged_entity_and_say_why(
    client: TestClient,
) -> None:
    sid = _picked_up(client)
    before = client.get(f"/api/v1/ChatSession/{sid}", headers=basic("alice")).json()
    cases = {
        f"/api/v1/ChatSession/{sid}/RejectTransfer": "no-op; reason=no_transfer_pending",
        f"/api/v1/ChatSession/{sid}/AcceptTransfer": "no-op; reason=no_transfer_pending",
        f"/api/v1/ChatSession/{sid}/TransferTo/7": None,  # to oneself: refused below
    }
    for url, outcome in cases.items():
        if outcome is None:
            continue
        reply = client.post(url, headers=basic("bob"))
        assert reply.status_code == 200 and reply.headers["chatsession-outcome"] == outcome
        assert reply.headers["etag"] == '"2"'
        assert {k: v for k, v in reply.json().items() if k != "_Links"} == {
            k: v for k, v in before.items() if k != "_Links"}
    by_stranger = client.post(f"/api/v1/ChatSession/{sid}/TransferTo/7", headers=basic("bob"))
    assert by_stranger.headers["chatsession-outcome"] == "no-op; reason=not_owner"
    not_queued = client.post(f"/api/v1/ChatSession/{sid}/Pickup", headers=basic("bob"))
    assert not_queued.status_code == 200 and not_queued.json() is None


def test_illegal_commands_are_problems_with_their_codes(client: TestClient) -> None:
    sid = _picked_up(client)
    to_self = client.post(f"/api/v1/ChatSession/{sid}/TransferTo/alice", headers=basic("alice"))
    assert to_self.status_code == 409
    assert to_self.json()["code"] == "transfer_to_self"
    nobody = client.post(f"/api/v1/ChatSession/{sid}/TransferTo/nobody", headers=basic("alice"))
    assert nobody.status_code == 404 and nobody.json()["code"] == "unknown_associate"
    unknown = client.get("/api/v1/ChatSession/424242", headers=basic("alice"))
    assert unknown.status_code == 404 and unknown.json()["code"] == "chat_session_not_found"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/ChatSession/abc", None),
        ("get", "/api/v1/ChatSession/0", None),
        ("get", "/api/v1/ChatSession/99999999999", None),
        ("post", "/api/v1/Agents/Chat/RejectChatSessionTransfer", {"ChatSessionId": "x"}),
        ("post", "/api/v1/Agents/Chat/RejectChatSessionTransfer", {}),
        ("post", "/api/v1/Agents/Chat/RejectChatSessionTransfer", [1]),
        ("get", "/api/v1/ChatSession?$top=-1", None),
    ],
)
def test_bad_input_is_422_naming_where_never_echoing_it(
    client: TestClient, method: str, url: str, body: object
) -> None:
    reply = client.request(method, url, json=body, headers=basic("alice"))
    assert reply.status_code == 422
    assert reply.json()["code"] == "invalid_request" and reply.json()["errors"]


def test_a_bad_filter_is_400_and_says_what_is_understood(client: TestClient) -> None:
    reply = client.get("/api/v1/ChatSession", params={"$filter": "name begins 'x'"},
                       headers=basic("alice"))
    assert reply.status_code == 400 and reply.json()["code"] == "invalid_argument"
    assert "status" in reply.json()["detail"]


class _Busy:
    """A repository whose every unit of work finds the store busy."""

    def __init__(self, inner: ChatSessionRepository) -> None:
        self._inner = inner

    def transaction(self) -> object:
        raise RepositoryBusyError("the store is locked by another writer")

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def test_a_busy_store_is_503_with_retry_after(repository: ChatSessionRepository) -> None:
    app = create_app(_Busy(repository), clock=ManualClock(START))  # type: ignore[arg-type]
    with TestClient(app) as client:
        reply = client.post("/api/v1/Agents/Chat/CreateChatSessionForTopic",
                            json={"ChatTopicId": 1})
    assert reply.status_code == 503 and reply.headers["retry-after"] == "1"
    assert reply.json()["code"] == "store_busy"


def test_an_unexpected_error_is_a_bare_500(repository: ChatSessionRepository) -> None:
    class Broken(_Busy):
        def transaction(self) -> object:
            raise RuntimeError("/secret/path/in/the/message")

    app = create_app(Broken(repository), clock=ManualClock(START))  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as client:
        reply = client.post("/api/v1/Agents/Chat/CreateChatSessionForTopic",
                            json={"ChatTopicId": 1})
    assert reply.status_code == 500 and reply.json()["code"] == "internal_error"
    assert "secret" not in reply.text
