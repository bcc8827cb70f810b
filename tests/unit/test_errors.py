"""Every error class has a stable machine-readable ``code`` and the ``http_status`` it suits."""

import importlib
import pkgutil
import re
from collections.abc import Iterator

import pytest

import chatsession
from chatsession import (
    ChatbotActiveError,
    ChatbotInactiveError,
    ChatSessionError,
    ChatSessionStatus,
    CommandNotAllowedError,
    NotHandlingUserError,
    TransferToSelfError,
)

S = ChatSessionStatus
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")

DOCUMENTED: dict[str, tuple[str, int]] = {
    "ChatSessionError": ("chat_session_error", 500),
    "InvalidArgumentError": ("invalid_argument", 400),
    "CommandNotAllowedError": ("command_not_allowed", 409),
    "NotHandlingUserError": ("not_handling_user", 403),
    "TransferToSelfError": ("transfer_to_self", 409),
    "ChatbotActiveError": ("chatbot_active", 409),
    "ChatbotInactiveError": ("chatbot_inactive", 409),
    "InvariantViolationError": ("invariant_violation", 422),
    "RepositoryError": ("repository_error", 500),
    "ChatSessionNotFoundError": ("chat_session_not_found", 404),
    "DuplicateChatSessionError": ("duplicate_chat_session", 409),
    "ConcurrencyError": ("concurrency_conflict", 409),
    "RepositoryBusyError": ("store_busy", 503),
    "UnstorableSessionError": ("unstorable_value", 422),
    "TransactionError": ("transaction_misuse", 500),
    "SchemaVersionError": ("schema_version_unsupported", 500),
    "ForeignStoreError": ("foreign_store", 500),
    "StoreUnavailableError": ("store_unavailable", 503),
    "EventCodecError": ("event_codec", 500),
    "UnknownAssociateError": ("unknown_associate", 404),
    "InvalidChatTopicError": ("invalid_chat_topic", 422),
    "ChatTopicNotFoundError": ("chat_topic_not_found", 404),
    "DuplicateChatTopicError": ("duplicate_chat_topic", 409),
    "ChatTopicInUseError": ("chat_topic_in_use", 409),
    "ChatTopicAgentNotFoundError": ("chat_topic_agent_not_found", 404),
}
"""The codes and statuses as issue 8 set them: a client may match on them, so they stay."""


def _package_error_classes() -> list[type[ChatSessionError]]:
    """Every ``ChatSessionError`` subclass defined in the package (every module imported)."""
    for module in pkgutil.walk_packages(chatsession.__path__, "chatsession."):
        if not module.name.endswith("__main__"):  # running it is the command line
            importlib.import_module(module.name)

    def walk(cls: type[ChatSessionError]) -> Iterator[type[ChatSessionError]]:
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    found = {c for c in walk(ChatSessionError) if c.__module__.startswith("chatsession.")}
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


ERRORS = _package_error_classes()


def test_every_error_class_has_a_stable_code_and_an_http_status() -> None:
    names = {c.__name__: c for c in ERRORS}
    assert set(DOCUMENTED) <= set(names), set(DOCUMENTED) - set(names)
    for name, (code, status) in DOCUMENTED.items():
        assert (names[name].code, names[name].http_status) == (code, status), name
        assert "code" in vars(names[name]) and "http_status" in vars(names[name]), name
    owners: dict[str, type[ChatSessionError]] = {}
    for cls in ERRORS:
        assert isinstance(cls.code, str) and SNAKE_CASE.fullmatch(cls.code), cls
        assert type(cls.http_status) is int and 400 <= cls.http_status <= 599, cls
        if "code" in vars(cls):  # a class with its own code: no other class has it
            assert cls.code not in owners, (cls, owners.get(cls.code))
            owners[cls.code] = cls
        elif not cls.__name__.startswith("_"):  # a public error names itself
            pytest.fail(f"{cls.__qualname__} inherits the code {cls.code!r}")


def test_an_instance_answers_with_its_class_code() -> None:
    error = NotHandlingUserError("end", S.UserLast, detail="associate 8 does not handle it")
    assert (error.code, error.http_status) == ("not_handling_user", 403)
    assert isinstance(error, CommandNotAllowedError)  # still caught as a refusal


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            TransferToSelfError(
                "transfer", S.UserLast, detail="associate 7 cannot transfer to themselves"
            ),
            "transfer: associate 7 cannot transfer to themselves",
        ),
        (
            ChatbotActiveError(
                "pick_up", S.InQueue, detail="a chatbot holds the session; reset it first"
            ),
            "pick_up: a chatbot holds the session; reset it first",
        ),
        (
            ChatbotInactiveError("end", S.UserLast, detail="no chatbot is active"),
            "end: no chatbot is active",
        ),
        (
            NotHandlingUserError("reset", S.CustomerLast, detail="associate 8 does not handle"),
            "reset: associate 8 does not handle",
        ),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else "",
)
def test_a_refusal_not_caused_by_the_status_says_its_cause(
    error: CommandNotAllowedError, message: str
) -> None:
    assert str(error) == message
    assert "is not allowed in status" not in str(error)
    assert error.status is not None  # the status is still an attribute


def test_a_refusal_by_status_still_names_the_status_and_the_allowed_ones() -> None:
    error = CommandNotAllowedError("end", S.InQueue, [S.UserLast, S.CustomerLast])
    assert str(error) == "end is not allowed in status InQueue (allowed in: CustomerLast, UserLast)"
