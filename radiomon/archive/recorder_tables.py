"""Tables the recorder writes besides recordings and gaps: the now-playing timeline.

Icecast/Shoutcast streams carry an ICY ``StreamTitle`` (artist – song, or the
programme's name). Its changes, with the instant they were heard, tell music
from talk, so transcription and reports can skip songs.
"""

from __future__ import annotations

from datetime import datetime

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase


class RecorderTablesMixin(ArchiveBase):
    def add_now_playing(self, station: str, at: datetime, title: str) -> int:
        """Record that ``station`` started announcing ``title`` at ``at``."""
        with self.write() as conn:
            return conn.execute(
                "INSERT INTO now_playing (station, at_utc, title) VALUES (?, ?, ?)",
                (station, timeutil.to_iso(at), title),
            ).lastrowid

    def now_playing(
        self, station: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> list[dict]:
        """The timeline of titles, oldest first: ``{id, station, at_utc, title}``."""
        sql, params = "SELECT id, station, at_utc, title FROM now_playing WHERE 1=1", []
        if station:
            sql += " AND station = ?"
            params.append(station)
        if since:
            sql += " AND at_utc >= ?"
            params.append(timeutil.to_iso(since))
        if until:
            sql += " AND at_utc < ?"
            params.append(timeutil.to_iso(until))
        return self.query(sql + " ORDER BY at_utc, id", tuple(params))
