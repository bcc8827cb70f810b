"""Helpers of the in-process REST tests: the cast in a repository, Basic headers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from live_server import CAST

from chatsession import ChatTopic
from chatsession.domain.account import AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.presence import Presence
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service.credentials import MIN_COST, hash_password

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def basic(user_name: str) -> dict[str, str]:
    """The Basic ``Authorization`` header of a cast member."""
    token = base64.b64encode(f"{user_name}:{CAST[user_name][2]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


_HASHES = {
    name: hash_password(password, cost=MIN_COST) for name, (_, _, password) in CAST.items()
}
"""Each cast member's password hash at scrypt's least cost: these tests check who may do
what, not the hash's strength (``tests/web/test_reject_transfer_over_http.py`` and the
console's tests log in against the CLI's full-cost hashes)."""


def seed_repository(repository: ChatSessionRepository) -> None:
    """The cast of ``live_server``, in a repository: topic 1, alice and bob respond."""
    for user_name, (associate_id, full_name, _) in CAST.items():
        repository.put_account(AssociateAccount(
            info=AssociateInfo(associate_id, user_name, full_name),
            admin=user_name == "admin", password_hash=_HASHES[user_name],
        ))
    repository.add_topic(ChatTopic(id=1, name="Support", welcome_message="Hello!"))
    for associate_id in (7, 8):
        repository.put_topic_agent(ChatTopicAgent(topic_id=1, user_id=associate_id,
                                                  can_respond=True))
        repository.set_presence(Presence(user_id=associate_id, present=True))
