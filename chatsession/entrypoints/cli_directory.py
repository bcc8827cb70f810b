"""The command line's topic, agent, presence and sweep commands (JSON on standard output).

``chatsession topic add --id 1 --name Sales --open 08:00 --close 16:00 --tz Europe/Oslo``,
``chatsession agent add --topic 1 --user 7 --respond``,
``chatsession presence set --user 7 --present``, ``chatsession sweep``.
"""

from __future__ import annotations

import argparse
import json
from datetime import time
from typing import Any, TextIO

from chatsession.domain.opening_hours import DayHours, OpeningHours
from chatsession.domain.presence import Presence
from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.ports.errors import ChatTopicNotFoundError
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service.agent import ChatAgent
from chatsession.wire.topic_mapping import to_topic_entity

COMMANDS = frozenset({"topic", "agent", "presence", "sweep"})
"""The top-level commands this module runs."""

_RIGHTS = ("listen", "respond", "manage", "notify")


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``topic``, ``agent``, ``presence`` and ``sweep`` to the subcommands ``sub``."""
    topic = sub.add_parser("topic", help="chat topics").add_subparsers(
        dest="action", required=True)
    add = topic.add_parser("add", parents=[common], help="add or replace a topic")
    add.add_argument("--id", type=int, required=True)
    add.add_argument("--name", default="")
    add.add_argument("--welcome", default="", help="the welcome message sent at pick-up")
    for flag in ("prechat-form", "faq", "bot", "post-form"):
        add.add_argument(f"--{flag}", action="store_true")
    add.add_argument("--open", type=_clock_time, help="opening time on weekdays, HH:MM")
    add.add_argument("--close", type=_clock_time, help="closing time on weekdays, HH:MM")
    add.add_argument("--tz", default="UTC", help="the opening hours' time zone (IANA)")
    add.add_argument("--warn-new-chat", type=int, default=0, help="minutes (0: off)")
    add.add_argument("--warn-manager-new-chat", type=int, default=0, help="minutes (0: off)")
    topic.add_parser("show", parents=[common]).add_argument("id", type=int)
    topic.add_parser("list", parents=[common])
    agent = sub.add_parser("agent", help="the agents of a topic").add_subparsers(
        dest="action", required=True)
    put = agent.add_parser("add", parents=[common], help="add or update an agent's rights")
    put.add_argument("--topic", type=int, required=True)
    put.add_argument("--user", type=int, required=True)
    for right in _RIGHTS:
        put.add_argument(f"--{right}", action="store_true")
    agent.add_parser("list", parents=[common]).add_argument("--topic", type=int, required=True)
    presence = sub.add_parser("presence", help="who is present").add_subparsers(
        dest="action", required=True)
    put = presence.add_parser("set", parents=[common])
    put.add_argument("--user", type=int, required=True)
    state = put.add_mutually_exclusive_group(required=True)
    state.add_argument("--present", action="store_true")
    state.add_argument("--away", action="store_true")
    put.add_argument("--topics", type=_topic_ids, default=frozenset(),
                     help="comma-separated topic ids (none: all)")
    presence.add_parser("list", parents=[common])
    sub.add_parser("sweep", help="raise alerts, expire transfers, end idle chats (one pass)")


def run(
    args: argparse.Namespace, agent: ChatAgent, repository: ChatSessionRepository, out: TextIO
) -> int:
    """Run one of this module's commands; print its JSON; return the exit status (0)."""
    answer: Any
    if args.command == "sweep":
        report = agent.sweep()
        answer = {"alerts": report.alerts, "transfers_expired": report.transfers_expired,
                  "idle_ended": report.idle_ended}
    elif args.command == "topic":
        answer = _topic(args, repository)
    elif args.command == "agent":
        if args.action == "add":
            rights = {f"can_{right}": getattr(args, right) for right in _RIGHTS}
            repository.put_topic_agent(ChatTopicAgent(args.topic, args.user, **rights))
        answer = [_agent_json(a) for a in repository.topic_agents(args.topic)]
    else:
        if args.action == "set":
            repository.set_presence(
                Presence(args.user, present=args.present, topic_ids=args.topics)
            )
        answer = [{"UserId": p.user_id, "Present": p.present, "ChatTopics": sorted(p.topic_ids)}
                  for p in repository.all_presence()]
    print(json.dumps(answer, indent=2, ensure_ascii=False), file=out)
    return 0


def _topic(args: argparse.Namespace, repository: ChatSessionRepository) -> Any:
    if args.action == "list":
        return [to_topic_entity(t).to_wire() for t in repository.list_topics()]
    if args.action == "show":
        return to_topic_entity(repository.get_topic(args.id)).to_wire()
    hours = OpeningHours()
    if args.open or args.close:
        day = DayHours(enabled=True, start=args.open or time(0), stop=args.close or time(0))
        hours = OpeningHours(enabled=True, time_zone=args.tz, mon=day, tue=day, wed=day,
                             thu=day, fri=day)
    topic = ChatTopic(
        id=args.id, name=args.name, welcome_message=args.welcome,
        use_prechat_form=args.prechat_form, use_faq=args.faq, bot_enabled=args.bot,
        post_form_enabled=args.post_form, opening_hours=hours,
        warn_new_chat_minutes=args.warn_new_chat,
        warn_manager_new_chat_minutes=args.warn_manager_new_chat,
    )
    try:
        repository.get_topic(topic.id)
    except ChatTopicNotFoundError:
        repository.add_topic(topic)
    else:
        repository.save_topic(topic)
    return to_topic_entity(topic).to_wire()


def _clock_time(text: str) -> time:
    """An ``HH:MM`` argument; a bad one is a usage error (exit 2), not a traceback."""
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time of day (HH:MM): {text!r}") from None


def _topic_ids(text: str) -> frozenset[int]:
    """Comma-separated topic ids; a bad one is a usage error (exit 2), not a traceback."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise argparse.ArgumentTypeError(f"not comma-separated topic ids: {text!r}")
    return frozenset(int(part) for part in parts)


def _agent_json(agent: ChatTopicAgent) -> dict[str, Any]:
    return {"TopicId": agent.topic_id, "UserId": agent.user_id, "CanListen": agent.can_listen,
            "CanRespond": agent.can_respond, "CanManage": agent.can_manage,
            "CanNotify": agent.can_notify}
