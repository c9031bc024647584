"""The now-playing timeline: what the recorder heard each station announce.

Icecast/Shoutcast streams carry an ICY ``StreamTitle`` (artist – song, or the
programme's name). Its changes, with the instant they were heard, tell music
from talk, so transcription and reports can skip songs.
"""

from __future__ import annotations

from datetime import datetime

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase
from radiomon.archive.where import Where
from radiomon.filters import Filters


class NowPlayingMixin(ArchiveBase):
    def add_now_playing(self, station: str, at: datetime, title: str) -> int:
        """Record that ``station`` started announcing ``title`` at ``at``."""
        with self.write() as conn:
            return conn.execute(
                "INSERT INTO now_playing (station, at_utc, title) VALUES (?, ?, ?)",
                (station, timeutil.to_iso(at), title),
            ).lastrowid

    def now_playing(self, filters: Filters = Filters()) -> list[dict]:
        """The timeline of titles, oldest first: ``{id, station, at_utc, title}``."""
        where = Where.of(filters, at="at_utc", station="station")
        return self.query(f"SELECT id, station, at_utc, title FROM now_playing{where.sql()} ORDER BY at_utc, id",
                          tuple(where.params))
