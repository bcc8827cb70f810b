"""The RejectTransfer story against a real ``chatsession serve`` on a loopback port.

Request, pick up, RejectTransfer with nothing pending (the unchanged entity), transfer,
RejectTransfer by someone else (the documented no-op), RejectTransfer by the target
(cleared), with status codes, ETags and the outcome header checked at each step.
"""

from __future__ import annotations

import httpx
from live_server import LiveServer

from chatsession.adapters.sqlite import SqliteChatSessionRepository


def test_the_reject_transfer_story_over_http(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url + "/api/v1", timeout=10) as http:
        created = http.post("/Agents/Chat/CreateChatSessionForTopic", json={"ChatTopicId": 1})
        assert created.status_code == 200 and created.headers["etag"] == '"1"'
        session = created.json()
        sid = session["ChatSessionId"]
        assert session["Status"] == "InQueue" and session["SessionKey"]

        picked = http.post(f"/ChatSession/{sid}/Pickup", auth=live_server.auth("alice"))
        assert picked.status_code == 200
        assert picked.headers["etag"] == '"2"'
        assert picked.headers["chatsession-outcome"] == "changed"
        assert picked.json()["User"]["AssociateId"] == 7
        assert picked.json()["SessionKey"] is None  # an agent's reply never carries it

        # nothing pending: nothing happens, the unchanged entity comes back
        nothing = http.post(f"/ChatSession/{sid}/RejectTransfer", auth=live_server.auth("bob"))
        assert nothing.status_code == 200
        assert nothing.headers["etag"] == '"2"'
        assert nothing.headers["chatsession-outcome"] == "no-op; reason=no_transfer_pending"
        assert nothing.json() == picked.json()

        transferred = http.post(
            f"/ChatSession/{sid}/TransferTo/bob", auth=live_server.auth("alice"),
            headers={"If-Match": '"2"'},
        )
        assert transferred.status_code == 200 and transferred.headers["etag"] == '"3"'
        assert transferred.json()["TransferTo"]["AssociateId"] == 8

        # someone else (alice, the sender) rejects: a no-op, nothing changes
        other = http.post(f"/ChatSession/{sid}/RejectTransfer", auth=live_server.auth("alice"))
        assert other.status_code == 200 and other.headers["etag"] == '"3"'
        assert other.headers["chatsession-outcome"] == "no-op; reason=not_transfer_target"
        assert other.json()["TransferTo"]["AssociateId"] == 8

        # carol is no member of the topic: forbidden, as a problem with its code
        stranger = http.post(f"/ChatSession/{sid}/RejectTransfer", auth=live_server.auth("carol"))
        assert stranger.status_code == 403
        assert stranger.headers["content-type"] == "application/problem+json"
        assert stranger.json()["code"] == "forbidden"

        # a stale If-Match: 412, nothing done
        stale = http.post(f"/ChatSession/{sid}/RejectTransfer", auth=live_server.auth("bob"),
                          headers={"If-Match": '"2"'})
        assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"

        rejected = http.post(f"/ChatSession/{sid}/RejectTransfer", auth=live_server.auth("bob"),
                             headers={"If-Match": '"3"'})
        assert rejected.status_code == 200 and rejected.headers["etag"] == '"4"'
        assert rejected.headers["chatsession-outcome"] == "changed"
        assert rejected.json()["TransferTo"] is None
        assert rejected.json()["User"]["AssociateId"] == 7

        unknown = http.post("/ChatSession/999/RejectTransfer", auth=live_server.auth("bob"))
        assert unknown.status_code == 404 and unknown.json()["code"] == "chat_session_not_found"
        anonymous = http.post(f"/ChatSession/{sid}/RejectTransfer")
        assert anonymous.status_code == 401 and "Basic" in anonymous.headers["www-authenticate"]

    log = live_server.stop()
    assert session["SessionKey"] not in log
    with SqliteChatSessionRepository(live_server.db) as stored:
        kept = stored.get(sid)
    assert kept.transfer_to is None and kept.user_id == 7 and kept.version == 4
