"""The agent console in a real browser: headless Chromium (Playwright) on a live server.

The sessions are set up over HTTP as a customer and an agent would; then the console,
driven as an agent drives it, must show them and its buttons must do what they say. The
stored session is checked afterwards in the SQLite file itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from browser import LAUNCH_ARGS, chromium
from live_server import CAST, LiveServer

from chatsession.adapters.sqlite import SqliteChatSessionRepository

CHROMIUM = chromium()  # skips the module without Chromium (fails under CI)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

TIMEOUT_MS = 10_000  # the console polls every 3 s; a busy CI machine gets some slack


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Browser]:
    """One headless Chromium for the module's tests."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(chromium_browser: Browser) -> Iterator[Page]:
    """A fresh page; the test fails if the page logged an error (a script error, a CSP
    violation), a refused request of the log-in aside."""
    context = chromium_browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    opened.on("console", lambda message: errors.append(message.text)
              if message.type == "error" and "Failed to load resource" not in message.text
              else None)
    yield opened
    context.close()
    assert errors == []


def api(server: LiveServer) -> httpx.Client:
    """A client of the served API."""
    return httpx.Client(base_url=server.url + "/api/v1", timeout=10)


def request_session(http: httpx.Client) -> int:
    """A customer asks for a chat on topic 1 (no credentials): the new session's id."""
    created = http.post("/Agents/Chat/CreateChatSessionForTopic", json={"ChatTopicId": 1})
    assert created.status_code == 200, created.text
    assert created.json()["Status"] == "InQueue"
    session_id: int = created.json()["ChatSessionId"]
    return session_id


def command(http: httpx.Client, server: LiveServer, user: str, path: str) -> dict[str, Any]:
    """An agent's command over HTTP (it must change the session): the session's document."""
    done = http.post(path, auth=server.auth(user))
    assert done.status_code == 200, done.text
    assert done.headers["ChatSession-Outcome"] == "changed"
    document: dict[str, Any] = done.json()
    return document


def log_in(page: Page, server: LiveServer, user: str, password: str | None = None) -> None:
    """Open the console and log in (with the cast member's password unless another)."""
    page.goto(server.url + "/")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password if password is not None else CAST[user][2])
    page.get_by_role("button", name="Log in").click()


def test_bob_rejects_a_transfer_and_the_store_keeps_alice(live_server: LiveServer,
                                                          page: Page) -> None:
    with api(live_server) as http:
        session_id = request_session(http)
        command(http, live_server, "alice", f"/ChatSession/{session_id}/Pickup")
        moved = command(http, live_server, "alice", f"/ChatSession/{session_id}/TransferTo/bob")
        assert moved["TransferTo"]["AssociateId"] == CAST["bob"][0]

    log_in(page, live_server, "bob")
    expect(page.get_by_test_id("whoami")).to_have_text("Logged in as bob (associate 8)")
    transfer = page.get_by_test_id(f"transfer-{session_id}")
    expect(transfer).to_contain_text("from Alice Agent")
    transfer.get_by_role("button", name="Reject").click()

    expect(page.get_by_test_id("notice")).to_have_text(
        f"Reject transfer of session {session_id}: changed"
    )
    expect(transfer).to_have_count(0)
    expect(page.get_by_text("No transfer is waiting for you.")).to_be_visible()

    with SqliteChatSessionRepository(live_server.db) as repository:
        stored = repository.get(session_id)
    assert stored.transfer_to is None
    assert stored.user_id == CAST["alice"][0]
    assert stored.status.name == "UserLast"


def test_an_answer_to_a_transfer_changed_meanwhile_is_refused(live_server: LiveServer,
                                                               page: Page) -> None:
    # the page's clock is stopped: no polling, so the page keeps the ETag it read at log-in
    page.clock.install()
    page.clock.pause_at(datetime.now(UTC))
    with api(live_server) as http:
        session_id = request_session(http)
        command(http, live_server, "alice", f"/ChatSession/{session_id}/Pickup")
        command(http, live_server, "alice", f"/ChatSession/{session_id}/TransferTo/bob")
        log_in(page, live_server, "bob")
        transfer = page.get_by_test_id(f"transfer-{session_id}")
        expect(transfer).to_be_visible()
        posted = http.post(f"/ChatSession/{session_id}/Messages", auth=live_server.auth("alice"),
                           json={"Message": "one moment, please"})
        assert posted.status_code == 200, posted.text

    transfer.get_by_role("button", name="Accept").click()
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text(f"Accept transfer of session {session_id}: chat session")
    expect(notice).to_contain_text("nothing was done")  # the 412's detail
    # the refresh after the refusal read the new version: accepting now works
    transfer.get_by_role("button", name="Accept").click()
    expect(notice).to_have_text(f"Accept transfer of session {session_id}: changed")
    expect(transfer).to_have_count(0)
    expect(page.get_by_test_id(f"session-{session_id}")).to_be_visible()
    with SqliteChatSessionRepository(live_server.db) as repository:
        stored = repository.get(session_id)
    assert (stored.user_id, stored.transfer_to) == (CAST["bob"][0], None)


def test_alice_sees_her_rank_picks_up_from_the_queue_and_chats(live_server: LiveServer,
                                                               page: Page) -> None:
    with api(live_server) as http:
        first = request_session(http)
        rank = command(http, live_server, "alice", f"/ChatSession/{first}/Pickup")["Rank"]

        log_in(page, live_server, "alice", password="not-her-password")
        expect(page.get_by_test_id("login-error")).to_have_text("wrong user name or password")
        log_in(page, live_server, "alice")
        expect(page.get_by_test_id(f"session-{first}")).to_contain_text("UserLast")
        expect(page.get_by_test_id(f"rank-{first}")).to_have_text(str(rank))

        second = request_session(http)  # arrives while the console is open: polling shows it
        queued = page.get_by_test_id(f"queued-{second}")
        expect(queued).to_contain_text(f"Session {second} (Support)")
        queued.get_by_role("button", name="Pick up").click()
        expect(page.get_by_test_id("notice")).to_have_text(f"Pick up session {second}: changed")
        expect(queued).to_have_count(0)
        picked = http.get(f"/ChatSession/{second}", auth=live_server.auth("alice")).json()
        assert picked["User"]["AssociateId"] == CAST["alice"][0]
        expect(page.get_by_test_id(f"rank-{second}")).to_have_text(str(picked["Rank"]))

        # the session's messages, and a message posted from the console (shown as text)
        page.get_by_role("button", name=f"Show the messages of session {second}").click()
        messages = page.get_by_test_id("messages")
        expect(messages).to_contain_text("Hello!")  # the topic's welcome
        page.get_by_role("textbox", name="Message").fill("<b>Hi</b>, how can I help?")
        page.get_by_role("button", name="Send").click()
        expect(messages).to_contain_text("<b>Hi</b>, how can I help?")
        expect(messages.locator("b")).to_have_count(0)
        posted = http.get(f"/ChatSession/{second}/Messages", auth=live_server.auth("alice"))
        assert posted.json()[-1]["Message"] == "<b>Hi</b>, how can I help?"

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_test_id("my-sessions")).to_be_hidden()
