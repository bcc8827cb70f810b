"""The session endpoints beyond RejectTransfer: the listing, messages, transcript, reset,
entity saves and deletes, and the agent's twin of each ChatSession route."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_support import basic

from chatsession.ports.stores import ChatSessionRepository

API = "/api/v1"
AGENT = "/api/v1/Agents/Chat"


def _new(client: TestClient) -> tuple[int, str]:
    created = client.post(f"{AGENT}/CreateChatSessionForTopic", json={"ChatTopicId": 1}).json()
    return created["ChatSessionId"], created["SessionKey"]


def test_the_listing_pages_filters_and_selects(client: TestClient) -> None:
    ids = [_new(client)[0] for _ in range(5)]
    client.post(f"{API}/ChatSession/{ids[0]}/Pickup", headers=basic("alice"))
    page = client.get(f"{API}/ChatSession", headers=basic("alice"),
                      params={"$top": 2, "$skip": 1, "$select": "Status,chatsessionid"})
    body = page.json()
    assert [row["PrimaryKey"] for row in body["value"]] == ids[1:3]
    assert body["value"][0] == {"PrimaryKey": ids[1], "EntityName": "chatsession",
                                "ChatSessionId": ids[1], "Status": "InQueue"}
    assert "%24skip=3" in body["odata.nextLink"]
    queued = client.get(f"{API}/ChatSession", headers=basic("bob"),
                        params={"$filter": "status eq 'InQueue' and topicId eq 1"})
    assert [row["PrimaryKey"] for row in queued.json()["value"]] == ids[1:]
    assert queued.json()["odata.nextLink"] is None
    several = client.get(f"{API}/ChatSession", headers=basic("bob"),
                         params={"$filter": "status oneOf('InQueue','UserLast')"})
    assert len(several.json()["value"]) == 5
    # carol is in no topic: she sees nothing; the administrator sees everything
    assert client.get(f"{API}/ChatSession", headers=basic("carol")).json()["value"] == []
    assert len(client.get(f"{API}/ChatSession", headers=basic("admin")).json()["value"]) == 5


def test_messages_flow_between_customer_and_agent(client: TestClient) -> None:
    sid, key = _new(client)
    client.post(f"{API}/ChatSession/{sid}/Pickup", headers=basic("alice"))
    client.post(f"{API}/ChatSession/{sid}/Messages", json={"Message": "Hello?"},
                headers={"ChatSession-Key": key})
    answer = client.post(f"{AGENT}/AddChatMessage", headers=basic("alice"),
                         json={"ChatSessionId": sid, "Message": {"Message": "How can I help?"}})
    assert answer.status_code == 200 and answer.json()["Type"] == "ToCustomer"
    stranger = client.post(f"{API}/ChatSession/{sid}/Messages", json={"Message": "hi"},
                           headers=basic("bob"))
    assert stranger.status_code == 403  # bob is a member, not the handling user
    assert stranger.json()["code"] == "not_handling_user"
    everything = client.get(f"{API}/ChatSession/{sid}/Messages", headers=basic("bob")).json()
    texts = [m["Message"] for m in everything]
    assert texts[-2:] == ["Hello?", "How can I help?"] and "Hello!" in texts  # the welcome
    after = everything[-2]["ChatMessageId"]
    later = client.post(f"{AGENT}/GetChatMessages", headers=basic("alice"),
                        json={"ChatSessionId": sid, "After": after}).json()
    assert [m["Message"] for m in later] == ["How can I help?"]
    text = client.post(f"{API}/ChatSession/{sid}/Transcript", headers=basic("alice"))
    assert "How can I help?" in text.json()
    html = client.post(f"{AGENT}/GetChatTranscript", headers=basic("alice"),
                       json={"ChatSessionId": sid, "Html": True})
    assert "<" in html.json() and "How can I help?" in html.json()


def test_reset_puts_a_session_back_in_the_queue(client: TestClient) -> None:
    sid, _ = _new(client)
    client.post(f"{API}/ChatSession/{sid}/Pickup", headers=basic("alice"))
    reset = client.post(f"{AGENT}/ResetChatSession", headers=basic("alice"),
                        json={"ChatSessionId": sid})
    assert reset.status_code == 200 and reset.json()["Status"] == "InQueue"
    assert reset.headers["chatsession-outcome"] == "changed"


@pytest.mark.parametrize("route", ["rest", "agent"])
def test_accept_transfer_on_both_routes(client: TestClient, route: str) -> None:
    sid, _ = _new(client)
    client.post(f"{AGENT}/PickUpChatSession", headers=basic("alice"), json={"ChatSessionId": sid})
    client.post(f"{AGENT}/TransferChatSession", headers=basic("alice"),
                json={"ChatSessionId": sid, "ToAssociate": "8"})
    if route == "rest":
        accepted = client.post(f"{API}/ChatSession/{sid}/AcceptTransfer", headers=basic("bob"))
    else:
        accepted = client.post(f"{AGENT}/AcceptChatSessionTransfer", headers=basic("bob"),
                               json={"ChatSessionId": sid})
    assert accepted.status_code == 200 and accepted.json()["User"]["AssociateId"] == 8
    assert accepted.json()["TransferTo"] is None
    mine = client.post(f"{AGENT}/ChatSessionsForUser", headers=basic("bob")).json()
    assert [s["ChatSessionId"] for s in mine] == [sid]


def test_entity_saves_are_for_administrators_and_recorded(
    client: TestClient, repository: ChatSessionRepository
) -> None:
    default = client.post(f"{AGENT}/CreateDefaultChatSessionEntity", headers=basic("alice"))
    entity = {**default.json(), "TopicId": 1, "CustomerAlias": "Walk-in"}
    assert client.post(f"{API}/ChatSession", json=entity,
                       headers=basic("alice")).status_code == 403
    created = client.post(f"{API}/ChatSession", json=entity, headers=basic("admin"))
    assert created.status_code == 200, created.text
    sid = created.json()["ChatSessionId"]
    assert sid > 0 and created.json()["_Links"]["Self"].endswith(f"/ChatSession/{sid}")
    put = client.put(f"{API}/ChatSession/{sid}", headers={**basic("admin"), "If-Match": '"1"'},
                     json={**created.json(), "CustomerAlias": "Walter"})
    assert put.status_code == 200 and put.headers["etag"] == '"2"'
    patched = client.patch(f"{API}/ChatSession/{sid}", headers=basic("admin"),
                           json=[{"op": "test", "path": "customeralias", "value": "Walter"},
                                 {"op": "replace", "path": "/CustomerAlias", "value": "Wally"}])
    assert patched.status_code == 200 and patched.json()["CustomerAlias"] == "Wally"
    failed = client.patch(f"{API}/ChatSession/{sid}", headers=basic("admin"),
                          json=[{"op": "test", "path": "/CustomerAlias", "value": "Walter"}])
    assert failed.status_code == 409 and failed.json()["code"] == "patch_test_failed"
    assert repository.get(sid).customer_alias == "Wally"
    assert client.delete(f"{API}/ChatSession/{sid}", headers=basic("alice")).status_code == 403
    deleted = client.delete(f"{API}/ChatSession/{sid}", headers=basic("admin"))
    assert deleted.status_code == 204 and deleted.content == b""
    assert repository.get(sid).status.name == "Deleted"
