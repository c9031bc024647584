"""Retention: which recordings' audio may go, and marking them ``pruned``.

A pruned recording keeps its row, its segments (the text, searchable) and
its mentions; only the audio file is gone. Its ``path`` stays as the record
of where the audio was.
"""

from __future__ import annotations

from datetime import datetime

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase
from radiomon.archive.mentions import _COLUMNS as _MENTION_COLUMNS
from radiomon.archive.mentions import MentionRow, _row
from radiomon.archive.recordings import _COLUMNS as _RECORDING_COLUMNS
from radiomon.archive.recordings import Recording


class RetentionMixin(ArchiveBase):
    def recordings_ended_before(self, cutoff: datetime) -> list[Recording]:
        """Recordings with an audio file not pruned yet whose audio ended before
        ``cutoff`` (or, length unknown, started before it), oldest first."""
        rows = self.query(
            f"SELECT {_RECORDING_COLUMNS} FROM recordings WHERE path IS NOT NULL AND status != 'pruned' "
            "AND coalesce(end_utc, start_utc) < ? ORDER BY start_utc, id", (timeutil.to_iso(cutoff),))
        return [Recording(**row) for row in rows]

    def pruned_recordings(self) -> list[Recording]:
        """Every pruned recording that names its audio file (a file a pruning
        run marked but did not get to delete may still be there)."""
        rows = self.query(f"SELECT {_RECORDING_COLUMNS} FROM recordings WHERE status = 'pruned' "
                          "AND path IS NOT NULL ORDER BY start_utc, id")
        return [Recording(**row) for row in rows]

    def confirmed_mentions(self, station: str, since: datetime, until: datetime) -> list[MentionRow]:
        """The station's mentions confirmed in review heard in ``[since, until)``
        whose own recording still has its audio, oldest first."""
        columns = ", ".join(f"m.{c.strip()}" for c in _MENTION_COLUMNS.split(","))
        rows = self.conn.execute(
            f"SELECT {columns} FROM mentions m JOIN recordings r ON r.id = m.recording_id "
            "WHERE m.review = 'confirmed' AND m.station = ? AND m.at_utc >= ? AND m.at_utc < ? "
            "AND r.status != 'pruned' AND r.path IS NOT NULL ORDER BY m.at_utc, m.id",
            (station, timeutil.to_iso(since), timeutil.to_iso(until)))
        return [_row(r) for r in rows]

    def mark_pruned(self, recording_id: int) -> bool:
        """The recording's audio is going: status ``pruned``. Only a transcribed,
        matched recording is pruned (its text and mentions are what stays);
        False when it is not (any more) one.

        ``updated_utc`` is left alone on purpose: it is the version of the
        recording's text that a full re-match checks before writing
        (rematch.py), and pruning does not change the text.
        """
        with self.write() as conn:
            return conn.execute(
                "UPDATE recordings SET status = 'pruned' WHERE id = ? AND status = 'transcribed' "
                "AND matched_utc IS NOT NULL", (recording_id,)).rowcount > 0
