"""The ``chatsession`` command: chat sessions on an embedded SQLite file.

``chatsession demo`` plays the seed scenario (request, pick up, reject with and without a
pending transfer). The other subcommands run one ChatAgent operation each, so a session's
life can be driven from a shell::

    chatsession --db chat.sqlite3 request --topic 1
    chatsession --db chat.sqlite3 pick-up 1 --by 7
    chatsession --db chat.sqlite3 transfer 1 --to 8 --by 7
    chatsession --db chat.sqlite3 reject 1 --by 8
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from chatsession import __version__
from chatsession.adapters.clock import SystemClock
from chatsession.adapters.event_codec import redacted
from chatsession.adapters.open_store import (
    ClosableRepository,
    describe,
    is_postgres,
    open_repository,
)
from chatsession.adapters.webhook_http import HttpDelivery
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.events import EndReason
from chatsession.domain.topic import ChatTopic
from chatsession.entrypoints import cli_associates, cli_directory, cli_serve
from chatsession.ports.errors import (
    ChatSessionNotFoundError,
    CorruptStoreError,
    RepositoryBusyError,
    SchemaVersionError,
    StoreUnavailableError,
    TransactionError,
)
from chatsession.service import AgentReply, ChatAgent, queue
from chatsession.service.verify import verify_store
from chatsession.service.webhooks import publish_pending
from chatsession.wire import dump_chat_session
from chatsession.wire.entity import ChatSessionEntity
from chatsession.wire.message_mapping import to_message_entity

DEFAULT_DB = "chatsession.sqlite3"
DEMO_TEAM = (
    AssociateInfo(associate_id=7, user_name="alice", full_name="Alice Agent"),
    AssociateInfo(associate_id=8, user_name="bob", full_name="Bob Agent"),
)


def _agent(db: str) -> tuple[ChatAgent, ClosableRepository]:
    """An agent on a new repository for ``db``; the caller closes the repository."""
    repository = open_repository(db)
    # the stored associates name users and resolve transfer targets (the demo team while
    # the store holds none)
    associates = cli_associates.StoredOrDemoDirectory(repository, DEMO_TEAM)
    agent = ChatAgent(repository, clock=SystemClock(), associates=associates)
    return agent, repository


def _print_entity(entity: ChatSessionEntity, out: TextIO, *, with_key: bool = False) -> None:
    """Print the entity's JSON; its ``SessionKey`` only for the customer who asked (``request``)."""
    document = dump_chat_session(entity)
    if not with_key:
        document.pop("SessionKey", None)
    print(json.dumps(document, indent=2), file=out)


def _print_reply(reply: AgentReply, out: TextIO, *, with_key: bool = False) -> None:
    """The entity's JSON on standard output (it pipes into ``jq``); the outcome on stderr."""
    _complain_raw(f"outcome: {reply.outcome}")
    _print_entity(reply.entity, out, with_key=with_key)


def _summary(entity: ChatSessionEntity) -> str:
    user = entity.user.associate_id if entity.user else None
    to = entity.transfer_to.associate_id if entity.transfer_to else None
    status = entity.status.name if entity.status is not None else None
    return f"session {entity.chat_session_id}: status={status} user={user} transfer_to={to}"


def demo(db: str, out: TextIO) -> int:
    """The seed scenario on an SQLite file: RejectTransfer with and without a transfer."""
    agent, repository = _agent(db)
    with repository:  # closed however the scenario ends
        return _play_demo(agent, repository, db, out)


