"""Gaps: stretches where nothing was recorded, and why.

"Nothing was said" (a recording with no speech) and "nothing was recorded"
(a gap) must stay different things in every report.
"""

from __future__ import annotations

from datetime import datetime

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase

GAP_REASONS = ("network", "stall", "silence", "off-schedule", "disk", "error", "stopped")


class GapsMixin(ArchiveBase):
    def open_gap(self, station: str, start: datetime, reason: str) -> int:
        """Start an outage whose end is not known yet; close it with :meth:`close_gap`."""
        with self.write() as conn:
            return conn.execute(
                "INSERT INTO gaps (station, start_utc, end_utc, reason) VALUES (?, ?, NULL, ?)",
                (station, timeutil.to_iso(start), reason),
            ).lastrowid

    def close_gap(self, gap_id: int, end: datetime) -> None:
        with self.write() as conn:
            conn.execute("UPDATE gaps SET end_utc = ? WHERE id = ?", (timeutil.to_iso(end), gap_id))

    def add_gap(self, station: str, start: datetime, end: datetime, reason: str) -> int:
        with self.write() as conn:
            return conn.execute(
                "INSERT INTO gaps (station, start_utc, end_utc, reason) VALUES (?, ?, ?, ?)",
                (station, timeutil.to_iso(start), timeutil.to_iso(end), reason),
            ).lastrowid

    def gaps(self, station: str | None = None, since: datetime | None = None) -> list[dict]:
        sql, params = "SELECT id, station, start_utc, end_utc, reason FROM gaps WHERE 1=1", []
        if station:
            sql += " AND station = ?"
            params.append(station)
        if since:
            sql += " AND (end_utc IS NULL OR end_utc >= ?)"
            params.append(timeutil.to_iso(since))
        return self.query(sql + " ORDER BY start_utc", tuple(params))
