"""SqliteChatSessionRepository: the repository port on one SQLite file (stdlib ``sqlite3``).

The store base (``chatsession.adapters.base``) does what every repository does; this
module answers its primitives with the SQL of ``tables`` over a ``SqliteDatastore``,
which owns the connections, transactions, the fork gate and the driver's errors.

* Units of work start with ``BEGIN IMMEDIATE``: the write lock is taken up front, so a
  load-then-save never fails to upgrade a read lock (``SQLITE_BUSY`` that no timeout
  can cure) and two units of work on one session run one after the other.
* Each ``add``/``save`` runs in a savepoint, so a refused write leaves nothing behind even
  when the caller catches the error and goes on with the unit of work.
* Opening a file that is not a chatsession store (another application's database)
  raises ``ForeignStoreError`` before anything in it changes; a newer chatsession file
  ``SchemaVersionError``; one that cannot be opened ``StoreUnavailableError``.
* ``synchronous="FULL"`` by default: a committed outbox event survives a power loss, not
  only a process crash (``"NORMAL"`` trades that for speed).
* ``fork()`` only when no unit of work is open (prefer the ``spawn`` or ``forkserver``
  start methods): SQLite's locks do not survive a fork (see ``fork_gate``).
"""

from __future__ import annotations

import math
import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path

import chatsession.adapters.sqlite.account_tables as account_tables
import chatsession.adapters.sqlite.message_tables as message_tables
import chatsession.adapters.sqlite.tables as tables
import chatsession.adapters.sqlite.topic_tables as topic_tables
from chatsession.adapters.base import NewRecord, RepositoryBase, UnitOfWorkBase
from chatsession.adapters.queries import OutboxQuery, SessionQuery
from chatsession.adapters.sqlite.datastore import (
    SqliteDatastore,
    SqliteTransaction,
    Synchronous,
)
from chatsession.adapters.sqlite.migrations import check_store, migrate
from chatsession.domain.account import ApiToken, AssociateAccount
from chatsession.domain.errors import InvalidArgumentError
from chatsession.domain.messages import ChatMessage, MessageDraft
from chatsession.domain.presence import Presence
from chatsession.domain.session import ChatSession
from chatsession.domain.topic import ChatTopic
from chatsession.domain.topic_agent import ChatTopicAgent
from chatsession.domain.values import is_valid_unicode
from chatsession.ports.errors import TransactionError
from chatsession.ports.stores import OutboxRecord


