"""Gaps: stretches where nothing was recorded, and why.

"Nothing was said" (a recording with no speech) and "nothing was recorded"
(a gap) must stay different things in every report.
"""

from __future__ import annotations

from datetime import datetime

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase
from radiomon.archive.where import Where
from radiomon.filters import Filters

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

    def gaps(self, filters: Filters = Filters()) -> list[dict]:
        """Outages of ``filters``' stations that overlap its range (one still
        open overlaps everything after its start), oldest first."""
        where = Where.of(filters, station="station").overlapping("start_utc", "end_utc", filters.since, filters.until)
        return self.query(f"SELECT id, station, start_utc, end_utc, reason FROM gaps{where.sql()} ORDER BY start_utc",
                          tuple(where.params))

    def open_gaps(self, station: str) -> list[dict]:
        """The station's outages with no end yet, oldest first (a recorder that
        died leaves its last one open)."""
        return self.query("SELECT id, reason, start_utc FROM gaps WHERE station = ? AND end_utc IS NULL "
                          "ORDER BY start_utc, id", (station,))
