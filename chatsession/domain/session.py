"""ChatSession: the aggregate. Its fields are SuperOffice's ChatSessionEntity in snake_case.

The status and transfer lifecycles are the shared ``transitions`` machines of
``chatsession.domain.lifecycle``; this class holds the data, checks the rules that
need data (who may act), and records events. Commands read like the domain:
``session.reject_transfer(by=agent_id)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, ClassVar

from transitions import EventData

from chatsession.domain.customer import ANONYMOUS, Customer
from chatsession.domain.errors import (
    ChatbotActiveError,
    ChatbotInactiveError,
    CommandNotAllowedError,
    InvalidArgumentError,
    NotHandlingUserError,
    TransferToSelfError,
)
from chatsession.domain.events import (
    ALL_FIELDS,
    AlertRaised,
    ChatSessionEvent,
    CustomerFetched,
    EndReason,
    MessageAuthor,
    MessagePosted,
    RankAssigned,
    SessionAmended,
    SessionEnded,
    SessionPickedUp,
    SessionRated,
    SessionReopened,
    SessionRequested,
    SessionReset,
    StatusChanged,
    TransferAccepted,
    TransferCancelled,
    TransferDropped,
    TransferExpired,
    TransferRejected,
    TransferRequested,
)
from chatsession.domain.lifecycle import (
    STATUS_MACHINE,
    TRANSFER_MACHINE,
    TransferState,
    allowed_sources,
    fire,
)
from chatsession.domain.limits import MESSAGE_TEXT_LIMIT
from chatsession.domain.outcome import NoOpReason, Outcome
from chatsession.domain.session_data import FIELDS, ChatSessionData
from chatsession.domain.session_key import SessionKey
from chatsession.domain.status import ACTIVE, ChatSessionStatus
from chatsession.domain.topic import ChatTopic
from chatsession.domain.values import (
    INT32_MAX,
    check_flag,
    check_id,
    check_text,
    is_id,
    utc,
    utc_now,
)

S = ChatSessionStatus
_APPLIED = Outcome.applied()
_NO_TRANSFER = TransferState.NONE
_PENDING = TransferState.PENDING
_values = attrgetter(*FIELDS)


_BEFORE_QUEUE = frozenset({S.PreChatForm, S.Faq})
RATING_MAX = 5
"""The highest rating a customer gives (the rating widget's stars)."""
_REPLAYED = tuple(name for name in FIELDS if name != "version")
"""What a session's first event carries: every stored field but the version (saves count it)."""


def _message_text(text: object) -> str:
    """Check a message's text: non-empty, valid Unicode, at most ``MESSAGE_TEXT_LIMIT``."""
    checked = check_text(text, "message text", non_empty=True)
    if len(checked) > MESSAGE_TEXT_LIMIT:
        raise InvalidArgumentError(
            f"message text has {len(checked)} characters; the limit is {MESSAGE_TEXT_LIMIT} "
            "(SuperOffice's first_message/last_message columns)"
        )
    return checked


def _welcome_text(text: object) -> str:
    """A welcome message: valid text, "" for none, at most ``MESSAGE_TEXT_LIMIT``."""
    checked = check_text(text, "welcome")
    if len(checked) > MESSAGE_TEXT_LIMIT:
        raise InvalidArgumentError(
            f"welcome has {len(checked)} characters; the limit is {MESSAGE_TEXT_LIMIT}"
        )
    return checked


def _check_queue_length(value: object) -> None:
    if type(value) is not int or not 0 <= value < INT32_MAX:
        raise InvalidArgumentError(f"queue_length must be an int >= 0, got {value!r}")


def _associate_id(value: object, what: str = "by") -> int:
    """Check an associate id: a positive int32."""
    if not is_id(value):
        raise InvalidArgumentError(f"{what} must be a positive int32 associate id, got {value!r}")
    assert isinstance(value, int)
    return value


class ChatSession(ChatSessionData):
    """A chat session: the aggregate root of the SuperOffice chat lifecycle.

    Create one with ``ChatSession.request(...)``. The keyword constructor restores a
    session from stored fields as they are (fast, no checks): call
    ``chatsession.check_invariants`` on data you do not trust. Its fields are declared
    once, in ``ChatSessionData``.

    Every command takes ``at``, the aware time it happens (normalised to UTC); without
    it, the command reads ``ChatSession.utc_now()``, a class-level hook a caller may
    override. Services pass ``at`` from their ``Clock``. ``at`` is checked with the other
    arguments, before the session's state: a naive one is refused even where the command
    would be a no-op.
    """

    __slots__ = ()

    utc_now: ClassVar[Callable[[], datetime]] = staticmethod(utc_now)
    """Where a command without ``at`` gets the time: the current UTC time by default."""

    # ------------------------------------------------------------------ creation

    @classmethod
    def request(
        cls,
        chat_session_id: int,
        topic: ChatTopic,
        *,
        at: datetime | None = None,
        customer: Customer = ANONYMOUS,
        agents_available: bool = True,
        queue_length: int = 0,
        session_key: str = "",
    ) -> ChatSession:
        """A customer asks for a chat on ``topic``.

        The session starts in PreChatForm, Faq, InQueue or OfflineForm, in that order of
        preference, by the topic's settings and ``agents_available``. ``queue_length`` is
        the number of sessions already waiting (``initial_queue_pos`` is one more).
        """
        check_id(chat_session_id, "chat_session_id")
        if not isinstance(topic, ChatTopic):
            raise InvalidArgumentError(f"topic must be a ChatTopic, got {type(topic).__name__}")
        if not isinstance(customer, Customer):
            raise InvalidArgumentError(
                f"customer must be a Customer, got {type(customer).__name__}"
            )
        _check_queue_length(queue_length)
        if not isinstance(session_key, str):
            raise InvalidArgumentError(
                f"session_key must be a str, got {type(session_key).__name__}"
            )
        key = SessionKey(session_key)  # masked from here on, error messages included
        check_text(key, "session_key")
        check_flag(agents_available, "agents_available")
        now = cls._time(at)
        session = cls(
            chat_session_id=chat_session_id,
            topic_id=topic.id,
            status=S.Invalid,
            when_requested=now,
            person_id=customer.person_id,
            contact_id=customer.contact_id,
            customer_alias=customer.alias,
            customer_host=customer.host,
            customer_name=customer.name,
            customer_email=customer.email,
            customer_phone=customer.phone,
            customer_consented=customer.consented,
            customer_company_name=customer.company_name,
            chatbot_is_active=topic.bot_enabled,
            session_key=key,
        )
        fire(
            STATUS_MACHINE,
            "request",
            session,
            now=now,
            use_prechat_form=topic.use_prechat_form,
            use_faq=topic.use_faq,
            agents_available=agents_available,
        )
        session._joined_queue(queue_length)
        session._record(
            SessionRequested,
            now,
            topic_id=topic.id,
            chatbot_is_active=session.chatbot_is_active,
        )
        return session

    # ---------------------------------------------------------- before the queue

    def submit_prechat_form(
        self,
        topic: ChatTopic,
        *,
        agents_available: bool = True,
        queue_length: int = 0,
        at: datetime | None = None,
    ) -> Outcome:
        """The customer sent the pre-chat form: on to the FAQ, the queue or the offline form.

        ``queue_length`` (sessions already waiting) sets ``initial_queue_pos`` if the
        session joins the queue now.
        """
        self._check_topic(topic, "submit_prechat_form")
        _check_queue_length(queue_length)
        return self._change_status(
            "submit_prechat_form",
            at,
            queue_length=queue_length,
            use_faq=topic.use_faq,
            agents_available=check_flag(agents_available, "agents_available"),
        )

    def faq_not_helpful(
        self, *, agents_available: bool = True, queue_length: int = 0, at: datetime | None = None
    ) -> Outcome:
        """The customer still needs help after the FAQ: to the queue (or the offline form).

        ``queue_length`` sets ``initial_queue_pos`` as for ``request``.
        """
        _check_queue_length(queue_length)
        return self._change_status(
            "faq_not_helpful",
            at,
            queue_length=queue_length,
            agents_available=check_flag(agents_available, "agents_available"),
        )

    def faq_resolved(self, *, at: datetime | None = None) -> Outcome:
        """The FAQ answered the customer: the session is finished."""
        return self._change_status("faq_resolved", at)

    def submit_offline_request(self, *, at: datetime | None = None) -> Outcome:
        """The customer left a request through the offline form."""
        return self._change_status("submit_offline_request", at)

    def leave_queue(self, *, at: datetime | None = None) -> Outcome:
        """The customer gave up before any agent picked the session up."""
        return self._change_status("leave_queue", at)

    def take_offline_form(self, *, at: datetime | None = None) -> Outcome:
        """A queued customer takes the offline form instead of waiting (when it is offered).

        Whether it is offered (the topic's queue offline form, after its time limit in the
        queue) is the service's to say; a bot session never waits for it.
        """
        if self.chatbot_is_active:
            raise ChatbotActiveError(
                "take_offline_form", self.status, detail="a chatbot holds the session"
            )
        now = self._time(at)
        previous = self.status
        fire(STATUS_MACHINE, "take_offline_form", self, now=now)
        self.alert_level = 0  # no longer waiting for an agent: the queue's alert is over
        return self._record(
            StatusChanged, now, command="take_offline_form", previous_status=previous
        )

    # ------------------------------------------------------------------ the chat

    def pick_up(self, *, by: int, welcome: str = "", at: datetime | None = None) -> Outcome:
        """User ``by`` answers the session. Not in the queue: a no-op (``NOT_IN_QUEUE``).

        ``welcome`` is the topic's welcome message, "sent to the customer when the chat
        session starts": it goes in the event, and so in the message log.
        """
        by = _associate_id(by)
        welcome = _welcome_text(welcome)
        now = self._time(at)
        if self.status is not S.InQueue:
            return Outcome.noop(NoOpReason.NOT_IN_QUEUE)
        if self.chatbot_is_active:
            raise ChatbotActiveError(
                "pick_up", self.status, detail="a chatbot holds the session; reset it first"
            )
        fire(STATUS_MACHINE, "pick_up", self, now=now)
        self.user_id = by
        self.when_started = max(now, self.when_requested)
        self.alert_level = 0  # answered
        return self._record(SessionPickedUp, now, by=by, user_id=by, welcome=welcome)

    def post_customer_message(
        self,
        text: str,
        *,
        topic: ChatTopic | None = None,
        queue_length: int = 0,
        at: datetime | None = None,
    ) -> Outcome:
        """The customer writes. In an active chat the status becomes CustomerLast.

        In the FAQ step the first message is the question (the status stays Faq). In a
        Finished session the message reactivates the chat when the session's ``topic`` has
        its post-chat form on (``post_form_enabled``): to CustomerLast with its user or bot,
        or to the queue when nobody is on the other side (``SessionReopened``), where
        ``queue_length`` sets ``initial_queue_pos`` as for ``request``.
        """
        text = _message_text(text)
        _check_queue_length(queue_length)
        if topic is not None:
            self._check_topic(topic, "post_customer_message")
        now = self._time(at)
        if self.status is S.Finished:
            self._reactivate(topic, queue_length, now)
        else:
            fire(STATUS_MACHINE, "post_customer_message", self, now=now)
        return self._message(MessageAuthor.CUSTOMER, text, now, None)

    def post_user_message(self, text: str, *, by: int, at: datetime | None = None) -> Outcome:
        """The handling user writes; the status becomes UserLast."""
        by = _associate_id(by)
        text = _message_text(text)
        now = self._time(at)
        self._ensure_allowed("post_user_message")
        self._ensure_handling_user("post_user_message", by)
        fire(STATUS_MACHINE, "post_user_message", self, now=now)
        self.alert_level = 0  # the customer was answered
        return self._message(MessageAuthor.USER, text, now, by)

    def post_bot_message(self, text: str, *, at: datetime | None = None) -> Outcome:
        """The session's chatbot writes; the status becomes UserLast.

        Also before the queue: a bot that says hello in PreChatForm or Faq skips them.
        """
        text = _message_text(text)
        now = self._time(at)
        self._ensure_allowed("post_bot_message")
        if not self.chatbot_is_active:
            raise ChatbotInactiveError(
                "post_bot_message", self.status, detail="no chatbot is active on the session"
            )
        fire(STATUS_MACHINE, "post_bot_message", self, now=now)
        self.alert_level = 0
        return self._message(MessageAuthor.BOT, text, now, None)

    # -------------------------------------------------------------- transfers

    def transfer(self, *, to: int, by: int, at: datetime | None = None) -> Outcome:
        """The handling user ``by`` asks to hand the session to user ``to``.

        "If the session does not belong to the user, nothing happens": anyone who does not
        handle the session (a queued or ended session belongs to nobody) gets the
        ``NOT_OWNER`` no-op, in every status. A new transfer replaces a pending one.
        """
        to = _associate_id(to, "to")
        by = _associate_id(by)
        now = self._time(at)
        if self.status not in ACTIVE or by != self.user_id:
            return Outcome.noop(NoOpReason.NOT_OWNER)
        if to == by:
            raise TransferToSelfError(
                "transfer", self.status, detail=f"associate {by} cannot transfer to themselves"
            )
        replaced = self.transfer_to
        fire(TRANSFER_MACHINE, "transfer", self, now=now, to=to)
        return self._record(TransferRequested, now, by=by, to=to, replaced=replaced)

    def accept_transfer(self, *, by: int, at: datetime | None = None) -> Outcome:
        """The transfer target ``by`` takes the session over and becomes its handling user."""
        by = _associate_id(by)
        now = self._time(at)
        if (noop := self._transfer_target_noop(by)) is not None:
            return noop
        previous = self.user_id
        fire(TRANSFER_MACHINE, "accept_transfer", self, now=now)
        self.user_id = by
        self.rank = 0  # the new user's rank is the service's to give (assign_rank)
        assert previous is not None  # a pending transfer always has a handling user
        return self._record(TransferAccepted, now, by=by, previous_user_id=previous)

    def reject_transfer(self, *, by: int, at: datetime | None = None) -> Outcome:
        """The transfer target ``by`` denies the transfer; the handling user goes on chatting.

        "If the session is not being transferred, nothing happens": a no-op
        (``NO_TRANSFER_PENDING``), as it is when ``by`` is not the target
        (``NOT_TRANSFER_TARGET``).
        """
        by = _associate_id(by)
        now = self._time(at)
        if (noop := self._transfer_target_noop(by)) is not None:
            return noop
        fire(TRANSFER_MACHINE, "reject_transfer", self, now=now)
        return self._record(TransferRejected, now, by=by, to=by)

    def cancel_transfer(self, *, by: int, at: datetime | None = None) -> Outcome:
        """The handling user ``by`` withdraws a pending transfer."""
        by = _associate_id(by)
        now = self._time(at)
        if self.transfer_to is None:
            return Outcome.noop(NoOpReason.NO_TRANSFER_PENDING)
        if by != self.user_id:
            return Outcome.noop(NoOpReason.NOT_OWNER)
        to = self.transfer_to
        fire(TRANSFER_MACHINE, "cancel_transfer", self, now=now)
        return self._record(TransferCancelled, now, by=by, to=to)

    def expire_transfer(self, timeout: timedelta, *, at: datetime | None = None) -> Outcome:
        """Drop a pending transfer that has waited at least ``timeout`` (by the clock)."""
        if not isinstance(timeout, timedelta) or timeout < timedelta(0):
            raise InvalidArgumentError(f"timeout must be a timedelta >= 0, got {timeout!r}")
        now = self._time(at)
        if self.transfer_to is None or self.transfer_requested_at is None:
            return Outcome.noop(NoOpReason.NO_TRANSFER_PENDING)
        waited = now - self.transfer_requested_at
        if waited < timeout:
            return Outcome.noop(NoOpReason.NOT_EXPIRED)
        to = self.transfer_to
        fire(TRANSFER_MACHINE, "expire_transfer", self, now=now)
        return self._record(TransferExpired, now, to=to, waited=waited)

    # ----------------------------------------------------------------- the end

    def end(
        self, reason: EndReason, *, by: int | None = None, at: datetime | None = None
    ) -> Outcome:
        """End an active chat (to Finished).

        ``EndReason.BY_USER`` needs ``by``, the handling user; ``EndReason.BY_BOT`` needs the
        session's chatbot to be active. The customer, the bot and the idle timeout are not
        associates, so with them ``by`` must be None.
        """
        try:
            reason = EndReason(reason)
        except ValueError:
            raise InvalidArgumentError(f"reason must be an EndReason, got {reason!r}") from None
        if reason is EndReason.BY_USER:
            if by is None:
                raise InvalidArgumentError("end(EndReason.BY_USER) needs by=<user id>")
            by = _associate_id(by)
        elif by is not None:
            raise InvalidArgumentError(
                f"end({reason}) is not done by an associate: by must be None, got {by!r}"
            )
        now = self._time(at)
        self._ensure_allowed("end")
        if reason is EndReason.BY_USER:
            assert by is not None
            self._ensure_handling_user("end", by)
        elif reason is EndReason.BY_BOT and not self.chatbot_is_active:
            raise ChatbotInactiveError(
                "end", self.status, detail="no chatbot is active on the session to end it"
            )
        fire(STATUS_MACHINE, "end", self, now=now)
        return self._record(SessionEnded, now, by=by, reason=reason)

    def close(self, *, at: datetime | None = None) -> Outcome:
        """Close the session for good."""
        return self._change_status("close", at)

    def delete(self, *, at: datetime | None = None) -> Outcome:
        """Delete the session. Deleted is terminal: nothing changes it again."""
        return self._change_status("delete", at)

    def reset(
        self,
        *,
        agents_available: bool = True,
        by: int | None = None,
        queue_length: int = 0,
        at: datetime | None = None,
    ) -> Outcome:
        """Put the session back on the queue (a bot hands off to humans, or a user puts it back).

        Only the handling user ``by``, or the session's bot or the system (``by=None``)
        resets a session; another associate gets ``NotHandlingUserError``. The bot is
        switched off, the handling user and any pending transfer are cleared. With no
        agents available, the session goes to the offline form. A bot hands off from
        PreChatForm and Faq too (without a bot there is nothing to hand off there:
        ``ChatbotInactiveError``). A session already waiting in the queue with no bot has
        nothing to reset: ``CommandNotAllowedError``. ``queue_length`` sets
        ``initial_queue_pos`` if the session joins the queue for the first time.
        """
        if by is not None:
            by = _associate_id(by)
        check_flag(agents_available, "agents_available")
        _check_queue_length(queue_length)
        now = self._time(at)
        self._ensure_allowed("reset")
        if self.status in _BEFORE_QUEUE and not self.chatbot_is_active:
            raise ChatbotInactiveError(
                "reset", self.status,
                detail=f"no chatbot holds the session in {self.status.name}: nothing to hand off",
            )
        if by is not None:
            self._ensure_handling_user("reset", by)
        if self.status is S.InQueue and not self.chatbot_is_active and agents_available:
            raise CommandNotAllowedError(
                "reset", self.status, allowed_sources(STATUS_MACHINE, "reset"),
                detail="the session already waits in the queue with no bot",
            )
        previous_status, previous_user = self.status, self.user_id
        fire(STATUS_MACHINE, "reset", self, now=now, agents_available=agents_available)
        self._drop_transfer("reset", now)
        self.user_id = None
        self.chatbot_is_active = False
        self.rank = 0
        self.alert_level = 0
        self._joined_queue(queue_length)
        return self._record(
            SessionReset, now, by=by, previous_status=previous_status,
            previous_user_id=previous_user,
        )

    def assign_rank(self, rank: int, *, at: datetime | None = None) -> Outcome:
        """Give the session its ``rank`` among its user's active sessions (the service's count).

        SuperOffice's Rank: "lowest possible unique number for active sessions for user
        ... starting at 1". Only an active session with a user has one; leaving the user
        (an end, a reset, an accepted transfer) sets it back to 0.
        """
        if type(rank) is not int or not 1 <= rank <= INT32_MAX:
            raise InvalidArgumentError(f"rank must be an int from 1, got {rank!r}")
        now = self._time(at)
        if self.status not in ACTIVE or self.user_id is None:
            raise CommandNotAllowedError(
                "assign_rank", self.status, ACTIVE,
                detail="only an active session with a user has a rank",
            )
        self.rank = rank
        return self._record(RankAssigned, now, rank=rank)

    def raise_alert(self, level: int, *, at: datetime | None = None) -> Outcome:
        """Raise the alert level to ``level`` (1: agents are warned, 2: managers too).

        The session waits unanswered past its topic's warning delays; answering (a pick-up,
        a user's or the bot's message) or ending sets it back to 0. A level the session has
        already reached is a no-op (``ALERT_ALREADY_RAISED``).
        """
        if type(level) is not int or not 1 <= level <= INT32_MAX:
            raise InvalidArgumentError(f"level must be an int from 1, got {level!r}")
        now = self._time(at)
        if self.status is not S.InQueue and self.status not in ACTIVE:
            raise CommandNotAllowedError(
                "raise_alert", self.status, {S.InQueue, *ACTIVE},
                detail="only a queued or active session waits for an answer",
            )
        if level <= self.alert_level:
            return Outcome.noop(NoOpReason.ALERT_ALREADY_RAISED)
        self.alert_level = level
        return self._record(AlertRaised, now, level=level)

    def rate(self, rating: int, *, at: datetime | None = None) -> Outcome:
        """The customer rates the ended chat: ``rating`` from 1 to 5 (the widget's stars)."""
        if type(rating) is not int or not 1 <= rating <= RATING_MAX:
            raise InvalidArgumentError(
                f"rating must be an int from 1 to {RATING_MAX}, got {rating!r}"
            )
        now = self._time(at)
        if self.status not in (S.Finished, S.Closed):
            raise CommandNotAllowedError(
                "rate", self.status, {S.Finished, S.Closed},
                detail="a chat is rated once it has ended",
            )
        self.rating = rating
        return self._record(SessionRated, now, rating=rating)

    def customer_fetched(self, *, at: datetime | None = None) -> Outcome:
        """The customer's client fetched the session: ``when_fetched`` becomes now."""
        now = self._time(at)
        fire(STATUS_MACHINE, "customer_fetched", self, now=now)
        self.when_fetched = now
        return self._record(CustomerFetched, now)

    # ------------------------------------------------------------------- events

    def pull_events(self) -> list[ChatSessionEvent]:
        """Take the events recorded since the last pull, oldest first."""
        events, self._events = self._events, None
        return [] if events is None else events

    def discard_events(self, events: Iterable[ChatSessionEvent]) -> None:
        """Drop exactly ``events`` from the pending ones; the others stay, in order.

        A repository calls this after committing the events it stored, so that events
        recorded (or pulled) meanwhile are neither lost nor stored twice.
        """
        stored = {id(event) for event in events}
        if stored and self._events:
            self._events = [e for e in self._events if id(e) not in stored]

    @property
    def pending_events(self) -> tuple[ChatSessionEvent, ...]:
        """The events recorded and not yet pulled."""
        return () if self._events is None else tuple(self._events)

    # ----------------------------------------------------------- value helpers

    @property
    def transfer_state(self) -> TransferState:
        """The transfer lifecycle's state, derived from ``transfer_to`` (the machine's attribute).

        ``transitions`` sets it when a transfer event fires; the state's enter callback
        then sets (or clears) ``transfer_to``, from which it is read back.
        """
        return _NO_TRANSFER if self.transfer_to is None else _PENDING

    @transfer_state.setter
    def transfer_state(self, value: TransferState) -> None:
        """Taken from ``transitions``; the enter callbacks set ``transfer_to`` to match."""

    @property
    def transfer_pending(self) -> bool:
        """True while a transfer waits for its target's answer."""
        return self.transfer_state is TransferState.PENDING

    def to_dict(self) -> dict[str, Any]:
        """The data fields as a dict (values as held: enums, aware datetimes)."""
        return dict(zip(FIELDS, _values(self), strict=True))

    def copy(self) -> ChatSession:
        """An independent copy (of the same class) of the data and the pending events."""
        clone = type(self)(**dict(zip(FIELDS, _values(self), strict=True)))
        clone._events = None if self._events is None else list(self._events)
        return clone

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChatSession):
            return NotImplemented
        return bool(_values(self) == _values(other))

    def __repr__(self) -> str:
        transfer = f", transfer_to={self.transfer_to}" if self.transfer_to is not None else ""
        return (
            f"ChatSession(id={self.chat_session_id}, status={self.status.name}, "
            f"user_id={self.user_id}{transfer}, version={self.version})"
        )

    # ---------------------------------------------------------------- internals

    @classmethod
    def _time(cls, at: datetime | None) -> datetime:
        """When a command happens: ``at`` in UTC, or ``utc_now()`` when it is None."""
        return utc(cls.utc_now() if at is None else at)

    def _record(
        self,
        event_type: type[ChatSessionEvent],
        now: datetime,
        *,
        by: int | None = None,
        **data: Any,
    ) -> Outcome:
        """Record an event of ``event_type``, with the values of the fields it ``sets``.

        Called once the command's changes are made, so ``changes`` holds their results.
        """
        names = _REPLAYED if event_type.sets is ALL_FIELDS else event_type.sets
        event = event_type(
            chat_session_id=self.chat_session_id,
            occurred_at=now,
            status=self.status,
            by=by,
            changes={name: getattr(self, name) for name in names},
            **data,
        )
        if self._events is None:
            self._events = [event]
        else:
            self._events.append(event)
        return _APPLIED

    def _amended(self, changes: Mapping[str, Any], now: datetime, by: int | None) -> Outcome:
        """Set ``changes`` and record them as one ``SessionAmended``.

        The hook of ``chatsession.domain.amend.amend``, which checked every value and the
        invariants first; the status goes through the status machine (``set_state``).
        """
        for name, value in changes.items():
            if name == "status":
                STATUS_MACHINE.set_state(value, model=self)
            else:
                setattr(self, name, value)
        event = SessionAmended(
            chat_session_id=self.chat_session_id, occurred_at=now, status=self.status,
            by=by, changes=dict(changes),
        )
        if self._events is None:
            self._events = [event]
        else:
            self._events.append(event)
        return _APPLIED

    def _ensure_allowed(self, command: str) -> None:
        """Raise unless the status table allows ``command`` in the current status."""
        allowed = allowed_sources(STATUS_MACHINE, command)
        if self.status not in allowed:
            raise CommandNotAllowedError(command, self.status, allowed)

    def _ensure_handling_user(self, command: str, by: int) -> None:
        if by != self.user_id:
            handled = "nobody" if self.user_id is None else f"associate {self.user_id}"
            raise NotHandlingUserError(
                command,
                self.status,
                detail=f"associate {by} does not handle this session ({handled} does)",
            )

    def _transfer_target_noop(self, by: int) -> Outcome | None:
        if self.transfer_to is None:
            return Outcome.noop(NoOpReason.NO_TRANSFER_PENDING)
        if by != self.transfer_to:
            return Outcome.noop(NoOpReason.NOT_TRANSFER_TARGET)
        return None

    def _change_status(
        self, command: str, at: datetime | None, *, queue_length: int = 0, **kwargs: Any
    ) -> Outcome:
        now = self._time(at)
        previous = self.status
        fire(STATUS_MACHINE, command, self, now=now, **kwargs)
        self._joined_queue(queue_length)
        return self._record(StatusChanged, now, command=command, previous_status=previous)

    def _message(
        self, author: MessageAuthor, text: str, now: datetime, by: int | None
    ) -> Outcome:
        if not self.first_message:
            self.first_message = text
        self.last_message = text
        self.when_idle = now
        return self._record(MessagePosted, now, by=by, author=author, text=text)

    def _joined_queue(self, queue_length: int) -> None:
        """A session that reaches the queue for the first time: its position on arrival."""
        if self.status is S.InQueue and self.initial_queue_pos == 0:
            self.initial_queue_pos = queue_length + 1

    def _check_topic(self, topic: object, command: str) -> None:
        if not isinstance(topic, ChatTopic) or topic.id != self.topic_id:
            raise InvalidArgumentError(
                f"{command} needs the session's topic (id {self.topic_id}), got {topic!r}"
            )

    def _reactivate(self, topic: ChatTopic | None, queue_length: int, now: datetime) -> None:
        """A customer message in Finished: reactivate the chat if the topic lets them return."""
        if topic is None or not topic.post_form_enabled:
            why = (
                "pass the session's topic: only its post-chat form lets the customer return"
                if topic is None
                else f"the post-chat form of topic {topic.id} is off: the chat cannot be "
                "reactivated"
            )
            raise CommandNotAllowedError("post_customer_message", self.status, detail=why)
        previous = self.status
        fire(STATUS_MACHINE, "post_customer_message", self, now=now, reactivate=True)
        self.when_ended = None
        self._joined_queue(queue_length)
        self._record(SessionReopened, now)
        assert previous is S.Finished

    def _drop_transfer(self, command: str, now: datetime) -> None:
        if self.transfer_to is not None:
            to = self.transfer_to
            fire(TRANSFER_MACHINE, "drop_transfer", self, now=now)
            self._record(TransferDropped, now, to=to, command=command)

    # ------------------------------------------- callbacks run by the machines

    def _on_enter_ended(self, event: EventData) -> None:
        """Entering an ended status: stamp ``when_ended`` once, drop any pending transfer."""
        now: datetime = event.kwargs["now"]
        if self.when_ended is None:
            started = self.when_started or self.when_requested
            self.when_ended = max(now, started, self.when_requested)
        self.rank = 0  # the number is free again among its user's active sessions
        self.alert_level = 0
        self._drop_transfer(event.event.name if event.event else "end", now)

    def _on_transfer_pending(self, event: EventData) -> None:
        """Entering (or re-entering) ``pending``: remember the target and the time."""
        self.transfer_to = event.kwargs["to"]
        self.transfer_requested_at = event.kwargs["now"]

    def _on_transfer_cleared(self, event: EventData) -> None:
        """Entering ``none``: no target, no request time."""
        self.transfer_to = None
        self.transfer_requested_at = None
