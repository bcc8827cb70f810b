"""PostgresChatSessionRepository: the repository port on a PostgreSQL database (psycopg 3).

The store base (``chatsession.adapters.base``) does what every repository does; this
module answers its primitives with the SQL of ``tables``, ``topic_tables`` and
``message_tables`` over a ``PostgresDatastore``, which owns the connections (a pool or a
factory), the transactions and the driver's errors.

How the contract's guarantees hold with many processes on many hosts:

* Optimistic concurrency: ``save`` updates ``WHERE id = ... AND version = ...``; a save
  that lost the race updates nothing and raises ``ConcurrencyError``.
* The unit of work's write lock is per session, not per store: inside
  ``transaction()``, ``get`` reads the row ``FOR UPDATE``, so two units of work on one
  session run one after the other (the second reads what the first committed) and a
  load-then-save inside a unit of work never conflicts, as on SQLite; units of work on
  different sessions run side by side. ``first_in_queue`` inside a unit of work reads
  ``FOR UPDATE SKIP LOCKED``: two units picking up the first queued session never get
  the same one (a session another unit holds is passed over). The other queries
  (``list_page``, ``count_in_queue``, ``active_sessions_of``) read what is committed,
  without locks: a session read through them and saved later is checked by its version.
* Ids come from the sequences ``chat_session_id_seq`` and ``chat_topic_id_seq``: a draw
  is never rolled back, so an id drawn in a unit of work that rolled back is skipped,
  never handed out again (the port allows it). A session or topic added with an id
  beyond the sequence moves the sequence past it in the same unit of work, under an
  exclusive advisory lock that draws (which take it shared) wait for.
* Each ``add``/``save`` runs in a savepoint: a refused write leaves nothing behind even
  when the caller catches the error and goes on with the unit of work.
* Opening a schema that holds another application's tables of the store's names raises
  ``ForeignStoreError`` before anything changes; a newer chatsession schema
  ``SchemaVersionError``; a database that cannot be reached ``StoreUnavailableError``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import chatsession.adapters.postgres.account_tables as account_tables
import chatsession.adapters.postgres.message_tables as message_tables
import chatsession.adapters.postgres.tables as tables
import chatsession.adapters.postgres.topic_tables as topic_tables
from chatsession.adapters.account_base import name_taken
from chatsession.adapters.base import NewRecord, RepositoryBase, UnitOfWorkBase
from chatsession.adapters.postgres.message_tables import MessageTables
from chatsession.adapters.postgres.migrations import lock_key, migrate, quote_ident
from chatsession.adapters.postgres.tables import DRAW, Tables
from chatsession.adapters.postgres.topic_tables import TopicTables
from chatsession.adapters.queries import OutboxQuery, SessionQuery
from chatsession.domain.account import ApiToken, AssociateAccount
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.messages import ChatMessage, MessageDraft
from chatsession.domain.presence import Presence
from chatsession.domain.session import ChatSession
from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.domain.values import check_id, is_valid_unicode
from chatsession.ports.errors import (
    ChatTopicNotFoundError,
    DuplicateChatSessionError,
    DuplicateChatTopicError,
    StoreUnavailableError,
    TransactionError,
    UnstorableSessionError,
)
from chatsession.ports.stores import OutboxRecord

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

    from chatsession.adapters.postgres.datastore import PostgresDatastore, PostgresTransaction
    from chatsession.adapters.postgres.outbox_listener import PostgresOutboxListener

    Connection = psycopg.Connection[Any]

MISSING_EXTRA = (
    "PostgreSQL support needs the postgres extra: pip install 'chatsession[postgres]' "
    "(psycopg 3 and psycopg-pool)"
)
_UNIQUE_VIOLATION = "23505"
_FOREIGN_KEY_VIOLATION = "23503"
_ID_LOCK = 0x43484944
"""The first key of the id sequences' advisory locks (``"CHID"``); the second, the sequence's."""
T = TypeVar("T")


class _Schema:
    """The statements of one schema, and what names it in messages."""

    __slots__ = (
        "channel",
        "messages",
        "name",
        "session_ids",
        "sessions",
        "topic_ids",
        "topics",
        "where",
    )

    def __init__(self, name: str, where: str) -> None:
        quoted = quote_ident(name)
        self.name = name
        self.where = where
        self.sessions = Tables(quoted)
        self.topics = TopicTables(quoted)
        self.messages = MessageTables(quoted)
        # (sequence name, lock keys) of each id sequence
        self.session_ids = _sequence(self.sessions.id_sequence)
        self.topic_ids = _sequence(self.topics.id_sequence)
        self.channel = tables.outbox_channel(name)


def _sequence(name: str) -> tuple[str, int, int]:
    return name, _ID_LOCK, lock_key(name)


_ASSOCIATE_LOCKS = 0x43485341
"""The advisory-lock class of associate locks ("CHSA"), the first key of the pair."""


class PostgresUnitOfWork(UnitOfWorkBase):
    """A unit of work in one PostgreSQL transaction, or one autocommit read."""

    __slots__ = ("_conn", "_schema", "_skip_locked", "_store", "_txn")

    def __init__(
        self,
        store: PostgresDatastore,
        conn: Connection,
        txn: PostgresTransaction | None,
        schema: _Schema,
    ) -> None:
        super().__init__(writable=txn is not None)
        self._store = store
        self._conn = conn
        self._txn = txn
        self._schema = schema
        self._skip_locked = False

    def first_in_queue(
        self, topic_id: int | None = None, *, include_bot_sessions: bool = False
    ) -> ChatSession | None:
        """The waiting session with the lowest id that no other unit of work holds.

        Inside a unit of work the session is locked (``FOR UPDATE SKIP LOCKED``) until the
        unit ends: two units picking up the first queued session never get the same one.
        """
        self._skip_locked = self.writes is not None
        try:
            return super().first_in_queue(topic_id, include_bot_sessions=include_bot_sessions)
        finally:
            self._skip_locked = False

    def claim_outbox(self, chat_session_id: int) -> bool:
        """Take session ``chat_session_id``'s outbox claim until this unit ends; False if held."""
        key = tables.claim_key(self._schema.name, chat_session_id)
        with self._errors(chat_session_id):
            row = self._conn.execute(tables.OUTBOX_CLAIM, (key,)).fetchone()
        return row is not None and row[0] is True

    # ------------------------------------------------------------ primitives

    def _check_usable(self, *, writing: bool) -> None:
        self._store.check_usable(self._txn)
        if writing and self._txn is not None and not self._store.in_transaction(self._txn):
            raise TransactionError("this transaction has ended")

    def _write_scope(self, subject: str) -> AbstractContextManager[None]:
        assert self._txn is not None
        return self._store.savepoint(self._txn, subject)

    def _next_id(self) -> int:
        return self._draw(self._schema.session_ids)

    def _stored_version(self, chat_session_id: int) -> int | None:
        sql = self._schema.sessions.select_version
        with self._errors():
            row = self._conn.execute(sql, (chat_session_id,)).fetchone()
        return None if row is None else int(row[0])

    def _insert(self, session: ChatSession, version: int) -> None:
        sid = session.chat_session_id
        sessions = self._schema.sessions
        with self._unique(lambda: DuplicateChatSessionError(sid)), self._errors(sid):
            row = self._conn.execute(
                sessions.insert, tables.insert_params(session, version)
            ).fetchone()
            if row is not None and row[0]:
                self._keep(sessions.keep_id, self._schema.session_ids, sid)

    def _update(self, session: ChatSession, expected: int, version: int) -> bool:
        params = tables.update_params(session, expected, version)
        with self._errors(session.chat_session_id):
            return self._conn.execute(self._schema.sessions.update, params).rowcount == 1

    def _append_records(self, records: Sequence[NewRecord]) -> None:
        if not records:
            return
        with self._errors(records[0].chat_session_id):
            params = [value for record in records for value in tables.record_params(record)]
            params.append(self._schema.channel)  # NOTIFY at commit (see outbox_listener)
            self._conn.execute(self._schema.sessions.insert_records(len(records)), params)

    def _append_messages(self, drafts: Sequence[MessageDraft]) -> list[ChatMessage]:
        if not drafts:
            return []
        with self._errors(drafts[0].chat_session_id):
            params = [v for draft in drafts for v in message_tables.draft_params(draft)]
            sql = self._schema.messages.insert(len(drafts))
            ids = sorted(int(row[0]) for row in self._conn.execute(sql, params).fetchall())
        # one statement numbers its rows in order: the smallest id is the first draft's
        return [message_tables.stored(d, i) for d, i in zip(drafts, ids, strict=True)]

    def _read_messages(
        self, chat_session_id: int, after: int, limit: int | None
    ) -> list[ChatMessage]:
        with self._errors():
            rows = self._conn.execute(
                self._schema.messages.select, (chat_session_id, after, limit)
            ).fetchall()
        where = self._schema.where
        return [message_tables.message_from_row(row, where) for row in rows]

    def _lock_associate(self, user_id: int) -> None:
        # units of work lock per session here: what is unique per associate (a rank) needs
        # its own lock, held to the end of the transaction
        with self._errors():
            self._conn.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", (_ASSOCIATE_LOCKS, user_id)
            )

    def _select_one(self, chat_session_id: int) -> ChatSession | None:
        sessions = self._schema.sessions
        # in a unit of work the session is the unit's until it ends (see the module doc)
        sql = sessions.select_one if self._txn is None else sessions.select_one_for_update
        with self._errors():
            row = self._conn.execute(sql, (chat_session_id,)).fetchone()
        return None if row is None else tables.row_to_session(row, self._schema.where)

    def _select(self, query: SessionQuery) -> list[ChatSession]:
        sql, params = self._schema.sessions.select_sessions(query, skip_locked=self._skip_locked)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        where = self._schema.where
        return [tables.row_to_session(row, where) for row in rows]

    def _count(self, query: SessionQuery) -> int:
        sql, params = self._schema.sessions.select_sessions(query, count=True)
        with self._errors():
            row = self._conn.execute(sql, params).fetchone()
        return 0 if row is None else int(row[0])

    def _read_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        sql, params = self._schema.sessions.select_records(query)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        where = self._schema.where
        return [tables.record_from_row(row, where) for row in rows]

    def _mark_published(self, sequences: frozenset[int], at: datetime) -> int:
        sql = self._schema.sessions.mark_published
        with self._errors():
            cur = self._conn.execute(sql, (tables.bound_time(at), sorted(sequences)))
        return int(cur.rowcount)

    def _purge_published(self, before: datetime) -> int:
        sql = self._schema.sessions.purge_published
        with self._errors():
            cur = self._conn.execute(sql, (tables.bound_time(before),))
        return int(cur.rowcount)

    def _next_topic_id(self) -> int:
        return self._draw(self._schema.topic_ids)

    def _select_topic(self, topic_id: int) -> ChatTopic | None:
        with self._errors():
            row = self._conn.execute(self._schema.topics.select_topic, (topic_id,)).fetchone()
        return None if row is None else topic_tables.row_to_topic(row, self._schema.where)

    def _select_topics(self) -> list[ChatTopic]:
        with self._errors():
            rows = self._conn.execute(self._schema.topics.select_topics).fetchall()
        return [topic_tables.row_to_topic(row, self._schema.where) for row in rows]

    def _insert_topic(self, topic: ChatTopic) -> None:
        settings = topic_tables.topic_settings(topic)
        topics = self._schema.topics
        with (
            self._unique(lambda: DuplicateChatTopicError(topic.id)),
            self._subject(f"chat topic {topic.id}"),
        ):
            row = self._conn.execute(topics.insert_topic, (topic.id, settings)).fetchone()
            if row is not None and row[0]:
                self._keep(topics.keep_id, self._schema.topic_ids, topic.id)

    def _update_topic(self, topic: ChatTopic) -> bool:
        settings = topic_tables.topic_settings(topic)
        with self._subject(f"chat topic {topic.id}"):
            cur = self._conn.execute(self._schema.topics.update_topic, (settings, topic.id))
        return cur.rowcount == 1

    def _delete_topic(self, topic_id: int) -> None:
        topics = self._schema.topics
        with self._subject(f"chat topic {topic_id}"):
            self._conn.execute(topics.delete_agents_of_topic, (topic_id,))
            self._conn.execute(topics.delete_topic, (topic_id,))

    def _select_agents(
        self, *, topic_id: int | None = None, user_id: int | None = None
    ) -> list[ChatTopicAgent]:
        sql, params = self._schema.topics.select_agents(topic_id, user_id)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        return [topic_tables.row_to_agent(row, self._schema.where) for row in rows]

    def _write_agent(self, agent: ChatTopicAgent) -> None:
        params = topic_tables.agent_params(agent)
        with (
            self._violation(_FOREIGN_KEY_VIOLATION, lambda: ChatTopicNotFoundError(agent.topic_id)),
            self._subject(f"agent {agent.user_id} of chat topic {agent.topic_id}"),
        ):
            # a topic deleted by another unit of work meanwhile: the foreign key refuses it
            self._conn.execute(self._schema.topics.put_agent, params)

    def _delete_agent(self, topic_id: int, user_id: int) -> bool:
        with self._subject(f"agent {user_id} of chat topic {topic_id}"):
            cur = self._conn.execute(self._schema.topics.delete_agent, (topic_id, user_id))
        return cur.rowcount == 1

    def _select_presence(self, user_id: int | None) -> list[Presence]:
        sql, params = self._schema.topics.select_presence(user_id)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        return [topic_tables.row_to_presence(row, self._schema.where) for row in rows]

    def _write_presence(self, presence: Presence) -> None:
        params = topic_tables.presence_params(presence)
        with self._subject(f"presence of user {presence.user_id}"):
            self._conn.execute(self._schema.topics.put_presence, params)

    def _select_accounts(
        self, *, associate_id: int | None = None, user_name_key: str | None = None
    ) -> list[AssociateAccount]:
        sql, params = self._accounts().select_accounts(associate_id, user_name_key)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        return [account_tables.row_to_account(row, self._schema.where) for row in rows]

    def _write_account(self, account: AssociateAccount, user_name_key: str) -> None:
        params = account_tables.account_params(account, user_name_key)

        def taken() -> Exception:  # another unit of work took it since this one looked
            return name_taken(account.user_name, None)

        with self._unique(taken), self._subject(f"associate {account.associate_id}"):
            self._conn.execute(self._accounts().put_account, params)

    def _select_tokens(
        self,
        *,
        token_id: int | None = None,
        associate_id: int | None = None,
        token_hash: str | None = None,
    ) -> list[ApiToken]:
        sql, params = self._accounts().select_tokens(token_id, associate_id, token_hash)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        return [account_tables.row_to_token(row, self._schema.where) for row in rows]

    def _insert_token(self, associate_id: int, token_hash: str, at: datetime) -> ApiToken:
        params = (associate_id, token_hash, tables.bound_time(at))
        with (
            self._unique(lambda: InvalidArgumentError("a token with this hash is stored already")),
            self._subject(f"a token of associate {associate_id}"),
        ):
            row = self._conn.execute(self._accounts().insert_token, params).fetchone()
        assert row is not None
        return ApiToken(int(row[0]), associate_id, at)

    def _revoke_token(self, token_id: int, at: datetime) -> bool:
        params = (tables.bound_time(at), token_id)
        with self._subject(f"token {token_id}"):
            cur = self._conn.execute(self._accounts().revoke_token, params)
        return cur.rowcount == 1

    def _accounts(self) -> account_tables.AccountTables:
        return account_tables.for_schema(quote_ident(self._schema.name))

    # ------------------------------------------------------------ helpers

    def _draw(self, sequence: tuple[str, int, int]) -> int:
        with self._errors():
            row = self._conn.execute(DRAW, sequence).fetchone()
        assert row is not None
        return int(row[0])

    def _keep(self, statements: tuple[str, str], sequence: tuple[str, int, int], id_: int) -> None:
        """Move the sequence past ``id_`` (stored in this unit of work)."""
        name, *keys = sequence
        self._conn.execute(statements[0], keys)
        self._conn.execute(statements[1], (name, id_, id_))

    def _errors(self, chat_session_id: int | None = None) -> AbstractContextManager[None]:
        subject = None if chat_session_id is None else f"chat session {chat_session_id}"
        return self._store.errors(self._txn, subject)

    def _subject(self, subject: str) -> AbstractContextManager[None]:
        return self._store.errors(self._txn, subject)

    def _unique(self, error: Callable[[], Exception]) -> AbstractContextManager[None]:
        return self._violation(_UNIQUE_VIOLATION, error)

    @contextmanager
    def _violation(self, state: str, error: Callable[[], Exception]) -> Iterator[None]:
        """Turn the store's refusal with SQLSTATE ``state`` into ``error()``.

        A row another unit of work stored (or deleted) since this one looked: the same
        error the base raises when it sees it first.
        """
        try:
            yield
        except UnstorableSessionError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == state:
                raise error() from exc
            raise