class SqliteUnitOfWork(UnitOfWorkBase):
    """A unit of work in one ``BEGIN IMMEDIATE`` transaction, or one autocommit read."""

    __slots__ = ("_conn", "_store", "_txn")

    def __init__(
        self,
        store: SqliteDatastore,
        conn: sqlite3.Connection,
        txn: SqliteTransaction | None,
    ) -> None:
        super().__init__(writable=txn is not None)
        self._store = store
        self._conn = conn
        self._txn = txn

    # ------------------------------------------------------------ primitives

    def _check_usable(self, *, writing: bool) -> None:
        self._store.check_usable(self._txn)
        if writing and not self._conn.in_transaction:
            raise TransactionError("this transaction has ended")

    def _write_scope(self, subject: str) -> AbstractContextManager[None]:
        assert self._txn is not None
        return self._store.savepoint(self._txn, subject)

    def _next_id(self) -> int:
        with self._errors():
            self._conn.execute(tables.NEXT_ID)
            row = self._conn.execute(tables.LAST_ID).fetchone()
        return int(row[0])

    def _stored_version(self, chat_session_id: int) -> int | None:
        with self._errors():
            row = self._conn.execute(tables.SELECT_VERSION, (chat_session_id,)).fetchone()
        return None if row is None else int(row[0])

    def _insert(self, session: ChatSession, version: int) -> None:
        sid = session.chat_session_id
        with self._errors(sid):
            self._conn.execute(tables.INSERT, tables.insert_params(session, version))
            self._conn.execute(tables.KEEP_ID, (sid,))

    def _update(self, session: ChatSession, expected: int, version: int) -> bool:
        params = tables.update_params(session, expected, version)
        with self._errors(session.chat_session_id):
            return self._conn.execute(tables.UPDATE, params).rowcount == 1

    def _append_records(self, records: Sequence[NewRecord]) -> None:
        if not records:
            return
        with self._errors(records[0].chat_session_id):
            self._conn.executemany(tables.INSERT_EVENT, map(tables.event_row, records))

    def _append_messages(self, drafts: Sequence[MessageDraft]) -> list[ChatMessage]:
        out = []
        with self._errors(drafts[0].chat_session_id if drafts else None):
            for draft in drafts:
                cursor = self._conn.execute(message_tables.INSERT, message_tables.draft_row(draft))
                assert cursor.lastrowid is not None
                out.append(message_tables.stored(draft, cursor.lastrowid))
        return out

    def _read_messages(
        self, chat_session_id: int, after: int, limit: int | None
    ) -> list[ChatMessage]:
        with self._errors():
            rows = self._conn.execute(
                message_tables.SELECT, (chat_session_id, after, -1 if limit is None else limit)
            ).fetchall()
        where = self._store.path
        return [message_tables.message_from_row(row, where) for row in rows]

    def _select_one(self, chat_session_id: int) -> ChatSession | None:
        with self._errors():
            row = self._conn.execute(tables.SELECT_ONE, (chat_session_id,)).fetchone()
        return None if row is None else tables.row_to_session(row, self._store.path)

    def _select(self, query: SessionQuery) -> list[ChatSession]:
        sql, params = tables.select_sessions(query)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        where = self._store.path
        return [tables.row_to_session(row, where) for row in rows]

    def _count(self, query: SessionQuery) -> int:
        sql, params = tables.select_sessions(query, count=True)
        with self._errors():
            return int(self._conn.execute(sql, params).fetchone()[0])

    def _read_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        sql, params = tables.select_records(query)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        where = self._store.path
        return [tables.record_from_row(row, where) for row in rows]

    def _mark_published(self, sequences: frozenset[int], at: datetime) -> int:
        stamp = at.isoformat()
        with self._errors():
            cur = self._conn.executemany(
                tables.MARK_PUBLISHED, [(stamp, sequence) for sequence in sequences]
            )
        return int(cur.rowcount)

    def _purge_published(self, before: datetime) -> int:
        with self._errors():
            cur = self._conn.execute(tables.PURGE_PUBLISHED, (before.isoformat(),))
        return int(cur.rowcount)

    def _next_topic_id(self) -> int:
        with self._errors():
            self._conn.execute(topic_tables.NEXT_TOPIC_ID)
            row = self._conn.execute(topic_tables.LAST_TOPIC_ID).fetchone()
        return int(row[0])

    def _select_topic(self, topic_id: int) -> ChatTopic | None:
        with self._errors():
            row = self._conn.execute(topic_tables.SELECT_TOPIC, (topic_id,)).fetchone()
        return None if row is None else topic_tables.row_to_topic(row, self._store.path)

    def _select_topics(self) -> list[ChatTopic]:
        with self._errors():
            rows = self._conn.execute(topic_tables.SELECT_TOPICS).fetchall()
        return [topic_tables.row_to_topic(row, self._store.path) for row in rows]

    def _insert_topic(self, topic: ChatTopic) -> None:
        settings = topic_tables.topic_settings(topic)
        with self._subject(f"chat topic {topic.id}"):
            self._conn.execute(topic_tables.INSERT_TOPIC, (topic.id, settings))
            self._conn.execute(topic_tables.KEEP_TOPIC_ID, (topic.id,))

    def _update_topic(self, topic: ChatTopic) -> bool:
        settings = topic_tables.topic_settings(topic)
        with self._subject(f"chat topic {topic.id}"):
            cur = self._conn.execute(topic_tables.UPDATE_TOPIC, (settings, topic.id))
        return cur.rowcount == 1

    def _delete_topic(self, topic_id: int) -> None:
        with self._subject(f"chat topic {topic_id}"):
            self._conn.execute(topic_tables.DELETE_AGENTS_OF_TOPIC, (topic_id,))
            self._conn.execute(topic_tables.DELETE_TOPIC, (topic_id,))

    def _select_agents(
        self, *, topic_id: int | None = None, user_id: int | None = None
    ) -> list[ChatTopicAgent]:
        sql, params = topic_tables.select_agents(topic_id, user_id)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        return [topic_tables.row_to_agent(row, self._store.path) for row in rows]

    def _write_agent(self, agent: ChatTopicAgent) -> None:
        with self._subject(f"agent {agent.user_id} of chat topic {agent.topic_id}"):
            self._conn.execute(topic_tables.PUT_AGENT, topic_tables.agent_params(agent))

    def _delete_agent(self, topic_id: int, user_id: int) -> bool:
        with self._subject(f"agent {user_id} of chat topic {topic_id}"):
            cur = self._conn.execute(topic_tables.DELETE_AGENT, (topic_id, user_id))
        return cur.rowcount == 1

    def _select_presence(self, user_id: int | None) -> list[Presence]:
        sql, params = topic_tables.select_presence(user_id)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        return [topic_tables.row_to_presence(row, self._store.path) for row in rows]

    def _write_presence(self, presence: Presence) -> None:
        params = topic_tables.presence_params(presence)
        with self._subject(f"presence of user {presence.user_id}"):
            self._conn.execute(topic_tables.PUT_PRESENCE, params)

    def _select_accounts(
        self, *, associate_id: int | None = None, user_name_key: str | None = None
    ) -> list[AssociateAccount]:
        sql, params = account_tables.select_accounts(associate_id, user_name_key)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        return [account_tables.row_to_account(row, self._store.path) for row in rows]

    def _write_account(self, account: AssociateAccount, user_name_key: str) -> None:
        params = account_tables.account_params(account, user_name_key)
        with self._subject(f"associate {account.associate_id}"):
            self._conn.execute(account_tables.PUT_ACCOUNT, params)

    def _select_tokens(
        self,
        *,
        token_id: int | None = None,
        associate_id: int | None = None,
        token_hash: str | None = None,
    ) -> list[ApiToken]:
        sql, params = account_tables.select_tokens(token_id, associate_id, token_hash)
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        return [account_tables.row_to_token(row, self._store.path) for row in rows]

    def _insert_token(self, associate_id: int, token_hash: str, at: datetime) -> ApiToken:
        params = (associate_id, token_hash, account_tables.time_text(at))
        with self._subject(f"a token of associate {associate_id}"):
            cursor = self._conn.execute(account_tables.INSERT_TOKEN, params)
        assert cursor.lastrowid is not None
        return ApiToken(cursor.lastrowid, associate_id, at)

    def _revoke_token(self, token_id: int, at: datetime) -> bool:
        params = (account_tables.time_text(at), token_id)
        with self._subject(f"token {token_id}"):
            cursor = self._conn.execute(account_tables.REVOKE_TOKEN, params)
        return cursor.rowcount == 1

    def _errors(self, chat_session_id: int | None = None) -> AbstractContextManager[None]:
        subject = None if chat_session_id is None else f"chat session {chat_session_id}"
        return self._store.errors(self._txn, subject)

    def _subject(self, subject: str) -> AbstractContextManager[None]:
        return self._store.errors(self._txn, subject)


