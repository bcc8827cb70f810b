"""The chat-session operations of the REST face, written once for both of its routes.

SuperOffice offers each session operation twice: on the ``ChatSession`` resource
(``POST ChatSession/{id}/RejectTransfer``) and on the Chat agent
(``POST Agents/Chat/RejectChatSessionTransfer {"ChatSessionId": id}``). Both routers
parse their own parameters and call the functions here, which authenticate, check
rights, run the ``ChatAgent`` command (conditional on ``If-Match``) and shape the reply.

Customer-side calls (post a customer message, fetch the messages or the session) are
authorised by the session's SessionKey in the ``ChatSession-Key`` header, never by an
associate's credentials.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from chatsession.domain.account import AssociateAccount
from chatsession.domain.errors import CommandNotAllowedError
from chatsession.domain.messages import ChatMessage
from chatsession.domain.session import ChatSession
from chatsession.service import rights
from chatsession.service.agent import AgentReply, ChatAgent
from chatsession.service.errors import NotAuthenticatedError
from chatsession.web.conditions import if_match
from chatsession.web.context import WebContext, context_of
from chatsession.web.replies import json_response, session_response, wire
from chatsession.wire.mapping import to_entity
from chatsession.wire.message import ChatMessage as ChatMessageCarrier
from chatsession.wire.message_mapping import to_message_entity

KEY_HEADER = "ChatSession-Key"
"""The header a customer's client proves itself with: the session's SessionKey."""

Command = Callable[[ChatAgent, AssociateAccount], AgentReply | None]


def customer_of(ctx: WebContext, request: Request, chat_session_id: int) -> bool:
    """True if the request carries the session's SessionKey; 401 if it carries another."""
    if KEY_HEADER.lower() not in request.headers:
        return False  # no session is loaded for a request that is not a customer's
    return _customer_key_matches(request, ctx.repository.get(chat_session_id)) is True


def _customer_key_matches(request: Request, session: ChatSession) -> bool | None:
    """None without a ``ChatSession-Key`` header; True if it is the session's; else 401."""
    key = request.headers.get(KEY_HEADER.lower())
    if key is None:
        return None
    stored = session.session_key.reveal()
    if not stored or not hmac.compare_digest(key.encode(), stored.encode()):
        raise NotAuthenticatedError(f"the {KEY_HEADER} header does not match the session")
    return True


def reader(ctx: WebContext, request: Request, chat_session_id: int) -> tuple[ChatAgent, bool]:
    """The agent a read of the session runs on, and whether the reader is the customer.

    The customer proves the key; an associate's rights are checked as the read loads
    the session (403 if they may not see it).
    """
    if customer_of(ctx, request, chat_session_id):
        return ctx.agent(), True
    caller = ctx.associate(request.headers)
    return ctx.agent(session=chat_session_id, caller=caller), False


def command(
    request: Request, chat_session_id: int, run: Command, select: str | None = None
) -> Response:
    """Run an associate's command on a session; its entity (or ``null``) as the reply."""
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    agent = ctx.agent(session=chat_session_id, version=if_match(request.headers), caller=caller)
    reply = run(agent, caller)  # the rights are checked as the command loads the session
    if reply is None:  # "Returns NULL if session was not in queue"
        return json_response(None)
    return session_response(reply.entity, reply.version, outcome=reply.outcome, select=select)


def pick_up_first(request: Request, select: str | None) -> Response:
    """PickUpFirstChatSession: the oldest queued session of a topic where the caller responds.

    ``null`` when that queue is empty, or when the caller responds on no topic (the
    service would otherwise search every topic for an associate who is an agent of none).
    """
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    responds = any(a.can_respond for a in ctx.repository.agent_topics(by(caller)))
    reply = ctx.agent().pick_up_first(by=by(caller)) if responds else None
    if reply is None:
        return json_response(None)
    return session_response(reply.entity, reply.version, outcome=reply.outcome, select=select)


def get_session(
    request: Request, chat_session_id: int, select: str | None, *, links: bool
) -> Response:
    """GetChatSessionEntity: for an associate who may see it, or the customer (with key)."""
    ctx = context_of(request)
    customer = KEY_HEADER.lower() in request.headers
    caller = None if customer else ctx.associate(request.headers)  # 401 before any 404
    session = ctx.repository.get(chat_session_id)
    if caller is None:
        _customer_key_matches(request, session)
    else:
        rights.check_session(ctx.repository, caller, session)
    entity = to_entity(session, associates=ctx.repository)
    base = str(request.base_url).rstrip("/") + "/api/v1/ChatSession"
    return session_response(
        entity, session.version, select=select, with_key=customer,
        links={"Self": f"{base}/{chat_session_id}", "Archive": base} if links else None,
    )


def messages(request: Request, chat_session_id: int, after: int, select: str | None) -> Response:
    """GetChatMessages: the customer's fetch (a sign of life) or a member's read."""
    ctx = context_of(request)
    agent, customer = reader(ctx, request, chat_session_id)
    if customer:
        with contextlib.suppress(CommandNotAllowedError):  # a deleted session: read only
            agent.customer_fetched(chat_session_id)
    found = agent.get_messages(chat_session_id, after=after)
    return json_response([wire(to_message_entity(m), select) for m in found])


def add_message(
    request: Request, chat_session_id: int, carrier: ChatMessageCarrier | None,
    select: str | None,
) -> Response:
    """AddChatMessage: the customer's (with key) or the handling user's message."""
    ctx = context_of(request)
    text = "" if carrier is None or carrier.message is None else carrier.message
    version = if_match(request.headers)
    if customer_of(ctx, request, chat_session_id):
        agent = ctx.agent(session=chat_session_id, version=version)
        reply = agent.add_customer_message(chat_session_id, text)
    else:
        caller = ctx.associate(request.headers)
        agent = ctx.agent(session=chat_session_id, version=version, caller=caller)
        reply = agent.add_user_message(chat_session_id, text, by=caller.info.associate_id)
    posted = _posted(reply.messages, text)
    return JSONResponse(
        wire(to_message_entity(posted), select) if posted is not None else None,
        headers={"ETag": f'"{reply.version}"'},
    )


def _posted(written: tuple[ChatMessage, ...], text: str) -> ChatMessage | None:
    """The stored message of the text posted, among the messages the command wrote."""
    for message in written:
        if message.text == text:
            return message
    return written[-1] if written else None


def transcript(request: Request, chat_session_id: int, html: bool) -> Response:
    """GetChatTranscript: the session's messages as text or HTML, a JSON string."""
    agent, _ = reader(context_of(request), request, chat_session_id)
    return json_response(agent.transcript(chat_session_id, html=html))


def transfer_target(text: str) -> int | str:
    """``toAssociate``: an associate id (all digits) or a user name."""
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit() and len(stripped) < 11:
        return int(stripped)
    return stripped


def by(caller: AssociateAccount) -> int:
    """The caller's associate id."""
    return caller.info.associate_id
