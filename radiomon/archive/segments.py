"""Segments: the timed text of a recording, written whole or not at all."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase, now_iso


@dataclass(frozen=True)
class Word:
    word: str
    start: float  # seconds into the recording
    end: float
    probability: float | None = None


@dataclass(frozen=True)
class SegmentIn:
    """One utterance to store; times are seconds into the recording."""

    start: float
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    words: Sequence[Word] = field(default_factory=tuple)


def words_json(words: Sequence[Word]) -> str | None:
    """DESIGN.md's shape, rounded to what a clip needs (10 ms, 3 digits)."""
    if not words:
        return None
    return json.dumps(
        [
            {
                "word": w.word,
                "start": round(w.start, 2),
                "end": round(w.end, 2),
                "probability": None if w.probability is None else round(w.probability, 3),
            }
            for w in words
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


class SegmentsMixin(ArchiveBase):
    def replace_segments(
        self,
        recording_id: int,
        segments: Iterable[SegmentIn],
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
                # re-match (radiomon/rematch.py) reads segments in id order.
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
            assignments = ["status = ?", "error = NULL", "engine = ?", "model = ?", "matched_utc = NULL", "updated_utc = ?"]
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

    def segments_of(self, recording_id: int) -> list[dict]:
        return self.query(
            'SELECT id, recording_id, start, "end", start_utc, end_utc, text, avg_logprob, '
            "no_speech_prob, words FROM segments WHERE recording_id = ? ORDER BY start, id",
            (recording_id,),
        )

