"""The errors a store raises. Every one is a ``RepositoryError`` (a ``ChatSessionError``)."""

from __future__ import annotations

from chatsession.domain.errors import ChatSessionError


class RepositoryError(ChatSessionError):
    """Base class of the errors a chat-session repository raises."""

    code = "repository_error"
    http_status = 500


class ChatSessionNotFoundError(RepositoryError, LookupError):
    """No session with ``chat_session_id`` is stored."""

    code = "chat_session_not_found"
    http_status = 404

    def __init__(self, chat_session_id: int) -> None:
        self.chat_session_id = chat_session_id
        super().__init__(f"chat session {chat_session_id} is not stored")


class DuplicateChatSessionError(RepositoryError):
    """``add`` was given a session whose id is already stored."""

    code = "duplicate_chat_session"
    http_status = 409

    def __init__(self, chat_session_id: int) -> None:
        self.chat_session_id = chat_session_id
        super().__init__(
            f"chat session {chat_session_id} is already stored; use save() to change it"
        )


class ConcurrencyError(RepositoryError):
    """``save`` lost a race: the stored version is not the version the session was loaded with.

    ``expected_version`` is the session's version (what the caller loaded),
    ``actual_version`` the version stored now. Reload, re-apply the command, save again.
    """

    code = "concurrency_conflict"
    http_status = 409

    def __init__(self, chat_session_id: int, expected_version: int, actual_version: int) -> None:
        self.chat_session_id = chat_session_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"chat session {chat_session_id} was changed concurrently: loaded at version "
            f"{expected_version}, stored version is {actual_version}; reload and retry"
        )


class RepositoryBusyError(RepositoryError):
    """The store stayed locked by another writer for longer than the repository waits.

    SQLite raises it when its busy timeout runs out (``database is locked``); the
    ``sqlite3.OperationalError`` is its ``__cause__``. Nothing of the failed call was
    stored (a unit of work it ended is rolled back): try again later.
    """

    code = "store_busy"
    http_status = 503


class UnstorableSessionError(RepositoryError, ValueError):
    """The store refused a value of a session or of its events; nothing was stored.

    A last line of defence: ``add`` and ``save`` check the domain invariants first
    (``InvariantViolationError``), which already refuse what no adapter can store. It
    is raised for what gets past them, such as an integer too large for a column, text
    that cannot be encoded as UTF-8 (a lone surrogate in an event) or a constraint of
    the schema; the driver's error is its ``__cause__``.
    """

    code = "unstorable_value"
    http_status = 422


class TransactionError(RepositoryError, RuntimeError):
    """A unit of work was misused: nested, used after it ended, or carried over ``fork()``.

    Also raised by a repository used after (or while) it was closed.
    """

    code = "transaction_misuse"
    http_status = 500


class SchemaVersionError(RepositoryError):
    """A store's schema is newer than this code knows (or otherwise unusable)."""

    code = "schema_version_unsupported"
    http_status = 500

    def __init__(self, found: int, supported: int, where: str = "") -> None:
        self.found = found
        self.supported = supported
        place = f" {where}" if where else ""
        super().__init__(
            f"the store{place} has schema version {found}, this chatsession knows versions "
            f"up to {supported}; upgrade chatsession (downgrades are not supported)"
        )


class ForeignStoreError(SchemaVersionError):
    """The store belongs to another application: its schema is not chatsession's at all.

    Raised when a repository is opened on a file that holds another application's
    tables (or its own ``application_id``) rather than a chatsession store or an empty
    file. The file is left exactly as it was: no table added, no migration, no change of
    journal mode. ``found`` is its schema version (``PRAGMA user_version``),
    ``supported`` the one this code writes; ``reason`` says what gave it away.
    """

    code = "foreign_store"
    http_status = 500

    def __init__(self, found: int, supported: int, where: str = "", reason: str = "") -> None:
        self.found = found
        self.supported = supported
        self.reason = reason
        place = f" {where}" if where else ""
        because = f" ({reason})" if reason else ""
        RepositoryError.__init__(
            self,
            f"the store{place} is not a chatsession store{because}; it was left untouched: "
            "give chatsession a file of its own (a new path or an empty file)",
        )


class StoreUnavailableError(RepositoryError, OSError):
    """The store cannot be used: it cannot be opened, or it failed under a call.

    Such as a path that is a directory, a file that is not a database, no permission, a
    full disk, an I/O error or a corrupt file; also a process forked while a unit of work
    was open on the store (SQLite's locks do not survive ``fork()``). The driver's error,
    if any, is the ``__cause__``; the message names the file. Nothing of the failed call
    was stored: a unit of work it ended is rolled back, its sessions keep their versions
    and events. It is an ``OSError`` too (the store is a file that cannot be used).
    """

    code = "store_unavailable"
    http_status = 503


class CorruptStoreError(StoreUnavailableError):
    """The store holds data that cannot be what chatsession wrote: a damaged row or file.

    Such as a status no ``ChatSessionStatus`` has, a time that is not ISO 8601 text, an
    outbox payload that is not JSON, or a file whose size is not a whole number of pages
    (truncated). The message names the table and row (or the file); the store is not
    written to through a damaged file.
    """

    code = "corrupt_store"
    http_status = 500


class IdSpaceExhaustedError(RepositoryError):
    """``next_id`` (or ``next_topic_id``) has no id left: 2**31-1 is stored or drawn."""

    code = "id_space_exhausted"
    http_status = 507


class ChatTopicNotFoundError(RepositoryError, LookupError):
    """No topic with ``topic_id`` is stored."""

    code = "chat_topic_not_found"
    http_status = 404

    def __init__(self, topic_id: int) -> None:
        self.topic_id = topic_id
        super().__init__(f"chat topic {topic_id} is not stored")


class DuplicateChatTopicError(RepositoryError):
    """``add_topic`` was given a topic whose id is already stored."""

    code = "duplicate_chat_topic"
    http_status = 409

    def __init__(self, topic_id: int) -> None:
        self.topic_id = topic_id
        super().__init__(f"chat topic {topic_id} is already stored; use save_topic() to change it")


class ChatTopicInUseError(RepositoryError):
    """``delete_topic`` of a topic on which sessions wait or are active; nothing was deleted.

    ``sessions`` is how many there are. End (or close) them first; ended sessions keep the
    topic's id and do not stand in the way.
    """

    code = "chat_topic_in_use"
    http_status = 409

    def __init__(self, topic_id: int, sessions: int) -> None:
        self.topic_id = topic_id
        self.sessions = sessions
        super().__init__(
            f"chat topic {topic_id} cannot be deleted: {sessions} session(s) wait or are "
            "active on it; end them first"
        )


class ChatTopicAgentNotFoundError(RepositoryError, LookupError):
    """User ``user_id`` is not an agent of topic ``topic_id`` (no rights stored for them)."""

    code = "chat_topic_agent_not_found"
    http_status = 404

    def __init__(self, topic_id: int, user_id: int) -> None:
        self.topic_id = topic_id
        self.user_id = user_id
        super().__init__(f"user {user_id} is not an agent of chat topic {topic_id}")
