"""``/api/v1/Agents/Chat/...``: the Chat agent's topic and topic-agent methods.

A topic is created and deleted by an administrator; it is changed, and its agents
managed, by an administrator or one of its managers (``CanManage``); its members read it
(``chatsession.service.rights``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.service import rights
from chatsession.service.errors import UnknownAssociateError
from chatsession.web.bodies import (
    AddTopicAgentBody,
    TopicBody,
    TopicUserBody,
    UpdateTopicAgentBody,
    UpdateTopicAgentsBody,
)
from chatsession.web.context import WebContext, context_of
from chatsession.web.docs import (
    BOOL,
    NO_CONTENT,
    TOPIC,
    TOPIC_AGENT,
    TOPIC_AGENT_LIST,
    TOPIC_LIST,
)
from chatsession.web.params import Select
from chatsession.web.replies import json_response, no_content, wire
from chatsession.wire.agent_mapping import from_topic_agent_carrier, to_topic_agent_carrier
from chatsession.wire.topic import ChatTopicEntity
from chatsession.wire.topic_agent import ChatTopicAgent as ChatTopicAgentCarrier
from chatsession.wire.topic_mapping import from_topic_entity, to_topic_entity
from chatsession.wire.types import INT32_MAX

router = APIRouter(prefix="/Agents/Chat", tags=["Chat agent: topics"])

TopicEntityId = Annotated[int, Query(ge=1, le=INT32_MAX)]


def _user_id(ctx: WebContext, user_name: str) -> int:
    found = ctx.repository.by_user_name(user_name)
    if found is None:
        raise UnknownAssociateError(f"no associate with user name {user_name!r}")
    user_id: int = found.associate_id
    return user_id


def _agent_document(ctx: WebContext, agent: ChatTopicAgent, select: str | None) -> object:
    carrier = to_topic_agent_carrier(agent, associates=ctx.repository)
    return wire(carrier, select)


def _managing(request: Request, topic_id: int) -> WebContext:
    """The context of a call that manages topic ``topic_id``: 404 unknown, 403 no right."""
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    ctx.repository.get_topic(topic_id)
    rights.check_topic_manager(ctx.repository, caller, topic_id)
    return ctx


def _reading(request: Request, topic_id: int) -> WebContext:
    """The context of a call that reads topic ``topic_id``'s agents: 403 for a non-member."""
    ctx = context_of(request)
    rights.check_topic_reader(ctx.repository, ctx.associate(request.headers), topic_id)
    return ctx


def _known(ctx: WebContext, agent: ChatTopicAgent) -> ChatTopicAgent:
    if ctx.repository.by_id(agent.user_id) is None:
        raise UnknownAssociateError(f"no associate with id {agent.user_id}")
    return agent


@router.post(
    "/CreateDefaultChatTopicAgent",
    responses=TOPIC_AGENT,
    summary="Set default values into a new ChatTopicAgent.",
)
def create_default_chat_topic_agent(request: Request) -> Response:
    """No topic, no user, no rights."""
    context_of(request).associate(request.headers)
    carrier = ChatTopicAgentCarrier(
        topic_id=0, user=None, can_listen=False, can_respond=False, can_manage=False,
        can_notify=False,
    )
    return json_response(carrier.to_wire())


@router.post(
    "/CreateDefaultChatTopicEntity",
    responses=TOPIC,
    summary="Set default values into a new ChatTopicEntity.",
)
def create_default_chat_topic_entity(request: Request) -> Response:
    """A topic's defaults, with ``ChatTopicId`` 0 (not stored)."""
    context_of(request).associate(request.headers)
    document = to_topic_entity(ChatTopic(id=1)).to_wire()
    document["ChatTopicId"] = 0
    return json_response(document)


@router.post(
    "/SaveChatTopicEntity",
    responses=TOPIC,
    summary=(
        "Updates the existing ChatTopicEntity or creates a new ChatTopicEntity if the id "
        "parameter is empty"
    ),
)
def save_chat_topic_entity(
    request: Request, entity: Annotated[ChatTopicEntity, Body()]
) -> Response:
    """``ChatTopicId`` 0 creates (an administrator); another id updates (or a manager)."""
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    with ctx.repository.transaction() as tx:
        if not entity.chat_topic_id:
            rights.check_admin(caller, "create a topic")
            topic = from_topic_entity(entity, topic_id=tx.next_topic_id())
            tx.add_topic(topic)
        else:
            old = tx.get_topic(entity.chat_topic_id)
            rights.check_topic_manager(tx, caller, old.id)
            topic = from_topic_entity(
                entity, transfer_timeout=old.transfer_timeout, idle_timeout=old.idle_timeout
            )
            tx.save_topic(topic)
    return json_response(to_topic_entity(topic).to_wire())


@router.post(
    "/DeleteChatTopicEntity",
    status_code=204,
    responses=NO_CONTENT,
    summary="Deletes the ChatTopicEntity",
)
def delete_chat_topic_entity(
    request: Request, ChatTopicEntityId: TopicEntityId  # noqa: N803
) -> Response:
    """An administrator deletes a topic (409 while sessions use it)."""
    ctx = context_of(request)
    rights.check_admin(ctx.associate(request.headers), "delete a topic")
    ctx.repository.delete_topic(ChatTopicEntityId)
    return no_content()