def _play_demo(
    agent: ChatAgent, repository: ClosableRepository, db: str, out: TextIO
) -> int:
    where = describe(db) if is_postgres(db) else Path(db).resolve()
    print(f"chatsession {__version__} demo on {where}", file=out)
    created = agent.create_session(ChatTopic(id=1))
    sid = created.entity.chat_session_id
    assert sid is not None
    print(f"1. a customer requests a chat        -> {_summary(created.entity)}", file=out)
    agent.add_customer_message(sid, "Hello, my invoice is wrong")
    picked = agent.pick_up(sid, by=7)
    assert picked is not None  # the new session waits in the queue
    print(f"2. alice (7) picks it up             -> {_summary(picked.entity)} "
          f"rank={picked.entity.rank}", file=out)
    reply = agent.reject_transfer(sid, by=8)
    print(f"3. bob (8) rejects, nothing pending  -> {reply.outcome}", file=out)
    reply = agent.transfer(sid, to="bob", by=7)
    print(f"4. alice transfers to bob            -> {_summary(reply.entity)}", file=out)
    reply = agent.reject_transfer(sid, by=8)
    print(f"5. bob rejects the transfer          -> {reply.outcome}; {_summary(reply.entity)}",
          file=out)
    if queue.stored_topic(repository, 2) is None:  # a topic nobody answers: the offline form
        repository.add_topic(ChatTopic(id=2, name="After hours"))
    late = agent.create_session(2, first_message="Anyone there?")
    print(f"6. a customer asks on topic 2        -> {_summary(late.entity)} "
          "(nobody present: the offline form)", file=out)
    print("\nRejectTransfer response (ChatSessionEntity):", file=out)
    _print_entity(reply.entity, out)
    print("\noutbox:", file=out)
    for record in repository.outbox.read(chat_session_id=sid, limit=None):
        print(f"  #{record.sequence} v{record.version} {record.event_name}", file=out)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatsession", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("CHATSESSION_DB", DEFAULT_DB),
                        help="SQLite file or postgresql:// URI "
                        f"(default $CHATSESSION_DB or {DEFAULT_DB})")
    parser.add_argument("--version", action="version", version=f"chatsession {__version__}")
    parser.add_argument("--as", dest="as_user", type=int,
                        default=_env_int("CHATSESSION_AS"),
                        help="the acting associate for --by (default $CHATSESSION_AS)")
    # --db is accepted after the subcommand too: ``chatsession demo --db x.sqlite3``
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = _Subcommands(parser.add_subparsers(dest="command", required=True), common)
    sub.add_parser("demo", help="play the RejectTransfer scenario")
    request = sub.add_parser("request", help="a customer requests a chat")
    request.add_argument("--topic", type=int, required=True)
    request.add_argument("--prechat-form", action="store_true")
    request.add_argument("--faq", action="store_true")
    request.add_argument("--bot", action="store_true")
    request.add_argument("--no-agents", action="store_true")
    for name in ("pick-up", "accept", "reject", "cancel"):
        cmd = sub.add_parser(name, help=f"{name} (as user --by)")
        cmd.add_argument("id", type=int)
        cmd.add_argument("--by", type=int, help="the acting user (default: --as)")
    first = sub.add_parser("pick-up-first", help="pick up the oldest queued session")
    first.add_argument("--by", type=int, help="the acting user (default: --as)")
    first.add_argument("--topic", type=int)
    transfer = sub.add_parser("transfer", help="ask to transfer a session")
    transfer.add_argument("id", type=int)
    transfer.add_argument("--to", required=True, help="associate id or user name")
    transfer.add_argument("--by", type=int, help="the acting user (default: --as)")
    message = sub.add_parser("message", help="post a message (customer unless --by)")
    message.add_argument("id", type=int)
    message.add_argument("text")
    message.add_argument("--by", type=int)
    end = sub.add_parser("end", help="end an active chat")
    end.add_argument("id", type=int)
    end.add_argument("--reason", choices=[r.value for r in EndReason], default="by_customer")
    end.add_argument("--by", type=int)
    for name in ("show", "close", "delete", "reset"):
        sub.add_parser(name).add_argument("id", type=int)
    sub.add_parser("list", help="list sessions")
    sub.add_parser("verify", help="check every session equals the fold of its events")
    messages = sub.add_parser("messages", help="a session's messages (ChatMessage JSON)")
    messages.add_argument("id", type=int)
    messages.add_argument("--after", type=int, default=0, help="only after this message id")
    transcript = sub.add_parser("transcript", help="a session's transcript")
    transcript.add_argument("id", type=int)
    transcript.add_argument("--html", action="store_true", help="HTML (escaped) instead of text")
    webhooks = sub.add_parser("webhooks", help="publish the outbox as SuperOffice webhooks")
    actions = webhooks.add_subparsers(dest="webhooks_command", required=True)
    publish = actions.add_parser("publish", parents=[common],
                                 help="deliver the unpublished events (one pass, or --follow)")
    publish.add_argument("--url", required=True, help="the receiver's http(s) URL")
    publish.add_argument("--secret", default=os.environ.get("CHATSESSION_WEBHOOK_SECRET"),
                         help="signing secret (default $CHATSESSION_WEBHOOK_SECRET)")
    publish.add_argument("--name", default="chatsession", help="the WebhookName")
    publish.add_argument("--batch", type=int, default=100)
    publish.add_argument("--follow", action="store_true", help="keep publishing until killed")
    publish.add_argument("--interval", type=float, default=1.0,
                         help="with --follow, the longest wait when nothing is pending (a "
                         "PostgreSQL publisher is woken sooner by NOTIFY; others poll)")
    publish.add_argument("--retry-backoff", type=float, default=0.5,
                         help="seconds before the first retry of a failed delivery (doubling)")
    cli_directory.add_commands(sub, common)
    cli_associates.add_commands(sub, common)
    cli_serve.add_command(sub)
    outbox = sub.add_parser("outbox", help="list unpublished events")
    outbox.add_argument("--all", action="store_true", help="published ones too")
    return parser


