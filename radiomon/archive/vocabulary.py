"""The archive's vocabulary: every distinct transcript word with its Spanish phonetic key (approximate search).

Approximate search (radiomon/search/approximate.py) compares a query word
with every word Whisper ever wrote, so it needs them listed once, not read
from millions of segments per query. ``vocabulary`` holds them (folded as the
search index folds them) with the matcher's phonetic key and how many
segments have each; ``vocabulary_done`` is the highest segment id counted.

:meth:`VocabularyMixin.update_vocabulary` counts only the segments stored
since (the job layer calls it after matching what was stored, a search
before an approximate search); the first time on an archive that already
has a station-year of segments it reads the search index's own term list
(``fts5vocab``, seconds) instead of tokenizing every segment (minutes).

Counts only grow: a segment deleted (a recording transcribed again) leaves
its words counted. That is harmless by design: the vocabulary only proposes
words, every hit comes from the search index, so a word no segment has any
more finds nothing; :meth:`VocabularyMixin.words_present` lets a «¿Quiso
decir …?» offer only words still said.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence

from radiomon.archive.db import ArchiveBase
from radiomon.keywords.phonetic import word_keys
from radiomon.search.ranking import tokens, word_spans

log = logging.getLogger(__name__)

# Segments read per batch while counting: a day of a station is ~17,000.
BATCH = 50_000
# A backlog at least this large, on a vocabulary never built, is read from
# the index's term list instead of segment by segment.
BULK_FROM = 200_000


class VocabularyMixin(ArchiveBase):
    def vocabulary_done(self) -> int:
        row = self.conn.execute("SELECT max(segment_rowid) FROM vocabulary_done").fetchone()
        return row[0] or 0

    def catch_up_vocabulary(self) -> int:
        """:meth:`update_vocabulary`, never failing what called it: the vocabulary only helps search, so a
        full disk or a read-only archive leaves it behind (logged), and the next call catches up."""
        try:
            return self.update_vocabulary()
        except sqlite3.OperationalError as err:
            log.warning("the vocabulary of approximate search is not up to date (%s); the next match or "
                        "approximate search adds what is missing", err)
            return 0

    def update_vocabulary(self) -> int:
        """Count the words of the segments stored since the last update; returns how many segments
        were read (0 when up to date). One transaction per batch, so readers never wait long."""
        counted = 0
        while True:
            with self.write() as conn:
                done = self.vocabulary_done()
                top = conn.execute("SELECT coalesce(max(id), 0) FROM segments").fetchone()[0]
                if top <= done:
                    return counted
                if done == 0 and top >= BULK_FROM:
                    self._vocabulary_from_index(top)
                    return counted + top
                rows = conn.execute("SELECT id, text FROM segments WHERE id > ? ORDER BY id LIMIT ?",
                                    (done, BATCH)).fetchall()
                last = rows[-1][0] if rows else top
                found: Counter[str] = Counter()
                for _, text in rows:
                    found.update(set(tokens(text)))
                self._add_words(found, last)
                conn.execute("UPDATE vocabulary_done SET segment_rowid = ?", (last,))
                counted += len(rows)
            log.debug("vocabulary: %d segments counted, up to id %d", counted, last)

    def _vocabulary_from_index(self, top: int) -> None:
        self.conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.radiomon_vocab USING fts5vocab(main, 'segments_fts', 'row')")
        found = Counter({term: doc for term, doc in self.conn.execute("SELECT term, doc FROM temp.radiomon_vocab")})
        self._add_words(found, top)
        self.conn.execute("UPDATE vocabulary_done SET segment_rowid = ?", (top,))

    def _add_words(self, found: Counter[str], added: int) -> None:
        words = list(found)
        self.conn.executemany(
            "INSERT INTO vocabulary (word, key, n, added) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (word) DO UPDATE SET n = n + excluded.n",
            [(word, key, found[word], added) for word, key in zip(words, word_keys(words))])

    def vocabulary_added_after(self, watermark: int) -> list[tuple[str, str, int]]:
        """(word, key, added) of the words first counted after ``watermark``, oldest first."""
        return self.conn.execute("SELECT word, key, added FROM vocabulary WHERE added > ? ORDER BY added",
                                 (watermark,)).fetchall()

    def vocabulary_counts(self, words: Iterable[str]) -> dict[str, int]:
        """How many segments have each word (as counted; 0 for a word never seen)."""
        wanted = list(dict.fromkeys(words))
        counts = dict.fromkeys(wanted, 0)
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            counts.update(self.conn.execute(
                f"SELECT word, n FROM vocabulary WHERE word IN ({', '.join('?' * len(part))})", part).fetchall())
        return counts

    def words_present(self, words: Sequence[str]) -> set[str]:
        """The ``words`` (folded) that some segment still has, by the search index."""
        return {word for word in words if self.conn.execute(
            "SELECT 1 FROM segments_fts WHERE segments_fts MATCH ? LIMIT 1",
            ('"' + word.replace('"', '""') + '"',)).fetchone()}

    def written_form(self, word: str) -> str:
        """``word`` (folded) as the newest segment that has it writes it ("moroleon" → "Moroleón")."""
        row = self.conn.execute(
            "SELECT s.text FROM segments_fts f JOIN segments s ON s.id = f.rowid WHERE segments_fts MATCH ? "
            "ORDER BY f.rowid DESC LIMIT 1", ('"' + word.replace('"', '""') + '"',)).fetchone()
        if row:
            for folded, start, end in word_spans(row[0]):
                if folded == word:
                    return row[0][start:end]
        return word
