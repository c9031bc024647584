"""Where each recorded segment sits in time (pure): measured, chained, never duplicated.

A segment's start is *measured*, end-anchored: when ffmpeg closes a segment
(a clock cut) the last packet it wrote arrived just now, at the live edge,
so ``end = close time`` and ``start = end - duration`` (the duration from
ffprobe). This also dates correctly the burst Icecast sends on connect (up
to 64 KB of audio from *before* we connected). For the last segment of a
process the end is when the file last grew (:func:`end_instant`).

The next file of the same ffmpeg starts exactly where the previous one
ended (the close time jitters by tens of ms; chaining does not), unless the
stream's clock has drifted from the wall clock by more than
:data:`DRIFT_SECONDS`. After a restart, the head of the first new segment
that overlaps what was already recorded (the server's burst replaying audio
we have) is to be trimmed, so nothing is stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone, tzinfo

MIN_SEGMENT_SECONDS = 0.1  # shorter leftovers (a stop right after a cut) are deleted, not registered
TRIM_TOLERANCE = 0.15  # overlaps below this are clock jitter, not duplicated audio
DRIFT_SECONDS = 1.0  # a chained start this far from the measured one: the stream's clock drifted
# Packets arrive every few tens of ms (an HLS stream: a few seconds at a time);
# a close within this long of the last growth happened while audio flowed.
LIVE_EDGE_SECONDS = 3.0


def end_instant(closed_at: float, last_growth: float) -> float:
    """When the audio of a segment closed at ``closed_at`` ends (both epoch seconds).

    While data flows the last packet arrived just before the close (the live
    edge), so the close time is the end. If the file had not grown for a while
    (a stall, then a restart or stop), the audio ended when it last grew.
    """
    if closed_at - last_growth <= LIVE_EDGE_SECONDS:
        return closed_at
    return last_growth


@dataclass(frozen=True)
class Placement:
    """A closed segment placed in time, or why it is not kept."""

    start: datetime
    end: datetime
    duration: float  # seconds
    drop: str | None = None  # "empty" (nothing recorded) or "replayed" (only audio we have); the file goes
    trim: float = 0.0  # seconds of its head already recorded: cut them, then :meth:`SegmentClock.trimmed`
    drift: float | None = None  # seconds the stream's clock drifted, when it was re-anchored


class SegmentClock:
    """One station's recorded timeline: where its registered audio ends."""

    def __init__(self, last_end: datetime | None = None):
        self.last_end = last_end  # end of the last registered audio

    def place(self, end_ts: float, duration: float, first: bool) -> Placement:
        """A segment that ended at ``end_ts`` (epoch seconds, see :func:`end_instant`)
        and holds ``duration`` seconds; ``first``: the first file of its ffmpeg."""
        end = datetime.fromtimestamp(end_ts, timezone.utc)
        start = end - timedelta(seconds=duration)
        if duration < MIN_SEGMENT_SECONDS:
            return Placement(start, end, duration, drop="empty")
        last = self.last_end
        if last is None:
            return Placement(start, end, duration)
        if not first:
            # Same ffmpeg, next file: its first sample directly follows the
            # previous file's last one.
            drift = (start - last).total_seconds()
            if abs(drift) <= DRIFT_SECONDS:
                return Placement(last, last + timedelta(seconds=duration), duration)
            return Placement(start, end, duration, drift=drift)
        if start >= last:
            return Placement(start, end, duration)
        overlap = (last - start).total_seconds()
        if overlap >= duration - MIN_SEGMENT_SECONDS:
            return Placement(start, end, duration, drop="replayed")
        placed = Placement(start, end, duration, trim=overlap if overlap > TRIM_TOLERANCE else 0.0)
        return placed if placed.trim else self.trimmed(placed, duration)

    def trimmed(self, placement: Placement, duration: float) -> Placement:
        """``placement`` once its head is cut and ``duration`` seconds are left: what
        is left starts where the last recording ended (jitter below
        :data:`TRIM_TOLERANCE` included)."""
        start = max(placement.end - timedelta(seconds=duration), self.last_end)
        return replace(placement, start=start, end=start + timedelta(seconds=duration), duration=duration)

    def commit(self, placement: Placement) -> None:
        """The segment was registered: the timeline now ends where it does."""
        self.last_end = placement.end


def file_name(start: datetime, tz: tzinfo, ext: str, *, nearest: bool = True) -> str:
    """``2026-11-25/095436.mp3``: where a segment whose first sample plays at ``start``
    belongs, under its station's folder (local time, to the nearest second).

    ffmpeg names a file when it opens it; a segment cut on the clock keeps that
    name (its chained start lies within jitter of the cut). The first file after
    a reconnect does not: its head replayed by the server is trimmed, or the
    stream stalled before audio came, so "095430" can start at 09:54:36.

    With ``nearest`` false the second is the one the first sample plays in (rounded down): the name a
    file gets when the nearest second is the next file's (its audio began just before a cut).
    """
    local = (start + timedelta(microseconds=500_000 if nearest else 0)).astimezone(tz).replace(microsecond=0)
    return f"{local:%Y-%m-%d}/{local:%H%M%S}.{ext.lstrip('.')}"


__all__ = ["Placement", "SegmentClock", "end_instant", "file_name"]
