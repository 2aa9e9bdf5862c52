"""Sign-in attempt counters shared by every worker process of the app, in SQLite.

Flask-Limiter counts in the memory of one process unless given a shared store, and
``serve`` runs several gunicorn workers: with per-process counters an attacker gets
``workers`` times the configured guesses, and a restarted worker forgets them. The
``limits`` library, which Flask-Limiter counts with, ships stores for Redis, Memcached,
MongoDB and etcd, none of which a records deployment otherwise needs. This is its
storage interface over a small SQLite table under ``state_dir``, beside the sessions;
Flask-Limiter keeps deciding what is counted and when to refuse (its fixed windows).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from limits.storage import Storage

__all__ = ["LIMITS_FILE", "SCHEME", "SqliteLimitStorage", "storage_uri"]

LIMITS_FILE = "web-limits.sqlite"
"""File name of the counters inside ``config.state_dir``."""

SCHEME = "mailledger-sqlite"
"""The storage URI scheme ``limits`` knows this store by (``mailledger-sqlite:///path``)."""


def storage_uri(path: Path) -> str:
    """The storage URI of the counters kept in ``path`` (absolute)."""
    return f"{SCHEME}://{path.resolve()}"


class SqliteLimitStorage(Storage):
    """Fixed-window counters: one row per key, its count and when its window ends."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (the limits registry reads a list)

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool
    ) -> None:
        """``uri``: ``mailledger-sqlite:///absolute/path/to/file.sqlite``."""
        if uri is None or not uri.startswith(f"{SCHEME}://"):
            raise ValueError(f"expected a {SCHEME}:// URI, got {uri!r}")
        self.path = Path(uri[len(f"{SCHEME}://") :])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(
                "create table if not exists counters (key text primary key,"
                " count integer not null, window_end real not null)"
            )
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("pragma journal_mode=wal")
        return db

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """What this store raises when it fails."""
        return sqlite3.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to ``key``'s count, starting a window of ``expiry`` seconds
        when none is open; returns the count."""
        now = time.time()
        db = self._db()
        try:
            # one writer at a time across processes: read and write in one transaction
            db.execute("begin immediate")
            row = db.execute(
                "select count, window_end from counters where key = ?", (key,)
            ).fetchone()
            if row is None or row[1] <= now:
                count, window_end = amount, now + expiry
            else:
                count, window_end = row[0] + amount, row[1]
            db.execute("insert or replace into counters values (?, ?, ?)", (key, count, window_end))
            # windows long closed are of no use to anyone
            db.execute("delete from counters where window_end < ?", (now - 86_400,))
            db.execute("commit")
            return int(count)
        except BaseException:
            db.execute("rollback")
            raise
        finally:
            db.close()

    def _row(self, key: str) -> tuple[int, float] | None:
        db = self._db()
        try:
            row = db.execute(
                "select count, window_end from counters where key = ?", (key,)
            ).fetchone()
        finally:
            db.close()
        if row is None or row[1] <= time.time():
            return None
        return int(row[0]), float(row[1])

    def get(self, key: str) -> int:
        """``key``'s count in its open window (0 when none is open)."""
        row = self._row(key)
        return 0 if row is None else row[0]

    def get_expiry(self, key: str) -> float:
        """When ``key``'s open window ends (epoch seconds; now when none is open)."""
        row = self._row(key)
        return time.time() if row is None else row[1]

    def check(self) -> bool:
        """True when the counters can be read."""
        try:
            db = self._db()
            try:
                db.execute("select 1 from counters limit 1")
            finally:
                db.close()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; returns how many there were."""
        db = self._db()
        try:
            return int(db.execute("delete from counters").rowcount)
        finally:
            db.close()

    def clear(self, key: str) -> None:
        """Forget ``key``'s counter."""
        db = self._db()
        try:
            db.execute("delete from counters where key = ?", (key,))
        finally:
            db.close()