class PostgresChatSessionRepository(RepositoryBase[PostgresUnitOfWork]):
    """The repository port on a PostgreSQL database, shared by processes on many hosts.

    ``dsn_or_pool`` is a connection string (``"postgresql://chat@db/chat"``: the
    repository makes a ``psycopg_pool.ConnectionPool`` of at most ``pool_size``
    connections and closes it with itself), a ``ConnectionPool`` the service owns (left
    open by ``close()``) or a callable returning a new ``psycopg.Connection``. ``schema``
    is where the tables live (created if missing; default: the connection's current
    schema, the first of its ``search_path``). Opening migrates the schema (once, however
    many instances start together). ``timeout`` is how many seconds a statement waits for
    a lock, or a call for a pooled connection, before ``RepositoryBusyError``.

    Needs the ``postgres`` extra (``pip install 'chatsession[postgres]'``). Open one
    repository per process: a forked child must open its own.
    """

    def __init__(
        self,
        dsn_or_pool: str | ConnectionPool[Any] | Callable[[], Connection],
        *,
        schema: str | None = None,
        timeout: float = 5.0,
        pool_size: int = 10,
    ) -> None:
        super().__init__()
        if schema is not None:
            _check_schema(schema)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 <= timeout < math.inf
        ):
            raise InvalidArgumentError(
                f"timeout must be a finite number of seconds >= 0, got {timeout!r}"
            )
        if type(pool_size) is not int or pool_size < 1:
            raise InvalidArgumentError(f"pool_size must be an int >= 1, got {pool_size!r}")
        if not isinstance(dsn_or_pool, str) and not callable(dsn_or_pool):
            _check_pool(dsn_or_pool)
        try:
            from chatsession.adapters.postgres.datastore import (
                PostgresDatastore,
                describe_connection,
            )
        except ImportError as missing:
            raise ImportError(f"{MISSING_EXTRA}: {missing}") from missing
        opened: list[_Schema] = []

        def prepare(conn: Connection) -> None:
            name = schema if schema is not None else _current_schema(conn)
            where = f"schema {name} of {describe_connection(conn)}"
            _check_encoding(conn, where)
            migrate(conn, name, where=f"in {where}")
            opened.append(_Schema(name, where))

        self._store = PostgresDatastore(
            dsn_or_pool,
            timeout=float(min(timeout, sys.float_info.max)),
            pool_size=pool_size,
            prepare=prepare,
        )
        self._schema = opened[0]

    @property
    def schema(self) -> str:
        """The schema the tables live in."""
        return self._schema.name

    @property
    def timeout(self) -> float:
        """Seconds a statement waits for a lock (or a call for a connection)."""
        return self._store.timeout

    @property
    def datastore(self) -> PostgresDatastore:
        """The datastore under the repository (connections, transactions, driver errors)."""
        return self._store

    def close(self) -> None:
        """Close the pool the repository made (a pool it was given stays open).

        Call it once no thread uses the repository. After ``close()`` every method raises
        ``TransactionError``.
        """
        self._store.close()

    def __enter__(self) -> PostgresChatSessionRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgresChatSessionRepository({self._schema.where!r})"

    # ------------------------------------------------------------ publishers

    def outbox_listener(self) -> PostgresOutboxListener:
        """A waiter that wakes when a unit of work that wrote outbox records commits.

        It ``LISTEN``s on the schema's channel on a dedicated connection (a new one when
        the repository was opened from a connection string; else one borrowed from the
        pool or factory until it is closed): close it (or use it in a ``with`` block). One
        thread uses it. A ``NotifyingOutbox`` (``chatsession.ports.outbox_sharing``).
        """
        self._store.check_usable(None)
        from chatsession.adapters.postgres.outbox_listener import PostgresOutboxListener

        return PostgresOutboxListener(self._store, self._schema.channel)

    @contextmanager
    def claim_outbox(self, chat_session_id: int) -> Iterator[bool]:
        """A unit of work that holds session ``chat_session_id``'s outbox, if it is free.

        ``with repo.claim_outbox(7) as held:`` opens a unit of work (``transaction()``) and
        takes ``pg_try_advisory_xact_lock`` on the session (in this schema): ``held`` is
        False at once if another publisher's claim holds it. The outbox's reads and marks in
        the block join the unit of work: a mark is stored when the block ends, before the
        lock goes, so the next holder sees it. The lock goes with the transaction: at the
        block's end, or when the publisher's connection dies (its marks then are lost and its
        records delivered again). A ``ClaimableOutbox`` (``chatsession.ports.outbox_sharing``);
        nesting it in a unit of work raises ``TransactionError``, as ``transaction()`` does.
        """
        check_id(chat_session_id, "chat_session_id")
        with self.transaction() as unit:
            yield unit.claim_outbox(chat_session_id)

    # ------------------------------------------------------------ primitives

    def _begin(self) -> PostgresUnitOfWork:
        txn = self._store.begin()
        return PostgresUnitOfWork(self._store, txn.conn, txn, self._schema)

    def _commit(self, unit: PostgresUnitOfWork) -> None:
        assert unit._txn is not None
        self._store.commit(unit._txn)

    def _rollback(self, unit: PostgresUnitOfWork) -> None:
        assert unit._txn is not None
        self._store.rollback(unit._txn)

    @contextmanager
    def _reader(self) -> Iterator[PostgresUnitOfWork]:
        self._store.check_usable(None)
        with self._store.borrowed() as conn:
            yield PostgresUnitOfWork(self._store, conn, None, self._schema)


