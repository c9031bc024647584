"""Recordings: one row per audio file (or imported transcript) and its status.

Status moves ``pending`` → ``transcribing`` → ``transcribed``; ``failed``
keeps the reason in ``error``; ``pruned`` means the audio is gone (retention)
but its text and mentions stay.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from radiomon import timeutil
from radiomon.archive.db import ArchiveBase, now_iso
from radiomon.archive.where import Where
from radiomon.filters import Filters

STATUSES = ("pending", "transcribing", "transcribed", "failed", "pruned")
# Recordings whose segments are their text: a pruned one lost its audio, not
# its transcript, so searching and (re-)matching go on reading it.
WITH_TEXT = "('transcribed', 'pruned')"


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


@dataclass(frozen=True)
class Claim:
    """A recording leased to one cluster task: only this claim may store its result."""

    recording: Recording
    claim_id: str  # a fresh token per claim: an older claim of the same recording holds nothing
    by: str  # host:pid of the coordinator
    attempt: int  # 1 for the first claim of the recording


class LeaseLost(Exception):
    """The claim no longer holds its recording's lease (it expired and was handed to another claim)."""


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

    def recordings(self, filters: Filters = Filters(), *, status: str | tuple[str, ...] | None = None,
                   unmatched: bool = False) -> list[Recording]:
        """Recordings oldest first: of ``filters``' stations, started in its
        range, at most its limit; of these statuses; only those transcribed
        (or pruned) but not keyword-matched yet with ``unmatched``."""
        where = Where.of(filters, at="start_utc", station="station")
        if status is not None:
            where.among("status", (status,) if isinstance(status, str) else tuple(status))
        if unmatched:
            where.add(f"status IN {WITH_TEXT} AND matched_utc IS NULL")
        sql = f"SELECT {_COLUMNS} FROM recordings{where.sql()} ORDER BY start_utc, id"
        if filters.limit is not None:
            sql += f" LIMIT {int(filters.limit)}"
        return [Recording(**row) for row in self.query(sql, tuple(where.params))]

    def neighbours(self, recording: Recording) -> tuple[Recording | None, Recording | None]:
        """The station's recordings just before and just after this one, to keep
        listening across file boundaries."""
        before = self.query(
            f"SELECT {_COLUMNS} FROM recordings WHERE station = ? AND (start_utc < ? OR (start_utc = ? AND id < ?)) "
            "ORDER BY start_utc DESC, id DESC LIMIT 1",
            (recording.station, recording.start_utc, recording.start_utc, recording.id))
        after = self.query(
            f"SELECT {_COLUMNS} FROM recordings WHERE station = ? AND (start_utc > ? OR (start_utc = ? AND id > ?)) "
            "ORDER BY start_utc, id LIMIT 1",
            (recording.station, recording.start_utc, recording.start_utc, recording.id))
        return (Recording(**before[0]) if before else None, Recording(**after[0]) if after else None)

    def recording_for_path(self, path: str) -> int | None:
        """The id of the recording registered for this audio file, if any."""
        row = self.conn.execute("SELECT id FROM recordings WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def last_audio_end(self, station: str) -> datetime | None:
        """Where the station's registered audio ends (its latest recording's end)."""
        (end,) = self.conn.execute("SELECT max(end_utc) FROM recordings WHERE station = ?", (station,)).fetchone()
        return timeutil.parse_iso(end) if end else None

    def recording_counts(self) -> list[dict]:
        """``{station, status, n, last}`` per station and status (last: the newest start)."""
        return self.query("SELECT station, status, count(*) AS n, max(start_utc) AS last FROM recordings "
                          "GROUP BY station, status")

    def last_audio_ends(self) -> dict[str, str | None]:
        """Each station's latest audio end (ISO UTC)."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT station, max(end_utc) FROM recordings GROUP BY station")}

    def transcribed_versions(self) -> dict[int, str]:
        """Each transcribed (or pruned) recording's id and ``updated_utc``: a
        re-match that read one checks before writing that it was not
        re-transcribed since."""
        return {r[0]: r[1] for r in self.conn.execute(
            f"SELECT id, updated_utc FROM recordings WHERE status IN {WITH_TEXT}")}

    def recordings_with_text(self, filters: Filters = Filters()) -> list[int]:
        """Ids of the transcribed (or pruned) recordings of ``filters``'
        stations whose audio overlaps its range, in id order (a recording
        still open, with no end yet, overlaps whatever follows its start)."""
        where = Where().add(f"status IN {WITH_TEXT}").among("station", filters.stations)
        where.overlapping("start_utc", "end_utc", filters.since, filters.until)
        return [r[0] for r in self.conn.execute(f"SELECT id FROM recordings{where.sql()} ORDER BY id", where.params)]

    def updated_utc(self, recording_id: int) -> str | None:
        row = self.conn.execute("SELECT updated_utc FROM recordings WHERE id = ?", (recording_id,)).fetchone()
        return row[0] if row else None

    def mark_all_matched(self, read_before: str) -> None:
        """Every transcribed recording not changed since ``read_before`` (ISO UTC)
        and not matched since then is now matched: a full re-match read them all."""
        with self.write() as conn:
            conn.execute(
                f"UPDATE recordings SET matched_utc = ? WHERE status IN {WITH_TEXT} AND updated_utc <= ? "
                "AND (matched_utc IS NULL OR matched_utc < ?)", (now_iso(), read_before, read_before))

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

    def claim_pending(self, stations: Sequence[str], *, limit: int, newest_first: bool = True) -> list[Recording]:
        """Up to ``limit`` pending recordings with audio of these stations,
        newest (or oldest) first, marked ``transcribing`` in one transaction,
        so nobody else picks them while a worker has them."""
        if limit <= 0 or not stations:
            return []
        order = "DESC" if newest_first else "ASC"
        marks = ", ".join("?" * len(stations))
        with self.write() as conn:
            rows = self.query(
                f"SELECT {_COLUMNS} FROM recordings WHERE status = 'pending' AND path IS NOT NULL "
                f"AND station IN ({marks}) ORDER BY start_utc {order}, id {order} LIMIT {int(limit)}", tuple(stations))
            conn.executemany("UPDATE recordings SET status = 'transcribing', updated_utc = ? WHERE id = ?",
                             [(now_iso(), r["id"]) for r in rows])
        return [Recording(**{**r, "status": "transcribing"}) for r in rows]

    def requeue(self, *, stations: Sequence[str] = (), ids: Sequence[int] = ()) -> int:
        """Recordings still ``transcribing`` (of these stations, or with these
        ids) back to ``pending``: their worker was stopped or their claimer
        killed before it stored anything. Returns how many."""
        column, values = ("station", list(stations)) if stations else ("id", list(ids))
        if not values:
            return 0
        with self.write() as conn:
            return conn.execute(
                f"UPDATE recordings SET status = 'pending', updated_utc = ? WHERE status = 'transcribing' "
                f"AND {column} IN ({', '.join('?' * len(values))})", (now_iso(), *values)).rowcount

    # ---------------------------------------------------------------- claims with leases (the cluster's queue)

    def claim(self, recording_id: int, *, by: str, lease_seconds: float,
              statuses: Sequence[str] = ("pending",)) -> Claim | None:
        """Lease one recording to a cluster task, if it is still in one of
        ``statuses`` (and has audio); None when someone else has it or it is done."""
        now = datetime.now(timeutil.UTC)
        claim_id = uuid.uuid4().hex
        with self.write() as conn:
            rows = self.query(
                f"SELECT {_COLUMNS}, attempt FROM recordings WHERE id = ? AND path IS NOT NULL "
                f"AND status IN ({', '.join('?' * len(statuses))})", (recording_id, *statuses))
            if not rows:
                return None
            attempt = rows[0].pop("attempt") + 1
            conn.execute(
                "UPDATE recordings SET status = 'transcribing', claim_id = ?, claimed_by = ?, claimed_utc = ?, "
                "lease_until_utc = ?, attempt = ?, updated_utc = ? WHERE id = ?",
                (claim_id, by, timeutil.to_iso(now), timeutil.to_iso(now + timedelta(seconds=lease_seconds)),
                 attempt, timeutil.to_iso(now), recording_id))
        return Claim(Recording(**{**rows[0], "status": "transcribing"}), claim_id, by, attempt)

    def renew(self, claims: Sequence[Claim], *, lease_seconds: float) -> list[Claim]:
        """Extend the leases of ``claims`` (tasks still running); returns those that had lost theirs."""
        until = timeutil.to_iso(datetime.now(timeutil.UTC) + timedelta(seconds=lease_seconds))
        lost = []
        with self.write() as conn:
            for claim in claims:
                if not conn.execute("UPDATE recordings SET lease_until_utc = ? WHERE id = ? AND claim_id = ?",
                                    (until, claim.recording.id, claim.claim_id)).rowcount:
                    lost.append(claim)
        return lost

    @contextmanager
    def holding(self, claim: Claim) -> Iterator[sqlite3.Connection]:
        """One write transaction in which ``claim`` still holds its lease
        (LeaseLost otherwise, nothing written); the lease ends with it."""
        with self.write() as conn:
            held = conn.execute("SELECT 1 FROM recordings WHERE id = ? AND claim_id = ? AND status = 'transcribing'",
                                (claim.recording.id, claim.claim_id)).fetchone()
            if not held:
                raise LeaseLost(f"recording {claim.recording.id}: claim {claim.claim_id} lost its lease")
            yield conn
            # A claim handed back to pending keeps its count of killed workers; anything settled starts afresh.
            conn.execute("UPDATE recordings SET claim_id = NULL, claimed_by = NULL, lease_until_utc = NULL, "
                         "kills = CASE WHEN status = 'pending' THEN kills ELSE 0 END WHERE id = ?",
                         (claim.recording.id,))

    def release(self, claim: Claim, *, killed: bool = False, reason: str = "", max_kills: int = 3) -> str | None:
        """Hand a claimed recording back: ``pending`` to be tried again, or
        ``failed`` with ``reason`` once its tasks killed ``max_kills``
        workers. Returns the new status; None when the claim had lost its lease."""
        try:
            with self.holding(claim) as conn:
                kills = conn.execute("SELECT kills FROM recordings WHERE id = ?", (claim.recording.id,)).fetchone()[0]
                kills += int(killed)
                if killed and kills >= max_kills:
                    status, error = "failed", f"{reason} ({kills} workers killed by this recording; not retried)"
                else:
                    status, error = "pending", None
                conn.execute("UPDATE recordings SET status = ?, error = ?, kills = ?, updated_utc = ? WHERE id = ?",
                             (status, error, kills, now_iso(), claim.recording.id))
            return status
        except LeaseLost:
            return None

    def requeue_expired(self) -> int:
        """Claims whose lease ran out (their coordinator was killed) back to
        ``pending``; returns how many. Recordings the local path marked
        ``transcribing`` carry no lease and are left alone."""
        with self.write() as conn:
            return conn.execute(
                "UPDATE recordings SET status = 'pending', claim_id = NULL, claimed_by = NULL, lease_until_utc = NULL, "
                "updated_utc = ? WHERE status = 'transcribing' AND lease_until_utc IS NOT NULL AND lease_until_utc < ?",
                (now_iso(), now_iso())).rowcount
