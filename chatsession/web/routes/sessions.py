"""``/api/v1/ChatSession``: the ChatSession resource's command and read routes.

The entity routes (``default``, ``POST``, ``PUT``, ``PATCH``, ``DELETE``) are in
``session_entities``; the OData listing in ``listing``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

import chatsession.web.operations as op
from chatsession.web.context import context_of
from chatsession.web.docs import ENTITY, ENTITY_LIST, MESSAGE, MESSAGE_LIST, NULLABLE_ENTITY, TEXT
from chatsession.web.params import Select, SessionId
from chatsession.web.replies import entity_document, json_response
from chatsession.wire.message import ChatMessage
from chatsession.wire.types import INT32_MAX

router = APIRouter(prefix="/ChatSession", tags=["ChatSession"])


@router.get(
    "/ForCurrentUser",
    responses=ENTITY_LIST,
    summary="Get all chat sessions which this user is a member of.",
)
def for_current_user(request: Request) -> Response:
    """The live sessions of the caller's topics, and the caller's own."""
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    found = ctx.agent().sessions_for_user(op.by(caller))
    return json_response([entity_document(e) for e in found])


@router.post(
    "/Pickup",
    responses=NULLABLE_ENTITY,
    summary="'answer' the first available session from the queue: assign the session to the user.",
)
def pick_up_first(request: Request) -> Response:
    """The oldest session of the caller's topics; ``null`` when the queue is empty."""
    return op.pick_up_first(request, None)


@router.get(
    "/default",
    responses=ENTITY,
    summary="Set default values into a new ChatSessionEntity.",
)
def default_entity(request: Request) -> Response:
    """The entity a new session starts from (not stored)."""
    ctx = context_of(request)
    ctx.associate(request.headers)
    return json_response(entity_document(ctx.agent().default_entity()))


@router.get("/{id}", responses=ENTITY, summary="Gets a ChatSessionEntity object.")
def get_session(request: Request, id: SessionId, select: Select = None) -> Response:
    """The session, with ``_Links``; 404 when unknown."""
    return op.get_session(request, id, select, links=True)


@router.post(
    "/{chatSessionId}/Pickup",
    responses=NULLABLE_ENTITY,
    summary="'answer' the session: assign the session to the user.",
)
def pick_up(request: Request, chatSessionId: SessionId) -> Response:  # noqa: N803
    """Pick the session up; ``null`` if it was not in the queue."""
    return op.command(request, chatSessionId, lambda a, c: a.pick_up(chatSessionId, by=op.by(c)))


@router.post(
    "/{chatSessionId}/TransferTo/{toAssociate}",
    responses=ENTITY,
    summary="Request to send the session to another user.",
)
def transfer_to(request: Request, chatSessionId: SessionId, toAssociate: str) -> Response:  # noqa: N803
    """Ask to transfer the session to a user name or associate id."""
    target = op.transfer_target(toAssociate)
    return op.command(
        request, chatSessionId, lambda a, c: a.transfer(chatSessionId, to=target, by=op.by(c))
    )


@router.post(
    "/{chatSessionId}/AcceptTransfer",
    responses=ENTITY,
    summary="Accept the transfer: assign the session to the user.",
)
def accept_transfer(request: Request, chatSessionId: SessionId) -> Response:  # noqa: N803
    """Take the session over; nothing happens if no transfer to the caller is pending."""
    return op.command(
        request, chatSessionId, lambda a, c: a.accept_transfer(chatSessionId, by=op.by(c))
    )


@router.post("/{chatSessionId}/RejectTransfer", responses=ENTITY, summary="Do not want.")
def reject_transfer(request: Request, chatSessionId: SessionId) -> Response:  # noqa: N803
    """Deny the transfer to the user. If the session is not being transferred, nothing happens."""
    return op.command(
        request, chatSessionId, lambda a, c: a.reject_transfer(chatSessionId, by=op.by(c))
    )


@router.post(
    "/{chatSessionId}/Reset",
    responses=ENTITY,
    summary="Reset chat session, put it back on the queue for pickup.",
)
def reset(request: Request, chatSessionId: SessionId) -> Response:  # noqa: N803
    """Put the session back on the queue (a bot hands over to humans)."""
    return op.command(request, chatSessionId, lambda a, c: a.reset(chatSessionId, by=op.by(c)))


@router.get(
    "/{chatSessionId}/Messages",
    responses=MESSAGE_LIST,
    summary="Get all or some of the messages in a chat session",
)
def get_messages(
    request: Request,
    chatSessionId: SessionId,  # noqa: N803
    after: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    select: Select = None,
) -> Response:
    """The messages after message ``after`` (all without it)."""
    return op.messages(request, chatSessionId, after, select)


@router.post(
    "/{chatSessionId}/Messages",
    responses=MESSAGE,
    summary="Add a new message to a chat session",
)
def add_message(
    request: Request,
    chatSessionId: SessionId,  # noqa: N803
    message: Annotated[ChatMessage, Body()],
    select: Select = None,
) -> Response:
    """Post a message: the customer's (``ChatSession-Key``) or the handling user's."""
    return op.add_message(request, chatSessionId, message, select)


@router.post(
    "/{chatSessionId}/Transcript",
    responses=TEXT,
    summary="Get the chat transcript, formatted as plain text or html",
)
def get_transcript(
    request: Request, chatSessionId: SessionId, html: bool = False  # noqa: N803
) -> Response:
    """The transcript as a JSON string."""
    return op.transcript(request, chatSessionId, html)
