"""Readers for the documents the office hands on: clips, the digest, the weekly report.

A clip needs the recordings of one station that cover a stretch of time
(consecutive files are chained) and the gaps inside it; the digest and the
weekly report need what each station announced when a mention was heard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase
from radiomon.archive.recordings import _COLUMNS as _RECORDING_COLUMNS
from radiomon.archive.recordings import Recording
from radiomon.archive.where import Where

TONES = ("positiva", "negativa", "neutral")


@dataclass(frozen=True)
class ToneCount:
    """How many mentions of one group and term, on one station or outlet, staff gave one tone."""

    group_id: str
    keyword: str
    station: str | None  # radio
    outlet: str | None  # press: the article's outlet id
    tone: str  # positiva / negativa / neutral (a mention nobody gave a tone is neutral)
    count: int


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

    def tone_counts(self, since: datetime, until: datetime) -> list[ToneCount]:
        """Mentions heard or published in ``[since, until)`` by group, term, station or outlet and tone;
        rejected ones (false positives) never count."""
        where = Where().between("m.at_utc", since, until).add("(m.review IS NULL OR m.review != 'rejected')")
        rows = self.conn.execute(
            "SELECT m.group_id, m.keyword, m.station, a.outlet, coalesce(m.tone, 'neutral') AS tone, count(*) "
            f"FROM mentions m LEFT JOIN articles a ON a.id = m.article_id{where.sql()} "
            "GROUP BY m.group_id, m.keyword, m.station, a.outlet, tone ORDER BY 1, 2, 3, 4, 5",
            tuple(where.params))
        return [ToneCount(*row) for row in rows]

    def articles_published(self, since: datetime, until: datetime) -> tuple[int, int]:
        """(articles, outlets) of the press notes published in ``[since, until)``: what the press side holds."""
        row = self.conn.execute(
            "SELECT count(*), count(DISTINCT outlet) FROM articles WHERE published_utc >= ? AND published_utc < ?",
            (timeutil.to_iso(since), timeutil.to_iso(until))).fetchone()
        return int(row[0]), int(row[1])
