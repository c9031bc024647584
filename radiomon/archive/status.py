"""What `radiomon status` and the health check read: backlog, throughput, last speech, runs.

Each query reads an index (recordings by status, by station and start, by
path; segments by recording; runs by id), so the health check that the
daemon runs every few seconds stays cheap on a station-year archive.
"""

from __future__ import annotations

import json

from radiomon.archive.db import ArchiveBase


class StatusMixin(ArchiveBase):
    def pending_audio(self) -> dict:
        """Recordings waiting to be transcribed: ``{recordings, seconds, oldest_utc}``."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(duration), 0), min(start_utc) FROM recordings "
            "WHERE status IN ('pending', 'transcribing')").fetchone()
        return {"recordings": row[0], "seconds": float(row[1]), "oldest_utc": row[2]}

    def audio_flow(self, since: str) -> dict:
        """Seconds of audio registered and transcribed since an instant (imported
        transcripts are neither: they never wait for Whisper)."""
        arrived = self.conn.execute("SELECT coalesce(sum(duration), 0) FROM recordings WHERE created_utc >= ? "
                                    "AND path IS NOT NULL", (since,)).fetchone()[0]
        transcribed = self.conn.execute(
            "SELECT coalesce(sum(duration), 0) FROM recordings WHERE status = 'transcribed' AND updated_utc >= ? "
            "AND engine != 'import'", (since,)).fetchone()[0]
        return {"arrived_seconds": float(arrived), "transcribed_seconds": float(transcribed)}

    def last_segment_end(self, station: str) -> str | None:
        """When the newest utterance transcribed for the station ended (ISO UTC)."""
        row = self.conn.execute(
            "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', (s.epoch_ms + s.end_ms - s.start_ms) / 1000.0, 'unixepoch') "
            "FROM recordings r JOIN segments s ON s.recording_id = r.id WHERE r.station = ? "
            "ORDER BY r.start_utc DESC, s.end_ms DESC LIMIT 1", (station,)).fetchone()
        return row[0] if row else None

    def recorder_has_run(self, station: str, recordings_dir: str) -> bool:
        """Whether `radiomon record` ever ran for the station: it left a gap, or a file
        in its folder of recordings_dir (imports elsewhere do not count)."""
        if self.conn.execute("SELECT 1 FROM gaps WHERE station = ? LIMIT 1", (station,)).fetchone():
            return True
        prefix = f"{recordings_dir.rstrip('/')}/{station}/"
        # The range reads the unique index on path; '0' sorts right after '/'.
        return self.conn.execute("SELECT 1 FROM recordings WHERE path >= ? AND path < ? LIMIT 1",
                                 (prefix, prefix[:-1] + "0")).fetchone() is not None

    def last_gap_end(self, station: str) -> str | None:
        (end,) = self.conn.execute("SELECT max(end_utc) FROM gaps WHERE station = ?", (station,)).fetchone()
        return end

    def last_run(self, command: str) -> dict | None:
        """The newest run of a batch command: ``{id, started_utc, finished_utc, counts, errors}``."""
        rows = self.query("SELECT id, started_utc, finished_utc, counts, errors FROM runs WHERE command = ? "
                          "ORDER BY id DESC LIMIT 1", (command,))
        if not rows:
            return None
        run = rows[0]
        run["counts"] = json.loads(run["counts"]) if run["counts"] else {}
        run["errors"] = json.loads(run["errors"]) if run["errors"] else []
        return run
