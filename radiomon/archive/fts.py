"""Full-text search over segments (FTS5), ranked without scanning the world.

Ranking every match of a common word costs seconds on a station-year (see
shared/README: 2 s for "de" over a million rows), while walking matches
newest first costs about a millisecond. So radiomon ranks a bounded window:
it takes the newest :data:`RANK_WINDOW` matches (after filters), scores them
with bm25, and returns the best first, newest first on ties. A rare word or
a proper noun has fewer matches than the window, so its ranking is exact;
for "de" the result is the best of the most recent thousand, which is what
someone searching the archive of a radio station wants anyway.

Date filters are turned into a rowid range first: segments of one recording
are inserted together, so the recordings overlapping the range bound the
segment ids, and FTS5 can seek straight to them.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase
from radiomon.errors import QueryError

RANK_WINDOW = 1000

HIGHLIGHT_OPEN = "\x02"
HIGHLIGHT_CLOSE = "\x03"


class SearchMixin(ArchiveBase):
    def search_segments(
        self,
        fts_query: str,
        *,
        stations: tuple[str, ...] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        group: str | None = None,
        limit: int = 20,
    ) -> list[dict]:
        """Rows with segment, recording and a highlighted snippet, best first."""
        where = ["segments_fts MATCH :q"]
        params: dict = {"q": fts_query, "window": RANK_WINDOW, "limit": limit}
        join = ""
        if stations or since or until or group:
            join = "JOIN segments s ON s.id = f.rowid JOIN recordings r ON r.id = s.recording_id"
        if stations:
            names = [f":st{i}" for i in range(len(stations))]
            where.append(f"r.station IN ({', '.join(names)})")
            params.update({n[1:]: v for n, v in zip(names, stations)})
        if since:
            where.append("s.epoch_ms >= :since")
            params["since"] = round(since.timestamp() * 1000)
        if until:
            where.append("s.epoch_ms < :until")
            params["until"] = round(until.timestamp() * 1000)
        if since or until:
            bounds = self._segment_id_bounds(stations, since, until)
            if bounds is None:
                return []
            where.append("f.rowid BETWEEN :lo AND :hi")
            params["lo"], params["hi"] = bounds
        if group:
            where.append("f.rowid IN (SELECT segment_id FROM mentions WHERE group_id = :group)")
            params["group"] = group
        sql = f"""
            WITH candidates AS (
                SELECT f.rowid AS id, bm25(segments_fts) AS rank
                FROM segments_fts f {join}
                WHERE {' AND '.join(where)}
                ORDER BY f.rowid DESC
                LIMIT :window
            )
            SELECT c.id AS segment_id, c.rank, s.recording_id, r.station, s.start AS offset,
                   s."end" - s.start AS length, s.start_utc AS start, s.end_utc AS "end",
                   s.text, r.path AS audio
            FROM candidates c
            JOIN segments s ON s.id = c.id
            JOIN recordings r ON r.id = s.recording_id
            ORDER BY c.rank, s.epoch_ms DESC, c.id DESC
            LIMIT :limit
        """
        try:
            rows = self.query(sql, params)
            snippets = self._snippets(fts_query, [row["segment_id"] for row in rows])
        except sqlite3.OperationalError as err:
            raise QueryError(f"cannot search for that ({err}); simplify the query or put it in quotes") from None
        for row in rows:
            row["snippet"] = snippets.get(row["segment_id"], row["text"])
        return rows

    def _snippets(self, fts_query: str, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        found = self.conn.execute(
            f"SELECT rowid, snippet(segments_fts, 0, ?, ?, '…', 24) FROM segments_fts "
            f"WHERE segments_fts MATCH ? AND rowid IN ({marks})",
            (HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE, fts_query, *ids),
        )
        return dict(found.fetchall())

    def _segment_id_bounds(
        self, stations: tuple[str, ...], since: datetime | None, until: datetime | None
    ) -> tuple[int, int] | None:
        """The lowest and highest segment id of recordings overlapping the range."""
        where, params = ["1=1"], []
        if since:
            # A recording that began before `since` can still overlap it; the
            # longest recording in the archive bounds how far back to look
            # (by its last segment where the duration was never measured).
            longest = self.conn.execute(
                "SELECT coalesce(max(coalesce(duration, "
                '(SELECT max("end") FROM segments WHERE recording_id = r.id))), 0) FROM recordings r'
            ).fetchone()[0]
            where.append("r.start_utc >= ?")
            params.append(timeutil.to_iso(since - timedelta(seconds=longest + 1)))
        if until:
            where.append("r.start_utc < ?")
            params.append(timeutil.to_iso(until))
        if stations:
            where.append(f"r.station IN ({', '.join('?' * len(stations))})")
            params.extend(stations)
        lo, hi = self.conn.execute(
            "SELECT min((SELECT min(id) FROM segments WHERE recording_id = r.id)), "
            "max((SELECT max(id) FROM segments WHERE recording_id = r.id)) "
            f"FROM recordings r WHERE {' AND '.join(where)}",
            params,
        ).fetchone()
        return None if lo is None else (lo, hi)
