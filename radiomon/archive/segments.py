"""Segments: the timed text of a recording, written whole or not at all, and read back.

The archive-wide re-match reads the distinct vocabulary from the FTS5 index
(:meth:`SegmentsMixin.vocabulary`), every text once
(:meth:`SegmentsMixin.texts_of_recordings`) and then only the segments
around a candidate (:meth:`SegmentsMixin.segments_by_id`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase, now_iso
from radiomon.archive.recordings import WITH_TEXT
from radiomon.archive.where import Where
from radiomon.filters import Filters
from radiomon.transcript import Segment, Word


def words_json(words: Sequence[Word]) -> str | None:
    """``[{"word", "start", "end", "probability"}]``, rounded to what a clip needs (10 ms, 3 digits)."""
    if not words:
        return None
    return json.dumps(
        [
            {
                "word": w.text,
                "start": round(w.start, 2),
                "end": round(w.end, 2),
                "probability": None if w.probability is None else round(w.probability, 3),
            }
            for w in words
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


# A word's text and start as words_json writes them (its key order and separators).
_WORD_START = re.compile(r'\{"word":"((?:[^"\\]|\\.)*)","start":(-?[\d.]+(?:[eE][-+]?\d+)?)')


def word_starts(stored: str | None) -> list[tuple[str, str]]:
    """Each word's text and start time (as the stored digits) from a segment's
    ``words`` column, without decoding the rest of it: a page of an hour's
    transcript shows 9,000 words, and decoding them whole took a third of
    its time."""
    if not stored:
        return []
    return [(json.loads(f'"{text}"') if "\\" in text else text, start)
            for text, start in _WORD_START.findall(stored)]


class SegmentsMixin(ArchiveBase):
    def replace_segments(
        self,
        recording_id: int,
        segments: Iterable[Segment],
        *,
        status: str = "transcribed",
        engine: str | None = None,
        model: str | None = None,
        transcript_path: str | None = None,
        duration: float | None = None,
    ) -> int:
        """Store a recording's segments and its new status in one transaction.

        Existing segments (and their mentions) are replaced, and the recording
        is marked for keyword matching again. Returns the number of segments.
        """
        with self.write() as conn:
            row = conn.execute("SELECT start_utc FROM recordings WHERE id = ?", (recording_id,)).fetchone()
            if row is None:
                raise KeyError(f"no recording {recording_id}")
            epoch0_ms = round(timeutil.parse_iso(row[0]).timestamp() * 1000)
            conn.execute("DELETE FROM mentions WHERE recording_id = ?", (recording_id,))
            conn.execute("DELETE FROM segments WHERE recording_id = ?", (recording_id,))
            rows = [
                (
                    recording_id,
                    round(s.start * 1000),
                    round(s.end * 1000),
                    epoch0_ms + round(s.start * 1000),
                    s.text,
                    s.avg_logprob,
                    s.no_speech_prob,
                    words_json(s.words),
                )
                # In time order, so ids follow time within a recording: the
                # re-match reads segments in id order.
                for s in sorted(segments, key=lambda s: (s.start, s.end))
            ]
            # Index the whole recording in one statement (see schema.py: bulk writes).
            conn.execute("INSERT INTO radiomon_bulk_insert (active) VALUES (1)")
            conn.executemany(
                "INSERT INTO segments (recording_id, start_ms, end_ms, epoch_ms, text, avg_logprob, "
                "no_speech_prob, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.execute(
                "INSERT INTO segments_fts (rowid, text) SELECT id, text FROM segments WHERE recording_id = ?",
                (recording_id,),
            )
            conn.execute("DELETE FROM radiomon_bulk_insert")
            assignments = [
                "status = ?",
                "error = NULL",
                "engine = ?",
                "model = ?",
                "matched_utc = NULL",
                "updated_utc = ?",
            ]
            params: list = [status, engine, model, now_iso()]
            if transcript_path is not None:
                assignments.append("transcript_path = ?")
                params.append(transcript_path)
            if duration is not None:
                assignments.append("duration = ?")
                params.append(duration)
                assignments.append("end_utc = ?")
                params.append(timeutil.shift(row[0], duration))
            conn.execute(f"UPDATE recordings SET {', '.join(assignments)} WHERE id = ?", (*params, recording_id))
            return len(rows)

    def transcript_rows(self, recording_id: int) -> list[dict]:
        """A recording's segments as staff and scripts read them (the Grabación page, the API): times in
        seconds and UTC, the scores, the words as JSON; in order."""
        return self.query(
            'SELECT id, recording_id, start, "end", start_utc, end_utc, text, avg_logprob, '
            "no_speech_prob, words FROM segments WHERE recording_id = ? ORDER BY start, id",
            (recording_id,),
        )

    def segment_counts(self) -> dict[str, int]:
        """Segments stored per station."""
        return {r[0]: r[1] for r in self.conn.execute(
            "SELECT r.station, count(*) FROM segments s JOIN recordings r ON r.id = s.recording_id GROUP BY r.station")}

    def max_segment_id(self) -> int:
        """The highest segment id: the archive's size in segments, near enough (ids are dense)."""
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM segments").fetchone()[0]

    # -- what the matcher reads ---------------------------------------------------
    def segments_to_match(self, recording_id: int) -> list[dict]:
        """A recording's segments in order, with what the matcher needs."""
        return self._segment_dicts(self.conn.execute(
            "SELECT s.id, s.recording_id, r.station, s.start_ms, s.end_ms, s.epoch_ms, s.text, s.words "
            "FROM segments s JOIN recordings r ON r.id = s.recording_id "
            "WHERE s.recording_id = ? ORDER BY s.start_ms, s.id", (recording_id,)))

    def vocabulary(self) -> Iterator[str]:
        """Every distinct word of the archive, as the FTS5 index folds it (case,
        accents, ñ), read as it is consumed (a station-year's index takes seconds)."""
        self.conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.radiomon_vocab USING fts5vocab(main, 'segments_fts', 'row')"
        )
        return (row[0] for row in self.conn.execute("SELECT term FROM temp.radiomon_vocab"))

    def texts_of_recordings(self, first: int, last: int) -> list[tuple[int, int, str]]:
        """(segment id, recording id, text) of the transcribed recordings with ids
        ``first``–``last``, by recording then time, straight from the recording
        index (no sort: ids follow time within a recording, see
        :meth:`replace_segments`)."""
        return self.conn.execute(
            "SELECT s.id, s.recording_id, s.text FROM segments s CROSS JOIN recordings r ON r.id = s.recording_id "
            f"WHERE s.recording_id BETWEEN ? AND ? AND r.status IN {WITH_TEXT} ORDER BY s.recording_id, s.id",
            (first, last)).fetchall()

    def texts_said(self, recording_ids: Sequence[int], filters: Filters = Filters()) -> list[tuple[int, int, str]]:
        """(segment id, recording id, text) of these recordings' segments said
        in ``filters``' range, by recording then time (what
        :meth:`texts_of_recordings` gives, for a range of time)."""
        where = Where().among("recording_id", tuple(recording_ids))
        where.between("epoch_ms", filters.since, filters.until, epoch_ms=True)
        if not recording_ids:
            return []
        return self.conn.execute(
            f"SELECT id, recording_id, text FROM segments{where.sql()} ORDER BY recording_id, id", where.params
        ).fetchall()

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
            "FROM temp.radiomon_hot h CROSS JOIN segments s ON s.id = h.id "
            "CROSS JOIN recordings r ON r.id = s.recording_id "
            f"WHERE r.status IN {WITH_TEXT} ORDER BY s.recording_id, s.start_ms, s.id"
        )
        result = self._segment_dicts(rows)
        conn.execute("DELETE FROM temp.radiomon_hot")
        return result

    @staticmethod
    def _segment_dicts(rows) -> list[dict]:
        return [
            {"id": id_, "recording_id": rec, "station": station, "start": start_ms / 1000, "end": end_ms / 1000,
             "epoch0_ms": epoch_ms - start_ms, "text": text, "words": json.loads(words) if words else None}
            for id_, rec, station, start_ms, end_ms, epoch_ms, text, words in rows
        ]