@router.post("/GetChatTopicEntity", responses=TOPIC, summary="Gets a ChatTopicEntity object.")
def get_chat_topic_entity(
    request: Request, chatTopicEntityId: TopicEntityId, select: Select = None  # noqa: N803
) -> Response:
    """The topic, for its members and administrators."""
    ctx = context_of(request)
    topic = ctx.repository.get_topic(chatTopicEntityId)
    rights.check_topic_reader(ctx.repository, ctx.associate(request.headers), topic.id)
    return json_response(wire(to_topic_entity(topic), select))


@router.post(
    "/IsWithinOpeningHours",
    responses=BOOL,
    summary="Check if we are right now within the opening hours of the given topic.",
)
def is_within_opening_hours(request: Request, body: TopicBody) -> Response:
    """Whether the topic is open now, in its time zone (a widget may ask without credentials)."""
    ctx = context_of(request)
    if not ctx.customer_requests:
        ctx.associate(request.headers)
    topic = ctx.repository.get_topic(body.chat_topic_id)
    return json_response(topic.opening_hours.is_open(ctx.clock.now()))


@router.post(
    "/ChatTopicsForUser",
    responses=TOPIC_LIST,
    summary="Get all chat topics which this user is a member of.",
)
def chat_topics_for_user(request: Request, select: Select = None) -> Response:
    """The topics where the caller has any right."""
    ctx = context_of(request)
    caller = ctx.associate(request.headers)
    topics = ctx.agent().topics_for_user(caller.info.associate_id)
    return json_response([wire(to_topic_entity(t), select) for t in topics])


@router.post(
    "/GetChatTopicUserAgentList",
    responses=TOPIC_AGENT_LIST,
    summary="Get list of users assigned to a chat topic",
)
def get_chat_topic_user_agent_list(
    request: Request, body: TopicBody, select: Select = None
) -> Response:
    """The topic's agents, in user id order."""
    ctx = _reading(request, body.chat_topic_id)
    agents = ctx.repository.topic_agents(body.chat_topic_id)
    return json_response([_agent_document(ctx, a, select) for a in agents])


@router.post(
    "/GetChatTopicUserAgent",
    responses=TOPIC_AGENT,
    summary="Get a user assigned to a topic",
)
def get_chat_topic_user_agent(
    request: Request, body: TopicUserBody, select: Select = None
) -> Response:
    """One agent of the topic, by user name."""
    ctx = _reading(request, body.chat_topic_id)
    agent = ctx.repository.get_topic_agent(body.chat_topic_id, _user_id(ctx, body.username))
    return json_response(_agent_document(ctx, agent, select))


@router.post("/AddChatTopicUserAgent", responses=TOPIC_AGENT, summary="Add a user to a chat topic")
def add_chat_topic_user_agent(
    request: Request, body: AddTopicAgentBody, select: Select = None
) -> Response:
    """Give a user (``Useragent.User``) rights on the topic."""
    ctx = _managing(request, body.chat_topic_id)
    carrier = body.useragent or ChatTopicAgentCarrier()
    agent = _known(ctx, from_topic_agent_carrier(carrier, topic_id=body.chat_topic_id))
    ctx.repository.put_topic_agent(agent)
    return json_response(_agent_document(ctx, agent, select))


@router.post(
    "/UpdateChatTopicUserAgent",
    responses=TOPIC_AGENT,
    summary="Update a user's role in a chat topic",
)
def update_chat_topic_user_agent(
    request: Request, body: UpdateTopicAgentBody, select: Select = None
) -> Response:
    """Set the rights of the user named ``Username`` on the topic."""
    ctx = _managing(request, body.chat_topic_id)
    user_id = _user_id(ctx, body.username)
    ctx.repository.get_topic_agent(body.chat_topic_id, user_id)  # 404 unless already an agent
    carrier = body.useragent or ChatTopicAgentCarrier()
    agent = from_topic_agent_carrier(carrier, topic_id=body.chat_topic_id, user_id=user_id)
    ctx.repository.put_topic_agent(agent)
    return json_response(_agent_document(ctx, agent, select))


@router.post(
    "/UpdateChatTopicUserAgents",
    responses=TOPIC_AGENT_LIST,
    summary="Update users roles in a chat topic",
)
def update_chat_topic_user_agents(
    request: Request, body: UpdateTopicAgentsBody, select: Select = None
) -> Response:
    """Set several users' rights on the topic, all or none."""
    ctx = _managing(request, body.chat_topic_id)
    agents = [
        _known(ctx, from_topic_agent_carrier(c, topic_id=body.chat_topic_id))
        for c in body.useragents
    ]
    with ctx.repository.transaction() as tx:
        for agent in agents:
            tx.put_topic_agent(agent)
    return json_response([_agent_document(ctx, a, select) for a in agents])


@router.post(
    "/DeleteChatTopicUserAgent",
    status_code=204,
    responses=NO_CONTENT,
    summary="Remove a user from a topic",
)
def delete_chat_topic_user_agent(request: Request, body: TopicUserBody) -> Response:
    """Take the user named ``Username`` off the topic."""
    ctx = _managing(request, body.chat_topic_id)
    ctx.repository.delete_topic_agent(body.chat_topic_id, _user_id(ctx, body.username))
    return no_content()
