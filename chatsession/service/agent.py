"""ChatAgent: the application service, mirroring SuperOffice's Chat agent.

Each call reads the time from the ``Clock`` port and runs one command, at that time, in
one unit of work: load, apply, save (only if something changed), and answers with the
``Outcome``, the ``ChatSessionEntity`` and the messages it wrote. A save that loses a race
(``ConcurrencyError``) is retried on a fresh load, and a busy store after a short backoff,
up to ``retries`` times. The queue's rules (who is available, may pick up, may be a
transfer target; rank) are ``chatsession.service.queue``'s.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import chatsession.service.entity_save as entity_save
import chatsession.service.queue as queue
from chatsession.adapters.clock import SystemClock
from chatsession.domain.customer import ANONYMOUS, Customer
from chatsession.domain.errors import CommandNotAllowedError, InvalidArgumentError
from chatsession.domain.events import EndReason
from chatsession.domain.messages import ChatMessage
from chatsession.domain.outcome import NoOpReason, Outcome
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.ports.clock import Clock
from chatsession.ports.directory import AssociateDirectory
from chatsession.ports.errors import (
    ChatTopicNotFoundError,
    ConcurrencyError,
    RepositoryBusyError,
)
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service.errors import (
    NotTopicResponderError,
    TransferTargetUnavailableError,
    UnknownAssociateError,
)
from chatsession.service.sweeps import SweepReport, sweep
from chatsession.service.transcript import transcript
from chatsession.wire.entity import ChatSessionEntity
from chatsession.wire.mapping import to_entity


@dataclass(frozen=True, slots=True)
class AgentReply:
    """What a ChatAgent call did (``outcome``) and the session as SuperOffice returns it."""

    outcome: Outcome
    entity: ChatSessionEntity
    messages: tuple[ChatMessage, ...] = ()
    """The messages the command wrote to the session's log (AddChatMessage's answer)."""
    version: int = 0
    """The session's stored version after the call (an ETag for the web face)."""

    @property
    def changed(self) -> bool:
        """True if the command changed (and saved) the session."""
        return self.outcome.changed


_WRITABLE_AT_START = frozenset({ChatSessionStatus.Faq, ChatSessionStatus.InQueue})
"""Where a new session takes the customer's first message at once."""

Command = Callable[[ChatSession, datetime], Outcome]
QueueingCommand = Callable[[ChatSession, datetime, int], Outcome]
"""A command that may put the session in the queue: it gets the queue's length too."""
T = TypeVar("T")


