"""Readers for the documents the office hands on: clips, the digest, the weekly report.

A clip needs the recordings of one station that cover a stretch of time
(consecutive files are chained) and the gaps inside it; the digest and the
weekly report need what each station announced when a mention was heard.
"""

from __future__ import annotations

from datetime import datetime

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase
from radiomon.archive.recordings import _COLUMNS as _RECORDING_COLUMNS
from radiomon.archive.recordings import Recording
from radiomon.archive.where import Where


class ReportsMixin(ArchiveBase):
    def recordings_covering(self, station: str, since: datetime, until: datetime) -> list[Recording]:
        """The station's recordings that overlap ``[since, until)``, oldest first
        (a recording whose end is not known yet overlaps everything after its start)."""
        where = Where().add("station = ?", station).overlapping("start_utc", "end_utc", since, until)
        sql = f"SELECT {_RECORDING_COLUMNS} FROM recordings{where.sql()} ORDER BY start_utc, id"
        return [Recording(**row) for row in self.query(sql, tuple(where.params))]

    def title_at(self, station: str, at: datetime | str) -> str | None:
        """What the station was announcing (ICY title, programme) at that instant, if anything."""
        at_iso = at if isinstance(at, str) else timeutil.to_iso(at)
        row = self.conn.execute(
            "SELECT title FROM now_playing WHERE station = ? AND at_utc <= ? ORDER BY at_utc DESC, id DESC LIMIT 1",
            (station, at_iso),
        ).fetchone()
        return row[0] if row and row[0] else None

    def station_names(self) -> dict[str, str]:
        """Each station's display name, configured or not (one removed from radiomon.yml keeps its name)."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, name FROM stations")}
