"""Who is calling: Basic, API tokens (Bearer and SOTicket), a trusted header, SessionKeys."""

from __future__ import annotations

import base64
import logging

import pytest
from fastapi.testclient import TestClient
from web_support import START, basic

from chatsession import ManualClock
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service.credentials import new_token
from chatsession.web import FirstOf, StoredCredentials, TrustedHeader, create_app

PICK_UP_FIRST = "/api/v1/ChatSession/Pickup"


def _request(client: TestClient) -> dict[str, object]:
    created = client.post("/api/v1/Agents/Chat/CreateChatSessionForTopic", json={"ChatTopicId": 1})
    assert created.status_code == 200
    document: dict[str, object] = created.json()
    return document


def test_basic_credentials_prove_the_associate(client: TestClient) -> None:
    sid = _request(client)["ChatSessionId"]
    picked = client.post(PICK_UP_FIRST, headers=basic("alice"))
    assert picked.status_code == 200 and picked.json()["ChatSessionId"] == sid
    assert picked.json()["User"]["AssociateId"] == 7


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + base64.b64encode(b"alice:Pa55-guess").decode(),
        "Basic " + base64.b64encode(b"nobody:alice-secret-1").decode(),
        "Basic " + base64.b64encode(b"alice").decode(),
        "Basic not-base64!",
        "Bearer not-a-token",
        "SOTicket not-a-token",
    ],
)
def test_bad_credentials_are_401_with_a_challenge(client: TestClient, authorization: str) -> None:
    reply = client.post(PICK_UP_FIRST, headers={"Authorization": authorization})
    assert reply.status_code == 401
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["code"] == "not_authenticated"
    challenges = reply.headers.get_list("www-authenticate")
    assert any(c.startswith("Basic ") for c in challenges)
    assert any(c.startswith("Bearer ") for c in challenges)
    assert "secret" not in reply.text and "Pa55" not in reply.text


def test_no_credentials_is_401(client: TestClient) -> None:
    reply = client.get("/api/v1/ChatSession/ForCurrentUser")
    assert reply.status_code == 401 and reply.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("scheme", ["Bearer", "SOTicket", "soticket", "bearer"])
def test_a_token_works_in_the_schemes_superoffice_clients_send(
    client: TestClient, repository: ChatSessionRepository, scheme: str
) -> None:
    token, hashed = new_token()
    repository.add_token(8, hashed, at=START)
    mine = client.get("/api/v1/ChatSession/ForCurrentUser",
                      headers={"Authorization": f"{scheme} {token}"})
    assert mine.status_code == 200


def test_a_revoked_token_no_longer_works_and_the_others_still_do(
    client: TestClient, repository: ChatSessionRepository
) -> None:
    first, first_hash = new_token()
    second, second_hash = new_token()
    revoked = repository.add_token(8, first_hash, at=START)
    repository.add_token(8, second_hash, at=START)
    assert repository.revoke_token(revoked.token_id, at=START)
    url = "/api/v1/ChatSession/ForCurrentUser"
    assert client.get(url, headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_extra_superoffice_headers_and_odd_accept_headers_are_ignored(client: TestClient) -> None:
    _request(client)
    for accept in (None, "text/xml", "*/*", "application/json;q=0.9", "garbage///"):
        headers = {**basic("alice"), "SO-AppToken": "x", "SO-Language": "sv",
                   "SO-TimeZone": "CET", "Accept-Language": "fr,de"}
        if accept is not None:
            headers["Accept"] = accept
        reply = client.get("/api/v1/ChatSession/ForCurrentUser", headers=headers)
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("application/json")


def test_a_trusted_header_names_the_associate_behind_a_gateway(
    repository: ChatSessionRepository,
) -> None:
    app = create_app(repository, clock=ManualClock(START), authenticator=FirstOf(
        [StoredCredentials(repository), TrustedHeader(repository, "X-Remote-User")]
    ))
    with TestClient(app) as client:
        _request(client)
        picked = client.post(PICK_UP_FIRST, headers={"X-Remote-User": "Bob"})
        assert picked.status_code == 200 and picked.json()["User"]["AssociateId"] == 8
        unknown = client.post(PICK_UP_FIRST, headers={"X-Remote-User": "mallory"})
        assert unknown.status_code == 401
        # without the trusted header the stored credentials still work
        assert client.post(PICK_UP_FIRST, headers=basic("alice")).status_code == 200


def test_customer_calls_are_authorised_by_the_session_key_only(client: TestClient) -> None:
    session = _request(client)
    sid, key = session["ChatSessionId"], str(session["SessionKey"])
    url = f"/api/v1/ChatSession/{sid}/Messages"
    posted = client.post(url, json={"Message": "Hi, my printer is on fire"},
                         headers={"ChatSession-Key": key})
    assert posted.status_code == 200 and posted.json()["Type"] == "ToUser"
    assert posted.json()["Author"] == "customer"
    wrong = client.post(url, json={"Message": "x"}, headers={"ChatSession-Key": key + "x"})
    assert wrong.status_code == 401
    fetched = client.get(url, headers={"ChatSession-Key": key})
    assert [m["Message"] for m in fetched.json()] == ["Hi, my printer is on fire"]
    own = client.get(f"/api/v1/ChatSession/{sid}", headers={"ChatSession-Key": key})
    assert own.status_code == 200 and own.json()["SessionKey"] == key
    # another session's key does not open this one
    other = _request(client)
    foreign = client.get(f"/api/v1/ChatSession/{sid}",
                         headers={"ChatSession-Key": str(other["SessionKey"])})
    assert foreign.status_code == 401


def test_the_session_key_is_never_in_an_agent_reply_nor_in_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session = _request(client)
    sid, key = session["ChatSessionId"], str(session["SessionKey"])
    replies = [
        client.post(f"/api/v1/ChatSession/{sid}/Pickup", headers=basic("alice")),
        client.get(f"/api/v1/ChatSession/{sid}", headers=basic("alice")),
        client.get("/api/v1/ChatSession/ForCurrentUser", headers=basic("bob")),
        client.get("/api/v1/ChatSession", headers=basic("alice")),
        client.post("/api/v1/Agents/Chat/GetChatSessionEntity",
                    params={"chatSessionEntityId": sid}, headers=basic("alice")),
        client.post(f"/api/v1/ChatSession/{sid}/TransferTo/bob", headers=basic("alice")),
        client.get(f"/api/v1/ChatSession/{sid}", headers={"ChatSession-Key": key + "0"}),
    ]
    for reply in replies:
        assert key not in reply.text
    assert key not in caplog.text


def test_the_hash_cost_is_chosen_within_bounds_and_verifies() -> None:
    from chatsession.domain.errors import InvalidArgumentError
    from chatsession.service.credentials import MIN_COST, hash_password, verify_password

    cheap = hash_password("pass phrase", cost=MIN_COST)
    assert cheap.startswith(f"scrypt${MIN_COST}$") and verify_password("pass phrase", cheap)
    assert not verify_password("pass phrase!", cheap)
    for cost in (MIN_COST // 2, 3000, 2**21, True, 1024.0):
        with pytest.raises(InvalidArgumentError):
            hash_password("pass phrase", cost=cost)  # type: ignore[arg-type]