class ChatAgent:
    """The SuperOffice Chat agent's operations on chat sessions, over a repository.

    ``clock`` is where every command's time comes from (``SystemClock()`` by default);
    ``associates`` names the users on ``User``/``TransferTo`` and resolves transfer targets.
    """

    def __init__(
        self,
        repository: ChatSessionRepository,
        *,
        clock: Clock | None = None,
        associates: AssociateDirectory | None = None,
        retries: int = 3,
        backoff: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if type(retries) is not int or retries < 0:
            raise InvalidArgumentError(f"retries must be an int >= 0, got {retries!r}")
        if clock is not None and not isinstance(clock, Clock):
            raise InvalidArgumentError(f"clock must be a Clock, got {type(clock).__name__}")
        if associates is not None and not isinstance(associates, AssociateDirectory):
            raise InvalidArgumentError(
                f"associates must be an AssociateDirectory, got {type(associates).__name__}"
            )
        self._repository = repository
        self._clock: Clock = SystemClock() if clock is None else clock
        self._associates = associates
        self._retries = retries
        if isinstance(backoff, bool) or not isinstance(backoff, int | float) or not (
            0 <= backoff <= 1
        ):
            raise InvalidArgumentError(f"backoff must be seconds in [0, 1], got {backoff!r}")
        self._backoff = float(backoff)
        self._sleep = sleep

    @property
    def clock(self) -> Clock:
        """The clock every command reads its time from."""
        return self._clock

    # ---------------------------------------------------------------- sessions

    def create_session(
        self,
        topic: ChatTopic | int,
        *,
        customer: Customer = ANONYMOUS,
        first_message: str | None = None,
        agents_available: bool = True,
    ) -> AgentReply:
        """CreateChatSessionForTopic: a customer asks for a chat on ``topic``.

        ``topic`` is a topic id or a ``ChatTopic``; a stored topic's own settings win. On a
        stored topic the service decides whether agents are available (a present
        responder, within the opening hours, the queue not full); ``agents_available``
        counts only for a topic the store does not have. ``first_message`` is posted as
        the customer's first message in the same unit of work when the session starts where
        a customer writes (the FAQ step, the queue); in a form it is not (the reply's
        ``messages`` is empty): the customer writes again after the form.
        """
        if isinstance(topic, int) and not isinstance(topic, bool):
            topic = ChatTopic(id=topic)
        if not isinstance(topic, ChatTopic):  # before an id is drawn for it
            raise InvalidArgumentError(f"topic must be a ChatTopic, got {type(topic).__name__}")
        with self._repository.transaction() as tx:
            at = self._clock.now()
            stored = queue.stored_topic(tx, topic.id)
            if stored is not None:
                topic = stored
                agents_available = queue.agents_available(tx, stored, at) and not (
                    queue.queue_is_full(tx, stored)
                )
            session = ChatSession.request(
                tx.next_id(),
                topic,
                at=at,
                customer=customer,
                agents_available=agents_available,
                queue_length=tx.count_in_queue(topic.id),
                session_key=secrets.token_urlsafe(16),
            )
            if first_message is not None and session.status in _WRITABLE_AT_START:
                session.post_customer_message(first_message, at=at)
            tx.add(session)
            written = tuple(tx.written_messages)
        return self._reply(Outcome.applied(), session, written)

    def default_entity(self) -> ChatSessionEntity:
        """CreateDefaultChatSessionEntity (``GET ChatSession/default``): a new session's entity.

        Id 0, the status a new request takes on a topic with default settings
        (``InQueue``), ``WhenRequested`` now (the agent's clock), the session's defaults
        elsewhere, no ``SessionKey`` and ``TopicId`` 0: fill it in and ``save_entity`` it.
        """
        return entity_save.default_entity(self._clock.now())

    def save_entity(
        self,
        entity: ChatSessionEntity,
        *,
        by: int | None = None,
        expected_version: int | None = None,
    ) -> AgentReply:
        """SaveChatSessionEntity (``POST``/``PUT``/``PATCH ChatSession``): a raw save.

        ``ChatSessionId`` 0 or absent: a new session with a fresh id, from the entity's
        values (``Status``, ``WhenRequested`` and ``SessionKey`` filled in when left out).
        Otherwise the stored session is amended to the entity's values through
        ``chatsession.domain.amend`` (one ``SessionAmended`` event with exactly the changed
        fields; nothing saved when nothing differs); its ``SessionKey`` is kept. ``by`` is
        the acting associate. Raises ``ChatSessionNotFoundError`` for an unknown id,
        ``ConcurrencyError`` when ``expected_version`` is given and is not the stored
        version, ``InvariantViolationError`` when the result would break an invariant.
        """
        sid = entity_save.entity_id(entity)
        entity_save.check_expected_version(expected_version)
        if sid == 0:
            with self._repository.transaction() as tx:
                session = entity_save.create_from(tx, entity, self._clock.now(), by)
            return self._reply(Outcome.applied(), session)

        def attempt() -> AgentReply | ConcurrencyError:
            with self._repository.transaction() as tx:
                session = tx.get(sid)
                if expected_version is not None and session.version != expected_version:
                    return ConcurrencyError(sid, expected_version, session.version)  # no retry
                outcome = entity_save.update_from(session, entity, self._clock.now(), by)
                if outcome.changed:
                    tx.save(session)
            return self._reply(outcome, session)

        reply = self._retrying(attempt)
        if isinstance(reply, ConcurrencyError):
            raise reply
        return reply

    def get_session_entity(self, chat_session_id: int) -> ChatSessionEntity:
        """GetChatSessionEntity: the session as SuperOffice returns it."""
        return to_entity(self._repository.get(chat_session_id), associates=self._associates)

    def topics_for_user(self, user_id: int) -> list[ChatTopic]:
        """ChatTopicsForUser: the topics where ``user_id`` has any right (a member)."""
        return [
            self._repository.get_topic(a.topic_id)
            for a in self._repository.agent_topics(user_id)
            if a.is_member
        ]

    def sessions_for_user(self, user_id: int) -> list[ChatSessionEntity]:
        """ChatSessionsForUser: the live sessions of the topics ``user_id`` is a member of.

        "all chat sessions which this user is a member of. Members means that you have at
        least one of: Can Respond, Notifications, Listen or Manager": the waiting and active
        sessions of those topics, and the user's own active ones, in id order.
        """
        live = {ChatSessionStatus.InQueue, ChatSessionStatus.CustomerLast,
                ChatSessionStatus.UserLast}
        found = {s.chat_session_id: s for s in self._repository.active_sessions_of(user_id)}
        for topic in self.topics_for_user(user_id):
            after = 0
            while True:
                page = self._repository.list_page(
                    after=after, limit=500, status=live, topic_id=topic.id
                )
                found.update((s.chat_session_id, s) for s in page)
                if page.next_after is None:
                    break
                after = page.next_after
        return [to_entity(found[sid], associates=self._associates) for sid in sorted(found)]

    # ------------------------------------------------------------- the queue

    def pick_up(self, chat_session_id: int, *, by: int) -> AgentReply | None:
        """PickUpChatSession: ``by`` answers the session.

        "Returns NULL if session was not in queue": None then, as ``pick_up_first`` does on
        an empty queue (the aggregate's ``Outcome`` says ``NOT_IN_QUEUE``).
        """
        reply = self._run(chat_session_id, lambda s, at: self._pick_up(s, by, at))
        return reply if reply.outcome.reason is not NoOpReason.NOT_IN_QUEUE else None

    def pick_up_first(self, *, by: int, topic_id: int | None = None) -> AgentReply | None:
        """PickUpFirstChatSession: ``by`` answers the oldest queued session; None if none.

        Without ``topic_id``, among the topics where ``by`` can respond (any topic for an
        associate who is an agent of none).
        """

        def attempt() -> AgentReply | None:
            with self._repository.transaction() as tx:
                session = self._first_for(by, topic_id)
                if session is None:
                    return None
                outcome = self._pick_up(session, by, self._clock.now())
                if outcome.changed:
                    tx.save(session)
                written = tuple(tx.written_messages)
            return self._reply(outcome, session, written)

        return self._retrying(attempt)

    def _first_for(self, by: int, topic_id: int | None) -> ChatSession | None:
        """The oldest queued session ``by`` may answer (on ``topic_id`` if given)."""
        if topic_id is not None:
            return self._repository.first_in_queue(topic_id)
        topics = [a.topic_id for a in self._repository.agent_topics(by) if a.can_respond]
        if not topics:
            return self._repository.first_in_queue()
        found = [s for t in topics if (s := self._repository.first_in_queue(t)) is not None]
        return min(found, key=lambda s: s.chat_session_id, default=None)

    def _pick_up(self, session: ChatSession, by: int, at: datetime) -> Outcome:
        """Pick ``session`` up for ``by``: rights, welcome, rank, the topic's accept times."""
        topic = queue.stored_topic(self._repository, session.topic_id)
        queued = session.status is ChatSessionStatus.InQueue
        if topic is not None and queued and not queue.can_respond(self._repository, topic.id, by):
            raise NotTopicResponderError(
                    f"associate {by} cannot respond on topic {topic.id}: not picked up"
                )
        welcome = topic.welcome_message if topic is not None else ""
        outcome = session.pick_up(by=by, welcome=welcome, at=at)
        if outcome.changed:
            self._give_rank(session, at)
            if topic is not None:
                self._repository.save_topic(queue.accepted(topic, session, at))
        return outcome

    def _give_rank(self, session: ChatSession, at: datetime) -> None:
        """Give an active session of a user, with no rank yet, its user's lowest free one."""
        if session.user_id is not None and session.status.is_active and not session.rank:
            self._repository.lock_associate(session.user_id)  # one rank at a time per user
            session.assign_rank(
                queue.lowest_free_rank(self._repository, session.user_id, session), at=at
            )

    # ---------------------------------------------------------------- messages

    def get_messages(self, chat_session_id: int, *, after: int = 0) -> list[ChatMessage]:
        """GetChatMessages: the session's messages after message ``after`` (0: all)."""
        self._repository.get(chat_session_id)  # an unknown session is not found
        return self._repository.messages(chat_session_id, after=after)

    def transcript(self, chat_session_id: int, *, html: bool = False) -> str:
        """GetChatTranscript: the session's messages as plain text or (escaped) HTML."""
        return transcript(self.get_messages(chat_session_id), as_html=html)

    def add_customer_message(
        self, chat_session_id: int, text: str, *, topic: ChatTopic | None = None
    ) -> AgentReply:
        """AddChatMessage from the customer.

        On a finished session, ``topic`` (the session's) decides whether the message
        reactivates the chat (its post-chat form).
        """
        def post(s: ChatSession, at: datetime, waiting: int) -> Outcome:
            returning = topic if topic is not None else queue.stored_topic(
                self._repository, s.topic_id
            ) if s.status is ChatSessionStatus.Finished else None
            outcome = s.post_customer_message(
                text, topic=returning, queue_length=waiting, at=at
            )
            if outcome.changed:
                self._give_rank(s, at)  # a reactivated chat is its user's again
            return outcome

        return self._run_queueing(chat_session_id, post)

    def add_user_message(self, chat_session_id: int, text: str, *, by: int) -> AgentReply:
        """AddChatMessage from the handling user ``by``."""
        return self._run(chat_session_id, lambda s, at: s.post_user_message(text, by=by, at=at))

    def add_bot_message(self, chat_session_id: int, text: str) -> AgentReply:
        """AddChatMessage from the session's chatbot."""
        return self._run(chat_session_id, lambda s, at: s.post_bot_message(text, at=at))

    # --------------------------------------------------------------- transfers

    def transfer(self, chat_session_id: int, *, to: int | str, by: int) -> AgentReply:
        """TransferChatSession: ask to send the session to ``to`` (associate id or user name)."""
        target = self._associate_id(to)

        def transfer(s: ChatSession, at: datetime) -> Outcome:
            owner = s.status.is_active and s.user_id == by  # else "nothing happens"
            topic = queue.stored_topic(self._repository, s.topic_id) if owner else None
            if topic is not None and target != by and not (
                queue.can_respond(self._repository, topic.id, target)
                and queue.is_present_on(self._repository, topic.id, target)
            ):
                raise TransferTargetUnavailableError(
                    f"associate {target} is not present, or cannot respond, on topic "
                    f"{topic.id}: only present agents who can respond are transfer targets"
                )
            return s.transfer(to=target, by=by, at=at)

        return self._run(chat_session_id, transfer)

    def accept_transfer(self, chat_session_id: int, *, by: int) -> AgentReply:
        """AcceptChatSessionTransfer: the target ``by`` takes the session over (and a rank)."""

        def accept(s: ChatSession, at: datetime) -> Outcome:
            outcome = s.accept_transfer(by=by, at=at)
            if outcome.changed:
                self._give_rank(s, at)
            return outcome

        return self._run(chat_session_id, accept)

    def reject_transfer(self, chat_session_id: int, *, by: int) -> AgentReply:
        """RejectChatSessionTransfer: deny the transfer to ``by``; a no-op if none is pending."""
        return self._run(chat_session_id, lambda s, at: s.reject_transfer(by=by, at=at))

    def cancel_transfer(self, chat_session_id: int, *, by: int) -> AgentReply:
        """The transferring user ``by`` withdraws the pending transfer."""
        return self._run(chat_session_id, lambda s, at: s.cancel_transfer(by=by, at=at))

    def expire_transfer(self, chat_session_id: int, *, timeout: timedelta) -> AgentReply:
        """Drop the pending transfer if it has waited at least ``timeout``."""
        return self._run(chat_session_id, lambda s, at: s.expire_transfer(timeout, at=at))

    # ------------------------------------------------------- the customer's side

    def submit_prechat_form(self, chat_session_id: int) -> AgentReply:
        """The customer sent the pre-chat form: on to the FAQ, the queue or the offline form."""
        return self._run_queueing(
            chat_session_id,
            lambda s, at, waiting: s.submit_prechat_form(
                self._topic_of(s), agents_available=self._available(s, at),
                queue_length=waiting, at=at,
            ),
        )

    def faq_not_helpful(self, chat_session_id: int) -> AgentReply:
        """The FAQ did not help: to the queue, or the offline form if nobody is available."""
        return self._run_queueing(
            chat_session_id,
            lambda s, at, waiting: s.faq_not_helpful(
                agents_available=self._available(s, at), queue_length=waiting, at=at
            ),
        )

    def faq_resolved(self, chat_session_id: int) -> AgentReply:
        """The FAQ answered the customer: the session is finished."""
        return self._run(chat_session_id, lambda s, at: s.faq_resolved(at=at))

    def leave_queue(self, chat_session_id: int) -> AgentReply:
        """The customer gave up before anyone answered."""
        return self._run(chat_session_id, lambda s, at: s.leave_queue(at=at))

    def offline_form_offered(self, chat_session_id: int) -> bool:
        """Whether the queued customer may take the offline form now.

        With the topic's queue offline form on, once the session has waited
        ``OfflineFormTimeLimit`` minutes in the queue ("the offline form becomes available
        after ... that many minutes in the queue"); or when no agent is available any more.
        """
        session = self._repository.get(chat_session_id)
        if session.status is not ChatSessionStatus.InQueue or session.chatbot_is_active:
            return False
        at = self._clock.now()
        topic = queue.stored_topic(self._repository, session.topic_id)
        if topic is None:
            return False
        limit = topic.offline_form_time_limit
        waited_enough = topic.use_queue_offline_form and limit > 0 and (
            at - session.when_requested >= timedelta(minutes=limit)
        )
        return waited_enough or not queue.agents_available(self._repository, topic, at)

    def take_offline_form(self, chat_session_id: int) -> AgentReply:
        """The queued customer takes the offered offline form (else ``CommandNotAllowedError``)."""

        def take(s: ChatSession, at: datetime) -> Outcome:
            if not self.offline_form_offered(s.chat_session_id):
                raise CommandNotAllowedError(
                    "take_offline_form", s.status,
                    detail="the offline form is not offered to this session (yet)",
                )
            return s.take_offline_form(at=at)

        return self._run(chat_session_id, take)

    def submit_offline_request(self, chat_session_id: int) -> AgentReply:
        """The customer left a request through the offline form."""
        return self._run(chat_session_id, lambda s, at: s.submit_offline_request(at=at))

    def customer_fetched(self, chat_session_id: int) -> AgentReply:
        """The customer's client fetched the session (a sign of life: ``WhenFetched``)."""
        return self._run(chat_session_id, lambda s, at: s.customer_fetched(at=at))

    def rate(self, chat_session_id: int, rating: int) -> AgentReply:
        """The customer rates the ended chat (1 to 5).

        On a stored topic only with its rating widget on (``WidgetEnableRating``: "the
        customer may rate the chat"); else ``CommandNotAllowedError``.
        """

        def rate(s: ChatSession, at: datetime) -> Outcome:
            topic = queue.stored_topic(self._repository, s.topic_id)
            if topic is not None and not topic.rating_enabled:
                raise CommandNotAllowedError(
                    "rate", s.status, detail=f"topic {topic.id} does not enable rating"
                )
            return s.rate(rating, at=at)

        return self._run(chat_session_id, rate)

    # ------------------------------------------------------------------ the clock

    def sweep(self) -> SweepReport:
        """One pass of what the clock does: alerts, expired transfers, idle ends.

        Run it on a timer; it is idempotent and safe from several processes at once.
        """
        return sweep(self._repository, self._clock.now)

    # ------------------------------------------------------------------ the end

    def end(
        self, chat_session_id: int, reason: EndReason, *, by: int | None = None
    ) -> AgentReply:
        """End an active chat."""
        return self._run(chat_session_id, lambda s, at: s.end(reason, by=by, at=at))

    def reset(
        self, chat_session_id: int, *, agents_available: bool = True, by: int | None = None
    ) -> AgentReply:
        """ResetChatSession: back to the queue (a bot hands the session to humans)."""
        return self._run_queueing(
            chat_session_id,
            lambda s, at, waiting: s.reset(
                agents_available=agents_available, by=by, queue_length=waiting, at=at
            ),
        )

    def close(self, chat_session_id: int) -> AgentReply:
        """Close the session for good."""
        return self._run(chat_session_id, lambda s, at: s.close(at=at))

    def delete(self, chat_session_id: int) -> AgentReply:
        """Delete the session."""
        return self._run(chat_session_id, lambda s, at: s.delete(at=at))

    # --------------------------------------------------------------- internals

    def _run(self, chat_session_id: int, command: Command) -> AgentReply:
        def attempt() -> AgentReply:
            with self._repository.transaction() as tx:
                session = tx.get(chat_session_id)
                outcome = command(session, self._clock.now())
                if outcome.changed:
                    tx.save(session)
                written = tuple(tx.written_messages)
            return self._reply(outcome, session, written)

        return self._retrying(attempt)

    def _run_queueing(self, chat_session_id: int, command: QueueingCommand) -> AgentReply:
        """``_run`` for a command that may queue the session: it gets the queue's length."""
        return self._run(
            chat_session_id,
            lambda s, at: command(s, at, self._waiting(s)),
        )

    def _waiting(self, session: ChatSession) -> int:
        """Sessions waiting on the topic of ``session`` (inside the thread's unit of work)."""
        return self._repository.count_in_queue(session.topic_id)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt``; again on a lost race or a busy store, ``retries`` times at most.

        A ``ConcurrencyError`` is retried at once (on a fresh load); a
        ``RepositoryBusyError`` after a bounded, doubling backoff (``backoff`` seconds
        first, at most 1 s), since another writer holds the store.
        """
        delay = self._backoff
        for _ in range(self._retries):
            try:
                return attempt()
            except ConcurrencyError:
                continue
            except RepositoryBusyError:
                self._sleep(delay)
                delay = min(delay * 2, 1.0)
        return attempt()

    def _reply(
        self, outcome: Outcome, session: ChatSession, written: tuple[ChatMessage, ...] = ()
    ) -> AgentReply:
        return AgentReply(
            outcome, to_entity(session, associates=self._associates), written, session.version
        )

    def _topic_of(self, session: ChatSession) -> ChatTopic:
        """The session's topic: the stored one, or its id's defaults."""
        return queue.stored_topic(self._repository, session.topic_id) or ChatTopic(
            id=session.topic_id
        )

    def _available(self, session: ChatSession, at: datetime) -> bool:
        """Agents available for the session's topic (True for a topic the store lacks)."""
        topic = queue.stored_topic(self._repository, session.topic_id)
        if topic is None:
            return True
        return queue.agents_available(self._repository, topic, at) and not queue.queue_is_full(
            self._repository, topic
        )

    def _welcome(self, topic_id: int) -> str:
        """The topic's welcome message ("" when the topic is not stored)."""
        try:
            return self._repository.get_topic(topic_id).welcome_message
        except ChatTopicNotFoundError:
            return ""

    def _associate_id(self, who: int | str) -> int:
        """The id of a transfer target: by user name, or an id the directory knows."""
        if isinstance(who, str):
            found = self._associates.by_user_name(who) if self._associates else None
            if found is None or found.deleted:
                raise UnknownAssociateError(f"no associate with user name {who!r}")
            return found.associate_id
        if self._associates is not None and type(who) is int:
            known = self._associates.by_id(who)
            if known is None or known.deleted:
                raise UnknownAssociateError(f"no associate with id {who}")
        return who
