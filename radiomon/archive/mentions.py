"""Mentions: the keyword matcher's findings, and what the matcher reads.

A recording's mentions are replaced as a whole, in one transaction, by
:meth:`MentionsMixin.replace_mentions`. A mention that is still found keeps
its row (its ``id``, which clips and the web UI link to, and the ``review``
that press staff set); one no longer found goes; a new one is inserted. "The
same mention" means the same segment, group and keyword at nearly the same
offset (:data:`SAME_MENTION_SECONDS`): a changed threshold may widen the
heard words by one, which moves the offset a little, and the staff's review
still applies.

The matcher reads the archive's distinct vocabulary from the FTS5 index
(:meth:`vocabulary`) and then only the segments that contain a candidate
word (:meth:`segments_containing`), so a full re-match of a station-year
reads a few percent of it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase, now_iso

# Two findings of one keyword in one segment whose offsets differ by less
# than this are the same mention (see the module doc).
SAME_MENTION_SECONDS = 1.5


@dataclass(frozen=True)
class MentionRow:
    """One row of the ``mentions`` table (``id`` is None before it is stored)."""

    segment_id: int
    recording_id: int
    station: str
    group_id: str
    keyword: str  # canonical term from keywords.yml
    matched: str  # the words heard
    score: float
    at_utc: str  # recording start + offset, ISO UTC
    offset: float  # seconds into the recording (first matched word)
    context: str | None = None  # the sentence around it
    review: str | None = None  # set by staff; kept across re-matching
    id: int | None = None

    def as_json(self) -> dict:
        """DESIGN.md's mention object: ``group`` and ``at`` instead of the column names."""
        return {
            "id": self.id,
            "station": self.station,
            "group": self.group_id,
            "keyword": self.keyword,
            "matched": self.matched,
            "score": self.score,
            "at": self.at_utc,
            "offset": self.offset,
            "recording_id": self.recording_id,
            "segment_id": self.segment_id,
            "context": self.context,
            "review": self.review,
        }

    def same_mention(self, other: "MentionRow") -> bool:
        return (
            self.segment_id == other.segment_id
            and self.group_id == other.group_id
            and self.keyword == other.keyword
            and abs(self.offset - other.offset) < SAME_MENTION_SECONDS
        )

    def _content(self) -> tuple:
        return (self.segment_id, self.group_id, self.keyword, self.matched, self.score, self.at_utc,
                self.offset, self.context)


@dataclass(frozen=True)
class MentionChanges:
    """What :meth:`MentionsMixin.replace_mentions` did to one recording."""

    added: tuple[MentionRow, ...] = ()  # new mentions, with their ids
    updated: int = 0  # still found, some field changed (review kept)
    unchanged: int = 0
    removed: int = 0


_COLUMNS = "id, segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, offset, context, review"


def _row(values: Sequence) -> MentionRow:
    (id_, segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, offset, context,
     review) = values
    return MentionRow(segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, offset,
                      context, review, id_)


