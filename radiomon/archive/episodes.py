"""Health episodes: one stretch of one problem, from first seen to gone.

The health check (radiomon/alerts/health.py) opens an episode and writes the
event that announces it in one transaction, and closes it with the event of
its recovery the same way, so each end is announced once, however often the
check runs. At most one episode per key is open (a partial unique index).
"""

from __future__ import annotations

import sqlite3

from radiomon.archive.db import ArchiveBase


class EpisodesMixin(ArchiveBase):
    def open_episodes(self) -> list[dict]:
        """Episodes still open, oldest first."""
        return self.query("SELECT id, key, kind, started_utc, opened_utc, summary, start_event_id "
                          "FROM health_episodes WHERE ended_utc IS NULL ORDER BY id")

    def start_episode(self, conn: sqlite3.Connection, *, key: str, kind: str, started_utc: str, opened_utc: str,
                      summary: str, event_id: int | None) -> int:
        """Open an episode inside the caller's transaction."""
        return conn.execute(
            "INSERT INTO health_episodes (key, kind, started_utc, opened_utc, summary, start_event_id) "
            "VALUES (?, ?, ?, ?, ?, ?)", (key, kind, started_utc, opened_utc, summary, event_id)).lastrowid

    def end_episode(self, conn: sqlite3.Connection, episode_id: int, ended_utc: str, event_id: int | None) -> None:
        """Close an episode inside the caller's transaction."""
        conn.execute("UPDATE health_episodes SET ended_utc = ?, end_event_id = ? WHERE id = ?",
                     (ended_utc, event_id, episode_id))

    def episodes(self, limit: int = 50) -> list[dict]:
        """The latest episodes, newest first (open or closed)."""
        return self.query("SELECT id, key, kind, started_utc, opened_utc, ended_utc, summary FROM health_episodes "
                          "ORDER BY id DESC LIMIT ?", (limit,))