def _check_schema(schema: object) -> str:
    """A schema name PostgreSQL takes: text of 1 to 63 bytes, no NUL, valid Unicode."""
    if not isinstance(schema, str) or not schema:
        raise InvalidArgumentError(f"schema must be a non-empty str, got {schema!r}")
    if "\x00" in schema or not is_valid_unicode(schema):
        raise InvalidArgumentError(f"schema holds a NUL or a lone surrogate: {schema!r}")
    if len(schema.encode("utf-8")) > 63:
        raise InvalidArgumentError(f"schema names are at most 63 bytes, got {schema!r}")
    return schema


def _check_pool(pool: object) -> None:
    """Refuse what is neither a connection string, a pool nor a factory."""
    try:
        from psycopg_pool import ConnectionPool
    except ImportError as missing:
        raise ImportError(f"{MISSING_EXTRA}: {missing}") from missing
    if not isinstance(pool, ConnectionPool):
        raise InvalidArgumentError(
            "a PostgreSQL store takes a connection string, a psycopg_pool.ConnectionPool or "
            f"a callable returning a psycopg.Connection, not {type(pool).__name__}"
        )


def _check_encoding(conn: Connection, where: str) -> None:
    """Refuse a database that is not in UTF-8 (its text could not hold every session's)."""
    row = conn.execute("SHOW server_encoding").fetchone()
    encoding = "" if row is None else str(row[0])
    if encoding.upper().replace("-", "") != "UTF8":
        raise StoreUnavailableError(
            f"{where}: the database's encoding is {encoding or 'unknown'}; chatsession needs "
            "a UTF8 database (CREATE DATABASE ... ENCODING 'UTF8')"
        )


def _current_schema(conn: Connection) -> str:
    """The connection's current schema (the first existing one of its ``search_path``)."""
    row = conn.execute("SELECT current_schema()").fetchone()
    if row is None or not isinstance(row[0], str):
        raise StoreUnavailableError(
            "the connection has no current schema (no schema of its search_path exists): "
            "pass schema= to the repository"
        )
    return row[0]
