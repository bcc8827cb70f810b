"""Hypothesis strategies that build valid chat sessions in any status, and topics.

Sessions are built the way production builds them: ``ChatSession.request`` on a topic,
then real commands (forms, queue, pick-up, bot and customer messages, transfers, end,
reactivation by a returning customer, reset, close, delete), each ``at=clock.now()`` of
a ``ManualClock`` that moves forward by random steps. Every session is valid by
construction (the strategy checks ``check_invariants`` on each one)::

    from hypothesis import given
    from chatsession.testing.strategies import sessions

    @given(sessions(status=ChatSessionStatus.UserLast))
    def test_something(session): ...

A generated session is new (``version == 0``) and still holds the events of its
history as pending events, so ``repository.add(session)`` writes them to the outbox.

For the topic store: ``full_topics()`` (every setting of a ``ChatTopic``, opening hours in
several zones), ``opening_hours()``, ``topic_agents()`` and ``presences()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from chatsession.adapters.clock import ManualClock
from chatsession.domain.customer import Customer
from chatsession.domain.errors import ChatSessionError
from chatsession.domain.events import EndReason
from chatsession.domain.flags import ChatSessionFlags
from chatsession.domain.invariants import check_invariants
from chatsession.domain.limits import MESSAGE_TEXT_LIMIT
from chatsession.domain.opening_hours import (
    MIDNIGHT,
    WEEKDAYS,
    DayHours,
    OpeningHours,
    is_known_zone,
)
from chatsession.domain.presence import Presence
from chatsession.domain.session import ChatSession
from chatsession.domain.status import ACTIVE, ENDED, WAITING, ChatSessionStatus
from chatsession.domain.topic import TIMEOUT_LIMIT, ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent

S = ChatSessionStatus
INT32_MAX = 2**31 - 1

REAL_STATUSES: tuple[ChatSessionStatus, ...] = tuple(s for s in S if s is not S.Invalid)
"""Every status a stored session can have (all but ``Invalid``)."""

USERS = st.integers(min_value=1, max_value=6)
"""Associate ids for users: a small pool, so transfers meet their targets often."""

ids = st.integers(min_value=1, max_value=INT32_MAX)
"""Positive int32 ids (chat sessions, topics, persons, contacts ...)."""


def aware_datetimes(min_year: int = 2000, max_year: int = 2099) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes with a fixed UTC offset of whole minutes (-14h .. +14h)."""
    offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
        lambda m: timezone(timedelta(minutes=m))
    )
    return st.builds(
        lambda naive, tz: naive.replace(tzinfo=tz),
        st.datetimes(datetime(min_year, 1, 1), datetime(max_year, 12, 31)),
        offsets,
    )


def topics(topic_id: st.SearchStrategy[int] | None = None) -> st.SearchStrategy[ChatTopic]:
    """Chat topics with any combination of pre-chat form, FAQ, chatbot and post-chat form.

    The other settings keep their defaults; ``full_topics()`` varies them all.
    """
    return st.builds(
        ChatTopic,
        id=topic_id if topic_id is not None else st.integers(1, 5) | ids,
        use_prechat_form=st.booleans(),
        use_faq=st.booleans(),
        bot_enabled=st.booleans(),
        post_form_enabled=st.booleans(),
    )


_short_text = st.text(max_size=40)


def customers() -> st.SearchStrategy[Customer]:
    """What a customer tells about themselves (within the column sizes)."""
    optional_id = st.none() | ids
    return st.builds(
        Customer,
        alias=st.text(max_size=64),
        host=_short_text,
        name=_short_text,
        email=_short_text,
        phone=st.text(max_size=32),
        company_name=_short_text,
        consented=st.booleans(),
        person_id=optional_id,
        contact_id=optional_id,
    )


message_texts = st.text(min_size=1, max_size=40) | st.builds(
    lambda n, c: c * n, st.integers(1000, MESSAGE_TEXT_LIMIT), st.sampled_from("xé")
)
"""Message texts: short ones, and now and then one up to the limit (1024 characters)."""

