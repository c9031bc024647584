"""The press: outlets, their feeds' state, articles and their mentions.

An article is stored once under every key it is known by (its URL's and its
canonical link's, :func:`~radiomon.pipeline.press.urls.url_key`: a second
pass, or a second feed listing it, stores nothing), with
its story chosen by the caller from :meth:`ArticlesMixin.recent_signatures`
(radiomon/pipeline/press/stories.py decides). An article's mentions are
replaced as a whole like a recording's: still-found mentions keep their id
and review.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from radiomon.archive.db import ArchiveBase, now_iso
from radiomon.archive.mentions import MentionChanges, MentionRow


@dataclass(frozen=True)
class ArticleRow:
    """One row of ``articles`` (``id`` and ``story`` None before it is stored)."""

    outlet: str
    url: str  # normalized
    title: str
    published_utc: str
    fetched_utc: str
    text: str
    content_sha256: str
    canonical_url: str | None = None
    author: str | None = None
    section: str | None = None
    signature: str | None = None
    story: int | None = None
    id: int | None = None
    matched_utc: str | None = None


@dataclass(frozen=True)
class FeedState:
    """A feed's conditional-GET state and how its last pass went (``press_feeds``)."""

    url: str
    outlet: str
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    checked_utc: str | None = None
    ok_utc: str | None = None
    new_utc: str | None = None
    error: str | None = None
    failures: int = 0
    retry_utc: str | None = None


_ARTICLE_COLUMNS = ("outlet, url, title, published_utc, fetched_utc, text, content_sha256, canonical_url, author, "
                    "section, signature, story, id, matched_utc")
_FEED_COLUMNS = ("url, outlet, etag, last_modified, body_sha256, checked_utc, ok_utc, new_utc, error, failures, "
                 "retry_utc")


