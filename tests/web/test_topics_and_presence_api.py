"""Topics, topic agents, presence and the user list over the agent's endpoints, with rights."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_support import basic

from chatsession import ManualClock
from chatsession.ports.stores import ChatSessionRepository

AGENT = "/api/v1/Agents/Chat"


def test_an_administrator_creates_a_topic_and_its_members_read_it(
    client: TestClient, repository: ChatSessionRepository
) -> None:
    default = client.post(f"{AGENT}/CreateDefaultChatTopicEntity", headers=basic("admin"))
    assert default.status_code == 200 and default.json()["ChatTopicId"] == 0
    entity = {**default.json(), "Name": "Billing", "WelcomeMessage": "Hi, billing here"}
    refused = client.post(f"{AGENT}/SaveChatTopicEntity", json=entity, headers=basic("alice"))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    created = client.post(f"{AGENT}/SaveChatTopicEntity", json=entity, headers=basic("admin"))
    assert created.status_code == 200
    topic_id = created.json()["ChatTopicId"]
    assert topic_id == 2 and repository.get_topic(topic_id).name == "Billing"

    # alice is no member yet: she cannot read it
    read = client.post(f"{AGENT}/GetChatTopicEntity", params={"chatTopicEntityId": topic_id},
                       headers=basic("alice"))
    assert read.status_code == 403
    added = client.post(f"{AGENT}/AddChatTopicUserAgent", headers=basic("admin"), json={
        "ChatTopicId": topic_id,
        "Useragent": {"User": {"AssociateId": 7}, "CanRespond": True, "CanManage": True},
    })
    assert added.status_code == 200 and added.json()["User"]["UserName"] == "alice"
    read = client.post(f"{AGENT}/GetChatTopicEntity", params={"chatTopicEntityId": topic_id},
                       headers=basic("alice"))
    assert read.status_code == 200 and read.json()["Name"] == "Billing"
    mine = client.post(f"{AGENT}/ChatTopicsForUser", headers=basic("alice"))
    assert sorted(t["Name"] for t in mine.json()) == ["Billing", "Support"]


def test_a_topic_manager_manages_that_topic_only(
    client: TestClient, repository: ChatSessionRepository
) -> None:
    made = client.post(f"{AGENT}/AddChatTopicUserAgent", headers=basic("admin"), json={
        "ChatTopicId": 1, "Useragent": {"User": {"AssociateId": 9}, "CanManage": True}})
    assert made.status_code == 200
    # carol manages topic 1 now: she adds and updates agents there
    bob = client.post(f"{AGENT}/UpdateChatTopicUserAgent", headers=basic("carol"), json={
        "ChatTopicId": 1, "Username": "bob",
        "Useragent": {"CanRespond": True, "CanListen": True}})
    assert bob.status_code == 200 and bob.json()["CanListen"] is True
    assert repository.get_topic_agent(1, 8).can_listen
    listed = client.post(f"{AGENT}/GetChatTopicUserAgentList", headers=basic("carol"),
                         json={"ChatTopicId": 1})
    assert [a["User"]["AssociateId"] for a in listed.json()] == [7, 8, 9]
    one = client.post(f"{AGENT}/GetChatTopicUserAgent", headers=basic("carol"),
                      json={"chattopicid": 1, "username": "ALICE"})
    assert one.status_code == 200 and one.json()["CanRespond"] is True
    # alice responds on topic 1 but does not manage it
    refused = client.post(f"{AGENT}/DeleteChatTopicUserAgent", headers=basic("alice"),
                          json={"ChatTopicId": 1, "Username": "bob"})
    assert refused.status_code == 403
    gone = client.post(f"{AGENT}/DeleteChatTopicUserAgent", headers=basic("carol"),
                       json={"ChatTopicId": 1, "Username": "bob"})
    assert gone.status_code == 204 and gone.content == b""
    assert [a.user_id for a in repository.topic_agents(1)] == [7, 9]
    # only an administrator deletes a topic
    assert client.post(f"{AGENT}/DeleteChatTopicEntity", params={"ChatTopicEntityId": 1},
                       headers=basic("carol")).status_code == 403


def test_several_agents_are_updated_all_or_none(
    client: TestClient, repository: ChatSessionRepository
) -> None:
    bad = client.post(f"{AGENT}/UpdateChatTopicUserAgents", headers=basic("admin"), json={
        "ChatTopicId": 1, "Useragents": [
            {"User": {"AssociateId": 9}, "CanListen": True},
            {"User": {"AssociateId": 404}, "CanListen": True},
        ]})
    assert bad.status_code == 404 and bad.json()["code"] == "unknown_associate"
    assert [a.user_id for a in repository.topic_agents(1)] == [7, 8]
    good = client.post(f"{AGENT}/UpdateChatTopicUserAgents", headers=basic("admin"), json={
        "ChatTopicId": 1, "Useragents": [{"User": {"AssociateId": 9}, "CanListen": True}]})
    assert good.status_code == 200 and len(good.json()) == 1
    assert repository.get_topic_agent(1, 9).can_listen


def test_presence_is_set_by_oneself_or_an_administrator(
    client: TestClient, repository: ChatSessionRepository
) -> None:
    own = client.post(f"{AGENT}/SaveChatPresence", headers=basic("alice"), json={
        "ChatPresence": [{"UserId": 7, "Present": False}]})
    assert own.status_code == 204
    assert repository.get_presence(7).present is False
    other = client.post(f"{AGENT}/SaveChatPresence", headers=basic("alice"), json={
        "ChatPresence": [{"UserId": 8, "Present": False}]})
    assert other.status_code == 403 and repository.get_presence(8).present is True
    admin = client.post(f"{AGENT}/SaveChatPresence", headers=basic("admin"), json={
        "ChatPresence": [{"UserId": 8, "Present": False}, {"UserId": 9, "Present": True}]})
    assert admin.status_code == 204
    everyone = client.post(f"{AGENT}/GetChatPresence", headers=basic("carol")).json()
    assert {p["UserId"]: p["Present"] for p in everyone} == {1: False, 7: False, 8: False,
                                                           9: True}
    assert {p["UserId"]: p["DisplayName"] for p in everyone}[7] == "Alice Agent"


def test_the_user_list_and_opening_hours(client: TestClient, clock: ManualClock) -> None:
    users = client.post(f"{AGENT}/GetUserAgentList", headers=basic("alice"),
                        json={"Flat": True, "OnlyPresent": False}).json()
    assert [u["Name"] for u in users] == ["admin", "alice", "bob", "carol"]
    present = client.post(f"{AGENT}/GetUserAgentList", headers=basic("alice"),
                          json={"Flat": True, "OnlyPresent": True}).json()
    assert [u["Id"] for u in present] == [7, 8]
    # topic 1 has no opening hours set: always open; a widget may ask without credentials
    assert client.post(f"{AGENT}/IsWithinOpeningHours", json={"ChatTopicId": 1}).json() is True
    missing = client.post(f"{AGENT}/IsWithinOpeningHours", json={"ChatTopicId": 99})
    assert missing.status_code == 404 and missing.json()["code"] == "chat_topic_not_found"
