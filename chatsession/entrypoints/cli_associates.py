"""The command line's associate commands: accounts, passwords and API tokens.

``chatsession associate add --id 7 --user-name alice --full-name "Alice Agent"
[--password-stdin] [--admin]`` stores (or updates) an account; with ``--password-stdin``
the password is the first line of standard input (never an argument, so it is in no
shell history nor process list). ``associate list`` prints one JSON object a line (no
hashes); ``associate token --id 7`` makes a token and prints it, once, alone on standard
output; ``associate tokens --id 7`` lists the tokens (no hashes); ``associate revoke
--token-id N`` revokes one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import Any, TextIO

from chatsession.domain.account import ApiToken, AssociateAccount
from chatsession.domain.associate import AssociateInfo
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.values import utc_now
from chatsession.ports.stores import ChatSessionRepository
from chatsession.service.credentials import hash_password, new_token

COMMANDS = frozenset({"associate"})
"""The top-level commands this module runs."""

READ_ONLY_ACTIONS = frozenset({"list", "tokens"})
"""The ``associate`` actions that only read (a missing SQLite file is not created)."""

_NOT_FOUND = 1  # the command line's EXIT_NOT_FOUND


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``associate`` (``add``, ``list``, ``token``, ``tokens``, ``revoke``) to ``sub``."""
    associate = sub.add_parser("associate", help="associates who may sign in, and API tokens")
    actions = associate.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", parents=[common], help="add or update an associate")
    add.add_argument("--id", type=int, required=True)
    add.add_argument("--user-name", default="", help="the sign-in name (unique, any case)")
    add.add_argument("--full-name", default="")
    add.add_argument("--admin", action="store_true", help="may administer the service")
    add.add_argument("--deleted", action="store_true", help="no longer signs in nor is a target")
    add.add_argument("--password-stdin", action="store_true",
                     help="read a new password from the first line of standard input")
    actions.add_parser("list", parents=[common], help="the associates (JSON lines)")
    token = actions.add_parser("token", parents=[common],
                               help="make an API token (printed once)")
    token.add_argument("--id", type=int, required=True)
    tokens = actions.add_parser("tokens", parents=[common], help="an associate's tokens")
    tokens.add_argument("--id", type=int, required=True)
    revoke = actions.add_parser("revoke", parents=[common], help="revoke an API token")
    revoke.add_argument("--token-id", type=int, required=True)


def read_only(args: argparse.Namespace) -> bool:
    """True for an ``associate`` command that only reads."""
    return args.command == "associate" and args.action in READ_ONLY_ACTIONS


def run(args: argparse.Namespace, repository: ChatSessionRepository, out: TextIO) -> int:
    """Run an ``associate`` command; print its output; return the exit status."""
    if args.action == "add":
        _print(_account_json(_add(args, repository)), out)
    elif args.action == "list":
        for account in repository.list_accounts():
            _print(_account_json(account), out)
    elif args.action == "token":
        token, digest = new_token()
        made = repository.add_token(args.id, digest, at=utc_now())
        print(token, file=out)  # the only time it is shown
        _say(f"token {made.token_id} of associate {made.associate_id}: keep it, "
             "it is not shown again")
    elif args.action == "tokens":
        if repository.get_account(args.id) is None:
            _say(f"associate {args.id} has no account")
            return _NOT_FOUND
        for made in repository.tokens_of(args.id):
            _print(_token_json(made), out)
    else:
        revoked = repository.revoke_token(args.token_id, at=utc_now())
        _print({"TokenId": args.token_id, "Revoked": revoked}, out)
        if not revoked:
            _say(f"no active token {args.token_id}")
            return _NOT_FOUND
    return 0


def _add(args: argparse.Namespace, repository: ChatSessionRepository) -> AssociateAccount:
    """Store the account ``add`` describes; keep its password unless a new one is read."""
    password_hash = hash_password(_read_password()) if args.password_stdin else None
    info = AssociateInfo(args.id, args.user_name, args.full_name, args.deleted)
    with repository.transaction() as tx:
        stored = tx.get_account(args.id)
        if password_hash is None:
            password_hash = "" if stored is None else stored.password_hash
        account = AssociateAccount(info, args.admin, password_hash)
        tx.put_account(account)
    return account


def _read_password() -> str:
    """The first line of standard input, without its line end; refused if there is none."""
    stdin = sys.stdin
    line = stdin.readline() if stdin is not None else ""
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise InvalidArgumentError("--password-stdin: standard input holds no password")
    return password


def _account_json(account: AssociateAccount) -> dict[str, Any]:
    info = account.info
    return {"AssociateId": info.associate_id, "UserName": info.user_name,
            "FullName": info.full_name, "Deleted": info.deleted, "Admin": account.admin,
            "HasPassword": account.has_password}


def _token_json(token: ApiToken) -> dict[str, Any]:
    return {"TokenId": token.token_id, "AssociateId": token.associate_id,
            "Created": token.created.isoformat(),
            "Revoked": None if token.revoked is None else token.revoked.isoformat()}


def _print(document: dict[str, Any], out: TextIO) -> None:
    print(json.dumps(document, ensure_ascii=False), file=out)


def _say(message: str) -> None:
    """``message`` on standard error (if there is one): never mixed into the output."""
    stderr = sys.stderr
    if stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            stderr.write(f"chatsession: {message}\n")


class StoredOrDemoDirectory:
    """An ``AssociateDirectory``: the store's associates, or the demo team while it has none.

    A store with no account yet (a new file, the demo) keeps the command line's demo team
    (alice 7, bob 8) as transfer targets; once an associate is stored, the store alone
    answers.
    """

    def __init__(self, repository: ChatSessionRepository, demo: tuple[AssociateInfo, ...]):
        self._repository = repository
        self._demo = demo

    def by_id(self, associate_id: int) -> AssociateInfo | None:
        """The associate with ``associate_id``, or None."""
        if self._has_accounts():
            return self._repository.by_id(associate_id)
        return next((a for a in self._demo if a.associate_id == associate_id), None)

    def by_user_name(self, user_name: str) -> AssociateInfo | None:
        """The associate whose user name is ``user_name`` (any case), or None."""
        if self._has_accounts():
            return self._repository.by_user_name(user_name)
        key = user_name.casefold()
        return next((a for a in self._demo if a.user_name.casefold() == key), None)

    def _has_accounts(self) -> bool:
        return bool(self._repository.list_accounts())
