"""Full-text search over the press (``articles_fts``): the same bounded window as the segments'.

As for radio (radiomon/archive/fts.py), the search layer gets the newest
:data:`~radiomon.archive.fts.RANK_WINDOW` articles a query matches, after
filters, and the document counts BM25 needs, from this index alone: an
article is a document of its own kind (a headline and hundreds of words, an
utterance a dozen), so its term's rarity is judged among articles.

"Newest" is the highest rowid: the collector stores articles as it finds
them, newest notes last, so walking the index backwards is walking the
press backwards without sorting every match of a common word by its
published time. The range filters are on ``published_utc``.
"""

from __future__ import annotations

from collections.abc import Sequence

from radiomon.archive.db import ArchiveBase
from radiomon.archive.where import Where
from radiomon.filters import Filters

# published_utc as epoch milliseconds, to rank ties and merge with the segments' epoch_ms.
_EPOCH_MS = "CAST(round((julianday(a.published_utc) - 2440587.5) * 86400000) AS INTEGER)"


class ArticleSearchMixin(ArchiveBase):
    """The SQL of searching the press. Each method takes an FTS5 expression (radiomon/search/query.py)."""

    def article_candidates(self, fts: str, filters: Filters, window: int) -> list[tuple[int, str, str, int]]:
        """(article id, title, text, published epoch ms) of the newest ``window`` articles the query
        matches in their title or text that pass ``filters``' outlets, range, groups and review."""
        where = Where().add("articles_fts MATCH ?", fts).among("a.outlet", filters.outlets)
        where.between("a.published_utc", filters.since, filters.until)
        if filters.groups or filters.review:
            # One mention must be of the groups and in the review state asked for.
            mention = Where().add("article_id IS NOT NULL").among("group_id", filters.groups)
            mention.reviewed("review", filters.review)
            where.add(f"f.rowid IN (SELECT article_id FROM mentions{mention.sql()})", *mention.params)
        return self.conn.execute(
            f"SELECT f.rowid, a.title, a.text, {_EPOCH_MS} FROM articles_fts f JOIN articles a ON a.id = f.rowid"
            f"{where.sql()} ORDER BY f.rowid DESC LIMIT ?", (*where.params, window)).fetchall()

    def article_document_counts(self, matches: Sequence[str], window: int) -> dict[str, int]:
        """Articles containing each of ``matches`` (one FTS5 term each): exact up to ``window``,
        estimated beyond from the term's density over the newest ``window`` (as for segments)."""
        total = self.article_total()
        counts = {}
        for match in matches:
            found, oldest = self.conn.execute(
                "SELECT count(*), min(rowid) FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT ?)", (match, window)).fetchone()
            counts[match] = found if found < window else min(total, round(found * total / max(1, total - oldest + 1)))
        return counts

    def article_total(self) -> int:
        # max(id) rather than count(*), as for segments: O(1), and close enough for IDF.
        (total,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
        return total

    def article_hit_details(self, ids: Sequence[int]) -> list[dict]:
        """The rows to show, in the order of ``ids``: the article and its outlet's name."""
        if not ids:
            return []
        rows = self.query(
            f"""
            SELECT a.id AS article_id, a.outlet, coalesce(o.name, a.outlet) AS outlet_name, a.url, a.title,
                   a.published_utc AS published, a.story, a.text
            FROM articles a LEFT JOIN outlets o ON o.id = a.outlet
            WHERE a.id IN ({', '.join('?' * len(ids))})
            """,
            tuple(ids),
        )
        by_id = {row["article_id"]: row for row in rows}
        return [by_id[i] for i in ids if i in by_id]


__all__ = ["ArticleSearchMixin"]
