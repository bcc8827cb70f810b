"""The seed operation over HTTP: ``POST /api/v1/ChatSession/{id}/RejectTransfer``.

The REST face in process (FastAPI's test client; ``chatsession serve`` serves the same
app on a port), over an in-memory store with two agents. Prints each exchange.

Run: ``python examples/rest_reject_transfer.py`` (needs the ``web`` extra)
"""

from datetime import UTC, datetime

import httpx
from fastapi.testclient import TestClient

from chatsession import ChatTopic, InMemoryChatSessionRepository, ManualClock
from chatsession.domain.account import AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.presence import Presence
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.service.credentials import hash_password
from chatsession.web import create_app


def store() -> InMemoryChatSessionRepository:
    """Alice (7) and Bob (8) answer topic 1 and are present."""
    repository = InMemoryChatSessionRepository()
    repository.add_topic(ChatTopic(id=1, name="Support"))
    for associate_id, name in ((7, "alice"), (8, "bob")):
        info = AssociateInfo(associate_id, name, name.title())
        repository.put_account(AssociateAccount(info, password_hash=hash_password(name + "-pw")))
        repository.put_topic_agent(ChatTopicAgent(topic_id=1, user_id=associate_id,
                                                  can_respond=True))
        repository.set_presence(Presence(user_id=associate_id, present=True))
    return repository


def main() -> None:
    app = create_app(store(), clock=ManualClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))
    alice, bob = ("alice", "alice-pw"), ("bob", "bob-pw")
    with TestClient(app, base_url="http://chat.example") as http:

        def show(reply: httpx.Response) -> None:
            print(f"{reply.request.method} {reply.request.url.path}")
            print(f"  -> {reply.status_code}, ETag {reply.headers.get('etag')}, "
                  f"{reply.headers.get('chatsession-outcome')}")

        created = http.post("/api/v1/Agents/Chat/CreateChatSessionForTopic",
                            json={"ChatTopicId": 1})
        sid = created.json()["ChatSessionId"]
        show(created)
        show(http.post(f"/api/v1/ChatSession/{sid}/Pickup", auth=alice))
        nothing = http.post(f"/api/v1/ChatSession/{sid}/RejectTransfer", auth=bob)
        show(nothing)
        assert nothing.headers["chatsession-outcome"] == "no-op; reason=no_transfer_pending"
        show(http.post(f"/api/v1/ChatSession/{sid}/TransferTo/bob", auth=alice))
        rejected = http.post(f"/api/v1/ChatSession/{sid}/RejectTransfer", auth=bob,
                             headers={"If-Match": '"3"'})
        show(rejected)
        assert rejected.json()["TransferTo"] is None
        assert rejected.json()["User"]["AssociateId"] == 7


if __name__ == "__main__":
    main()