class ArticlesMixin(ArchiveBase):
    # -- outlets and feeds -----------------------------------------------------
    def sync_outlets(self, outlets: Iterable) -> None:
        """Upsert the configured outlets (``id``, ``name``, ``scope``); removed ones keep their rows."""
        with self.write() as conn:
            conn.executemany(
                "INSERT INTO outlets (id, name, scope) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, scope = excluded.scope",
                [(o.id, o.name or o.id, getattr(o, "scope", None)) for o in outlets],
            )

    def outlet_names(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, name FROM outlets")}

    def feed_state(self, url: str, outlet: str) -> FeedState:
        """The stored state of a feed, or a fresh one for a feed never asked for."""
        row = self.conn.execute(f"SELECT {_FEED_COLUMNS} FROM press_feeds WHERE url = ?", (url,)).fetchone()
        return FeedState(url, outlet) if row is None else FeedState(*row)

    def save_feed_state(self, state: FeedState) -> None:
        with self.write() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO press_feeds ({_FEED_COLUMNS}) VALUES ({', '.join('?' * 11)})",
                (state.url, state.outlet, state.etag, state.last_modified, state.body_sha256, state.checked_utc,
                 state.ok_utc, state.new_utc, state.error, state.failures, state.retry_utc),
            )

    def feed_states(self) -> list[FeedState]:
        return [FeedState(*r) for r in self.conn.execute(f"SELECT {_FEED_COLUMNS} FROM press_feeds ORDER BY url")]

    def outlet_activity(self, outlets: Sequence[str]) -> dict[str, dict]:
        """Per outlet id: ``last_fetch`` (its newest successful feed read), ``last_checked`` (its newest
        pass), ``last_new`` (the newest pass that stored an article of it) and ``errors``: ``(feed url,
        error)`` of the feeds its newest pass could not read. From ``press_feeds`` alone (a few rows
        per outlet): the health check runs every few seconds."""
        found = {}
        for outlet in outlets:
            ok, checked, new = self.conn.execute(
                "SELECT max(ok_utc), max(checked_utc), max(new_utc) FROM press_feeds WHERE outlet = ?",
                (outlet,)).fetchone()
            # A feed not asked in the outlet's newest pass (a sitemap index's child no longer listed)
            # keeps its old error: only the newest pass's errors are the outlet's.
            errors = self.conn.execute(
                "SELECT url, error FROM press_feeds WHERE outlet = ? AND error IS NOT NULL AND checked_utc = ? "
                "ORDER BY url", (outlet, checked)).fetchall() if checked else []
            found[outlet] = {"last_fetch": ok, "last_checked": checked, "last_new": new,
                             "errors": [tuple(e) for e in errors]}
        return found

    # -- articles ----------------------------------------------------------------
    def known_keys(self, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` (:func:`~radiomon.pipeline.press.urls.url_key`) an article is stored under."""
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = list(keys[start:start + 500])
            found |= {r[0] for r in self.conn.execute(
                f"SELECT key FROM article_keys WHERE key IN ({', '.join('?' * len(chunk))})", chunk)}
        return found

    def add_article(self, article: ArticleRow, keys: Sequence[str]) -> int | None:
        """Store a new article under ``keys`` (its URL's key first, then its canonical link's, …); its id,
        or None when any of them is taken already (another feed, another pass, the page's canonical
        URL). Without a ``story`` it starts its own (the story is the id of its first article)."""
        with self.write() as conn:
            placeholders = ", ".join("?" * len(keys))
            if conn.execute(f"SELECT 1 FROM article_keys WHERE key IN ({placeholders})", tuple(keys)).fetchone():
                return None
            cursor = conn.execute(
                f"INSERT INTO articles ({_ARTICLE_COLUMNS.replace(', id, matched_utc', '')}) "
                f"VALUES ({', '.join('?' * 12)}) ON CONFLICT(url) DO NOTHING",
                (article.outlet, article.url, article.title, article.published_utc, article.fetched_utc,
                 article.text, article.content_sha256, article.canonical_url, article.author, article.section,
                 article.signature, article.story),
            )
            if cursor.rowcount == 0:
                return None
            article_id = cursor.lastrowid
            conn.executemany("INSERT OR IGNORE INTO article_keys (key, article_id) VALUES (?, ?)",
                             [(key, article_id) for key in dict.fromkeys(keys)])
            if article.story is None:
                conn.execute("UPDATE articles SET story = id WHERE id = ?", (article_id,))
            return article_id

    def add_article_keys(self, article_id: int, keys: Sequence[str]) -> None:
        """More keys the article is known under (a page whose canonical link names it)."""
        with self.write() as conn:
            conn.executemany("INSERT OR IGNORE INTO article_keys (key, article_id) VALUES (?, ?)",
                             [(key, article_id) for key in keys])

    def article_for_key(self, key: str) -> int | None:
        row = self.conn.execute("SELECT article_id FROM article_keys WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def article(self, article_id: int) -> ArticleRow | None:
        row = self.conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else ArticleRow(*row)

    def articles_by_id(self, article_ids: Sequence[int]) -> dict[int, ArticleRow]:
        if not article_ids:
            return {}
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN ({', '.join('?' * len(article_ids))})",
            tuple(article_ids))
        return {row.id: row for row in (ArticleRow(*r) for r in rows)}

    def story_articles(self, story: int) -> list[ArticleRow]:
        """Every article of one story, the earliest published first."""
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE story = ? ORDER BY published_utc, id", (story,))
        return [ArticleRow(*r) for r in rows]

    def recent_signatures(self, since_utc: str) -> list[tuple[int, int, str, str]]:
        """(article id, story, signature, published_utc) of the articles published since ``since_utc``:
        the stories a new article may belong to."""
        return self.conn.execute(
            "SELECT id, story, signature, published_utc FROM articles WHERE published_utc >= ? "
            "AND signature IS NOT NULL ORDER BY id", (since_utc,)).fetchall()

    def list_articles(self, *, outlets: Sequence[str] = (), since_utc: str | None = None,
                      until_utc: str | None = None, limit: int | None = None) -> list[ArticleRow]:
        """Articles of ``outlets`` published in the range, newest first."""
        clauses, params = [], []
        if outlets:
            clauses.append(f"outlet IN ({', '.join('?' * len(outlets))})")
            params += list(outlets)
        if since_utc:
            clauses.append("published_utc >= ?")
            params.append(since_utc)
        if until_utc:
            clauses.append("published_utc < ?")
            params.append(until_utc)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles{where} ORDER BY published_utc DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [ArticleRow(*r) for r in self.conn.execute(sql, params)]

    def unmatched_articles(self, limit: int | None = None) -> list[ArticleRow]:
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE matched_utc IS NULL ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [ArticleRow(*r) for r in self.conn.execute(sql)]

    def article_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY id")]

    # -- an article's mentions -------------------------------------------------
    def article_mentions(self, article_id: int) -> list[MentionRow]:
        from radiomon.archive.mentions import _COLUMNS, _row

        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM mentions WHERE article_id = ? ORDER BY offset, id",
                                 (article_id,))
        return [_row(r) for r in rows]

    def replace_article_mentions(self, article_id: int, mentions: Iterable[MentionRow], *,
                                 on_added=None) -> MentionChanges:
        """Make ``mentions`` the article's mentions, in one transaction, and mark it matched.

        As for a recording (:meth:`MentionsMixin.replace_mentions`): rows still found (the same group and
        keyword within :data:`~radiomon.archive.mentions.SAME_MENTION_CHARACTERS`) keep their id and
        review; ``on_added(conn, rows)`` runs in the same transaction (alert events)."""
        from radiomon.archive.mentions import _COLUMNS, _row

        found = sorted((replace(m, segment_id=None, recording_id=None, station=None, article_id=article_id)
                        for m in mentions), key=lambda m: (m.offset, m.group_id, m.keyword))
        with self.write() as conn:
            old = [_row(r) for r in conn.execute(
                f"SELECT {_COLUMNS} FROM mentions WHERE article_id = ? ORDER BY offset", (article_id,))]
            changes = self._apply(conn, old, found)
            if on_added is not None and changes.added:
                on_added(conn, changes.added)
            conn.execute("UPDATE articles SET matched_utc = ? WHERE id = ?", (now_iso(), article_id))
        return changes


__all__ = ["ArticleRow", "ArticlesMixin", "FeedState"]
