"""The repository contract: topics, the agents of topics and presence, in the same store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatsession.adapters.clock import ManualClock
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.events import EndReason
from chatsession.domain.opening_hours import OpeningHours
from chatsession.domain.presence import Presence
from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.ports.errors import (
    ChatTopicAgentNotFoundError,
    ChatTopicInUseError,
    ChatTopicNotFoundError,
    DuplicateChatTopicError,
)
from chatsession.ports.stores import ChatSessionRepository, ChatStore, ChatTopicStore
from chatsession.testing.contract.arguments import BAD_IDS
from chatsession.testing.contract.support import (
    PROPERTY_SETTINGS,
    BoomError,
    S,
    request,
    stored,
)
from chatsession.testing.strategies import full_topics, presences, topic_agents

NOT_VALUES: tuple[Any, ...] = (None, 1, "topic", {"id": 1}, [1], object())
"""What is no ``ChatTopic``, ``ChatTopicAgent`` nor ``Presence``."""

ID_CALLS: dict[str, Callable[[ChatSessionRepository, Any], object]] = {
    "get_topic": lambda repo, v: repo.get_topic(v),
    "delete_topic": lambda repo, v: repo.delete_topic(v),
    "topic_agents": lambda repo, v: repo.topic_agents(v),
    "agent_topics": lambda repo, v: repo.agent_topics(v),
    "get_topic_agent(topic_id)": lambda repo, v: repo.get_topic_agent(v, 7),
    "get_topic_agent(user_id)": lambda repo, v: repo.get_topic_agent(1, v),
    "delete_topic_agent(topic_id)": lambda repo, v: repo.delete_topic_agent(v, 7),
    "delete_topic_agent(user_id)": lambda repo, v: repo.delete_topic_agent(1, v),
    "get_presence": lambda repo, v: repo.get_presence(v),
}
"""Every topic-store call that takes an id, with the bad id in one place."""

VALUE_CALLS: dict[str, Callable[[ChatSessionRepository, Any], object]] = {
    "add_topic": lambda repo, v: repo.add_topic(v),
    "save_topic": lambda repo, v: repo.save_topic(v),
    "put_topic_agent": lambda repo, v: repo.put_topic_agent(v),
    "set_presence": lambda repo, v: repo.set_presence(v),
}
"""Every topic-store write that takes a value."""


def snapshot(store: ChatTopicStore) -> tuple[object, ...]:
    """Everything a topic store holds: its topics, every agent, every presence."""
    topics = store.list_topics()
    agents = [store.topic_agents(topic.id) for topic in topics]
    return topics, agents, store.all_presence()


class TopicContract:
    """Topics, agents and presence: round trips, not found, duplicates, deletes, rollbacks."""

    # ------------------------------------------------------------------ topics

    def test_the_repository_and_its_units_of_work_are_topic_stores(
        self, repository: ChatSessionRepository
    ) -> None:
        """The repository is a ``ChatTopicStore``; a unit of work a ``ChatStore`` (both)."""
        assert isinstance(repository, ChatTopicStore)
        with repository.transaction() as tx:
            assert isinstance(tx, ChatStore)

    def test_a_new_store_holds_no_topic_agent_nor_presence(
        self, repository: ChatSessionRepository
    ) -> None:
        """Nothing is stored until it is added."""
        assert repository.list_topics() == []
        assert repository.agent_topics(7) == []
        assert repository.all_presence() == []

    @given(data=st.data())
    @PROPERTY_SETTINGS
    def test_any_topic_comes_back_equal(
        self, repository: ChatSessionRepository, data: st.DataObject
    ) -> None:
        """Every setting survives the store: texts, opening hours, limits, times, timeouts."""
        topic = data.draw(full_topics(topic_id=st.just(repository.next_topic_id())))
        repository.add_topic(topic)
        loaded = repository.get_topic(topic.id)
        assert loaded == topic
        assert type(loaded) is ChatTopic
        assert loaded.last_accept is None or loaded.last_accept.utcoffset() == timedelta(0)

    def test_get_of_an_unknown_topic_raises_not_found(
        self, repository: ChatSessionRepository
    ) -> None:
        """``ChatTopicNotFoundError`` (a ``LookupError``) names the id."""
        with pytest.raises(ChatTopicNotFoundError) as caught:
            repository.get_topic(42)
        assert caught.value.topic_id == 42
        assert isinstance(caught.value, LookupError)

    def test_add_of_a_stored_id_raises_duplicate_and_keeps_the_stored_topic(
        self, repository: ChatSessionRepository
    ) -> None:
        """A second topic with the same id is refused; the first stays as it was."""
        first = ChatTopic(id=3, name="Sales")
        repository.add_topic(first)
        with pytest.raises(DuplicateChatTopicError) as caught:
            repository.add_topic(ChatTopic(id=3, name="Support"))
        assert caught.value.topic_id == 3
        assert repository.get_topic(3) == first

    def test_save_replaces_the_stored_topic(self, repository: ChatSessionRepository) -> None:
        """``save_topic`` stores the new settings under the same id."""
        repository.add_topic(ChatTopic(id=3, name="Sales"))
        changed = ChatTopic(
            id=3,
            name="Sales, Nordic",
            use_faq=True,
            opening_hours=OpeningHours(enabled=True, time_zone="UTC"),
            warn_new_chat_minutes=2,
        )
        repository.save_topic(changed)
        assert repository.get_topic(3) == changed
        assert repository.list_topics() == [changed]

    def test_save_of_an_unknown_topic_raises_not_found_and_stores_nothing(
        self, repository: ChatSessionRepository
    ) -> None:
        """``save_topic`` does not create: ``add_topic`` does."""
        with pytest.raises(ChatTopicNotFoundError):
            repository.save_topic(ChatTopic(id=5))
        assert repository.list_topics() == []

    def test_topics_are_listed_in_id_order(self, repository: ChatSessionRepository) -> None:
        """``list_topics`` orders by id, whatever the order of the adds."""
        for topic_id in (5, 2, 9):
            repository.add_topic(ChatTopic(id=topic_id))
        assert [t.id for t in repository.list_topics()] == [2, 5, 9]

    def test_next_topic_id_is_above_every_stored_and_drawn_id(
        self, repository: ChatSessionRepository
    ) -> None:
        """Drawn ids grow; a topic added with a larger id moves the next draw above it."""
        first = repository.next_topic_id()
        second = repository.next_topic_id()
        assert second > first >= 1
        repository.add_topic(ChatTopic(id=second + 10))
        assert repository.next_topic_id() > second + 10

    def test_delete_removes_the_topic_and_its_agents_only(
        self, repository: ChatSessionRepository
    ) -> None:
        """The topic and its agents go; other topics and their agents stay."""
        for topic_id in (1, 2):
            repository.add_topic(ChatTopic(id=topic_id))
            repository.put_topic_agent(ChatTopicAgent(topic_id, 7, can_respond=True))
        repository.delete_topic(1)
        with pytest.raises(ChatTopicNotFoundError):
            repository.get_topic(1)
        with pytest.raises(ChatTopicAgentNotFoundError):
            repository.get_topic_agent(1, 7)
        assert [a.topic_id for a in repository.agent_topics(7)] == [2]
        assert repository.list_topics() == [ChatTopic(id=2)]

    def test_delete_of_an_unknown_topic_raises_not_found(
        self, repository: ChatSessionRepository
    ) -> None:
        """Nothing to delete: ``ChatTopicNotFoundError``."""
        with pytest.raises(ChatTopicNotFoundError):
            repository.delete_topic(3)

    def test_a_topic_with_waiting_or_active_sessions_is_not_deleted(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``ChatTopicInUseError`` counts them; the topic and its agents stay."""
        repository.add_topic(ChatTopic(id=1))
        repository.put_topic_agent(ChatTopicAgent(1, 7, can_respond=True))
        stored(repository, clock, topic_id=1)  # waiting in the queue
        stored(repository, clock, topic_id=1, user=7)  # active
        stored(repository, clock, topic_id=2)  # another topic's
        with pytest.raises(ChatTopicInUseError) as caught:
            repository.delete_topic(1)
        assert (caught.value.topic_id, caught.value.sessions) == (1, 2)
        assert repository.get_topic(1) == ChatTopic(id=1)
        assert repository.topic_agents(1) == [ChatTopicAgent(1, 7, can_respond=True)]

    def test_a_topic_whose_sessions_ended_is_deleted_and_they_keep_its_id(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Ended sessions are history: they do not hold the topic back."""
        repository.add_topic(ChatTopic(id=1))
        session = stored(repository, clock, topic_id=1, user=7)
        session.end(EndReason.BY_USER, by=7, at=clock.now())
        repository.save(session)
        repository.delete_topic(1)
        assert repository.list_topics() == []
        assert repository.get(session.chat_session_id).topic_id == 1

    # ------------------------------------------------------------------ agents

    def test_an_agent_put_comes_back_equal(self, repository: ChatSessionRepository) -> None:
        """``put_topic_agent`` then ``get_topic_agent``: the same rights."""
        repository.add_topic(ChatTopic(id=1))
        agent = ChatTopicAgent(1, 7, can_listen=True, can_respond=True, can_notify=True)
        repository.put_topic_agent(agent)
        assert repository.get_topic_agent(1, 7) == agent
        assert repository.topic_agents(1) == [agent]
        assert repository.agent_topics(7) == [agent]

    @given(data=st.data())
    @PROPERTY_SETTINGS
    def test_any_agent_comes_back_equal(
        self, repository: ChatSessionRepository, data: st.DataObject
    ) -> None:
        """Any combination of the four rights, none at all included."""
        topic_id = repository.next_topic_id()
        repository.add_topic(ChatTopic(id=topic_id))
        agent = data.draw(topic_agents(topic_id=st.just(topic_id)))
        repository.put_topic_agent(agent)
        assert repository.get_topic_agent(topic_id, agent.user_id) == agent
        assert repository.topic_agents(topic_id) == [agent]

    def test_put_again_replaces_the_rights(self, repository: ChatSessionRepository) -> None:
        """A second ``put_topic_agent`` for the same topic and user updates, not duplicates."""
        repository.add_topic(ChatTopic(id=1))
        repository.put_topic_agent(ChatTopicAgent(1, 7, can_respond=True))
        manager = ChatTopicAgent(1, 7, can_manage=True)
        repository.put_topic_agent(manager)
        assert repository.topic_agents(1) == [manager]

    def test_an_agent_without_rights_is_stored_and_is_no_member(
        self, repository: ChatSessionRepository
    ) -> None:
        """Rights may all be off (``UpdateChatTopicUserAgent``): the row stays, not a member."""
        repository.add_topic(ChatTopic(id=1))
        repository.put_topic_agent(ChatTopicAgent(1, 7))
        found = repository.get_topic_agent(1, 7)
        assert found == ChatTopicAgent(1, 7) and not found.is_member

    def test_an_agent_of_an_unknown_topic_is_refused(
        self, repository: ChatSessionRepository
    ) -> None:
        """``ChatTopicNotFoundError``; nothing is stored."""
        with pytest.raises(ChatTopicNotFoundError):
            repository.put_topic_agent(ChatTopicAgent(4, 7, can_respond=True))
        assert repository.agent_topics(7) == []

    def test_get_of_an_unknown_agent_raises_agent_not_found(
        self, repository: ChatSessionRepository
    ) -> None:
        """Not an agent of the topic (or no such topic): ``ChatTopicAgentNotFoundError``."""
        repository.add_topic(ChatTopic(id=1))
        for topic_id, user_id in ((1, 7), (2, 7)):
            with pytest.raises(ChatTopicAgentNotFoundError) as caught:
                repository.get_topic_agent(topic_id, user_id)
            assert (caught.value.topic_id, caught.value.user_id) == (topic_id, user_id)
            assert isinstance(caught.value, LookupError)

    def test_the_agents_of_a_topic_by_user_and_the_topics_of_a_user_by_topic(
        self, repository: ChatSessionRepository
    ) -> None:
        """``topic_agents`` in user id order, ``agent_topics`` in topic id order."""
        for topic_id in (3, 1, 2):
            repository.add_topic(ChatTopic(id=topic_id))
        for topic_id, user_id in ((3, 9), (1, 8), (3, 7), (2, 7), (1, 7)):
            repository.put_topic_agent(ChatTopicAgent(topic_id, user_id, can_respond=True))
        assert [a.user_id for a in repository.topic_agents(3)] == [7, 9]
        assert [a.topic_id for a in repository.agent_topics(7)] == [1, 2, 3]
        assert repository.agent_topics(6) == []
        assert repository.topic_agents(2) == [ChatTopicAgent(2, 7, can_respond=True)]

    def test_the_agents_of_an_unknown_topic_raise_not_found(
        self, repository: ChatSessionRepository
    ) -> None:
        """No topic, no list: ``ChatTopicNotFoundError``; a topic with no agent: empty."""
        with pytest.raises(ChatTopicNotFoundError):
            repository.topic_agents(1)
        repository.add_topic(ChatTopic(id=1))
        assert repository.topic_agents(1) == []

    def test_delete_an_agent(self, repository: ChatSessionRepository) -> None:
        """The user leaves the topic; again is ``ChatTopicAgentNotFoundError``."""
        repository.add_topic(ChatTopic(id=1))
        repository.put_topic_agent(ChatTopicAgent(1, 7, can_respond=True))
        repository.put_topic_agent(ChatTopicAgent(1, 8, can_respond=True))
        repository.delete_topic_agent(1, 7)
        assert [a.user_id for a in repository.topic_agents(1)] == [8]
        with pytest.raises(ChatTopicAgentNotFoundError):
            repository.delete_topic_agent(1, 7)

    # ---------------------------------------------------------------- presence

    def test_a_user_whose_presence_was_never_set_is_away(
        self, repository: ChatSessionRepository
    ) -> None:
        """``get_presence`` of an unknown user: away, on no topic; nothing is stored."""
        assert repository.get_presence(7) == Presence(7, False)
        assert repository.all_presence() == []

    @given(data=st.data())
    @PROPERTY_SETTINGS
    def test_any_presence_comes_back_equal_and_replaces_the_last(
        self, repository: ChatSessionRepository, data: st.DataObject
    ) -> None:
        """``set_presence`` stores (or replaces) one presence per user."""
        first = data.draw(presences())
        repository.set_presence(first)
        assert repository.get_presence(first.user_id) == first
        second = data.draw(presences(user_id=st.just(first.user_id)))
        repository.set_presence(second)
        assert repository.get_presence(first.user_id) == second
        assert [p for p in repository.all_presence() if p.user_id == first.user_id] == [second]

    def test_every_presence_in_user_order(self, repository: ChatSessionRepository) -> None:
        """``all_presence`` lists the stored ones by user id."""
        for user_id in (9, 7, 8):
            repository.set_presence(
                Presence(user_id, user_id != 8, frozenset({1, 2}), f"user {user_id}")
            )
        assert [p.user_id for p in repository.all_presence()] == [7, 8, 9]
        assert repository.get_presence(8) == Presence(8, False, frozenset({1, 2}), "user 8")

    # ------------------------------------------------------------- units of work

    def test_topic_agent_and_presence_writes_roll_back_with_their_unit_of_work(
        self, repository: ChatSessionRepository
    ) -> None:
        """A unit of work that raises undoes every topic, agent and presence write."""
        repository.add_topic(ChatTopic(id=1, name="Sales"))
        repository.add_topic(ChatTopic(id=2, name="Support"))
        repository.put_topic_agent(ChatTopicAgent(1, 7, can_respond=True))
        repository.put_topic_agent(ChatTopicAgent(2, 7, can_respond=True))
        repository.set_presence(Presence(7, True, frozenset({1})))
        before = snapshot(repository)
        with pytest.raises(BoomError), repository.transaction() as tx:
            tx.add_topic(ChatTopic(id=tx.next_topic_id()))
            tx.save_topic(ChatTopic(id=1, name="Sales, renamed"))
            tx.delete_topic(2)
            tx.put_topic_agent(ChatTopicAgent(1, 7, can_manage=True))
            tx.put_topic_agent(ChatTopicAgent(1, 8, can_listen=True))
            tx.delete_topic_agent(1, 7)
            tx.set_presence(Presence(7, False))
            tx.set_presence(Presence(8, True))
            assert snapshot(tx) != before
            raise BoomError
        assert snapshot(repository) == before

    def test_a_unit_of_work_sees_its_own_topic_writes_and_commits_them_with_sessions(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Sessions, topics, agents and presence commit together; the repository joins."""
        with repository.transaction() as tx:
            topic = ChatTopic(id=tx.next_topic_id(), name="Sales")
            tx.add_topic(topic)
            repository.put_topic_agent(ChatTopicAgent(topic.id, 7, can_respond=True))
            tx.set_presence(Presence(7, True))
            session = request(repository, clock, topic_id=topic.id)
            tx.add(session)
            assert repository.get_topic(topic.id) == topic
            assert tx.topic_agents(topic.id) == [ChatTopicAgent(topic.id, 7, can_respond=True)]
            assert repository.get_presence(7).present
        assert repository.get_topic(topic.id) == topic
        assert repository.get(session.chat_session_id).topic_id == topic.id
        assert repository.agent_topics(7)[0].can_respond

    def test_a_refused_topic_write_inside_a_unit_of_work_leaves_the_rest(
        self, repository: ChatSessionRepository
    ) -> None:
        """A caught duplicate or not-found stores nothing of itself; the unit goes on."""
        with repository.transaction() as tx:
            tx.add_topic(ChatTopic(id=1, name="kept"))
            with pytest.raises(DuplicateChatTopicError):
                tx.add_topic(ChatTopic(id=1, name="refused"))
            with pytest.raises(ChatTopicNotFoundError):
                tx.put_topic_agent(ChatTopicAgent(2, 7, can_respond=True))
            tx.put_topic_agent(ChatTopicAgent(1, 7, can_respond=True))
        assert repository.list_topics() == [ChatTopic(id=1, name="kept")]
        assert repository.agent_topics(7) == [ChatTopicAgent(1, 7, can_respond=True)]

    def test_a_refused_delete_inside_a_unit_of_work_deletes_nothing(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """``ChatTopicInUseError`` caught: the topic and its agents are still there after it."""
        repository.add_topic(ChatTopic(id=1))
        repository.put_topic_agent(ChatTopicAgent(1, 7, can_respond=True))
        stored(repository, clock, topic_id=1)
        with repository.transaction() as tx:
            with pytest.raises(ChatTopicInUseError):
                tx.delete_topic(1)
            assert tx.topic_agents(1) == [ChatTopicAgent(1, 7, can_respond=True)]
        assert repository.get_topic(1) == ChatTopic(id=1)
        assert repository.list_page(status=S.InQueue).items[0].topic_id == 1

    # ------------------------------------------------------------------ arguments

    @pytest.mark.parametrize("call", sorted(ID_CALLS))
    @pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
    def test_a_bad_id_is_refused(
        self, repository: ChatSessionRepository, call: str, bad: Any
    ) -> None:
        """Ids are positive int32s: anything else is ``InvalidArgumentError``, never found."""
        repository.add_topic(ChatTopic(id=1))
        repository.put_topic_agent(ChatTopicAgent(1, 7, can_respond=True))
        with pytest.raises(InvalidArgumentError):
            ID_CALLS[call](repository, bad)
        assert repository.get_topic_agent(1, 7) == ChatTopicAgent(1, 7, can_respond=True)

    @pytest.mark.parametrize("call", sorted(VALUE_CALLS))
    @pytest.mark.parametrize("bad", NOT_VALUES, ids=repr)
    def test_a_write_of_something_else_is_refused_and_stores_nothing(
        self, repository: ChatSessionRepository, call: str, bad: Any
    ) -> None:
        """``add_topic`` takes a ``ChatTopic``, ``put_topic_agent`` a ``ChatTopicAgent`` ..."""
        repository.add_topic(ChatTopic(id=1))
        before = snapshot(repository)
        with pytest.raises(InvalidArgumentError):
            VALUE_CALLS[call](repository, bad)
        assert snapshot(repository) == before

    def test_a_value_of_another_kind_is_refused(self, repository: ChatSessionRepository) -> None:
        """A presence is no topic, an agent no presence: each write takes its own kind."""
        repository.add_topic(ChatTopic(id=1))
        agent, presence = ChatTopicAgent(1, 7), Presence(7, True)
        wrong: list[tuple[Callable[[Any], None], object]] = [
            (repository.add_topic, agent),
            (repository.save_topic, presence),
            (repository.put_topic_agent, ChatTopic(id=1)),
            (repository.set_presence, agent),
        ]
        for call, bad in wrong:
            with pytest.raises(InvalidArgumentError):
                call(bad)
        assert repository.list_topics() == [ChatTopic(id=1)]
        assert repository.all_presence() == []
