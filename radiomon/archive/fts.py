"""Full-text search over segments (FTS5): the candidates a search ranks, without scanning the world.

Ranking every match of a common word costs seconds on a station-year (2 s
for "de" over a million rows with ``ORDER BY rank``), while walking matches
newest first costs about a millisecond. So the archive hands the search
layer a bounded window: the newest :data:`RANK_WINDOW` matches (after
filters), with the document counts BM25 needs; radiomon/search/ranked.py
scores them, best first, newest first on ties. A rare word or a proper noun
has fewer matches than the window, so its ranking is exact; for "de" the
result is the best of the most recent thousand, which is what someone
searching the archive of a radio station wants anyway.

Date filters are turned into rowid ranges first: segments of one recording
are inserted together, so the recordings overlapping the range bound the
segment ids, and FTS5 can seek straight to them. A recording stored long
after its time (an import of old audio, a backlog transcribed newest first)
has ids far from its neighbours', so the bounds are kept as a few separate
ranges rather than one that spans everything stored in between.

The press has an index of its own (``articles_fts``, the same tokenizer):
its SQL is in radiomon/archive/article_search.py, reached through
:meth:`SearchMixin.press_candidates` and :meth:`SearchMixin.press_document_counts`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

from radiomon.archive.article_search import ArticleSearchMixin
from radiomon.archive.where import Where
from radiomon.errors import QueryError
from radiomon.filters import Filters

RANK_WINDOW = 1000
# Id ranges of the recordings in a date range closer than this are searched
# as one (the ids between them fail the time filter cheaply); at most
# MAX_ID_RANGES queries are run for one search.
ID_RANGE_JOIN_GAP = 20_000
MAX_ID_RANGES = 8


def join_id_ranges(ranges: list[tuple[int, int]], *, gap: int = ID_RANGE_JOIN_GAP,
                   most: int = MAX_ID_RANGES) -> list[tuple[int, int]]:
    """Inclusive id ranges, overlapping or close ones joined, at most ``most``
    of them (the closest joined first), highest first."""
    joined: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if joined and lo - joined[-1][1] <= gap:
            joined[-1][1] = max(joined[-1][1], hi)
        else:
            joined.append([lo, hi])
    while len(joined) > most:
        i = min(range(len(joined) - 1), key=lambda k: joined[k + 1][0] - joined[k][1])
        joined[i][1] = max(joined[i][1], joined.pop(i + 1)[1])
    return [(lo, hi) for lo, hi in reversed(joined)]


class SearchMixin(ArticleSearchMixin):
    """The SQL of search. Every method takes an FTS5 expression (radiomon/search/query.py builds it) and
    answers a malformed one with :class:`QueryError`."""

    def mentioned_segments(self, filters: Filters, terms: Sequence[str]) -> list[tuple[int, str, int, str, str]]:
        """(segment id, text, epoch ms, keyword, words heard) of every mention of ``terms`` (not rejected)
        that passes the filters, newest segment first (a segment once per mention)."""
        where = Where().among("m.keyword", terms).add("(m.review IS NULL OR m.review != 'rejected')")
        where.among("m.group_id", filters.groups).reviewed("m.review", filters.review)
        where.between("s.epoch_ms", filters.since, filters.until, epoch_ms=True)
        join = "JOIN segments s ON s.id = m.segment_id"
        if filters.stations:
            join += " JOIN recordings r ON r.id = s.recording_id"
            where.among("r.station", filters.stations)
        return self.conn.execute(
            f"SELECT m.segment_id, s.text, s.epoch_ms, m.keyword, m.matched FROM mentions m {join}{where.sql()} "
            "ORDER BY m.segment_id DESC, m.offset", where.params).fetchall()

    def texts_matching(self, fts: str, texts: dict[int, str]) -> set[int]:
        """The keys of ``texts`` whose text ``fts`` matches, with the index's own tokenizer and query
        semantics (phrases, OR, exclusions): a scratch FTS5 table of this connection."""
        if not texts:
            return set()
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.heard_fts USING fts5(text, "
                          "tokenize='unicode61 remove_diacritics 2')")
        self.conn.execute("DELETE FROM temp.heard_fts")
        self.conn.executemany("INSERT INTO temp.heard_fts (rowid, text) VALUES (?, ?)", list(texts.items()))
        with _query_errors():
            return {r[0] for r in self.conn.execute("SELECT rowid FROM temp.heard_fts WHERE heard_fts MATCH ?",
                                                     (fts,))}

    def fts_candidates(self, fts: str, filters: Filters) -> list[tuple[int, str, int]]:
        """(segment id, text, epoch ms) of the newest RANK_WINDOW matches that pass the filters."""
        with _query_errors():
            return self._candidates(fts, filters)

    def _candidates(self, fts: str, filters: Filters) -> list[tuple[int, str, int]]:
        where = Where().add("segments_fts MATCH ?", fts)
        join = "JOIN segments s ON s.id = f.rowid"
        if filters.stations:
            join += " JOIN recordings r ON r.id = s.recording_id"
            where.among("r.station", filters.stations)
        where.between("s.epoch_ms", filters.since, filters.until, epoch_ms=True)
        if filters.groups or filters.review:
            # One mention must be of the groups and in the review state asked for.
            mention = Where().among("group_id", filters.groups).reviewed("review", filters.review)
            where.add(f"f.rowid IN (SELECT segment_id FROM mentions{mention.sql()})", *mention.params)
        sql = f"SELECT f.rowid, s.text, s.epoch_ms FROM segments_fts f {join}{where.sql()}"
        if not (filters.since or filters.until):
            return self.conn.execute(f"{sql} ORDER BY f.rowid DESC LIMIT ?", (*where.params, RANK_WINDOW)).fetchall()
        found: list[tuple[int, str, int]] = []
        for lo, hi in self._segment_id_ranges(filters):  # highest first: still the newest matches first
            found += self.conn.execute(f"{sql} AND f.rowid BETWEEN ? AND ? ORDER BY f.rowid DESC LIMIT ?",
                                       (*where.params, lo, hi, RANK_WINDOW - len(found))).fetchall()
            if len(found) >= RANK_WINDOW:
                break
        return found

    def press_candidates(self, fts: str, filters: Filters) -> list[tuple[int, str, str, int]]:
        """(article id, title, text, published epoch ms) of the newest RANK_WINDOW articles that match."""
        with _query_errors():
            return self.article_candidates(fts, filters, RANK_WINDOW)

    def press_document_counts(self, matches: Sequence[str]) -> dict[str, int]:
        """Articles containing each of ``matches``, as :meth:`document_counts` counts segments."""
        with _query_errors():
            return self.article_document_counts(matches, RANK_WINDOW)

    def hit_details(self, ids: list[int]) -> list[dict]:
        """The rows to show, in the order of ``ids``."""
        rows = self.query(
            f"""
            SELECT s.id AS segment_id, s.recording_id, r.station, s.start AS offset,
                   s."end" - s.start AS length, s.start_utc AS start, s.end_utc AS "end",
                   s.text, r.path AS audio
            FROM segments s JOIN recordings r ON r.id = s.recording_id
            WHERE s.id IN ({', '.join('?' * len(ids))})
            """,
            tuple(ids),
        )
        by_id = {row["segment_id"]: row for row in rows}
        return [by_id[i] for i in ids]

    def document_counts(self, matches: Sequence[str]) -> dict[str, int]:
        """Rows containing each of ``matches`` (one FTS5 term each, e.g. ``"mercado"`` or ``"moro"*``):
        exact for rare terms, estimated for common ones.

        Counting a term's rows exactly walks its whole doclist (fts5vocab does
        the same), 150 ms for "de" on a station-year. Instead, take the
        newest RANK_WINDOW rows with the term: if that is all of them, the
        count is exact; otherwise the term's density over the id span they
        cover estimates it, which is all IDF needs for a common word.
        """
        total = self.document_total()
        counts = {}
        for match in matches:
            with _query_errors():
                found, oldest = self.conn.execute(
                    "SELECT count(*), min(rowid) FROM (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? "
                    "ORDER BY rowid DESC LIMIT ?)",
                    (match, RANK_WINDOW),
                ).fetchone()
            if found < RANK_WINDOW:
                counts[match] = found
            else:
                counts[match] = min(total, round(found * total / max(1, total - oldest + 1)))
        return counts

    def document_total(self) -> int:
        # max(id), not count(*): O(1) instead of a scan of millions of rows;
        # ids are dense unless recordings were re-transcribed, close enough for IDF.
        (total,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM segments").fetchone()
        return total

    def _segment_id_ranges(self, filters: Filters) -> list[tuple[int, int]]:
        """The segment id ranges of the recordings overlapping the range, highest first."""
        since = filters.since
        if since:
            # A recording that began before `since` can still overlap it; the
            # longest recording in the archive bounds how far back to look
            # (by its last segment where the duration was never measured).
            longest = self.conn.execute(
                "SELECT coalesce(max(coalesce(duration, "
                '(SELECT max("end") FROM segments WHERE recording_id = r.id))), 0) FROM recordings r'
            ).fetchone()[0]
            since = since - timedelta(seconds=longest + 1)
        where = Where().between("r.start_utc", since, filters.until).among("r.station", filters.stations)
        rows = self.conn.execute(
            "SELECT (SELECT min(id) FROM segments WHERE recording_id = r.id), "
            "(SELECT max(id) FROM segments WHERE recording_id = r.id) "
            f"FROM recordings r{where.sql()}",
            where.params,
        ).fetchall()
        return join_id_ranges([(lo, hi) for lo, hi in rows if lo is not None], gap=ID_RANGE_JOIN_GAP,
                              most=MAX_ID_RANGES)


@contextmanager
def _query_errors() -> Iterator[None]:
    """SQLite's word for a query FTS5 cannot run, as the one line a person can act on."""
    try:
        yield
    except sqlite3.OperationalError as err:
        raise QueryError(f"cannot search for that ({err}); simplify the query or put it in quotes") from None
