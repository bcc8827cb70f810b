"""``/api/v1/Agents/Chat/...``: the Chat agent's session methods (every one a ``POST``).

Parameters travel as each page shows: a named JSON body (``{"ChatSessionId": 435}``)
or, for the Get method, the query string. The work is ``operations``', shared with the
``ChatSession`` resource.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

import chatsession.web.operations as op
from chatsession.web.bodies import (
    AddMessageBody,
    MessagesBody,
    SessionBody,
    TopicBody,
    TranscriptBody,
    TransferBody,
)
from chatsession.web.context import context_of
from chatsession.web.docs import ENTITY, ENTITY_LIST, MESSAGE, MESSAGE_LIST, NULLABLE_ENTITY, TEXT
from chatsession.web.params import Select
from chatsession.web.replies import entity_document, json_response, session_response
from chatsession.wire.types import INT32_MAX

router = APIRouter(prefix="/Agents/Chat", tags=["Chat agent"])


@router.post("/GetChatSessionEntity", responses=ENTITY, summary="Gets a ChatSessionEntity object.")
def get_chat_session_entity(
    request: Request,
    chatSessionEntityId: Annotated[int, Query(ge=1, le=INT32_MAX)],  # noqa: N803
    select: Select = None,
) -> Response:
    """The session (no ``_Links``)."""
    return op.get_session(request, chatSessionEntityId, select, links=False)


@router.post(
    "/ChatSessionsForUser",
    responses=ENTITY_LIST,
    summary="Get all chat sessions which this user is a member of.",
)
def chat_sessions_for_user(request: Request, select: Select = None) -> Response:
    """The live sessions of the caller's topics, and the caller's own."""
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    found = ctx.agent().sessions_for_user(op.by(caller))
    return json_response([entity_document(e, select=select) for e in found])


@router.post(
    "/TransferChatSession",
    responses=ENTITY,
    summary="Request to send the session to another user.",
)
def transfer_chat_session(request: Request, body: TransferBody, select: Select = None) -> Response:
    """If the session does not belong to the user, nothing happens."""
    target = op.transfer_target(body.to_associate)
    sid = body.chat_session_id
    return op.command(request, sid, lambda a, c: a.transfer(sid, to=target, by=op.by(c)), select)


@router.post(
    "/AcceptChatSessionTransfer",
    responses=ENTITY,
    summary="Accept the transfer: assign the session to the user.",
)
def accept_chat_session_transfer(
    request: Request, body: SessionBody, select: Select = None
) -> Response:
    """If the session is not being transferred, nothing happens."""
    sid = body.chat_session_id
    return op.command(request, sid, lambda a, c: a.accept_transfer(sid, by=op.by(c)), select)


@router.post("/RejectChatSessionTransfer", responses=ENTITY, summary="Do not want.")
def reject_chat_session_transfer(
    request: Request, body: SessionBody, select: Select = None
) -> Response:
    """Deny the transfer to the user. If the session is not being transferred, nothing happens."""
    sid = body.chat_session_id
    return op.command(request, sid, lambda a, c: a.reject_transfer(sid, by=op.by(c)), select)


@router.post(
    "/PickUpChatSession",
    responses=NULLABLE_ENTITY,
    summary="'answer' the session: assign the session to the user.",
)
def pick_up_chat_session(request: Request, body: SessionBody, select: Select = None) -> Response:
    """Returns NULL if session was not in queue."""
    sid = body.chat_session_id
    return op.command(request, sid, lambda a, c: a.pick_up(sid, by=op.by(c)), select)


@router.post(
    "/PickUpFirstChatSession",
    responses=NULLABLE_ENTITY,
    summary="'answer' the first available session from the queue: assign the session to the user.",
)
def pick_up_first_chat_session(request: Request, select: Select = None) -> Response:
    """The oldest session of the caller's topics; ``null`` when the queue is empty."""
    return op.pick_up_first(request, select)


@router.post(
    "/ResetChatSession",
    responses=ENTITY,
    summary="Reset chat session, put it back on the queue for pickup.",
)
def reset_chat_session(request: Request, body: SessionBody, select: Select = None) -> Response:
    """Used by bots to hand off a session to human."""
    sid = body.chat_session_id
    return op.command(request, sid, lambda a, c: a.reset(sid, by=op.by(c)), select)


@router.post(
    "/GetChatTranscript",
    responses=TEXT,
    summary="Get the chat transcript, formatted as plain text or html",
)
def get_chat_transcript(request: Request, body: TranscriptBody) -> Response:
    """The transcript as a JSON string."""
    return op.transcript(request, body.chat_session_id, body.html)


@router.post(
    "/GetChatMessages",
    responses=MESSAGE_LIST,
    summary="Get all or some of the messages in a chat session",
)
def get_chat_messages(request: Request, body: MessagesBody, select: Select = None) -> Response:
    """The messages after message ``After`` (all without it)."""
    return op.messages(request, body.chat_session_id, body.after, select)


@router.post("/AddChatMessage", responses=MESSAGE, summary="Add a new message to a chat session")
def add_chat_message(request: Request, body: AddMessageBody, select: Select = None) -> Response:
    """Post a message: the customer's (``ChatSession-Key``) or the handling user's."""
    return op.add_message(request, body.chat_session_id, body.message, select)


@router.post(
    "/CreateChatSessionForTopic",
    responses=ENTITY,
    summary="Create a new session on a chat topic",
)
def create_chat_session_for_topic(
    request: Request, body: TopicBody, select: Select = None
) -> Response:
    """A customer asks for a chat; the reply carries the SessionKey the customer needs."""
    ctx = context_of(request)
    if not ctx.customer_requests:
        ctx.associate(request.headers)
    ctx.repository.get_topic(body.chat_topic_id)  # 404 for a topic the store does not have
    reply = ctx.agent().create_session(body.chat_topic_id)
    return session_response(
        reply.entity, reply.version, outcome=reply.outcome, select=select, with_key=True
    )
