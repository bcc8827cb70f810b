"""Random command sequences on one session: invariants after every step, no-ops change nothing.

Drives every command of ``ChatSession`` with random actors (a few associate ids, so
owners, targets and strangers all occur) and a manual clock that moves forward and,
now and then, backward. A refused command changes nothing either, and the rules of
issue 8 are checked where they apply: transfer by a stranger is a no-op in every status,
the bot keeps a session off the offline form, a customer returns to a finished chat only
through the topic's post-chat form, only the handling user or the system resets.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from chatsession import (
    ChatbotInactiveError,
    ChatSession,
    ChatSessionError,
    ChatSessionEvent,
    ChatSessionFlags,
    ChatSessionStatus,
    ChatTopic,
    CommandNotAllowedError,
    EndReason,
    InvalidArgumentError,
    ManualClock,
    MessagePosted,
    NoOpReason,
    NotHandlingUserError,
    Outcome,
    SessionReopened,
    TransferState,
    check_invariants,
    transition_violations,
)
from chatsession.domain.amend import amend
from chatsession.domain.lifecycle import DOCUMENTED_NO_OPS, STATUS_MACHINE, allowed_sources
from chatsession.domain.session_data import MESSAGE_TEXT_LIMIT
from chatsession.domain.status import ACTIVE

S = ChatSessionStatus
actors = st.integers(min_value=1, max_value=4)
texts = st.text(min_size=1, max_size=40) | st.text(
    min_size=MESSAGE_TEXT_LIMIT - 4, max_size=MESSAGE_TEXT_LIMIT + 4
)
"""Message texts: short ones, and some around the limit (those over it are refused)."""
post_forms = st.sampled_from([None, True, False])
"""The topic a customer message passes: none, or the session's with its post-chat form on/off."""
START = datetime(2026, 1, 1, tzinfo=UTC)
rare = st.integers(0, 3).map(lambda n: n == 0)
"""True a quarter of the time: commands that end the story run less often than the rest."""


