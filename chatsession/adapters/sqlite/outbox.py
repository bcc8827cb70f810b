"""The outbox of ``SqliteChatSessionRepository``: the ``chat_session_outbox`` table.

Rows are written by ``add``/``save`` in the transaction that writes the session. The
``sequence`` is an ``AUTOINCREMENT`` key: SQLite has one writer at a time, so sequence
order is commit order and a publisher that pages with ``after=`` never skips a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chatsession.adapters.event_codec import loads
from chatsession.adapters.query_args import INT64_MAX, check_outbox_args, check_sequence
from chatsession.domain.aware import require_aware
from chatsession.ports.repository import OutboxRecord

if TYPE_CHECKING:
    from chatsession.adapters.sqlite.repository import SqliteChatSessionRepository
    from chatsession.adapters.sqlite.transaction import SqliteTransaction

_SELECT = (
    "SELECT sequence, chat_session_id, version, event_name, occurred_at, payload, "
    "published_at FROM chat_session_outbox WHERE sequence > ?"
)


def _record(row: tuple[Any, ...]) -> OutboxRecord:
    return OutboxRecord(
        sequence=row[0],
        chat_session_id=row[1],
        version=row[2],
        event_name=row[3],
        occurred_at=datetime.fromisoformat(row[4]),
        payload=loads(row[5]),
        published_at=None if row[6] is None else datetime.fromisoformat(row[6]),
    )


class SqliteOutbox:
    """Read the stored events in order; mark them published."""

    __slots__ = ("_repo",)

    def __init__(self, repo: SqliteChatSessionRepository) -> None:
        self._repo = repo

    def read(
        self,
        *,
        after: int = 0,
        limit: int | None = 100,
        include_published: bool = False,
        chat_session_id: int | None = None,
    ) -> list[OutboxRecord]:
        """Committed records after ``after``, in sequence order (and this thread's own ones)."""
        check_outbox_args(after, limit, chat_session_id)
        sql = _SELECT
        params: list[Any] = [after]
        if not include_published:
            sql += " AND published_at IS NULL"
        if chat_session_id is not None:
            sql += " AND chat_session_id = ?"
            params.append(chat_session_id)
        sql += " ORDER BY sequence LIMIT ?"
        params.append(-1 if limit is None else min(limit, INT64_MAX))

        def fetch(tx: SqliteTransaction) -> list[Any]:
            with self._repo._errors:
                return tx._read_conn().execute(sql, params).fetchall()

        return [_record(row) for row in self._repo._read(fetch)]

    def mark_published(self, sequences: Iterable[int], *, at: datetime | None = None) -> int:
        """Mark the records published; return how many were unpublished before.

        Inside a unit of work on this thread the marks are part of it: a rollback undoes them.
        """
        when = require_aware(self._repo.clock.now() if at is None else at, "published at")
        stamp = when.isoformat()
        rows = [(stamp, seq) for seq in {check_sequence(seq) for seq in sequences}]
        if not rows:
            return 0
        with self._repo._writer() as tx:
            conn = tx._writable_conn()
            with self._repo._errors:
                cur = conn.executemany(
                    "UPDATE chat_session_outbox SET published_at = ? "
                    "WHERE sequence = ? AND published_at IS NULL",
                    rows,
                )
            return int(cur.rowcount)
