"""The message log through the service: AddChatMessage answers the stored message,
GetChatMessages pages, PickUp writes the topic's welcome, the transcript escapes."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatsession import (
    ChatAgent,
    ChatSessionNotFoundError,
    ChatTopic,
    InMemoryChatSessionRepository,
    ManualClock,
    SqliteChatSessionRepository,
)
from chatsession.domain.messages import ChatMessageType, SpecialType
from chatsession.domain.presence import Presence
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.wire import ChatMessage as ChatMessageCarrier
from chatsession.wire.message_mapping import to_message_entity

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
def agent(request: pytest.FixtureRequest, tmp_path: Path) -> ChatAgent:
    repo = (InMemoryChatSessionRepository() if request.param == "memory"
            else SqliteChatSessionRepository(tmp_path / "m.db", synchronous="NORMAL"))
    repo.add_topic(ChatTopic(id=1, welcome_message="Hi, I am <Alice> & I can help"))
    for user in (7, 8):  # present agents who can respond: the topic has someone to answer
        repo.put_topic_agent(ChatTopicAgent(1, user, can_respond=True))
        repo.set_presence(Presence(user, present=True))
    return ChatAgent(repo, clock=ManualClock(AT))


def test_add_chat_message_answers_the_stored_message(agent: ChatAgent) -> None:
    sid = agent.create_session(ChatTopic(id=1)).entity.chat_session_id
    assert sid is not None
    reply = agent.add_customer_message(sid, "my invoice is wrong")
    [message] = reply.messages
    assert message.chat_message_id >= 1 and message.text == "my invoice is wrong"
    assert message.type is ChatMessageType.ToUser and message.author == "customer"
    assert message.when == AT
    assert agent.get_messages(sid) == [message]


def test_pick_up_writes_the_topic_s_welcome_message(agent: ChatAgent) -> None:
    sid = agent.create_session(ChatTopic(id=1)).entity.chat_session_id
    assert sid is not None
    picked = agent.pick_up(sid, by=7)
    assert picked is not None
    [welcome] = picked.messages
    assert welcome.special_type is SpecialType.Welcome
    assert welcome.text == "Hi, I am <Alice> & I can help" and welcome.special_param == "7"


def test_get_chat_messages_pages_after_a_message_id(agent: ChatAgent) -> None:
    sid = agent.create_session(ChatTopic(id=1)).entity.chat_session_id
    assert sid is not None
    ids = [agent.add_customer_message(sid, f"m{n}").messages[0].chat_message_id
           for n in range(4)]
    assert [m.text for m in agent.get_messages(sid, after=ids[1])] == ["m2", "m3"]
    with pytest.raises(ChatSessionNotFoundError):
        agent.get_messages(4242)


def test_the_transcript_is_plain_text_or_escaped_html(agent: ChatAgent) -> None:
    sid = agent.create_session(ChatTopic(id=1)).entity.chat_session_id
    assert sid is not None
    agent.add_customer_message(sid, "<script>alert(1)</script>")
    agent.pick_up(sid, by=7)
    agent.transfer(sid, to=8, by=7)
    text = agent.transcript(sid)
    assert "customer: <script>alert(1)</script>" in text
    assert "[transferred to associate 8]" in text
    html = agent.transcript(sid, html=True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;Alice&gt; &amp; I can help" in html


def test_a_stored_message_maps_to_superoffice_s_carrier(agent: ChatAgent) -> None:
    sid = agent.create_session(ChatTopic(id=1)).entity.chat_session_id
    assert sid is not None
    agent.pick_up(sid, by=7)
    agent.add_user_message(sid, "hello", by=7)
    welcome, hello = agent.get_messages(sid)
    carrier = to_message_entity(hello)
    assert carrier.to_wire() == {
        "ChatMessageId": hello.chat_message_id, "ChatSessionId": sid, "Type": "ToCustomer",
        "Message": "hello", "Author": "user:7", "ReadByCustomer": 0, "SpecialType": "None",
        "SpecialParam": "", "WhenPosted": AT.isoformat(timespec="microseconds"),
    }
    assert to_message_entity(welcome).to_wire()["SpecialType"] == "Welcome"
    again = ChatMessageCarrier.from_wire(carrier.to_wire())
    assert again.to_wire() == carrier.to_wire()
    assert hello.when - welcome.when == timedelta(0)