_ticks = st.integers(min_value=0, max_value=3_600_000_000)  # shrinks to 0: no time passes
_BOOLS = st.booleans()
_ACTIVE = st.sampled_from(sorted(ACTIVE))
_WAITING = st.sampled_from(sorted(WAITING))
_CUSTOMERS = customers()
_SESSION_KEYS = st.text(alphabet="0123456789abcdef", max_size=32)
_TOPIC_IDS = st.integers(1, 5) | ids
_OPTIONAL_IDS = st.none() | ids
_RATINGS = st.none() | st.integers(1, 5)
_FLAGS = st.sampled_from(list(ChatSessionFlags))
_BEFORE_QUEUE = st.sampled_from([S.PreChatForm, S.Faq])
_CLOSABLE = st.sampled_from([s for s in REAL_STATUSES if s not in (S.Closed, S.Deleted)])
_DELETABLE = st.sampled_from([s for s in REAL_STATUSES if s is not S.Deleted])
_INTS: dict[tuple[int, int], st.SearchStrategy[int]] = {}


def _int(low: int, high: int) -> st.SearchStrategy[int]:
    strategy = _INTS.get((low, high))
    if strategy is None:
        strategy = _INTS[(low, high)] = st.integers(low, high)
    return strategy


class _Builder:
    """Drives one session through real commands, drawing every choice."""

    def __init__(self, draw: st.DrawFn, chat_session_id: int, start: datetime) -> None:
        self.draw = draw
        self.clock = ManualClock(start)
        self.chat_session_id = chat_session_id
        self.topic: ChatTopic | None = None
        self.session: ChatSession | None = None

    @property
    def s(self) -> ChatSession:
        assert self.session is not None
        return self.session

    def tick(self) -> None:
        self.clock.advance(timedelta(microseconds=self.draw(_ticks)))

    def run(self, command: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Run a bound command of ``self.s`` at the clock's time, after a tick.

        True if it went through; a refused command leaves the session as it was.
        """
        self.tick()
        before = self.s.copy()
        try:
            command(*args, at=self.clock.now(), **kwargs)
        except ChatSessionError:
            self.session = before
            return False
        return True

    # ------------------------------------------------------------ routes

    def reach(self, target: ChatSessionStatus, depth: int = 0) -> None:
        """Leave ``self.s`` in status ``target``, by a route drawn at random."""
        if target in WAITING:
            self._reach_waiting(target, depth)
        elif target in ACTIVE:
            self._reach_active(target, depth)
        elif target is S.Finished:
            if self.draw(_int(0, 4)) == 0:
                self._reach_waiting(S.Faq, depth)
                self.run(self.s.faq_resolved)
            else:
                self._reach_active(self.draw(_ACTIVE), depth)
                self._end()
        elif target is S.RequestPosted:
            self._reach_waiting(S.OfflineForm, depth)
            self.run(self.s.submit_offline_request)
        elif target is S.ClosedFromQueue:
            self._reach_waiting(self.draw(_WAITING), depth)
            self.run(self.s.leave_queue)
        elif target is S.Closed:
            self.reach(self.draw(_CLOSABLE), depth + 1)
            self.run(self.s.close)
        elif target is S.Deleted:
            self.reach(self.draw(_DELETABLE), depth + 1)
            self.run(self.s.delete)
        else:  # pragma: no cover - Invalid is never a target
            raise ValueError(f"cannot build a session in status {target!r}")
        assert self.s.status is target, (self.s, target)

    def _request(self, agents_available: bool, **flags: bool) -> None:
        topic_id = self.draw(_TOPIC_IDS)
        self.topic = ChatTopic(
            id=topic_id,
            use_prechat_form=flags.get("use_prechat_form", self.draw(_BOOLS)),
            use_faq=flags.get("use_faq", self.draw(_BOOLS)),
            bot_enabled=flags.get("bot_enabled", self.draw(_BOOLS)),
        )
        self.session = ChatSession.request(
            self.chat_session_id,
            self.topic,
            at=self.clock.now(),
            customer=self.draw(_CUSTOMERS),
            agents_available=agents_available,
            queue_length=self.draw(_int(0, 50)),
            session_key=self.draw(_SESSION_KEYS),
        )

    def _reach_waiting(self, target: ChatSessionStatus, depth: int) -> None:
        if depth < 3 and target in (S.InQueue, S.OfflineForm) and self.draw(_int(0, 5)) == 0:
            # Back from a conversation: a reset puts it on the queue, or the offline form.
            self._reach_active(self.draw(_ACTIVE), depth + 1)
            self.run(self.s.reset, agents_available=target is S.InQueue, by=self._resetter())
            self._decorate_waiting()
            return
        if depth < 3 and target is S.InQueue and self.draw(_int(0, 7)) == 0:
            # Solved by the FAQ, then the customer writes again: back on the queue.
            self._request(True, use_prechat_form=False, use_faq=True, bot_enabled=False)
            self.run(self.s.faq_resolved)
            self.run(self.s.post_customer_message, self.draw(message_texts),
                     topic=self._returning_topic())
            self._decorate_waiting()
            return
        agents = target is not S.OfflineForm
        if target is S.PreChatForm:
            self._request(agents, use_prechat_form=True)
        elif target is S.Faq:
            self._request(agents, use_faq=True)
        elif target is S.OfflineForm:
            self._request(self.draw(_BOOLS))
        else:
            self._request(True)
        self._decorate_waiting()
        self._advance(target, agents)

    def _advance(self, target: ChatSessionStatus, agents: bool) -> None:
        """From a waiting status, on through the forms to ``target``."""
        while self.s.status is not target:
            status = self.s.status
            if status is S.PreChatForm:
                assert self.topic is not None
                self.run(self.s.submit_prechat_form, self.topic, agents_available=agents)
            elif status is S.Faq:
                self.run(self.s.faq_not_helpful, agents_available=agents)
            elif status is S.InQueue and target is S.OfflineForm:
                # a bot keeps the session off the offline form: it hands off with no agents
                self.run(self.s.reset, agents_available=False)
            else:  # pragma: no cover - the routes above always arrive
                raise AssertionError(f"no route from {status!r} to {target!r}")
            self._decorate_waiting()

    def _decorate_waiting(self) -> None:
        for _ in range(self.draw(_int(0, 2))):
            if self.s.status in (S.Faq, S.InQueue) and self.draw(_BOOLS):
                self.run(self.s.post_customer_message, self.draw(message_texts))
            else:
                self.run(self.s.customer_fetched)

    def _reach_active(self, target: ChatSessionStatus, depth: int) -> None:
        if self.draw(_int(0, 4)) == 0:
            # A form or the FAQ first: a bot that says hello there skips them, or it
            # hands off to the queue at once.
            self._reach_waiting(self.draw(_BEFORE_QUEUE), depth)
            if not self.s.chatbot_is_active:
                self._advance(S.InQueue, agents=True)
            elif self.draw(_int(0, 3)):
                self.run(self.s.post_bot_message, self.draw(message_texts))
            else:
                self.run(self.s.reset, agents_available=True)
        else:
            self._reach_waiting(S.InQueue, depth)
        if self.s.status is S.InQueue and self.s.chatbot_is_active:
            if self.draw(_BOOLS):
                self.run(self.s.post_bot_message, self.draw(message_texts))
            else:
                self.run(self.s.reset, agents_available=True)
        if self.s.status is S.InQueue:
            self.run(self.s.pick_up, by=self.draw(USERS))
        for _ in range(self.draw(_int(0, 8))):
            self._active_step()
        if self.draw(_int(0, 5)) == 0:  # ended, and the customer returns: CustomerLast again
            self._end()
            self.run(self.s.post_customer_message, self.draw(message_texts),
                     topic=self._returning_topic())
        self._settle_active(target)

    def _active_step(self) -> None:
        s = self.s
        step = self.draw(_int(0, 9))
        who = self.draw(USERS)
        if step == 0:
            self.run(s.post_customer_message, self.draw(message_texts))
        elif step == 1 and s.user_id is not None:
            self.run(s.post_user_message, self.draw(message_texts), by=s.user_id)
        elif step == 2 and s.chatbot_is_active:
            self.run(s.post_bot_message, self.draw(message_texts))
        elif step in (3, 4) and s.user_id is not None:
            to = self.draw(USERS)
            if to == s.user_id:
                to = to % 6 + 1
            by = s.user_id if self.draw(_int(0, 3)) else who
            if by != to:
                self.run(s.transfer, to=to, by=by)
        elif step == 5:
            by = s.transfer_to if s.transfer_to is not None and self.draw(_BOOLS) else who
            self.run(s.accept_transfer, by=by)
        elif step == 6:
            by = s.transfer_to if s.transfer_to is not None and self.draw(_BOOLS) else who
            self.run(s.reject_transfer, by=by)
        elif step == 7:
            by = s.user_id if s.user_id is not None and self.draw(_BOOLS) else who
            self.run(s.cancel_transfer, by=by)
        elif step == 8:
            minutes = self.draw(_int(0, 90))
            self.run(s.expire_transfer, timedelta(minutes=minutes))
        else:
            self.run(s.customer_fetched)

    def _settle_active(self, target: ChatSessionStatus) -> None:
        s = self.s
        if s.status is target:
            return
        if target is S.CustomerLast:
            self.run(s.post_customer_message, self.draw(message_texts))
        elif s.user_id is not None:
            self.run(s.post_user_message, self.draw(message_texts), by=s.user_id)
        else:
            self.run(s.post_bot_message, self.draw(message_texts))

    def _end(self) -> None:
        reasons = [EndReason.BY_CUSTOMER, EndReason.IDLE]
        if self.s.user_id is not None:
            reasons.append(EndReason.BY_USER)
        if self.s.chatbot_is_active:
            reasons.append(EndReason.BY_BOT)
        reason = self.draw(st.sampled_from(reasons))
        by = self.s.user_id if reason is EndReason.BY_USER else None
        self.run(self.s.end, reason, by=by)

    def _resetter(self) -> int | None:
        """Who resets: the bot or the system (None), or the handling user."""
        return self.s.user_id if self.draw(_BOOLS) else None

    def _returning_topic(self) -> ChatTopic:
        """The session's topic with its post-chat form on: the customer may return."""
        assert self.topic is not None
        return self.topic.model_copy(update={"post_form_enabled": True})

    # ------------------------------------------------- fields the service sets

    def service_fields(self) -> None:
        s = self.s
        s.alert_level = self.draw(_int(0, 3))
        s.flags = self.draw(_FLAGS)
        s.project_id = self.draw(_OPTIONAL_IDS)
        s.sale_id = self.draw(_OPTIONAL_IDS)
        s.ticket_id = self.draw(_OPTIONAL_IDS)
        if s.status in ACTIVE and s.user_id is not None:
            s.rank = self.draw(_int(1, 10))
        if s.status in ENDED:
            s.rating = self.draw(_RATINGS)


@st.composite
def sessions(
    draw: st.DrawFn,
    status: ChatSessionStatus | Iterable[ChatSessionStatus] | None = None,
    *,
    chat_session_id: int | st.SearchStrategy[int] | None = None,
    service_fields: bool = True,
) -> ChatSession:
    """A valid, never stored session (``version == 0``) in ``status`` (any if None).

    ``status`` may be one status or several (one is drawn). ``chat_session_id`` fixes
    the id (an int) or draws it (a strategy; default any positive int32). The commands
    run at the times of a ``ManualClock`` that starts at a random aware time (any UTC
    offset) and moves forward; the session holds them in UTC. With ``service_fields``
    the fields no command sets (``alert_level``, ``rank``, ``rating``, ``flags``,
    project, sale and ticket ids) get random values.
    """
    if status is None:
        target = draw(st.sampled_from(REAL_STATUSES))
    elif isinstance(status, ChatSessionStatus):
        target = status
    else:
        target = draw(st.sampled_from(sorted(status)))
    if target is S.Invalid:
        raise ValueError("Invalid is never a real state; no session can be built in it")
    if isinstance(chat_session_id, int):
        sid = chat_session_id
    else:
        sid = draw(ids if chat_session_id is None else chat_session_id)
    builder = _Builder(draw, sid, draw(aware_datetimes()))
    builder.reach(target)
    if service_fields:
        builder.service_fields()
    session = builder.s
    check_invariants(session)
    return session


def session_lists(
    min_size: int = 0,
    max_size: int = 8,
    status: ChatSessionStatus | Iterable[ChatSessionStatus] | None = None,
) -> st.SearchStrategy[list[ChatSession]]:
    """Lists of valid sessions with distinct ids."""
    statuses = (
        None
        if status is None
        else ([status] if isinstance(status, ChatSessionStatus) else list(status))
    )
    return st.lists(
        sessions(statuses),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda s: s.chat_session_id,
    )


# ------------------------------------------------------------------ topics

ZONES: tuple[str, ...] = tuple(
    zone
    for zone in (
        "UTC",
        "Europe/Oslo",
        "America/New_York",
        "America/St_Johns",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Pacific/Kiritimati",
    )
    if is_known_zone(zone)
)
"""Time zones for opening hours: whole, half, quarter-hour and half-hour-DST offsets."""

_COUNTS = st.integers(0, 10_000) | st.integers(0, INT32_MAX)
_TEXTS = st.text(max_size=60)
_WALL_TIMES = st.times() | st.sampled_from([MIDNIGHT, time(8, 0), time(12, 0), time(16, 30)])


def day_hours() -> st.SearchStrategy[DayHours]:
    """One weekday's hours: any times, a stop at midnight (24:00) or before the start too."""
    return st.builds(DayHours, enabled=_BOOLS, start=_WALL_TIMES, stop=_WALL_TIMES)


def opening_hours() -> st.SearchStrategy[OpeningHours]:
    """Opening hours with any days, lunch break and zone (of ``ZONES``), enabled or not."""
    days = {day: day_hours() for day in WEEKDAYS}
    return st.builds(
        OpeningHours,
        enabled=_BOOLS,
        use_lunch_hours=_BOOLS,
        lunch_start=_WALL_TIMES,
        lunch_stop=_WALL_TIMES,
        time_zone=st.sampled_from(ZONES),
        **days,
    )


def full_topics(topic_id: st.SearchStrategy[int] | None = None) -> st.SearchStrategy[ChatTopic]:
    """Chat topics with every setting drawn: texts, opening hours, limits, warnings, timeouts."""
    return st.builds(
        ChatTopic,
        id=topic_id if topic_id is not None else _TOPIC_IDS,
        use_prechat_form=_BOOLS,
        use_faq=_BOOLS,
        bot_enabled=_BOOLS,
        post_form_enabled=_BOOLS,
        name=_TEXTS,
        description=_TEXTS,
        welcome_message=_TEXTS,
        opening_hours=opening_hours(),
        use_queue_offline_form=_BOOLS,
        offline_form_queue_length=_COUNTS,
        offline_form_time_limit=_COUNTS,
        ticket_enabled=_BOOLS,
        rating_enabled=_BOOLS,
        warn_new_chat_minutes=_COUNTS,
        warn_manager_new_chat_minutes=_COUNTS,
        warn_chat_message_minutes=_COUNTS,
        warn_manager_chat_message_minutes=_COUNTS,
        last_accept=st.none() | aware_datetimes(),
        seconds_pr_accept=_COUNTS,
        transfer_timeout=st.timedeltas(timedelta(microseconds=1), TIMEOUT_LIMIT),
        idle_timeout=st.timedeltas(timedelta(microseconds=1), TIMEOUT_LIMIT),
    )


def topic_agents(
    topic_id: st.SearchStrategy[int] | None = None, user_id: st.SearchStrategy[int] | None = None
) -> st.SearchStrategy[ChatTopicAgent]:
    """A user's rights on a topic: any of the four, none at all included."""
    return st.builds(
        ChatTopicAgent,
        topic_id=topic_id if topic_id is not None else _TOPIC_IDS,
        user_id=user_id if user_id is not None else USERS,
        can_listen=_BOOLS,
        can_respond=_BOOLS,
        can_manage=_BOOLS,
        can_notify=_BOOLS,
    )


def presences(user_id: st.SearchStrategy[int] | None = None) -> st.SearchStrategy[Presence]:
    """A user's presence: present or away, on some topics (none: all of theirs), a name."""
    return st.builds(
        Presence,
        user_id=user_id if user_id is not None else USERS,
        present=_BOOLS,
        topic_ids=st.frozensets(_TOPIC_IDS, max_size=5),
        display_name=_TEXTS,
    )
