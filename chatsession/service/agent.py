"""ChatAgent: the application service, mirroring SuperOffice's Chat agent.

Each call runs one command in one unit of work: load, apply, save (only if something
changed), and answers with the ``Outcome`` and the ``ChatSessionEntity``. A save that
loses a race (``ConcurrencyError``) is retried on a fresh load, up to ``retries`` times.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from chatsession.domain.customer import ANONYMOUS, Customer
from chatsession.domain.errors import ChatSessionError, InvalidArgumentError
from chatsession.domain.events import EndReason
from chatsession.domain.outcome import Outcome
from chatsession.domain.session import ChatSession
from chatsession.domain.topic import ChatTopic
from chatsession.ports.associates import AssociateDirectory
from chatsession.ports.repository import ChatSessionRepository, ConcurrencyError
from chatsession.wire.entity import ChatSessionEntity
from chatsession.wire.mapping import to_entity


class UnknownAssociateError(ChatSessionError, LookupError):
    """A transfer named a user the associate directory does not know."""


@dataclass(frozen=True, slots=True)
class AgentReply:
    """What a ChatAgent call did (``outcome``) and the session as SuperOffice returns it."""

    outcome: Outcome
    entity: ChatSessionEntity

    @property
    def changed(self) -> bool:
        """True if the command changed (and saved) the session."""
        return self.outcome.changed


Command = Callable[[ChatSession], Outcome]
T = TypeVar("T")


class ChatAgent:
    """The SuperOffice Chat agent's operations on chat sessions, over a repository."""

    def __init__(
        self,
        repository: ChatSessionRepository,
        *,
        associates: AssociateDirectory | None = None,
        retries: int = 3,
    ) -> None:
        if type(retries) is not int or retries < 0:
            raise InvalidArgumentError(f"retries must be an int >= 0, got {retries!r}")
        self._repository = repository
        self._associates = associates
        self._retries = retries

    # ---------------------------------------------------------------- sessions

    def create_session(
        self,
        topic: ChatTopic,
        *,
        customer: Customer = ANONYMOUS,
        agents_available: bool = True,
    ) -> AgentReply:
        """CreateChatSessionForTopic: a customer asks for a chat on ``topic``."""
        if not isinstance(topic, ChatTopic):  # before an id is drawn for it
            raise InvalidArgumentError(f"topic must be a ChatTopic, got {type(topic).__name__}")
        with self._repository.transaction() as tx:
            session = ChatSession.request(
                tx.next_id(),
                topic,
                clock=self._repository.clock,
                customer=customer,
                agents_available=agents_available,
                queue_length=tx.count_in_queue(topic.id),
                session_key=secrets.token_urlsafe(16),
            )
            tx.add(session)
        return self._reply(Outcome.applied(), session)

    def get_session_entity(self, chat_session_id: int) -> ChatSessionEntity:
        """GetChatSessionEntity: the session as SuperOffice returns it."""
        return to_entity(self._repository.get(chat_session_id), associates=self._associates)

    def sessions_for_user(self, user_id: int) -> list[ChatSessionEntity]:
        """ChatSessionsForUser: the active sessions ``user_id`` handles."""
        return [
            to_entity(s, associates=self._associates)
            for s in self._repository.active_sessions_of(user_id)
        ]

    # ------------------------------------------------------------- the queue

    def pick_up(self, chat_session_id: int, *, by: int) -> AgentReply:
        """PickUpChatSession: ``by`` answers the session (a no-op if it is not queued)."""
        return self._run(chat_session_id, lambda s: s.pick_up(by=by))

    def pick_up_first(self, *, by: int, topic_id: int | None = None) -> AgentReply | None:
        """PickUpFirstChatSession: ``by`` answers the oldest queued session; None if none."""

        def attempt() -> AgentReply | None:
            with self._repository.transaction() as tx:
                session = tx.first_in_queue(topic_id)
                if session is None:
                    return None
                outcome = session.pick_up(by=by)
                if outcome.changed:
                    tx.save(session)
            return self._reply(outcome, session)

        return self._retrying(attempt)

    # ---------------------------------------------------------------- messages

    def add_customer_message(self, chat_session_id: int, text: str) -> AgentReply:
        """AddChatMessage from the customer."""
        return self._run(chat_session_id, lambda s: s.post_customer_message(text))

    def add_user_message(self, chat_session_id: int, text: str, *, by: int) -> AgentReply:
        """AddChatMessage from the handling user ``by``."""
        return self._run(chat_session_id, lambda s: s.post_user_message(text, by=by))

    def add_bot_message(self, chat_session_id: int, text: str) -> AgentReply:
        """AddChatMessage from the session's chatbot."""
        return self._run(chat_session_id, lambda s: s.post_bot_message(text))

    # --------------------------------------------------------------- transfers

    def transfer(self, chat_session_id: int, *, to: int | str, by: int) -> AgentReply:
        """TransferChatSession: ask to send the session to ``to`` (associate id or user name)."""
        target = self._associate_id(to)
        return self._run(chat_session_id, lambda s: s.transfer(to=target, by=by))

    def accept_transfer(self, chat_session_id: int, *, by: int) -> AgentReply:
        """AcceptChatSessionTransfer: the target ``by`` takes the session over."""
        return self._run(chat_session_id, lambda s: s.accept_transfer(by=by))

    def reject_transfer(self, chat_session_id: int, *, by: int) -> AgentReply:
        """RejectChatSessionTransfer: deny the transfer to ``by``; a no-op if none is pending."""
        return self._run(chat_session_id, lambda s: s.reject_transfer(by=by))

    def cancel_transfer(self, chat_session_id: int, *, by: int) -> AgentReply:
        """The transferring user ``by`` withdraws the pending transfer."""
        return self._run(chat_session_id, lambda s: s.cancel_transfer(by=by))

    def expire_transfer(self, chat_session_id: int, *, timeout: timedelta) -> AgentReply:
        """Drop the pending transfer if it has waited at least ``timeout``."""
        return self._run(chat_session_id, lambda s: s.expire_transfer(timeout))

    # ------------------------------------------------------------------ the end

    def end(
        self, chat_session_id: int, reason: EndReason, *, by: int | None = None
    ) -> AgentReply:
        """End an active chat."""
        return self._run(chat_session_id, lambda s: s.end(reason, by=by))

    def reset(
        self, chat_session_id: int, *, agents_available: bool = True, by: int | None = None
    ) -> AgentReply:
        """ResetChatSession: back to the queue (a bot hands the session to humans)."""
        return self._run(
            chat_session_id, lambda s: s.reset(agents_available=agents_available, by=by)
        )

    def close(self, chat_session_id: int) -> AgentReply:
        """Close the session for good."""
        return self._run(chat_session_id, lambda s: s.close())

    def delete(self, chat_session_id: int) -> AgentReply:
        """Delete the session."""
        return self._run(chat_session_id, lambda s: s.delete())

    # --------------------------------------------------------------- internals

    def _run(self, chat_session_id: int, command: Command) -> AgentReply:
        def attempt() -> AgentReply:
            with self._repository.transaction() as tx:
                session = tx.get(chat_session_id)
                outcome = command(session)
                if outcome.changed:
                    tx.save(session)
            return self._reply(outcome, session)

        return self._retrying(attempt)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt``; on ``ConcurrencyError`` run it again, ``retries`` times at most."""
        for _ in range(self._retries):
            try:
                return attempt()
            except ConcurrencyError:
                continue
        return attempt()

    def _reply(self, outcome: Outcome, session: ChatSession) -> AgentReply:
        return AgentReply(outcome, to_entity(session, associates=self._associates))

    def _associate_id(self, who: int | str) -> int:
        if isinstance(who, str):
            found = self._associates.by_user_name(who) if self._associates else None
            if found is None or found.associate_id is None:
                raise UnknownAssociateError(f"no associate with user name {who!r}")
            return found.associate_id
        return who
