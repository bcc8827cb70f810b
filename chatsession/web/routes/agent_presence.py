"""``/api/v1/Agents/Chat/...``: presence and the chat users (GetChatPresence,
SaveChatPresence, GetUserAgentList)."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chatsession.domain.presence import Presence
from chatsession.service import rights
from chatsession.web.bodies import PresenceBody, UserAgentListBody
from chatsession.web.context import WebContext, context_of
from chatsession.web.docs import NO_CONTENT, PRESENCE_LIST, USER_LIST
from chatsession.web.params import Select
from chatsession.web.replies import json_response, no_content, wire
from chatsession.wire.agent_mapping import from_presence_carrier, to_presence_carrier

router = APIRouter(prefix="/Agents/Chat", tags=["Chat agent: presence"])


def _presence_of_all(ctx: WebContext) -> list[Presence]:
    """Every chat user's presence: the stored ones, and away for the others."""
    stored = {p.user_id: p for p in ctx.repository.all_presence()}
    for account in ctx.repository.list_accounts():
        info = account.info
        known = stored.get(info.associate_id)
        if known is None and not info.deleted:
            stored[info.associate_id] = Presence(
                user_id=info.associate_id, present=False, display_name=info.full_name
            )
        elif known is not None and not known.display_name:
            stored[info.associate_id] = replace(known, display_name=info.full_name)
    return [stored[user_id] for user_id in sorted(stored)]


@router.post(
    "/GetChatPresence",
    responses=PRESENCE_LIST,
    summary="Get the chat presence status for all chat users",
)
def get_chat_presence(request: Request, select: Select = None) -> Response:
    """Each chat user's presence, with the chats they have going now."""
    ctx = context_of(request)
    ctx.associate(request.headers)
    found = [
        to_presence_carrier(p, ongoing_chats=len(ctx.repository.active_sessions_of(p.user_id)))
        for p in _presence_of_all(ctx)
    ]
    return json_response([wire(c, select) for c in found])


@router.post(
    "/SaveChatPresence",
    status_code=204,
    responses=NO_CONTENT,
    summary="Save the chat presence for specified users",
)
def save_chat_presence(request: Request, body: PresenceBody) -> Response:
    """Set presences: one's own, or anyone's for an administrator; all or none."""
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    presences = [from_presence_carrier(c) for c in body.chat_presence]
    for presence in presences:
        rights.check_presence(caller, presence.user_id)
    with ctx.repository.transaction() as tx:
        for presence in presences:
            tx.set_presence(presence)
    return no_content()


@router.post(
    "/GetUserAgentList",
    responses=USER_LIST,
    summary="Get list of users that can be assigned to chat topics.",
)
def get_user_agent_list(request: Request, body: UserAgentListBody) -> Response:
    """The chat users as MDO list items; ``OnlyPresent`` keeps the present ones."""
    ctx = context_of(request)
    ctx.associate(request.headers)
    present = {p.user_id for p in ctx.repository.all_presence() if p.present}
    items = []
    for rank, account in enumerate(ctx.repository.list_accounts()):
        info = account.info
        if info.deleted or (body.only_present and info.associate_id not in present):
            continue
        items.append({
            "Id": info.associate_id, "Name": info.user_name, "ToolTip": info.full_name,
            "Deleted": False, "Rank": rank, "Type": "", "ChildItems": [], "IconHint": "",
            "ColorBlock": 0, "ExtraInfo": "", "StyleHint": "", "FullName": info.full_name,
            "TableRight": None, "FieldProperties": None,
        })
    return json_response(items)
