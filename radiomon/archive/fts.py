"""Full-text search over segments (FTS5), ranked without scanning the world.

Ranking every match of a common word costs seconds on a station-year (2 s
for "de" over a million rows with ``ORDER BY rank``), while walking matches
newest first costs about a millisecond. So radiomon ranks a bounded window:
it takes the newest :data:`RANK_WINDOW` matches (after filters) and scores
them with BM25 (radiomon/search/ranking.py, document frequencies from the index's
vocabulary), best first, newest first on ties. A rare word or a proper noun
has fewer matches than the window, so its ranking is exact; for "de" the
result is the best of the most recent thousand, which is what someone
searching the archive of a radio station wants anyway.

Date filters are turned into rowid ranges first: segments of one recording
are inserted together, so the recordings overlapping the range bound the
segment ids, and FTS5 can seek straight to them. A recording stored long
after its time (an import of old audio, a backlog transcribed newest first)
has ids far from its neighbours', so the bounds are kept as a few separate
ranges rather than one that spans everything stored in between.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import timedelta

from radiomon.archive.db import ArchiveBase
from radiomon.archive.where import Where
from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.search.query import ParsedQuery
from radiomon.search.ranking import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, ScoringTerm, bm25_scores, highlight, tokens
from radiomon.search.through import as_heard

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


class SearchMixin(ArchiveBase):
    def search_segments(self, query: str | ParsedQuery, filters: Filters = Filters(), *, limit: int = 20,
                        through: Sequence[str] = ()) -> list[dict]:
        """Rows with segment, recording, ``rank`` and a highlighted snippet, best first,
        of ``filters``' stations and range, with a mention of one of its groups.

        ``query`` is a parsed user query, or an FTS5 expression as text.
        ``through``: keyword terms the query names; segments with a mention
        of one of them are found too, read as if Whisper had written the term
        (see radiomon/search/through.py), and carry ``via_mention`` and
        ``heard``.
        """
        parsed = query if isinstance(query, ParsedQuery) else ParsedQuery.from_fts(query)
        try:
            candidates = [(i, text, epoch, None) for i, text, epoch in self._candidates(parsed.fts, filters)]
            if through:
                found = {c[0] for c in candidates}
                candidates += [c for c in self._through_mentions(parsed.fts, filters, through) if c[0] not in found]
            if not candidates:
                return []
            ids, texts, epochs, via = zip(*candidates)
            scores = bm25_scores(texts, parsed.terms, self._document_counts(parsed.terms), self._document_total())
            # Best first (FTS5's rank is the negated score), newest first on ties.
            ranked = sorted(zip(scores, epochs, ids, via), key=lambda c: (-c[0], -c[1], -c[2]))[:limit]
            rows = self._hit_details([segment_id for _, _, segment_id, _ in ranked])
        except sqlite3.OperationalError as err:
            raise QueryError(f"cannot search for that ({err}); simplify the query or put it in quotes") from None
        for (score, _, _, via_mention), row in zip(ranked, rows):
            row["rank"] = -score
            marked = parsed.terms
            row["via_mention"], row["heard"] = via_mention or (None, None)
            if via_mention:  # highlighted where the term was heard
                marked = (*marked, *(ScoringTerm(word) for word in tokens(via_mention[1])))
            row["snippet"] = highlight(row["text"], marked, HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE)
        return rows

    def _through_mentions(self, fts: str, filters: Filters,
                          terms: Sequence[str]) -> list[tuple[int, str, int, tuple[str, str]]]:
        """(segment id, text as heard, epoch ms, (term, heard words)) of the newest RANK_WINDOW
        segments with a mention of ``terms`` (not rejected) that ``fts`` matches as heard."""
        where = Where().among("m.keyword", terms).add("(m.review IS NULL OR m.review != 'rejected')")
        where.among("m.group_id", filters.groups).reviewed("m.review", filters.review)
        where.between("s.epoch_ms", filters.since, filters.until, epoch_ms=True)
        join = "JOIN segments s ON s.id = m.segment_id"
        if filters.stations:
            join += " JOIN recordings r ON r.id = s.recording_id"
            where.among("r.station", filters.stations)
        rows = self.conn.execute(
            f"SELECT m.segment_id, s.text, s.epoch_ms, m.keyword, m.matched FROM mentions m {join}{where.sql()} "
            "ORDER BY m.segment_id DESC, m.offset", where.params).fetchall()
        heard: dict[int, list] = {}
        for segment_id, text, epoch_ms, term, matched in rows:
            if segment_id not in heard:
                if len(heard) == RANK_WINDOW:
                    break
                heard[segment_id] = [text, epoch_ms, (term, matched)]
            heard[segment_id][0] = as_heard(heard[segment_id][0], matched, term)
        if not heard:
            return []
        # The query's own semantics (phrases, OR, exclusions) on the texts as
        # heard: a scratch FTS5 table of this connection, with the index's tokenizer.
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.heard_fts USING fts5(text, "
                          "tokenize='unicode61 remove_diacritics 2')")
        self.conn.execute("DELETE FROM temp.heard_fts")
        self.conn.executemany("INSERT INTO temp.heard_fts (rowid, text) VALUES (?, ?)",
                              [(i, text) for i, (text, _, _) in heard.items()])
        matching = {r[0] for r in self.conn.execute("SELECT rowid FROM temp.heard_fts WHERE heard_fts MATCH ?",
                                                     (fts,))}
        return [(i, text, epoch_ms, via) for i, (text, epoch_ms, via) in heard.items() if i in matching]

    def _candidates(self, fts: str, filters: Filters) -> list[tuple[int, str, int]]:
        """(segment id, text, epoch ms) of the newest RANK_WINDOW matches that pass the filters."""
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

    def _hit_details(self, ids: list[int]) -> list[dict]:
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

    def _document_counts(self, terms: tuple[ScoringTerm, ...]) -> dict[ScoringTerm, int]:
        """Rows containing each term: exact for rare terms, estimated for common ones.

        Counting a term's rows exactly walks its whole doclist (fts5vocab does
        the same), 150 ms for "de" on a station-year. Instead, take the
        newest RANK_WINDOW rows with the term: if that is all of them, the
        count is exact; otherwise the term's density over the id span they
        cover estimates it, which is all IDF needs for a common word.
        """
        total = self._document_total()
        counts = {}
        for term in terms:
            match = '"' + term.token.replace('"', '""') + '"' + ("*" if term.prefix else "")
            found, oldest = self.conn.execute(
                "SELECT count(*), min(rowid) FROM (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT ?)",
                (match, RANK_WINDOW),
            ).fetchone()
            if found < RANK_WINDOW:
                counts[term] = found
            else:
                counts[term] = min(total, round(found * total / max(1, total - oldest + 1)))
        return counts

    def _document_total(self) -> int:
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
