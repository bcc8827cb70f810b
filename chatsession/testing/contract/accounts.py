"""The repository contract: associates' accounts and API tokens, in the same store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any

import pytest

from chatsession.adapters.clock import ManualClock
from chatsession.domain.account import ApiToken, AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.topic import ChatTopic
from chatsession.ports.accounts import AccountStore
from chatsession.ports.directory import AssociateDirectory
from chatsession.ports.stores import ChatSessionRepository, ChatStore
from chatsession.service.agent import ChatAgent
from chatsession.service.credentials import hash_password, verify_password
from chatsession.testing.contract.arguments import BAD_IDS
from chatsession.testing.contract.support import START, BoomError

HASH = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 43 + "="
"""A well-formed stored password hash (no password makes it: the tests need no scrypt)."""


def account(
    associate_id: int,
    user_name: str = "",
    full_name: str = "",
    *,
    admin: bool = False,
    deleted: bool = False,
    password_hash: str = "",
) -> AssociateAccount:
    """An account of the given fields."""
    info = AssociateInfo(associate_id, user_name, full_name, deleted)
    return AssociateAccount(info, admin, password_hash)


def digest(name: str) -> str:
    """A token hash (the SHA-256 hex of ``name``)."""
    return hashlib.sha256(name.encode()).hexdigest()


BAD_HASHES: tuple[Any, ...] = (
    None,
    b"0" * 64,
    "",
    "0" * 63,
    "0" * 65,
    "A" * 64,
    "g" * 64,
    " " + "0" * 63,
)
"""No SHA-256 hex digest (64 lowercase hex digits)."""

START_AT = START
"""The time of the token calls that take an id."""

ID_CALLS: dict[str, Callable[[ChatSessionRepository, Any], object]] = {
    "get_account": lambda repo, v: repo.get_account(v),
    "by_id": lambda repo, v: repo.by_id(v),
    "tokens_of": lambda repo, v: repo.tokens_of(v),
    "add_token": lambda repo, v: repo.add_token(v, digest("t"), at=START_AT),
    "revoke_token": lambda repo, v: repo.revoke_token(v, at=START_AT),
}
"""Every account-store call that takes an id."""



def seeded(repo: ChatSessionRepository) -> dict[str, AssociateAccount]:
    """Alice (7, admin, with a password hash) and Bob (8) stored in ``repo``."""
    alice = account(7, "Alice", "Alice Agent", admin=True, password_hash=HASH)
    bob = account(8, "bob", "Bob Agent")
    repo.put_account(alice)
    repo.put_account(bob)
    return {"alice": alice, "bob": bob}


class AccountContract:
    """Accounts, the directory view of them, and API tokens: round trips, rules, rollbacks."""

    # ---------------------------------------------------------------- accounts

    def test_the_repository_and_its_units_of_work_are_account_stores_and_directories(
        self, repository: ChatSessionRepository
    ) -> None:
        """The repository and its units of work are account stores and directories."""
        assert isinstance(repository, AccountStore)
        assert isinstance(repository, AssociateDirectory)
        with repository.transaction() as tx:
            assert isinstance(tx, ChatStore)
            assert isinstance(tx, AccountStore)

    def test_a_new_store_holds_no_account(self, repository: ChatSessionRepository) -> None:
        """A new store holds no account."""
        assert repository.list_accounts() == []
        assert repository.get_account(7) is None
        assert repository.account_by_user_name("alice") is None
        assert repository.by_id(7) is None
        assert repository.by_user_name("alice") is None
        assert repository.tokens_of(7) == []

    def test_an_account_comes_back_equal(self, repository: ChatSessionRepository) -> None:
        """An account comes back equal."""
        stored = account(7, "alice", "Alice \u00c5gent \U0001f600", admin=True, deleted=True,
                         password_hash=HASH)
        repository.put_account(stored)
        assert repository.get_account(7) == stored
        assert repository.list_accounts() == [stored]

    def test_a_real_password_hash_survives_storage_and_verifies(
        self, repository: ChatSessionRepository
    ) -> None:
        """A real password hash survives storage and verifies."""
        repository.put_account(account(7, "alice", password_hash=hash_password("s3cret pw")))
        found = repository.account_by_user_name("alice")
        assert found is not None and found.has_password
        assert verify_password("s3cret pw", found.password_hash)
        assert not verify_password("s3cret pW", found.password_hash)

    def test_put_again_replaces_the_account_and_frees_its_old_user_name(
        self, repository: ChatSessionRepository
    ) -> None:
        """Put again replaces the account and frees its old user name."""
        seeded(repository)
        renamed = account(7, "alice2", "Alice Renamed")
        repository.put_account(renamed)
        assert repository.get_account(7) == renamed
        assert repository.account_by_user_name("alice") is None
        assert repository.account_by_user_name("ALICE2") == renamed
        repository.put_account(account(9, "Alice"))  # the old name is free again
        assert [a.associate_id for a in repository.list_accounts()] == [7, 8, 9]

    def test_accounts_are_listed_in_id_order(self, repository: ChatSessionRepository) -> None:
        """Accounts are listed in id order."""
        for associate_id in (30, 4, 2**31 - 1, 1, 17):
            repository.put_account(account(associate_id, f"user{associate_id}"))
        assert [a.associate_id for a in repository.list_accounts()] == [1, 4, 17, 30, 2**31 - 1]

    def test_a_user_name_is_found_regardless_of_case(
        self, repository: ChatSessionRepository
    ) -> None:
        """A user name is found regardless of case."""
        accounts = seeded(repository)
        repository.put_account(account(9, "Stra\u00dfe"))
        assert repository.account_by_user_name("ALICE") == accounts["alice"]
        assert repository.account_by_user_name("alice") == accounts["alice"]
        assert repository.account_by_user_name("BoB") == accounts["bob"]
        found = repository.account_by_user_name("STRASSE")  # casefold: \u00df is ss
        assert found is not None and found.associate_id == 9
        assert repository.account_by_user_name("alic") is None
        assert repository.account_by_user_name("alice ") is None

    def test_a_user_name_another_associate_holds_is_refused_in_any_case(
        self, repository: ChatSessionRepository
    ) -> None:
        """A user name another associate holds is refused in any case."""
        accounts = seeded(repository)
        for name in ("Alice", "ALICE", "alice"):
            with pytest.raises(InvalidArgumentError, match="belongs to"):
                repository.put_account(account(9, name))
        with pytest.raises(InvalidArgumentError):  # a rename onto a taken name, too
            repository.put_account(account(8, "aLiCe"))
        assert repository.list_accounts() == [accounts["alice"], accounts["bob"]]
        again = account(7, "ALICE", "Alice Agent")  # its own name, in another case: fine
        repository.put_account(again)
        assert repository.account_by_user_name("alice") == again

    def test_accounts_without_a_user_name_are_many_and_found_by_none(
        self, repository: ChatSessionRepository
    ) -> None:
        """Accounts without a user name are many and found by none."""
        repository.put_account(account(1))
        repository.put_account(account(2, full_name="Two"))
        assert [a.associate_id for a in repository.list_accounts()] == [1, 2]
        assert repository.account_by_user_name("") is None
        assert repository.by_user_name("") is None

    def test_the_password_hash_is_never_in_the_repr(
        self, repository: ChatSessionRepository
    ) -> None:
        """The password hash is never in the repr."""
        secret = hash_password("hunter2")
        repository.put_account(account(7, "alice", password_hash=secret))
        found = repository.get_account(7)
        assert found is not None and found.password_hash == secret
        for text in (repr(found), str(found), repr(repository.list_accounts()), f"{found}"):
            assert secret not in text and "scrypt" not in text and "hunter2" not in text
        assert "alice" in repr(found)

    # ----------------------------------------------------- the directory view

    def test_the_directory_view_reads_the_accounts(
        self, repository: ChatSessionRepository
    ) -> None:
        """The directory view reads the accounts."""
        accounts = seeded(repository)
        assert repository.by_id(7) == accounts["alice"].info
        assert repository.by_id(9) is None
        assert repository.by_user_name("BOB") == accounts["bob"].info
        assert repository.by_user_name("carol") is None
        with repository.transaction() as tx:
            assert tx.by_id(8) == accounts["bob"].info
            assert tx.by_user_name("alice") == accounts["alice"].info

    def test_a_chat_agent_resolves_transfer_targets_and_names_from_the_repository(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A chat agent resolves transfer targets and names from the repository."""
        seeded(repository)
        agent = ChatAgent(repository, clock=clock, associates=repository)
        created = agent.create_session(ChatTopic(id=1))
        sid = created.entity.chat_session_id
        assert sid is not None
        agent.pick_up(sid, by=7)
        reply = agent.transfer(sid, to="BOB", by=7)
        target = reply.entity.transfer_to
        assert target is not None and target.associate_id == 8
        assert target.full_name == "Bob Agent"
        user = reply.entity.user
        assert user is not None and user.user_name == "Alice"

    # ------------------------------------------------------------------ tokens

    def test_a_token_authenticates_its_account_until_revoked(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A token authenticates its account until revoked."""
        accounts = seeded(repository)
        first = repository.add_token(7, digest("first"), at=clock.now())
        clock.advance(timedelta(minutes=1))
        second = repository.add_token(7, digest("second"), at=clock.now())
        other = repository.add_token(8, digest("other"), at=clock.now())
        assert first.token_id < second.token_id < other.token_id
        assert (first.associate_id, first.revoked, first.active) == (7, None, True)
        assert repository.account_for_token(digest("first")) == accounts["alice"]
        assert repository.account_for_token(digest("other")) == accounts["bob"]
        assert repository.account_for_token(digest("unknown")) is None
        clock.advance(timedelta(minutes=1))
        revoked_at = clock.now()
        assert repository.revoke_token(first.token_id, at=revoked_at) is True
        assert repository.account_for_token(digest("first")) is None
        assert repository.account_for_token(digest("second")) == accounts["alice"]
        assert repository.account_for_token(digest("other")) == accounts["bob"]
        [gone, kept] = repository.tokens_of(7)
        assert gone == ApiToken(first.token_id, 7, first.created, revoked_at)
        assert not gone.active
        assert kept == second
        assert repository.tokens_of(8) == [other]

    def test_revoking_twice_keeps_the_first_time_and_unknown_tokens_are_no_revoke(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Revoking twice keeps the first time; revoking an unknown token is False."""
        seeded(repository)
        token = repository.add_token(7, digest("t"), at=clock.now())
        first = clock.now() + timedelta(seconds=5)
        assert repository.revoke_token(token.token_id, at=first) is True
        assert repository.revoke_token(token.token_id, at=first + timedelta(hours=1)) is False
        assert repository.tokens_of(7)[0].revoked == first
        assert repository.revoke_token(token.token_id + 1000, at=first) is False

    def test_token_times_are_stored_in_utc(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Token times are stored in UTC, whatever offset they were given in."""
        seeded(repository)
        at = clock.now().astimezone(timezone(timedelta(hours=-7, minutes=-30)))
        token = repository.add_token(7, digest("t"), at=at)
        assert token.created == at and token.created.utcoffset() == timedelta(0)
        repository.revoke_token(token.token_id, at=at)
        [stored] = repository.tokens_of(7)
        assert stored.created == at and stored.created.utcoffset() == timedelta(0)
        assert stored.revoked == at
        assert stored.revoked is not None and stored.revoked.utcoffset() == timedelta(0)

    def test_a_token_of_an_unknown_associate_is_refused(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A token of an unknown associate is refused."""
        seeded(repository)
        with pytest.raises(InvalidArgumentError, match="no account"):
            repository.add_token(9, digest("t"), at=clock.now())
        assert repository.tokens_of(9) == []
        assert repository.account_for_token(digest("t")) is None

    def test_a_stored_token_hash_is_refused_again(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A stored token hash is refused again."""
        seeded(repository)
        token = repository.add_token(7, digest("t"), at=clock.now())
        with pytest.raises(InvalidArgumentError) as refused:
            repository.add_token(8, digest("t"), at=clock.now())
        assert digest("t") not in str(refused.value)
        assert repository.tokens_of(7) == [token]
        assert repository.tokens_of(8) == []

    def test_a_token_of_a_deleted_account_authenticates_nobody(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A token of a deleted account authenticates nobody."""
        seeded(repository)
        repository.add_token(8, digest("t"), at=clock.now())
        repository.put_account(account(8, "bob", "Bob Agent", deleted=True))
        assert repository.account_for_token(digest("t")) is None
        repository.put_account(account(8, "bob", "Bob Agent"))  # undeleted: it works again
        found = repository.account_for_token(digest("t"))
        assert found is not None and found.associate_id == 8

    def test_tokens_stay_with_an_account_that_is_replaced(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Tokens stay with an account that is replaced."""
        seeded(repository)
        token = repository.add_token(8, digest("t"), at=clock.now())
        replaced = account(8, "robert", "Robert", admin=True)
        repository.put_account(replaced)
        assert repository.tokens_of(8) == [token]
        assert repository.account_for_token(digest("t")) == replaced

    # ------------------------------------------------------- units of work

    def test_account_and_token_writes_roll_back_with_their_unit_of_work(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """Account and token writes roll back with their unit of work."""
        accounts = seeded(repository)
        kept = repository.add_token(7, digest("kept"), at=clock.now())
        with pytest.raises(BoomError), repository.transaction() as tx:
            tx.put_account(account(9, "carol"))
            tx.put_account(account(7, "alice-renamed"))
            new = tx.add_token(9, digest("new"), at=clock.now())
            assert tx.account_for_token(digest("new")) == account(9, "carol")
            assert tx.revoke_token(kept.token_id, at=clock.now())
            assert tx.tokens_of(9) == [new]
            raise BoomError
        assert repository.list_accounts() == [accounts["alice"], accounts["bob"]]
        assert repository.account_by_user_name("carol") is None
        assert repository.account_for_token(digest("new")) is None
        assert repository.tokens_of(7) == [kept]
        assert repository.account_for_token(digest("kept")) == accounts["alice"]

    def test_a_refused_account_write_inside_a_unit_of_work_leaves_the_rest(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A refused account write inside a unit of work leaves the rest."""
        seeded(repository)
        with repository.transaction() as tx:
            tx.put_account(account(9, "carol"))
            with pytest.raises(InvalidArgumentError):
                tx.put_account(account(10, "CAROL"))
            with pytest.raises(InvalidArgumentError):
                tx.add_token(11, digest("t"), at=clock.now())
            tx.add_token(9, digest("t"), at=clock.now())
        assert [a.associate_id for a in repository.list_accounts()] == [7, 8, 9]
        assert repository.account_for_token(digest("t")) == account(9, "carol")

    # ------------------------------------------------------------- arguments

    @pytest.mark.parametrize("call", sorted(ID_CALLS))
    @pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
    def test_a_bad_associate_or_token_id_is_refused(
        self, repository: ChatSessionRepository, call: str, bad: Any
    ) -> None:
        """A bad associate or token id is refused, and nothing is stored."""
        seeded(repository)
        with pytest.raises(InvalidArgumentError):
            ID_CALLS[call](repository, bad)
        assert all(repository.tokens_of(i) == [] for i in (7, 8))

    @pytest.mark.parametrize("bad", BAD_HASHES, ids=repr)
    def test_a_bad_token_hash_is_refused_without_being_quoted(
        self, repository: ChatSessionRepository, clock: ManualClock, bad: Any
    ) -> None:
        """A bad token hash is refused without being quoted."""
        seeded(repository)
        for call in (
            lambda: repository.add_token(7, bad, at=clock.now()),
            lambda: repository.account_for_token(bad),
        ):
            with pytest.raises(InvalidArgumentError) as refused:
                call()
            if isinstance(bad, str) and bad:
                assert bad not in str(refused.value)
        assert repository.tokens_of(7) == []

    @pytest.mark.parametrize("bad", [None, 7, "alice", AssociateInfo(7, "alice"), object()],
                             ids=repr)
    def test_a_put_of_something_else_is_refused(
        self, repository: ChatSessionRepository, bad: Any
    ) -> None:
        """A put of something else is refused."""
        with pytest.raises(InvalidArgumentError):
            repository.put_account(bad)
        assert repository.list_accounts() == []

    @pytest.mark.parametrize("bad", [None, 7, b"alice", "ali\ud800ce"], ids=repr)
    def test_a_lookup_by_something_but_text_is_refused(
        self, repository: ChatSessionRepository, bad: Any
    ) -> None:
        """A lookup by anything but valid text is refused."""
        for call in (repository.account_by_user_name, repository.by_user_name):
            with pytest.raises(InvalidArgumentError):
                call(bad)

    def test_a_naive_or_missing_time_is_refused(
        self, repository: ChatSessionRepository, clock: ManualClock
    ) -> None:
        """A naive time, or no datetime at all, is refused."""
        seeded(repository)
        naive = clock.now().replace(tzinfo=None)
        with pytest.raises(InvalidArgumentError):
            repository.add_token(7, digest("t"), at=naive)
        token = repository.add_token(7, digest("t"), at=clock.now())
        with pytest.raises(InvalidArgumentError):
            repository.revoke_token(token.token_id, at=naive)
        with pytest.raises(InvalidArgumentError):
            repository.revoke_token(token.token_id, at="2024-01-01T00:00:00Z")  # type: ignore[arg-type]
        assert repository.tokens_of(7) == [token]
