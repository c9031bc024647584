"""Mentions: the keyword matcher's findings.

A recording's mentions are replaced as a whole, in one transaction, by
:meth:`MentionsMixin.replace_mentions`. A mention that is still found keeps
its row (its ``id``, which clips and the web UI link to, and the ``review``
that press staff set); one no longer found goes; a new one is inserted. "The
same mention" means the same segment, group and keyword at nearly the same
offset (:data:`SAME_MENTION_SECONDS`): a changed threshold may widen the
heard words by one, which moves the offset a little, and the staff's review
still applies.

A mention added by hand (``added_by`` set: a person marked a transcript line the
matcher missed, see radiomon/hand_mentions.py) is never deleted or changed by
re-matching, and a finding of the same keyword in the same segment is taken as
that mention, not stored twice: the person's row wins.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from radiomon.archive.db import ArchiveBase, now_iso
from radiomon.archive.where import Where
from radiomon.filters import Filters

# Two findings of one keyword in one segment whose offsets differ by less
# than this are the same mention (see the module doc).
SAME_MENTION_SECONDS = 1.5
# The same for one article, whose offsets count characters: a threshold change
# may widen the printed words by one.
SAME_MENTION_CHARACTERS = 40


@dataclass(frozen=True)
class MentionRow:
    """One row of the ``mentions`` table (``id`` is None before it is stored).

    A radio mention has ``segment_id``, ``recording_id`` and ``station``; a press mention has
    ``article_id`` instead (and ``offset`` counts characters into the article, ``at_utc`` is its
    published time; see the archive's schema v5)."""

    segment_id: int | None
    recording_id: int | None
    station: str | None
    group_id: str
    keyword: str  # canonical term from keywords.yml
    matched: str  # the words heard
    score: float
    at_utc: str  # recording start + offset, ISO UTC
    offset: float  # seconds into the recording (first matched word)
    context: str | None = None  # the sentence around it
    review: str | None = None  # set by staff; kept across re-matching
    id: int | None = None
    reviewed_by: str | None = None  # who set the review (a web UI user name)
    reviewed_utc: str | None = None  # when, ISO UTC
    article_id: int | None = None  # press: the article the words were printed in
    added_by: str | None = None  # a person who added it by hand (None: the matcher found it)
    added_utc: str | None = None  # when, ISO UTC

    @property
    def medium(self) -> str:
        return "radio" if self.article_id is None else "press"

    def as_json(self) -> dict:
        """The command line's mention object: ``group`` and ``at`` instead of the column names."""
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
            "reviewed_by": self.reviewed_by,
            "reviewed_utc": self.reviewed_utc,
            "medium": self.medium,
            "added_by": self.added_by,  # a person who added it by hand (None: the matcher found it)
            "added_utc": self.added_utc,
        }

    def same_mention(self, other: "MentionRow") -> bool:
        near = SAME_MENTION_SECONDS if self.article_id is None else SAME_MENTION_CHARACTERS
        return (
            (self.segment_id, self.article_id) == (other.segment_id, other.article_id)
            and self.group_id == other.group_id
            and self.keyword == other.keyword
            and abs(self.offset - other.offset) < near
        )

    def same_as_hand(self, hand: "MentionRow") -> bool:
        """A finding the hand-added ``hand`` already stands for: the same keyword of the same group in
        the same segment, wherever in it (the person marked the line, or words near the matcher's)."""
        return (self.segment_id, self.article_id, self.group_id, self.keyword) == \
            (hand.segment_id, hand.article_id, hand.group_id, hand.keyword)

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


_COLUMNS = ("id, segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, offset, context, "
            "review, reviewed_by, reviewed_utc, article_id, added_by, added_utc")

#: The verdicts staff give a mention; a rejected one (a false positive) is left out of every count.
REVIEWS = ("confirmed", "rejected")


