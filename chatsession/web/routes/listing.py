"""``GET /api/v1/ChatSession``: the OData list of the sessions the caller may see.

Rows are ``{"PrimaryKey", "EntityName": "chatsession", <columns>}`` whose columns are
the ``ChatSessionEntity`` properties (``$select`` keeps the named ones), in id order;
``$top`` (default 100, at most 1000) and ``$skip`` page them, and ``odata.nextLink``
names the next page. An administrator sees every session; another associate those
they may see (``chatsession.service.rights``). The archive's other options
(``$orderBy`` other than by id, ``$mode``, ``$options``, ...) are accepted and ignored;
``$format=XML`` is refused (JSON only).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chatsession.domain.account import AssociateAccount
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.session import ChatSession
from chatsession.service import rights
from chatsession.web.context import WebContext, context_of
from chatsession.web.docs import ODATA
from chatsession.web.odata import SessionFilter, parse_filter
from chatsession.web.replies import entity_document, json_response
from chatsession.wire.mapping import to_entity

router = APIRouter(prefix="/ChatSession", tags=["ChatSession"])

DEFAULT_TOP, MAX_TOP = 100, 1000


def _visible(
    ctx: WebContext, caller: AssociateAccount, wanted: SessionFilter
) -> Iterator[ChatSession]:
    after = 0
    while True:
        page = ctx.repository.list_page(
            after=after, limit=500, status=wanted.statuses or None,
            topic_id=wanted.topic_id, user_id=wanted.user_id,
        )
        for session in page:
            if rights.may_see_session(ctx.repository, caller, session):
                yield session
        if page.next_after is None:
            return
        after = page.next_after


def _row(ctx: WebContext, session: ChatSession, select: str | None) -> dict[str, Any]:
    document = entity_document(to_entity(session, associates=ctx.repository))
    if select and select.strip():
        wanted = {n.strip().casefold() for n in select.split(",")}
        document = {k: v for k, v in document.items() if k.casefold() in wanted}
    return {"PrimaryKey": session.chat_session_id, "EntityName": "chatsession", **document}


@router.get("", responses=ODATA, summary="OData list of all ChatSessionEntity.")
def get_all(
    request: Request,
    select: Annotated[str | None, Query(alias="$select", max_length=4000)] = None,
    filter_: Annotated[str | None, Query(alias="$filter", max_length=4000)] = None,
    top: Annotated[int, Query(alias="$top", ge=0, le=MAX_TOP)] = DEFAULT_TOP,
    skip: Annotated[int, Query(alias="$skip", ge=0, le=2**31 - 1)] = 0,
    format_: Annotated[str | None, Query(alias="$format", max_length=10)] = None,
) -> Response:
    """One page of the sessions the caller may see."""
    if format_ is not None and format_.strip().upper() not in ("", "JSON"):
        raise InvalidArgumentError("$format: this face answers JSON only")
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    wanted = parse_filter(filter_)
    rows: list[dict[str, Any]] = []
    more = False
    sessions = () if wanted.matches_nothing or top == 0 else _visible(ctx, caller, wanted)
    for index, session in enumerate(sessions):
        if index < skip:
            continue
        if len(rows) == top:
            more = True
            break
        rows.append(_row(ctx, session, select))
    base = str(request.base_url).rstrip("/") + "/api/v1/ChatSession"
    next_link = None
    if more:
        query = dict(request.query_params)
        query["$skip"] = str(skip + top)
        next_link = f"{base}?{urlencode(query)}"
    return json_response({
        "odata.metadata": f"{base}/$metadata", "odata.nextLink": next_link, "value": rows,
    })