class ChatSessionLifecycle(RuleBasedStateMachine):
    """The whole lifecycle, one random command at a time."""

    session: ChatSession
    clock: ManualClock

    def __init__(self) -> None:
        super().__init__()
        self.applied: dict[str, int] = {}
        self.events: list[ChatSessionEvent] = []
        """The events of the last command that changed the session."""
        self.error: ChatSessionError | None = None
        """The error of the last command that was refused."""

    @initialize(
        prechat=rare, faq=rare, bot=rare, agents=st.integers(0, 3).map(bool),
        queue_length=st.integers(0, 50), picked_up_by=st.integers(0, 4).map(lambda n: n or None),
    )
    def request(self, prechat: bool, faq: bool, bot: bool, agents: bool,
                queue_length: int, picked_up_by: int | None) -> None:
        self.clock = ManualClock(START)
        self.topic = ChatTopic(id=1, use_prechat_form=prechat, use_faq=faq, bot_enabled=bot)
        self.session = ChatSession.request(
            1, self.topic, at=self.clock.now(), agents_available=agents,
            queue_length=queue_length,
        )
        assert len(self.session.pull_events()) == 1
        if bot:  # "the bot is always present": never the offline form
            assert self.session.status is not S.OfflineForm
        if picked_up_by is not None and self.session.status is S.InQueue and not bot:
            # most runs start in a live chat, where transfers happen
            assert self.session.pick_up(by=picked_up_by, at=self.clock.now()).changed
            self.session.pull_events()

    # ------------------------------------------------------------------ harness

    def run(
        self, command: str, call: Callable[[], Outcome], *, invalid: bool = False
    ) -> Outcome | None:
        """Run one command and check what every command must respect.

        ``invalid``: an argument is bad, so the command must raise ``InvalidArgumentError``
        (and change nothing); otherwise that error fails the test.
        """
        s = self.session
        before = s.to_dict()
        self.events, self.error = [], None
        try:
            outcome = call()
        except InvalidArgumentError as error:
            if not invalid:
                raise
            self.error = error
            assert s.to_dict() == before, f"{command} raised {error!r} but changed the session"
            assert s.pending_events == (), f"{command} raised but recorded events"
            return None
        except ChatSessionError as error:
            note_event(f"{command}: {type(error).__name__}")
            self.error = error
            assert s.to_dict() == before, f"{command} raised {error!r} but changed the session"
            assert s.pending_events == (), f"{command} raised but recorded events"
            return None
        assert not invalid, f"{command} took a bad argument"
        note_event(f"{command}: {outcome}")
        if outcome.changed:
            events = self.events = s.pull_events()
            assert events, f"{command} changed the session but recorded no event"
            for event in events:
                assert event.occurred_at == self.clock.now()
                assert event.chat_session_id == s.chat_session_id
                assert event.status is s.status
            assert transition_violations(before, s) == []
            assert s.version == before["version"], "commands never bump the version"
            self.applied[command] = self.applied.get(command, 0) + 1
        else:
            assert outcome.reason in DOCUMENTED_NO_OPS[command], (command, outcome)
            assert s.to_dict() == before, f"no-op {command} changed the session"
            assert s.pending_events == (), f"no-op {command} recorded an event"
        return outcome

    @invariant()
    def invariants_hold(self) -> None:
        check_invariants(self.session)
        assert (self.session.transfer_state is TransferState.PENDING) == (
            self.session.transfer_to is not None
        )

    # ------------------------------------------------------------------- clock

    @rule(seconds=st.integers(0, 7200))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(timedelta(seconds=seconds))

    @rule(seconds=st.integers(1, 600))
    def clock_steps_back(self, seconds: int) -> None:
        self.clock.set(self.clock.now() - timedelta(seconds=seconds))

    # ---------------------------------------------------------- before the queue

    @rule(agents=st.booleans())
    def submit_prechat_form(self, agents: bool) -> None:
        outcome = self.run(
            "submit_prechat_form",
            lambda: self.session.submit_prechat_form(self.topic, agents_available=agents,
                                                     at=self.clock.now()))
        self._bot_keeps_off_the_offline_form(outcome)

    @rule(agents=st.booleans())
    def faq_not_helpful(self, agents: bool) -> None:
        outcome = self.run("faq_not_helpful", lambda: self.session.faq_not_helpful(
            agents_available=agents, at=self.clock.now()))
        self._bot_keeps_off_the_offline_form(outcome)

    def _bot_keeps_off_the_offline_form(self, outcome: Outcome | None) -> None:
        if outcome and outcome.changed and self.session.chatbot_is_active:
            assert self.session.status is not S.OfflineForm

    @rule()
    def faq_resolved(self) -> None:
        self.run("faq_resolved", lambda: self.session.faq_resolved(at=self.clock.now()))

    @rule()
    def submit_offline_request(self) -> None:
        self.run("submit_offline_request",
                 lambda: self.session.submit_offline_request(at=self.clock.now()))

    @rule(coin=rare)
    def leave_queue(self, coin: bool) -> None:
        if coin:
            self.run("leave_queue", lambda: self.session.leave_queue(at=self.clock.now()))

    # ------------------------------------------------------------------- the chat

    @rule(by=actors)
    def pick_up(self, by: int) -> None:
        was_queued = self.session.status is S.InQueue
        outcome = self.run("pick_up", lambda: self.session.pick_up(by=by, at=self.clock.now()))
        if outcome and outcome.changed:
            assert was_queued and self.session.user_id == by
            assert self.session.status is S.UserLast

    @rule(text=texts, post_form=post_forms)
    def customer_writes(self, text: str, post_form: bool | None) -> None:
        s = self.session
        status, counterpart = s.status, s.user_id is not None or s.chatbot_is_active
        topic = None if post_form is None else self.topic.model_copy(
            update={"post_form_enabled": post_form})
        outcome = self.run(
            "post_customer_message",
            lambda: s.post_customer_message(text, topic=topic, at=self.clock.now()),
            invalid=len(text) > MESSAGE_TEXT_LIMIT,
        )
        if outcome is None:
            if status is S.Finished and not post_form and len(text) <= MESSAGE_TEXT_LIMIT:
                assert type(self.error) is CommandNotAllowedError  # no way back
                note_event("a finished chat without the post-chat form stays finished")
            return
        assert outcome.changed and s.last_message == text
        if status is S.Finished:  # the customer returns: the chat is reactivated
            assert post_form is True and s.when_ended is None
            assert s.status is (S.CustomerLast if counterpart else S.InQueue)
            reopened, posted = self.events
            assert isinstance(reopened, SessionReopened) and isinstance(posted, MessagePosted)
            note_event(f"the customer returns: reactivated to {s.status.name}")
        elif status in (S.Faq, S.InQueue, S.CustomerLast):  # the FAQ's question, or waiting
            assert s.status is status
        else:
            assert status is S.UserLast and s.status is S.CustomerLast

    @precondition(lambda self: self.session.status is S.Finished)
    @rule(text=st.text(min_size=1, max_size=40), post_form=post_forms)
    def customer_returns(self, text: str, post_form: bool | None) -> None:
        """``customer_writes`` once the chat is finished: reactivated, or refused."""
        self.customer_writes(text, post_form)

    @rule(text=texts, by=actors)
    def user_writes(self, text: str, by: int) -> None:
        self.run("post_user_message", lambda: self.session.post_user_message(
            text, by=by, at=self.clock.now()), invalid=len(text) > MESSAGE_TEXT_LIMIT)

    @rule(text=texts)
    def bot_writes(self, text: str) -> None:
        status = self.session.status
        outcome = self.run("post_bot_message", lambda: self.session.post_bot_message(
            text, at=self.clock.now()), invalid=len(text) > MESSAGE_TEXT_LIMIT)
        if outcome is not None:  # before the queue too: the forms are skipped
            assert self.session.status is S.UserLast and self.session.chatbot_is_active
            note_event(f"the bot says hello in {status.name}")

    @precondition(lambda self: self.session.chatbot_is_active
                  and self.session.status in (S.PreChatForm, S.Faq))
    @rule(text=st.text(min_size=1, max_size=40))
    def bot_says_hello_before_the_queue(self, text: str) -> None:
        """``bot_writes`` on a form or the FAQ: the session skips them (to UserLast)."""
        self.bot_writes(text)

    # ---------------------------------------------------------------- transfers

    @rule(to=actors, by=actors)
    def transfer(self, to: int, by: int) -> None:
        owner = self.session.user_id if self.session.status in ACTIVE else None
        outcome = self.run("transfer", lambda: self.session.transfer(
            to=to, by=by, at=self.clock.now()))
        if by != owner:  # a stranger, whatever the status: the no-op, never an error
            assert outcome == Outcome.noop(NoOpReason.NOT_OWNER), (self.error, outcome)
        elif to == by:
            assert outcome is None and type(self.error).__name__ == "TransferToSelfError"
        else:
            assert outcome == Outcome(changed=True) and self.session.transfer_to == to

    @precondition(lambda self: self.session.user_id is not None and self.session.status.is_active)
    @rule(to=actors)
    def owner_transfers(self, to: int) -> None:
        owner = self.session.user_id
        assert owner is not None
        to = to if to != owner else owner % 4 + 1
        outcome = self.run("transfer", lambda: self.session.transfer(
            to=to, by=owner, at=self.clock.now()))
        assert outcome == Outcome(changed=True)
        assert self.session.transfer_to == to and self.session.user_id == owner

    @precondition(lambda self: self.session.transfer_to is not None)
    @rule()
    def target_accepts(self) -> None:
        target = self.session.transfer_to
        assert target is not None
        status = self.session.status
        outcome = self.run("accept_transfer", lambda: self.session.accept_transfer(
            by=target, at=self.clock.now()))
        assert outcome == Outcome(changed=True)
        assert self.session.user_id == target and self.session.status is status

    @precondition(lambda self: self.session.transfer_to is not None)
    @rule()
    def target_rejects(self) -> None:
        target, owner, status = (self.session.transfer_to, self.session.user_id,
                                 self.session.status)
        assert target is not None
        outcome = self.run("reject_transfer", lambda: self.session.reject_transfer(
            by=target, at=self.clock.now()))
        assert outcome == Outcome(changed=True)
        assert self.session.user_id == owner and self.session.status is status
        assert self.session.transfer_to is None

    @rule(by=actors)
    def accept_transfer(self, by: int) -> None:
        self.run("accept_transfer", lambda: self.session.accept_transfer(
            by=by, at=self.clock.now()))

    @rule(by=actors)
    def reject_transfer(self, by: int) -> None:
        owner = self.session.user_id
        outcome = self.run("reject_transfer", lambda: self.session.reject_transfer(
            by=by, at=self.clock.now()))
        if outcome and outcome.changed:
            assert self.session.user_id == owner

    @precondition(lambda self: self.session.transfer_to is not None)
    @rule()
    def owner_cancels(self) -> None:
        owner = self.session.user_id
        assert owner is not None
        outcome = self.run("cancel_transfer", lambda: self.session.cancel_transfer(
            by=owner, at=self.clock.now()))
        assert outcome == Outcome(changed=True) and self.session.transfer_to is None

    @rule(by=actors)
    def cancel_transfer(self, by: int) -> None:
        self.run("cancel_transfer", lambda: self.session.cancel_transfer(
            by=by, at=self.clock.now()))

    @rule(minutes=st.integers(0, 120))
    def expire_transfer(self, minutes: int) -> None:
        self.run("expire_transfer",
                 lambda: self.session.expire_transfer(timedelta(minutes=minutes),
                                                      at=self.clock.now()))

    # ------------------------------------------------------------------- the end

    @rule(reason=st.sampled_from(EndReason), by=actors)
    def end(self, reason: EndReason, by: int) -> None:
        if reason is EndReason.BY_USER:
            self.run("end", lambda: self.session.end(reason, by=by, at=self.clock.now()))
        else:  # the customer, the bot and the idle timeout are not associates
            self.run("end", lambda: self.session.end(reason, at=self.clock.now()))

    @rule()
    def bot_ends(self) -> None:
        s = self.session
        status, bot = s.status, s.chatbot_is_active
        outcome = self.run("end", lambda: s.end(EndReason.BY_BOT, at=self.clock.now()))
        if outcome is not None:
            assert bot and status in ACTIVE and s.status is S.Finished
            (*_, ended) = self.events
            assert getattr(ended, "reason", None) is EndReason.BY_BOT
        elif status in ACTIVE:
            assert type(self.error) is ChatbotInactiveError and not bot
        else:
            assert type(self.error) is CommandNotAllowedError

    @rule(coin=rare)
    def close(self, coin: bool) -> None:
        if coin:
            self.run("close", lambda: self.session.close(at=self.clock.now()))

    @rule(agents=st.booleans(), who=st.sampled_from(["system", "handling user", "stranger"]),
          stranger=actors)
    def reset(self, agents: bool, who: str, stranger: int) -> None:
        s = self.session
        user, bot = s.user_id, s.chatbot_is_active
        by = {"system": None, "handling user": user,
              "stranger": stranger if stranger != user else stranger % 4 + 1}[who]
        outcome = self.run("reset", lambda: s.reset(
            agents_available=agents, by=by, at=self.clock.now()))
        if outcome and outcome.changed:
            assert by is None or by == user
            assert s.user_id is None and not s.chatbot_is_active
            # human availability decides, not the bot that just left
            assert s.status is (S.InQueue if agents else S.OfflineForm)
        elif by is not None and by != user:  # a stranger: refused once the status allows it
            if s.status not in allowed_sources(STATUS_MACHINE, "reset"):
                assert type(self.error) is CommandNotAllowedError
            elif s.status in (S.PreChatForm, S.Faq) and not bot:
                assert type(self.error) is ChatbotInactiveError  # nothing to hand off
            else:
                assert type(self.error) is NotHandlingUserError
        if isinstance(self.error, ChatbotInactiveError):
            assert s.status in (S.PreChatForm, S.Faq) and not bot

    @rule(coin=rare)
    def delete(self, coin: bool) -> None:
        if coin:
            self.run("delete", lambda: self.session.delete(at=self.clock.now()))

    @rule()
    def customer_fetched(self) -> None:
        self.run("customer_fetched",
                 lambda: self.session.customer_fetched(at=self.clock.now()))

    @rule(values=st.fixed_dictionaries({}, optional={
        "customer_name": st.sampled_from(["", "Ann"]), "customer_consented": st.booleans(),
        "flags": st.sampled_from(ChatSessionFlags), "status": st.sampled_from(S),
    }), by=st.none() | actors)
    def save(self, values: dict[str, object], by: int | None) -> None:
        """A raw save (``amend``): one event of exactly the fields that differ, or a no-op."""
        s = self.session
        differing = {name for name, value in values.items() if getattr(s, name) != value}
        if not differing:  # its no-op is the save's own, not a lifecycle one
            before = s.to_dict()
            assert amend(s, values, at=self.clock.now(), by=by).reason is (
                NoOpReason.NOTHING_TO_CHANGE)
            assert s.to_dict() == before and s.pending_events == ()
            return
        if self.run("amend", lambda: amend(s, values, at=self.clock.now(), by=by)):
            [saved] = self.events
            assert set(saved.changes) == differing and saved.by == by

    # ------------------------------------------------------------- bad arguments

    @rule(bad=st.sampled_from([0, -1, 2**31, "7", None, 1.5]))
    def bad_actor_is_rejected_and_changes_nothing(self, bad: object) -> None:
        before = self.session.to_dict()
        for command in (self.session.pick_up, self.session.reject_transfer,
                        self.session.accept_transfer, self.session.cancel_transfer):
            try:
                command(by=bad, at=self.clock.now())  # type: ignore[arg-type]
            except InvalidArgumentError:
                pass
            else:
                raise AssertionError(f"{command.__name__}(by={bad!r}) did not raise")
        assert self.session.to_dict() == before and self.session.pending_events == ()

    @rule(by=actors)
    def naive_time_is_rejected_and_changes_nothing(self, by: int) -> None:
        before = self.session.to_dict()
        naive = self.clock.now().replace(tzinfo=None)
        for command in (self.session.pick_up, self.session.reject_transfer,
                        self.session.accept_transfer, self.session.cancel_transfer):
            try:
                command(by=by, at=naive)
            except InvalidArgumentError:
                pass
            else:
                raise AssertionError(f"{command.__name__}(at={naive!r}) did not raise")
        assert self.session.to_dict() == before and self.session.pending_events == ()


TestChatSessionLifecycle = ChatSessionLifecycle.TestCase