class MentionsMixin(ArchiveBase):
    # -- writing -------------------------------------------------------------
    def replace_mentions(
        self,
        recording_id: int,
        mentions: Iterable[MentionRow],
        *,
        mark_matched: bool = True,
        on_added=None,
    ) -> MentionChanges:
        """Make ``mentions`` the recording's mentions, in one transaction.

        Rows still found keep their id and review; the others are deleted, new
        ones inserted. With ``mark_matched`` the recording's ``matched_utc`` is
        set in the same transaction. ``on_added(conn, rows)`` runs inside the
        transaction too (the crisis events are written with the mentions).
        """
        found = sorted(mentions, key=lambda m: (m.offset, m.group_id, m.keyword))
        with self.write() as conn:
            old = [_row(r) for r in conn.execute(
                f"SELECT {_COLUMNS} FROM mentions WHERE recording_id = ? ORDER BY offset", (recording_id,))]
            changes = self._apply(conn, recording_id, old, found)
            if on_added is not None and changes.added:
                on_added(conn, changes.added)
            if mark_matched:
                conn.execute("UPDATE recordings SET matched_utc = ? WHERE id = ?", (now_iso(), recording_id))
        return changes

    def _apply(self, conn: sqlite3.Connection, recording_id: int, old: list[MentionRow],
               found: list[MentionRow]) -> MentionChanges:
        unclaimed = list(old)
        new, changed, unchanged = [], [], 0
        for mention in found:
            match = next((o for o in unclaimed if o.same_mention(mention)), None)
            if match is None:
                new.append(mention)
                continue
            unclaimed.remove(match)
            if match._content() == mention._content():
                unchanged += 1
            else:
                changed.append((mention, match.id))
        # Deletes first: a moved mention may take the offset a removed one had.
        conn.executemany("DELETE FROM mentions WHERE id = ?", [(o.id,) for o in unclaimed])
        conn.executemany(
            "UPDATE mentions SET matched = ?, score = ?, at_utc = ?, offset = ?, context = ? WHERE id = ?",
            [(m.matched, m.score, m.at_utc, m.offset, m.context, id_) for m, id_ in changed],
        )
        added = []
        for mention in new:
            cursor = conn.execute(
                "INSERT INTO mentions (segment_id, recording_id, station, group_id, keyword, matched, score, "
                "at_utc, offset, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (mention.segment_id, recording_id, mention.station, mention.group_id, mention.keyword,
                 mention.matched, mention.score, mention.at_utc, mention.offset, mention.context),
            )
            added.append(replace(mention, recording_id=recording_id, id=cursor.lastrowid, review=None))
        return MentionChanges(tuple(added), len(changed), unchanged, len(unclaimed))

    def set_review(self, mention_id: int, review: str | None) -> bool:
        """Staff's verdict on a mention (confirmed, rejected, …); False if there is no such mention."""
        with self.write() as conn:
            return conn.execute("UPDATE mentions SET review = ? WHERE id = ?", (review, mention_id)).rowcount > 0

    # -- reading -------------------------------------------------------------
    def mention(self, mention_id: int) -> MentionRow | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM mentions WHERE id = ?", (mention_id,)).fetchone()
        return None if row is None else _row(row)

    def mentions_of(self, recording_id: int) -> list[MentionRow]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM mentions WHERE recording_id = ? ORDER BY offset, id", (recording_id,))
        return [_row(r) for r in rows]

    def list_mentions(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        groups: Sequence[str] = (),
        stations: Sequence[str] = (),
        limit: int | None = None,
    ) -> list[MentionRow]:
        """Mentions in ``[since, until)``, oldest first, optionally of some groups and stations."""
        where, params = ["1=1"], []
        if since:
            where.append("at_utc >= ?")
            params.append(timeutil.to_iso(since))
        if until:
            where.append("at_utc < ?")
            params.append(timeutil.to_iso(until))
        if groups:
            where.append(f"group_id IN ({', '.join('?' * len(groups))})")
            params.extend(groups)
        if stations:
            where.append(f"station IN ({', '.join('?' * len(stations))})")
            params.extend(stations)
        sql = f"SELECT {_COLUMNS} FROM mentions WHERE {' AND '.join(where)} ORDER BY at_utc, id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_row(r) for r in self.conn.execute(sql, params)]

    def recording_segments(self, recording_id: int) -> list[dict]:
        """A recording's segments in order, with what the matcher needs."""
        return self._segment_dicts(self.conn.execute(
            "SELECT s.id, s.recording_id, r.station, s.start_ms, s.end_ms, s.epoch_ms, s.text, s.words "
            "FROM segments s JOIN recordings r ON r.id = s.recording_id "
            "WHERE s.recording_id = ? ORDER BY s.start_ms, s.id", (recording_id,)))

    def vocabulary(self) -> Iterator[str]:
        """Every distinct word of the archive, as the FTS5 index folds it (case,
        accents, ñ), read as it is consumed (a station-year's index takes seconds)."""
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.radiomon_vocab USING fts5vocab(main, 'segments_fts', 'row')")
        return (row[0] for row in self.conn.execute("SELECT term FROM temp.radiomon_vocab"))

    def texts_of_recordings(self, first: int, last: int) -> list[tuple[int, int, str]]:
        """(segment id, recording id, text) of the transcribed recordings with ids
        ``first``–``last``, by recording then time, straight from the recording
        index (no sort: ids follow time within a recording, see
        :meth:`replace_segments`)."""
        return self.conn.execute(
            "SELECT s.id, s.recording_id, s.text FROM segments s CROSS JOIN recordings r ON r.id = s.recording_id "
            "WHERE s.recording_id BETWEEN ? AND ? AND r.status = 'transcribed' ORDER BY s.recording_id, s.id",
            (first, last)).fetchall()

    def segments_by_id(self, ids: Iterable[int], *, neighbours: int = 0) -> list[dict]:
        """Transcribed segments with these ids, plus ``neighbours`` on each side
        within the same recording, by recording then time (as the matcher reads them).

        Segments of one recording are inserted together, so ids are
        consecutive in time; the recording check stops at its edges.
        """
        wanted = {i + d for i in ids for d in range(-neighbours, neighbours + 1)}
        conn = self.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS radiomon_hot (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.radiomon_hot")
        conn.executemany("INSERT INTO temp.radiomon_hot (id) VALUES (?)", ((i,) for i in sorted(wanted)))
        rows = conn.execute(
            "SELECT s.id, s.recording_id, r.station, s.start_ms, s.end_ms, s.epoch_ms, s.text, s.words "
            # CROSS JOIN keeps SQLite from scanning every transcribed recording
            # and probing the (small) id table: the ids drive the lookup.
            "FROM temp.radiomon_hot h CROSS JOIN segments s ON s.id = h.id CROSS JOIN recordings r ON r.id = s.recording_id "
            "WHERE r.status = 'transcribed' ORDER BY s.recording_id, s.start_ms, s.id")
        result = self._segment_dicts(rows)
        conn.execute("DELETE FROM temp.radiomon_hot")
        return result

    def recordings_with_mentions(self) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT DISTINCT recording_id FROM mentions")}

    @staticmethod
    def _segment_dicts(rows) -> list[dict]:
        return [
            {"id": id_, "recording_id": rec, "station": station, "start": start_ms / 1000, "end": end_ms / 1000,
             "epoch0_ms": epoch_ms - start_ms, "text": text, "words": json.loads(words) if words else None}
            for id_, rec, station, start_ms, end_ms, epoch_ms, text, words in rows
        ]

    # -- events (see radiomon/events.py) ---------------------------------------
    def add_events(self, conn: sqlite3.Connection, kind: str, rows: Iterable[tuple[int | None, dict]]) -> None:
        """Append events inside the caller's transaction: ``(mention_id, payload)`` pairs."""
        created = now_iso()
        conn.executemany(
            "INSERT INTO events (kind, created_utc, mention_id, payload) VALUES (?, ?, ?, ?)",
            [(kind, created, mention_id, json.dumps(payload, ensure_ascii=False)) for mention_id, payload in rows],
        )

    def pending_events(self, kind: str | None = None) -> list[dict]:
        """Events nobody has delivered yet, oldest first (the alerting stage's queue)."""
        sql = "SELECT id, kind, created_utc, mention_id, payload FROM events WHERE delivered_utc IS NULL"
        params: tuple = ()
        if kind:
            sql += " AND kind = ?"
            params = (kind,)
        rows = self.query(sql + " ORDER BY id", params)
        for row in rows:
            row["payload"] = json.loads(row["payload"])
        return rows

    def mark_delivered(self, event_ids: Iterable[int]) -> None:
        with self.write() as conn:
            conn.executemany("UPDATE events SET delivered_utc = ? WHERE id = ?",
                             [(now_iso(), i) for i in event_ids])