def _row(values: Sequence) -> MentionRow:
    (id_, segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, offset, context,
     review, reviewed_by, reviewed_utc, article_id, added_by, added_utc) = values
    return MentionRow(segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, offset,
                      context, review, id_, reviewed_by, reviewed_utc, article_id, added_by, added_utc)


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
            changes = self._apply(conn, old, [replace(m, recording_id=recording_id) for m in found])
            if on_added is not None and changes.added:
                on_added(conn, changes.added)
            if mark_matched:
                conn.execute("UPDATE recordings SET matched_utc = ? WHERE id = ?", (now_iso(), recording_id))
        return changes

    def _apply(self, conn: sqlite3.Connection, old: list[MentionRow], found: list[MentionRow]) -> MentionChanges:
        """Make ``found`` the mentions that ``old`` were (a recording's, or an article's): those still found
        keep their row, id and review; the others go; the new ones are inserted. Rows added by hand stay
        as they are, and stand for the findings of their keyword in their segment."""
        by_hand = [o for o in old if o.added_by is not None]
        unclaimed = [o for o in old if o.added_by is None]
        new, changed, unchanged = [], [], 0
        for mention in found:
            if any(mention.same_as_hand(hand) for hand in by_hand):
                unchanged += 1
                continue
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
                "INSERT INTO mentions (segment_id, recording_id, station, article_id, group_id, keyword, matched, "
                "score, at_utc, offset, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (mention.segment_id, mention.recording_id, mention.station, mention.article_id, mention.group_id,
                 mention.keyword, mention.matched, mention.score, mention.at_utc, mention.offset, mention.context),
            )
            added.append(replace(mention, id=cursor.lastrowid, review=None))
        return MentionChanges(tuple(added), len(changed), unchanged, len(unclaimed))

    def add_hand_mention(self, mention: MentionRow, *, by: str, on_added=None) -> MentionRow:
        """Store a mention a person marked (``by``), confirmed by them, in one transaction; returns it with
        its id. A mention of the same keyword already in the segment (found by the matcher, or added
        before) is returned confirmed instead of a second row. ``on_added(conn, rows)`` runs inside the
        transaction when a row is inserted (the alert events are written with the mention)."""
        when = now_iso()
        with self.write() as conn:
            existing = next((o for o in (_row(r) for r in conn.execute(
                f"SELECT {_COLUMNS} FROM mentions WHERE segment_id = ? AND group_id = ? AND keyword = ? "
                "ORDER BY offset, id", (mention.segment_id, mention.group_id, mention.keyword)))), None)
            if existing is not None:
                if existing.review != "confirmed":
                    conn.execute("UPDATE mentions SET review = 'confirmed', reviewed_by = ?, reviewed_utc = ? "
                                 "WHERE id = ?", (by, when, existing.id))
                    existing = replace(existing, review="confirmed", reviewed_by=by, reviewed_utc=when)
                return existing
            cursor = conn.execute(
                "INSERT INTO mentions (segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, "
                "offset, context, review, reviewed_by, reviewed_utc, added_by, added_utc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?)",
                (mention.segment_id, mention.recording_id, mention.station, mention.group_id, mention.keyword,
                 mention.matched, mention.score, mention.at_utc, mention.offset, mention.context, by, when, by, when))
            stored = replace(mention, id=cursor.lastrowid, review="confirmed", reviewed_by=by, reviewed_utc=when,
                             added_by=by, added_utc=when)
            if on_added is not None:
                on_added(conn, (stored,))
        return stored

    def set_reviews(self, mention_ids: Sequence[int], review: str | None, *, by: str | None = None) -> int:
        """One verdict on several mentions (a sentence's, or the rows staff ticked), in one transaction;
        returns how many exist."""
        when = None if review is None else now_iso()
        who = None if review is None else by
        with self.write() as conn:
            return sum(conn.execute("UPDATE mentions SET review = ?, reviewed_by = ?, reviewed_utc = ? WHERE id = ?",
                                    (review, who, when, id_)).rowcount for id_ in mention_ids)

    def set_review(self, mention_id: int, review: str | None, *, by: str | None = None) -> bool:
        """Staff's verdict on a mention (confirmed, rejected, …), who gave it and
        when; None undoes it. False if there is no such mention."""
        when = None if review is None else now_iso()
        who = None if review is None else by
        with self.write() as conn:
            return conn.execute("UPDATE mentions SET review = ?, reviewed_by = ?, reviewed_utc = ? WHERE id = ?",
                                (review, who, when, mention_id)).rowcount > 0

    # -- reading -------------------------------------------------------------
    def mention(self, mention_id: int) -> MentionRow | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM mentions WHERE id = ?", (mention_id,)).fetchone()
        return None if row is None else _row(row)

    def mentions_of(self, recording_id: int) -> list[MentionRow]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM mentions WHERE recording_id = ? ORDER BY offset, id", (recording_id,))
        return [_row(r) for r in rows]

    def list_mentions(self, filters: Filters = Filters()) -> list[MentionRow]:
        """Mentions at instants in ``filters``' range, of its groups, stations (outlets, medium) and review
        state, oldest first."""
        where = Where.of(filters, at="at_utc", station="station", group="group_id", review="review",
                         article="article_id")
        sql = f"SELECT {_COLUMNS} FROM mentions{where.sql()} ORDER BY at_utc, id"
        if filters.limit is not None:
            sql += f" LIMIT {int(filters.limit)}"
        return [_row(r) for r in self.conn.execute(sql, where.params)]

    def mentions_of_segments(self, segment_ids: Sequence[int]) -> dict[int, list[MentionRow]]:
        """Each segment's mentions (the badges of a search hit), by segment id."""
        found: dict[int, list[MentionRow]] = {}
        if not segment_ids:
            return found
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM mentions WHERE segment_id IN ({', '.join('?' * len(segment_ids))}) "
            "ORDER BY offset, id", tuple(segment_ids))
        for row in rows:
            mention = _row(row)
            found.setdefault(mention.segment_id, []).append(mention)
        return found

    def mentions_on_unscored_words(self, filters: Filters = Filters()) -> list[tuple[MentionRow, str]]:
        """Mentions (of ``filters``' stations, groups and range, oldest first)
        in segments radiomon transcribed whose word list holds a word without
        Whisper's probability, each with that word list (JSON): words that
        keyword rescoring wrote (radiomon/pipeline/transcribe/rescore.py);
        decoded words always carry one, imported ones may not."""
        where = Where.of(filters, at="m.at_utc", station="m.station", group="m.group_id", review="m.review")
        where.add("r.engine IS NOT NULL AND r.engine != 'import'")
        where.add("s.words LIKE ?", '%"probability":null%')  # as segments.words_json writes it
        columns = ", ".join(f"m.{c.strip()}" for c in _COLUMNS.split(","))
        rows = self.conn.execute(
            f"SELECT {columns}, s.words FROM mentions m JOIN segments s ON s.id = m.segment_id "
            f"JOIN recordings r ON r.id = m.recording_id{where.sql()} ORDER BY m.at_utc, m.id", where.params)
        return [(_row(r[:-1]), r[-1]) for r in rows]

    def latest_mention_utc(self, before: str) -> str | None:
        """The instant of the newest mention before ``before`` (ISO UTC), radio or press; None if none."""
        return self.conn.execute("SELECT max(at_utc) FROM mentions WHERE at_utc < ?", (before,)).fetchone()[0]

    def recordings_with_mentions(self) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT DISTINCT recording_id FROM mentions")}

    def mention_groups(self) -> set[str]:
        """The keyword groups that have mentions (a group removed from keywords.yml keeps its history)."""
        return {r[0] for r in self.conn.execute("SELECT DISTINCT group_id FROM mentions")}
