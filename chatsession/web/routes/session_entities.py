"""Whole-entity saves and deletes: ``POST``/``PUT``/``PATCH``/``DELETE ChatSession`` and
the agent's ``CreateDefault``/``Save``/``DeleteChatSessionEntity``.

A save writes the entity's values past the lifecycle's commands (SuperOffice's save is
raw), so it is an administrator's: ``ChatAgent.save_entity`` records it as one event
with the fields it changed, and checks the invariants. ``PATCH`` applies a JSON Patch
or Merge Patch to the stored entity and saves the result conditionally on the version
it read, so that a concurrent change is a 409/412, never lost.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

from chatsession.service import rights
from chatsession.web.conditions import if_match
from chatsession.web.context import context_of
from chatsession.web.docs import ENTITY, NO_CONTENT
from chatsession.web.params import Select, SessionId
from chatsession.web.replies import entity_document, json_response, no_content, session_response
from chatsession.wire.entity import ChatSessionEntity
from chatsession.wire.mapping import to_entity
from chatsession.wire.patch import apply_patch
from chatsession.wire.types import INT32_MAX

router = APIRouter(tags=["ChatSession entity"])


def _links(request: Request, chat_session_id: int) -> dict[str, str]:
    base = str(request.base_url).rstrip("/") + "/api/v1/ChatSession"
    return {"Self": f"{base}/{chat_session_id}", "Archive": base}


def _save(
    request: Request, entity: ChatSessionEntity, select: str | None, *, links: bool,
    expected: int | None = None,
) -> Response:
    """Save ``entity`` for an administrator; conditional on ``If-Match`` inside the save.

    Only a new session's reply carries its SessionKey (the caller made it and hands it
    to the customer); an update's reply, as every agent-side reply, does not.
    """
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    rights.check_admin(caller, "save a whole ChatSessionEntity")
    created = not entity.chat_session_id
    agent = ctx.agent(session=None if created else entity.chat_session_id,
                      version=None if created else if_match(request.headers))
    reply = agent.save_entity(entity, by=caller.info.associate_id, expected_version=expected)
    sid = reply.entity.chat_session_id or 0
    return session_response(
        reply.entity, reply.version, outcome=reply.outcome, select=select, with_key=created,
        links=_links(request, sid) if links else None,
    )


@router.post("/ChatSession", responses=ENTITY, summary="Creates a new ChatSessionEntity")
def post_chat_session(
    request: Request, newEntity: Annotated[ChatSessionEntity, Body()], select: Select = None  # noqa: N803
) -> Response:
    """Store a new session from an entity (its ``ChatSessionId`` is assigned)."""
    fresh = newEntity.model_copy(update={"chat_session_id": 0})
    return _save(request, fresh, select, links=True)


@router.put("/ChatSession/{id}", responses=ENTITY, summary="Updates the existing ChatSessionEntity")
def put_chat_session(
    request: Request, id: SessionId, entity: Annotated[ChatSessionEntity, Body()],
    select: Select = None,
) -> Response:
    """Replace the stored session's values with the entity's."""
    return _save(request, entity.model_copy(update={"chat_session_id": id}), select, links=True)


@router.patch(
    "/ChatSession/{id}",
    responses=ENTITY,
    summary=(
        "Update a ChatSessionEntity with changes, as described in a JSON Patch or a JSON "
        "Merge Patch document."
    ),
)
def patch_chat_session(
    request: Request, id: SessionId, changes: Annotated[Any, Body()], select: Select = None
) -> Response:
    """Apply the patch to the stored entity and save it (if nobody changed it meanwhile)."""
    ctx = context_of(request)
    rights.check_admin(ctx.associate(request.headers), "patch a ChatSessionEntity")
    session = ctx.repository.get(id)
    document = to_entity(session, associates=ctx.repository).to_wire()
    patched = apply_patch(document, changes)
    patched["ChatSessionId"] = id
    entity = ChatSessionEntity.from_wire(patched)
    return _save(request, entity, select, links=True, expected=session.version)


@router.delete(
    "/ChatSession/{id}",
    status_code=204,
    responses=NO_CONTENT,
    summary="Deletes the ChatSessionEntity",
)
def delete_chat_session(request: Request, id: SessionId) -> Response:
    """An administrator deletes the session (its status becomes Deleted)."""
    return _delete(request, id)


def _delete(request: Request, chat_session_id: int) -> Response:
    ctx = context_of(request)
    rights.check_admin(ctx.associate(request.headers), "delete a session")
    ctx.agent(session=chat_session_id, version=if_match(request.headers)).delete(chat_session_id)
    return no_content()


@router.post(
    "/Agents/Chat/CreateDefaultChatSessionEntity",
    responses=ENTITY,
    tags=["Chat agent"],
    summary="Set default values into a new ChatSessionEntity.",
)
def create_default_chat_session_entity(request: Request) -> Response:
    """The entity a new session starts from (not stored)."""
    ctx = context_of(request)
    ctx.associate(request.headers)
    return json_response(entity_document(ctx.agent().default_entity()))


@router.post(
    "/Agents/Chat/SaveChatSessionEntity",
    responses=ENTITY,
    tags=["Chat agent"],
    summary=(
        "Updates the existing ChatSessionEntity or creates a new ChatSessionEntity if the "
        "id parameter is empty"
    ),
)
def save_chat_session_entity(
    request: Request, entity: Annotated[ChatSessionEntity, Body()]
) -> Response:
    """``ChatSessionId`` 0 creates; another id updates."""
    return _save(request, entity, None, links=False)


@router.post(
    "/Agents/Chat/DeleteChatSessionEntity",
    status_code=204,
    responses=NO_CONTENT,
    tags=["Chat agent"],
    summary="Deletes the ChatSessionEntity",
)
def delete_chat_session_entity(
    request: Request,
    ChatSessionEntityId: Annotated[int, Query(ge=1, le=INT32_MAX)],  # noqa: N803
) -> Response:
    """An administrator deletes the session."""
    return _delete(request, ChatSessionEntityId)
