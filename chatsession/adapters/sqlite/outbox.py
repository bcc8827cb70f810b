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
from chatsession.domain.aware import require_aware
from chatsession.domain.errors import InvalidArgumentError
from chatsession.ports.repository import OutboxRecord

if TYPE_CHECKING:
    from chatsession.adapters.sqlite.repository import SqliteChatSessionRepository

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
        """Committed records after ``after``, in sequence order."""
        if limit is not None and (type(limit) is not int or limit < 1):
            raise InvalidArgumentError(f"limit must be an int >= 1 or None, got {limit!r}")
        sql = _SELECT
        params: list[Any] = [after]
        if not include_published:
            sql += " AND published_at IS NULL"
        if chat_session_id is not None:
            sql += " AND chat_session_id = ?"
            params.append(chat_session_id)
        sql += " ORDER BY sequence LIMIT ?"
        params.append(-1 if limit is None else limit)
        conn = self._repo._reader()._read_conn()
        return [_record(row) for row in conn.execute(sql, params).fetchall()]

    def mark_published(self, sequences: Iterable[int], *, at: datetime | None = None) -> int:
        """Mark the records published; return how many were unpublished before."""
        when = require_aware(self._repo.clock.now() if at is None else at, "published at")
        stamp = when.isoformat()
        rows = [(stamp, int(seq)) for seq in set(sequences)]
        if not rows:
            return 0
        with self._repo._writer() as tx:
            cur = tx._writable_conn().executemany(
                "UPDATE chat_session_outbox SET published_at = ? "
                "WHERE sequence = ? AND published_at IS NULL",
                rows,
            )
            return int(cur.rowcount)
