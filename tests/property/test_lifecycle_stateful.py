"""Random command sequences on one session: invariants after every step, no-ops change nothing.

Drives every command of ``ChatSession`` with random actors (a few associate ids, so
owners, targets and strangers all occur) and a manual clock that moves forward and,
now and then, backward.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from chatsession import (
    ChatSession,
    ChatSessionError,
    ChatSessionStatus,
    ChatTopic,
    EndReason,
    InvalidArgumentError,
    ManualClock,
    Outcome,
    TransferState,
    check_invariants,
    transition_violations,
)
from chatsession.domain.lifecycle import DOCUMENTED_NO_OPS

S = ChatSessionStatus
actors = st.integers(min_value=1, max_value=4)
texts = st.text(min_size=1, max_size=40) | st.text(min_size=1020, max_size=1030)
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
        if picked_up_by is not None and self.session.status is S.InQueue and not bot:
            # most runs start in a live chat, where transfers happen
            assert self.session.pick_up(by=picked_up_by, at=self.clock.now()).changed
            self.session.pull_events()

    # ------------------------------------------------------------------ harness

    def run(self, command: str, call: Callable[[], Outcome]) -> Outcome | None:
        """Run one command and check what every command must respect."""
        s = self.session
        before = s.to_dict()
        try:
            outcome = call()
        except InvalidArgumentError:
            raise
        except ChatSessionError as error:
            note_event(f"{command}: {type(error).__name__}")
            assert s.to_dict() == before, f"{command} raised {error!r} but changed the session"
            assert s.pending_events == (), f"{command} raised but recorded events"
            return None
        note_event(f"{command}: {outcome}")
        if outcome.changed:
            events = s.pull_events()
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
        self.run("submit_prechat_form",
                 lambda: self.session.submit_prechat_form(self.topic, agents_available=agents,
                                                          at=self.clock.now()))

    @rule(agents=st.booleans())
    def faq_not_helpful(self, agents: bool) -> None:
        self.run("faq_not_helpful", lambda: self.session.faq_not_helpful(agents_available=agents,
                                                                       at=self.clock.now()))

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

    @rule(text=texts)
    def customer_writes(self, text: str) -> None:
        self.run("post_customer_message", lambda: self.session.post_customer_message(
            text, at=self.clock.now()))

    @rule(text=texts, by=actors)
    def user_writes(self, text: str, by: int) -> None:
        self.run("post_user_message", lambda: self.session.post_user_message(
            text, by=by, at=self.clock.now()))

    @rule(text=texts)
    def bot_writes(self, text: str) -> None:
        self.run("post_bot_message", lambda: self.session.post_bot_message(
            text, at=self.clock.now()))

    # ---------------------------------------------------------------- transfers

    @rule(to=actors, by=actors)
    def transfer(self, to: int, by: int) -> None:
        owner = self.session.user_id
        outcome = self.run("transfer", lambda: self.session.transfer(
            to=to, by=by, at=self.clock.now()))
        if outcome and outcome.changed:
            assert by == owner and self.session.transfer_to == to

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
        else:  # the customer and the idle timeout are not associates
            self.run("end", lambda: self.session.end(reason, at=self.clock.now()))

    @rule()
    def reopen(self) -> None:
        self.run("reopen", lambda: self.session.reopen(at=self.clock.now()))

    @rule(coin=rare)
    def close(self, coin: bool) -> None:
        if coin:
            self.run("close", lambda: self.session.close(at=self.clock.now()))

    @rule(agents=st.booleans())
    def reset(self, agents: bool) -> None:
        outcome = self.run("reset", lambda: self.session.reset(
            agents_available=agents, at=self.clock.now()))
        if outcome and outcome.changed:
            assert self.session.user_id is None and not self.session.chatbot_is_active

    @rule(coin=rare)
    def delete(self, coin: bool) -> None:
        if coin:
            self.run("delete", lambda: self.session.delete(at=self.clock.now()))

    @rule()
    def customer_fetched(self) -> None:
        self.run("customer_fetched",
                 lambda: self.session.customer_fetched(at=self.clock.now()))

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
