"""keywords.yml's history: every change made from the web UI or the API, and the terms' recent counts.

A change keeps the whole file before and after it (``keyword_changes``, see
SCHEMA_V7): undo writes ``before`` back byte for byte, and an undo is a
change of its own (so it can be undone too). The file itself is written by
the job layer (radiomon/keyword_changes.py) inside :meth:`write`'s
transaction, which also serializes two people saving at once.
"""

from __future__ import annotations

from radiomon.archive.db import ArchiveBase, now_iso

_LISTED = "id, at_utc, by, action, length(before) AS before_bytes, length(after) AS after_bytes"


class KeywordChangesMixin(ArchiveBase):
    def add_keyword_change(self, by: str, action: str, before: str, after: str) -> int:
        """Record a change of keywords.yml (in the caller's transaction when one is open)."""
        with self.write() as conn:
            return conn.execute("INSERT INTO keyword_changes (at_utc, by, action, before, after) "
                                "VALUES (?, ?, ?, ?, ?)", (now_iso(), by, action, before, after)).lastrowid

    def keyword_changes(self, limit: int = 20) -> list[dict]:
        """The latest changes, newest first (without the file's text)."""
        return self.query(f"SELECT {_LISTED} FROM keyword_changes ORDER BY id DESC LIMIT ?", (limit,))

    def keyword_change(self, change_id: int) -> dict | None:
        """One change with the file's text before and after it."""
        rows = self.query("SELECT id, at_utc, by, action, before, after FROM keyword_changes WHERE id = ?",
                          (change_id,))
        return rows[0] if rows else None

    def term_mention_counts(self, since_utc: str) -> dict[tuple[str, str], int]:
        """(group id, term) → mentions since ``since_utc`` (radio and press), those staff rejected left out."""
        rows = self.conn.execute(
            "SELECT group_id, keyword, count(*) FROM mentions WHERE at_utc >= ? "
            "AND (review IS NULL OR review != 'rejected') GROUP BY group_id, keyword", (since_utc,))
        return {(group, keyword): n for group, keyword, n in rows}

    def latest_run(self, command: str) -> dict | None:
        """The newest run of ``command`` (``runs``): id, started_utc, finished_utc, counts, errors."""
        rows = self.query("SELECT id, started_utc, finished_utc, counts, errors FROM runs WHERE command = ? "
                          "ORDER BY id DESC LIMIT 1", (command,))
        return rows[0] if rows else None
