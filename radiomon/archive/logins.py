"""The web UI's sign-in state: sessions and failed password checks.

Both live in the archive, not in a web worker's memory, so every worker of
``radiomon serve --workers N`` (and a restart) sees the same: a logout or a
``radiomon users remove`` ends a session everywhere, and a guesser cannot
spread tries over the workers. The rules (how many free tries, how long to
wait, how long a session lasts) are :mod:`radiomon.web.throttle`'s and
:mod:`radiomon.web.accounts`'; here are only the atomic reads and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase

# A key whose last check is older than this starts again from zero.
FORGET_FAILURES_AFTER = timedelta(hours=1)
# A session's last-seen time is written at most this often: a page load is a
# read, not a write transaction competing with the recorder and transcriber.
SEEN_RESOLUTION = timedelta(minutes=1)


class LoginsMixin(ArchiveBase):
    # -- failed password checks --------------------------------------------------------------
    def reserve_login_check(self, free_tries: dict[str, int], now: datetime,
                            wait_after: Callable[[int, int], float]) -> float:
        """May a password be checked now for every key of ``free_tries`` (key → tries before waiting)?

        Decided and recorded in one write transaction: either some key must
        still wait (its seconds are returned, nothing is recorded) or the
        check is counted as a failure for every key in advance and 0.0 is
        returned; :meth:`login_check_succeeded` takes it back. So parallel
        requests, in one worker or many, never check more than the free tries.
        ``wait_after(failures, free)`` is the wait after that many failures.
        """
        now_iso = timeutil.to_iso(now)
        keys = list(free_tries)
        marks = ", ".join("?" * len(keys))
        with self.write() as conn:
            conn.execute("DELETE FROM login_failures WHERE last_utc < ?",
                         (timeutil.to_iso(now - FORGET_FAILURES_AFTER),))
            rows = {key: (failures, until) for key, failures, until in conn.execute(
                f"SELECT key, failures, wait_until_utc FROM login_failures WHERE key IN ({marks})", keys)}
            waits = [(timeutil.parse_iso(until) - now).total_seconds() for _, until in rows.values() if until > now_iso]
            if waits:
                return max(waits)
            for key, free in free_tries.items():
                failures = rows.get(key, (0, ""))[0] + 1
                until = now + timedelta(seconds=wait_after(failures, free))
                conn.execute(
                    "INSERT INTO login_failures (key, failures, wait_until_utc, last_utc) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
                    "wait_until_utc = excluded.wait_until_utc, last_utc = excluded.last_utc",
                    (key, failures, timeutil.to_iso(until), now_iso))
        return 0.0

    def login_check_succeeded(self, forget: list[str], take_back: dict[str, int], now: datetime) -> None:
        """The password was right: the ``forget`` keys start from zero (the account), and the
        check counted in advance is taken back from the ``take_back`` keys (key → free tries),
        whose wait ends when they are back under their free tries (the address)."""
        now_iso = timeutil.to_iso(now)
        with self.write() as conn:
            for key in forget:
                conn.execute("DELETE FROM login_failures WHERE key = ?", (key,))
            for key, free in take_back.items():
                conn.execute(
                    "UPDATE login_failures SET failures = max(failures - 1, 0), "
                    "wait_until_utc = CASE WHEN failures - 1 < ? THEN ? ELSE wait_until_utc END WHERE key = ?",
                    (free, now_iso, key))

    def forget_login_failures(self, key: str) -> None:
        with self.write() as conn:
            conn.execute("DELETE FROM login_failures WHERE key = ?", (key,))

    # -- sessions ----------------------------------------------------------------------------
    def add_web_session(self, user_id: int, id_sha256: str, now: datetime, address: str | None, *,
                        idle: timedelta, lifetime: timedelta) -> None:
        """A new session; the sessions expired meanwhile (browsers that never came back) go."""
        now_iso = timeutil.to_iso(now)
        with self.write() as conn:
            conn.execute("DELETE FROM web_sessions WHERE seen_utc < ? OR created_utc < ?",
                         (timeutil.to_iso(now - idle), timeutil.to_iso(now - lifetime)))
            conn.execute("INSERT INTO web_sessions (id_sha256, user_id, created_utc, seen_utc, address) "
                         "VALUES (?, ?, ?, ?, ?)", (id_sha256, user_id, now_iso, now_iso, address))

    def web_session_user(self, id_sha256: str, now: datetime, idle: timedelta, lifetime: timedelta) -> str | None:
        """The user name of a live session (its last-seen time refreshed), or None: unknown,
        ended, or expired (then deleted)."""
        rows = self.conn.execute(
            "SELECT s.id, s.created_utc, s.seen_utc, u.name FROM web_sessions AS s "
            "JOIN users AS u ON u.id = s.user_id WHERE s.id_sha256 = ?", (id_sha256,)).fetchall()
        if not rows:
            return None
        session_id, created, seen, name = rows[0]
        created_at, seen_at = timeutil.parse_iso(created), timeutil.parse_iso(seen)
        if now - seen_at > idle or now - created_at > lifetime:
            self.end_web_session(id_sha256)
            return None
        if now - seen_at >= SEEN_RESOLUTION:
            with self.write() as conn:
                conn.execute("UPDATE web_sessions SET seen_utc = ? WHERE id = ?", (timeutil.to_iso(now), session_id))
        return name

    def end_web_session(self, id_sha256: str) -> None:
        with self.write() as conn:
            conn.execute("DELETE FROM web_sessions WHERE id_sha256 = ?", (id_sha256,))

    def end_web_sessions(self, user_id: int | None = None) -> int:
        """Sign out every browser of one user (or of everyone); returns how many sessions ended."""
        with self.write() as conn:
            if user_id is None:
                return conn.execute("DELETE FROM web_sessions").rowcount
            return conn.execute("DELETE FROM web_sessions WHERE user_id = ?", (user_id,)).rowcount
