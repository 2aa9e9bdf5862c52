"""Server-side sign-in sessions: the cookie carries a random id, the server decides.

Flask's own session cookie is signed but lives in the browser, so signing out could
not end a copied cookie. Here each sign-in gets a new random id (so an id planted
before sign-in is worthless: no session fixation), kept in a small SQLite table under
``state_dir`` with the time it started and was last used; an id is refused after
``idle`` without use or ``lifetime`` after sign-in, and deleted on sign-out.

A session's saved searches live beside it, on the server: their filters may hold an
account number or words of a message, which must not travel in a cookie (Flask's is
signed, not encrypted) nor grow it past what browsers keep. They go with the session.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

SESSIONS_FILE = "web-sessions.sqlite"


@dataclass(frozen=True)
class WebSession:
    """One signed-in session."""

    sid: str
    user: str
    started: datetime
    last_seen: datetime


class SessionStore:
    """Sessions in SQLite, shared by every worker process of the app."""

    def __init__(self, path: Path, idle: timedelta, lifetime: timedelta) -> None:
        """``idle``: longest time between requests; ``lifetime``: longest session."""
        self.path = path
        self.idle = idle
        self.lifetime = lifetime
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(
                "create table if not exists sessions (sid text primary key, user text not null,"
                " started text not null, last_seen text not null)"
            )
            # The rowid orders a session's searches, oldest first.
            db.execute(
                "create table if not exists searches (sid text not null, search_id text not null,"
                " filters text not null, primary key (sid, search_id))"
            )

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("pragma journal_mode=wal")
        return db

    def start(self, user: str, now: datetime) -> str:
        """A new session for ``user``; returns its id (256 random bits)."""
        sid = secrets.token_urlsafe(32)
        with self._db() as db:
            db.execute(
                "insert into sessions values (?, ?, ?, ?)",
                (sid, user, now.isoformat(), now.isoformat()),
            )
        return sid

    def touch(self, sid: str, now: datetime) -> tuple[WebSession | None, WebSession | None]:
        """``(live, expired)``: the session if still valid (its use recorded), else the
        session that just expired (deleted now), else neither (unknown id)."""
        with self._db() as db:
            row = db.execute(
                "select sid, user, started, last_seen from sessions where sid = ?", (sid,)
            ).fetchone()
            if row is None:
                return None, None
            found = WebSession(
                row[0], row[1], datetime.fromisoformat(row[2]), datetime.fromisoformat(row[3])
            )
            if now - found.last_seen > self.idle or now - found.started > self.lifetime:
                db.execute("delete from searches where sid = ?", (sid,))
                db.execute("delete from sessions where sid = ?", (sid,))
                return None, found
            db.execute("update sessions set last_seen = ? where sid = ?", (now.isoformat(), sid))
            return found, None

    def end(self, sid: str) -> None:
        """Forget the session (sign-out)."""
        with self._db() as db:
            db.execute("delete from searches where sid = ?", (sid,))
            db.execute("delete from sessions where sid = ?", (sid,))

    def end_user(self, user: str) -> None:
        """End every session of ``user`` (their roles changed)."""
        with self._db() as db:
            db.execute(
                "delete from searches where sid in (select sid from sessions where user = ?)",
                (user,),
            )
            db.execute("delete from sessions where user = ?", (user,))

    def save_search(self, sid: str, filters: Mapping[str, str | None], keep: int) -> str:
        """Keep a search's ``filters`` for session ``sid``; returns its new random id.
        Only the newest ``keep`` searches of a session stay."""
        search_id = secrets.token_urlsafe(9)
        with self._db() as db:
            db.execute(
                "insert into searches values (?, ?, ?)",
                (sid, search_id, json.dumps(dict(filters), sort_keys=True)),
            )
            db.execute(
                "delete from searches where sid = ? and rowid not in (select rowid from"
                " searches where sid = ? order by rowid desc limit ?)",
                (sid, sid, keep),
            )
        return search_id

    def saved_search(self, sid: str, search_id: str) -> dict[str, str | None] | None:
        """The filters of search ``search_id`` of session ``sid``, or None."""
        with self._db() as db:
            row = db.execute(
                "select filters from searches where sid = ? and search_id = ?", (sid, search_id)
            ).fetchone()
        return None if row is None else _filters(row[0])

    def saved_searches(self, sid: str) -> dict[str, dict[str, str | None]]:
        """Every kept search of session ``sid``, oldest first, by id."""
        with self._db() as db:
            rows = db.execute(
                "select search_id, filters from searches where sid = ? order by rowid", (sid,)
            ).fetchall()
        return {search_id: _filters(filters) for search_id, filters in rows}


def _filters(text: str) -> dict[str, str | None]:
    loaded = json.loads(text)
    return {str(k): None if v is None else str(v) for k, v in loaded.items()}
