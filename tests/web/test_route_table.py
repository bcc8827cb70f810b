"""The app serves exactly the REST table of ``superoffice-chat-rest.md``: 17 + 31 endpoints."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_support import basic

from chatsession import InMemoryChatSessionRepository
from chatsession.web import create_app

CHAT_SESSION = {
    ("GET", "/api/v1/ChatSession"),
    ("GET", "/api/v1/ChatSession/{id}"),
    ("GET", "/api/v1/ChatSession/default"),
    ("POST", "/api/v1/ChatSession"),
    ("PUT", "/api/v1/ChatSession/{id}"),
    ("PATCH", "/api/v1/ChatSession/{id}"),
    ("DELETE", "/api/v1/ChatSession/{id}"),
    ("GET", "/api/v1/ChatSession/ForCurrentUser"),
    ("POST", "/api/v1/ChatSession/Pickup"),
    ("POST", "/api/v1/ChatSession/{chatSessionId}/Pickup"),
    ("POST", "/api/v1/ChatSession/{chatSessionId}/TransferTo/{toAssociate}"),
    ("POST", "/api/v1/ChatSession/{chatSessionId}/AcceptTransfer"),
    ("POST", "/api/v1/ChatSession/{chatSessionId}/RejectTransfer"),
    ("POST", "/api/v1/ChatSession/{chatSessionId}/Reset"),
    ("GET", "/api/v1/ChatSession/{chatSessionId}/Messages"),
    ("POST", "/api/v1/ChatSession/{chatSessionId}/Messages"),
    ("POST", "/api/v1/ChatSession/{chatSessionId}/Transcript"),
}
AGENT = {
    ("POST", f"/api/v1/Agents/Chat/{name}")
    for name in (
        "GetChatPresence", "SaveChatPresence", "CreateDefaultChatSessionEntity",
        "SaveChatSessionEntity", "DeleteChatSessionEntity", "GetChatSessionEntity",
        "ChatSessionsForUser", "TransferChatSession", "AcceptChatSessionTransfer",
        "RejectChatSessionTransfer", "PickUpChatSession", "PickUpFirstChatSession",
        "ResetChatSession", "GetChatTranscript", "GetChatMessages", "AddChatMessage",
        "CreateDefaultChatTopicAgent", "CreateDefaultChatTopicEntity", "SaveChatTopicEntity",
        "DeleteChatTopicEntity", "GetChatTopicEntity", "IsWithinOpeningHours",
        "ChatTopicsForUser", "GetUserAgentList", "GetChatTopicUserAgentList",
        "GetChatTopicUserAgent", "AddChatTopicUserAgent", "UpdateChatTopicUserAgent",
        "UpdateChatTopicUserAgents", "DeleteChatTopicUserAgent", "CreateChatSessionForTopic",
    )
}


def _served() -> set[tuple[str, str]]:
    document = create_app(InMemoryChatSessionRepository(), console_page=False).openapi()
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }


def test_every_endpoint_of_the_rest_table_is_served_and_nothing_else() -> None:
    assert len(CHAT_SESSION) == 17 and len(AGENT) == 31
    assert _served() == CHAT_SESSION | AGENT


def test_named_routes_are_not_taken_for_ids(client: TestClient) -> None:
    default = client.get("/api/v1/ChatSession/default", headers=basic("alice"))
    assert default.status_code == 200 and default.json()["ChatSessionId"] == 0
    mine = client.get("/api/v1/ChatSession/ForCurrentUser", headers=basic("alice"))
    assert mine.status_code == 200 and mine.json() == []
    first = client.post("/api/v1/ChatSession/Pickup", headers=basic("alice"))
    assert first.status_code == 200 and first.json() is None  # the queue is empty