class SqliteChatSessionRepository(RepositoryBase[SqliteUnitOfWork]):
    """The repository port on a SQLite file, shared by threads and processes.

    ``SqliteChatSessionRepository("chat.db")`` creates or migrates the file. Close it
    with ``close()`` (or use it as a context manager) once no thread uses it any more:
    ``close()`` closes every thread's connection (and a thread's connection is closed
    when the thread ends). ``timeout`` is how many seconds a writer waits for another
    connection's write lock (a finite number >= 0) before ``RepositoryBusyError``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 5.0,
        synchronous: Synchronous = "FULL",
    ) -> None:
        super().__init__()
        where = _check_path(path)
        if synchronous not in ("FULL", "NORMAL", "EXTRA"):
            raise InvalidArgumentError(
                f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}"
            )
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 <= timeout < math.inf  # false for nan, inf and ints beyond a float
        ):
            raise InvalidArgumentError(
                f"timeout must be a finite number of seconds >= 0, got {timeout!r}"
            )
        self._path = where
        self._store = SqliteDatastore(
            where,
            timeout=float(min(timeout, sys.float_info.max)),  # an int past a float: the most
            synchronous=synchronous,
            inspect=lambda conn: check_store(conn, where=f"at {where}"),
            prepare=lambda conn: migrate(conn, where=f"at {where}"),
        )

    @property
    def path(self) -> Path:
        """The database file."""
        return Path(self._path)

    @property
    def timeout(self) -> float:
        """Seconds a writer waits for the write lock before ``RepositoryBusyError``."""
        return self._store.timeout

    @property
    def datastore(self) -> SqliteDatastore:
        """The datastore under the repository (connections, transactions, driver errors)."""
        return self._store

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (for checks and tools; the repository owns it)."""
        return self._store.connection()

    def close(self) -> None:
        """Close every connection this repository opened in this process, every thread's.

        Call it only once no other thread uses the repository. After ``close()`` every
        method raises ``TransactionError``.
        """
        self._store.close()

    def __enter__(self) -> SqliteChatSessionRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteChatSessionRepository({self._path!r})"

    def _open_connections(self) -> int:
        """How many connections this repository holds open in this process (for tests)."""
        return self._store.open_connections()

    # ------------------------------------------------------------ primitives

    def _begin(self) -> SqliteUnitOfWork:
        txn = self._store.begin()
        return SqliteUnitOfWork(self._store, txn.conn, txn)

    def _commit(self, unit: SqliteUnitOfWork) -> None:
        assert unit._txn is not None
        self._store.commit(unit._txn)

    def _rollback(self, unit: SqliteUnitOfWork) -> None:
        assert unit._txn is not None
        self._store.rollback(unit._txn)

    @contextmanager
    def _reader(self) -> Iterator[SqliteUnitOfWork]:
        self._store.check_usable(None)
        with self._store.reading() as conn:
            yield SqliteUnitOfWork(self._store, conn, None)


def _check_path(path: object) -> str:
    """A file path for SQLite: not ``:memory:``, not a URI, not empty, no NUL."""
    try:
        where = os.fspath(path)  # type: ignore[call-overload]
    except TypeError:
        raise InvalidArgumentError(
            f"path must be a str or os.PathLike, got {type(path).__name__}"
        ) from None
    if not isinstance(where, str):
        raise InvalidArgumentError(f"path must be text, got {where!r}")
    if where == ":memory:" or where.startswith("file:") or not where:
        raise InvalidArgumentError(
            "SqliteChatSessionRepository needs a file path (each thread opens its own "
            "connection); for a store in memory use InMemoryChatSessionRepository"
        )
    if "\x00" in where:
        raise InvalidArgumentError(f"path holds a NUL character: {where!r}")
    if not is_valid_unicode(where):
        raise InvalidArgumentError(f"path holds a lone surrogate: {where!r}")
    return where