class _Subcommands:
    """Adds subcommands that all share the ``common`` options."""

    def __init__(self, actions: Any, common: argparse.ArgumentParser) -> None:
        self._actions = actions
        self._common = common

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self._actions.add_parser(
            name, parents=[self._common], **kwargs
        )
        return parser


def _dispatch(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "demo":
        return demo(args.db, out)
    if args.command == "serve":
        return cli_serve.run(args)
    agent, repository = _agent(args.db)
    with repository:  # closed however the command ends
        return _run(args, agent, repository, out)


def _run(
    args: argparse.Namespace,
    agent: ChatAgent,
    repository: ClosableRepository,
    out: TextIO,
) -> int:
    to: str | int
    simple: dict[str, Callable[[], AgentReply | None]] = {
        "pick-up": lambda: agent.pick_up(args.id, by=args.by),
        "accept": lambda: agent.accept_transfer(args.id, by=args.by),
        "reject": lambda: agent.reject_transfer(args.id, by=args.by),
        "cancel": lambda: agent.cancel_transfer(args.id, by=args.by),
        "close": lambda: agent.close(args.id),
        "delete": lambda: agent.delete(args.id),
        "reset": lambda: agent.reset(args.id),
        "end": lambda: agent.end(args.id, EndReason(args.reason), by=args.by),
    }
    if args.command in simple:
        reply = simple[args.command]()
        if reply is None:  # PickUp of a session not in the queue: SuperOffice answers null
            _complain_raw("outcome: no-op (not_in_queue)")
            _print_entity(agent.get_session_entity(args.id), out)
        else:
            _print_reply(reply, out)
    elif args.command == "request":
        topic = ChatTopic(id=args.topic, use_prechat_form=args.prechat_form,
                          use_faq=args.faq, bot_enabled=args.bot)
        created = agent.create_session(topic, agents_available=not args.no_agents)
        _print_reply(created, out, with_key=True)  # the customer's own key
    elif args.command == "pick-up-first":
        reply = agent.pick_up_first(by=args.by, topic_id=args.topic)
        if reply is None:  # SuperOffice answers null: JSON on stdout, the why on stderr
            _complain_raw("outcome: the queue is empty")
            print("null", file=out)
        else:
            _print_reply(reply, out)
    elif args.command == "transfer":
        to = int(args.to) if args.to.isascii() and args.to.isdigit() else args.to
        _print_reply(agent.transfer(args.id, to=to, by=args.by), out)
    elif args.command == "message":
        if args.by is None:
            _print_reply(agent.add_customer_message(args.id, args.text), out)
        else:
            _print_reply(agent.add_user_message(args.id, args.text, by=args.by), out)
    elif args.command == "show":
        _print_entity(agent.get_session_entity(args.id), out)
    elif args.command == "list":
        after = 0
        while True:
            page = repository.list_page(after=after, limit=100)
            for session in page:
                print(repr(session), file=out)
            if page.next_after is None:
                break
            after = page.next_after
    elif args.command == "outbox":
        for record in repository.outbox.read(limit=None, include_published=args.all):
            print(f"#{record.sequence} session {record.chat_session_id} v{record.version} "
                  f"{record.event_name} {json.dumps(redacted(record.payload))}", file=out)
    elif args.command == "verify":
        mismatches = verify_store(repository)
        for mismatch in mismatches:
            print(str(mismatch), file=out)
        print(f"{len(mismatches)} session(s) differ from their events", file=out)
        return EXIT_MISMATCH if mismatches else EXIT_OK
    elif args.command == "messages":
        carriers = [to_message_entity(m) for m in agent.get_messages(args.id, after=args.after)]
        print(json.dumps([c.to_wire() for c in carriers], indent=2, ensure_ascii=False),
              file=out)
    elif args.command == "transcript":
        print(agent.transcript(args.id, html=args.html), end="", file=out)
    elif args.command == "webhooks":
        return _publish(args, repository, out)
    elif args.command in cli_directory.COMMANDS:
        return cli_directory.run(args, agent, repository, out)
    elif args.command in cli_associates.COMMANDS:
        return cli_associates.run(args, repository, out)
    return 0


def _publish(
    args: argparse.Namespace, repository: ClosableRepository, out: TextIO
) -> int:
    """``webhooks publish``: one pass (the report on stdout), or passes until killed.

    With ``--follow`` an idle publisher waits for new records: on PostgreSQL it is woken by
    ``NOTIFY`` (at most ``--interval`` seconds), elsewhere it sleeps ``--interval``. Any
    number of ``--follow`` publishers may share a PostgreSQL outbox.
    """
    from chatsession.service.publisher import follow, outbox_waiter
    from chatsession.service.webhooks import PublishReport

    deliver = HttpDelivery(args.url, secret=args.secret, backoff=args.retry_backoff)
    if not args.follow:
        report = publish_pending(repository, deliver, batch=args.batch, webhook_name=args.name)
        print(f"delivered {report.delivered}, skipped {report.skipped}, "
              f"sessions waiting after a failed delivery {len(report.failed)}", file=out)
        for sid, why in sorted(report.failed.items()):
            print(f"  session {sid}: {why}", file=out)
        return EXIT_DELIVERY if report.failed else EXIT_OK

    def said(report: PublishReport) -> None:
        if report.delivered or report.failed:
            _complain(f"delivered {report.delivered}, skipped {report.skipped}, "
                      f"sessions waiting after a failed delivery {len(report.failed)}")

    with outbox_waiter(repository, sleep=time.sleep) as waiter:
        follow(repository, deliver, interval=args.interval, batch=args.batch,
               webhook_name=args.name, waiter=waiter, on_pass=said)
    return EXIT_OK  # pragma: no cover - follow returns only when stopped


EXIT_OK, EXIT_NOT_FOUND, EXIT_REFUSED, EXIT_STORE, EXIT_DAMAGED, EXIT_OUTPUT = 0, 1, 2, 3, 4, 5
"""The exit statuses: done, unknown session, refused, store unusable, store damaged, output lost."""
EXIT_MISMATCH = 6
"""``verify``: a stored session differs from the fold of its events."""
EXIT_DELIVERY = 7
"""``webhooks publish``: a receiver did not take an event (it stays unpublished)."""

READ_ONLY = frozenset({"show", "list", "outbox", "verify", "messages", "transcript"})
_ACTING = frozenset({"pick-up", "accept", "reject", "cancel", "pick-up-first", "transfer"})
"""Commands done by an agent: ``--by``, or ``--as``, is required."""


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() else None
"""Commands that only read: on a path with no database they say so and create nothing."""


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit status.

    0 done (a no-op included), 1 unknown session, 2 refused (an illegal command or bad
    input), 3 the database cannot be used (missing for a read, busy, unreadable, newer),
    4 the database is damaged, 5 the command was done but its output could not be written
    (so a script that retries on 3 never runs a command twice).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if hasattr(args, "by") and args.by is None and args.command in _ACTING:
        if args.as_user is None:
            parser.error(f"{args.command} needs --by <user id> (or --as)")
        args.by = args.as_user
    buffer = io.StringIO()
    code = _run_command(args, buffer)
    out = out if out is not None else sys.stdout
    try:
        if out is None:  # started with standard output closed
            raise OSError("standard output is closed")
        out.write(buffer.getvalue())
        out.flush()
    except BrokenPipeError:  # the reader went away (``chatsession demo | head``)
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
        return code
    except OSError as error:
        _complain(f"the command was done, but its output could not be written: {error}")
        return code if code != EXIT_OK else EXIT_OUTPUT
    return code


def _run_command(args: argparse.Namespace, out: TextIO) -> int:
    read_only = args.command in READ_ONLY or cli_associates.read_only(args)
    if read_only and not is_postgres(args.db) and not os.path.exists(args.db):
        _complain(f"cannot use the database {describe(args.db)!r}: there is no such file")
        return EXIT_STORE
    try:
        return _dispatch(args, out)
    except ChatSessionNotFoundError as error:
        _complain(str(error))
        return EXIT_NOT_FOUND
    except CorruptStoreError as error:
        _complain(f"the database {describe(args.db)!r} is damaged: {error}")
        return EXIT_DAMAGED
    except (RepositoryBusyError, SchemaVersionError, StoreUnavailableError, TransactionError) as e:
        _complain(f"cannot use the database {describe(args.db)!r}: {e}")
        return EXIT_STORE
    except (ChatSessionError, ValidationError) as error:
        _complain(f"{type(error).__name__}: {error}")
        return EXIT_REFUSED


def _complain_raw(message: str) -> None:
    """``message`` on standard error as it is (if there is one)."""
    stderr = sys.stderr
    if stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            stderr.write(message + "\n")


def _complain(message: str) -> None:
    """Say ``message`` on standard error, if there is one (never on standard output)."""
    stderr = sys.stderr
    if stderr is None:  # started with standard error closed: print(file=None) means stdout
        return
    with contextlib.suppress(OSError, ValueError):
        stderr.write(f"chatsession: {message}\n")
        stderr.flush()
