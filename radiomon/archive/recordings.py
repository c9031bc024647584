"""Recordings: one row per audio file (or imported transcript) and its status.

Status moves ``pending`` → ``transcribing`` → ``transcribed``; ``failed``
keeps the reason in ``error``; ``pruned`` means the audio is gone (retention)
but its text and mentions stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase, now_iso

STATUSES = ("pending", "transcribing", "transcribed", "failed", "pruned")


@dataclass(frozen=True)
class Recording:
    id: int
    station: str
    path: str | None
    start_utc: str
    end_utc: str | None
    duration: float | None
    status: str
    error: str | None = None
    engine: str | None = None
    model: str | None = None
    transcript_path: str | None = None
    matched_utc: str | None = None

    @property
    def start(self) -> datetime:
        return timeutil.parse_iso(self.start_utc)


_COLUMNS = "id, station, path, start_utc, end_utc, duration, status, error, engine, model, transcript_path, matched_utc"


class RecordingsMixin(ArchiveBase):
    def add_recording(
        self,
        *,
        station: str,
        start: datetime,
        duration: float | None,
        path: str | None = None,
        source_sha256: str | None = None,
        status: str = "pending",
    ) -> tuple[int, bool]:
        """Register a recording; returns ``(id, created)``.

        Idempotent: the same path, or the same content imported again for the
        same station, returns the existing row with ``created=False``.
        """
        with self.write() as conn:
            existing = self._find_existing(path, station, source_sha256)
            if existing is not None:
                return existing, False
            end = timeutil.to_iso(start + timedelta(seconds=duration)) if duration is not None else None
            now = now_iso()
            cursor = conn.execute(
                "INSERT INTO recordings (station, path, source_sha256, start_utc, end_utc, duration, "
                "status, created_utc, updated_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (station, path, source_sha256, timeutil.to_iso(start), end, duration, status, now, now),
            )
            return cursor.lastrowid, True

    def _find_existing(self, path: str | None, station: str, sha: str | None) -> int | None:
        if path is not None:
            row = self.conn.execute("SELECT id FROM recordings WHERE path = ?", (path,)).fetchone()
            if row:
                return row[0]
        if sha is not None:
            row = self.conn.execute(
                "SELECT id FROM recordings WHERE station = ? AND source_sha256 = ?", (station, sha)
            ).fetchone()
            if row:
                return row[0]
        return None

    def recording(self, recording_id: int) -> Recording | None:
        rows = self.query(f"SELECT {_COLUMNS} FROM recordings WHERE id = ?", (recording_id,))
        return Recording(**rows[0]) if rows else None

    def recordings(
        self,
        *,
        status: str | tuple[str, ...] | None = None,
        station: str | tuple[str, ...] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        unmatched: bool = False,
        limit: int | None = None,
    ) -> list[Recording]:
        """Recordings oldest first, filtered."""
        where, params = [], []
        for column, value in (("status", status), ("station", station)):
            if value is not None:
                values = (value,) if isinstance(value, str) else tuple(value)
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if since is not None:
            where.append("start_utc >= ?")
            params.append(timeutil.to_iso(since))
        if until is not None:
            where.append("start_utc < ?")
            params.append(timeutil.to_iso(until))
        if unmatched:
            where.append("status = 'transcribed' AND matched_utc IS NULL")
        sql = f"SELECT {_COLUMNS} FROM recordings"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY start_utc, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [Recording(**row) for row in self.query(sql, tuple(params))]

    def set_status(self, recording_id: int, status: str, *, error: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.write() as conn:
            conn.execute(
                "UPDATE recordings SET status = ?, error = ?, updated_utc = ? WHERE id = ?",
                (status, error, now_iso(), recording_id),
            )

    def mark_failed(self, recording_id: int, error: str) -> None:
        self.set_status(recording_id, "failed", error=error)
