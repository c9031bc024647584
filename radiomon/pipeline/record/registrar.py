"""One station's closed segments onto the archive: placed, replayed overlap trimmed, left-overs adopted.

The recorder (:mod:`~radiomon.pipeline.record.runner`) hands over each file
ffmpeg closes with the instant its audio ended; the segment clock
(:mod:`~radiomon.pipeline.record.segment_clock`) decides where it sits in
time, and this module acts on that decision: an empty file or one holding
only audio already recorded is deleted, the head a server replayed after a
reconnect is cut off the file, and what is left becomes a recording row. A
run that was killed leaves files nobody registered: :meth:`recover_orphans`
registers them when the next run starts.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from radiomon import media
from radiomon.archive import Archive
from radiomon.errors import AudioError
from radiomon.pipeline.record import ffmpeg_args, segment_clock
from radiomon.pipeline.record.gap_tracker import GapTracker
from radiomon.pipeline.record.segment_clock import Placement, SegmentClock
from radiomon.timeutil import UTC

if TYPE_CHECKING:
    from radiomon.pipeline.record.runner import RecorderStatus

log = logging.getLogger("radiomon.pipeline.record")


def _now() -> datetime:
    return datetime.now(UTC)


def _wall(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class SegmentRegistrar:
    """Registers one station's closed segment files, counting them into the recorder's status."""

    def __init__(self, archive: Archive, station: str, tz: ZoneInfo, folder: Path, *,
                 timeline: SegmentClock, gaps: GapTracker, status: RecorderStatus):
        self.archive = archive
        self.station = station
        self.tz = tz
        self.folder = folder
        self.timeline = timeline
        self.gaps = gaps
        self.status = status

    def register(self, path: Path, end_ts: float, first: bool) -> None:
        """Register a closed segment with its measured start and duration."""
        if not path.exists():
            return
        try:
            duration = media.probe_duration(path)
        except AudioError:
            duration = 0.0
        placed = self.timeline.place(end_ts, duration, first)
        if placed.drop == "empty":
            log.debug("%s: dropping empty segment %s", self.station, path)
            path.unlink(missing_ok=True)
            return
        if placed.drop == "replayed":
            log.info("%s: %s holds only audio already recorded; dropped", self.station, path.name)
            path.unlink(missing_ok=True)
            self.status.duplicated_trimmed += duration
            return
        if placed.drift is not None:
            log.info("%s: stream clock drifted %.2f s from the wall clock; re-anchored", self.station, placed.drift)
        if placed.trim:
            placed = self.timeline.trimmed(placed, self._trim_head(path, placed.trim, duration))
            self.status.duplicated_trimmed += placed.trim
        self._store(path, placed)

    def _store(self, path: Path, placed: Placement) -> None:
        path = self._named_by_start(path, placed.start)
        self.gaps.audio_resumed_at(placed.start)
        rec_id, _ = self.archive.add_recording(
            station=self.station, start=placed.start, duration=placed.duration, path=str(path)
        )
        self.timeline.commit(placed)
        self.status.segments += 1
        self.status.seconds += placed.duration
        log.info("%s: segment %s %.1f s from %s (recording %d)", self.station,
                 path.relative_to(self.folder) if path.is_relative_to(self.folder) else path,
                 placed.duration, placed.start.astimezone(self.tz).strftime("%H:%M:%S.%f")[:-3], rec_id)

    def _named_by_start(self, path: Path, start: datetime) -> Path:
        """The file under the name of its registered start (see :func:`segment_clock.file_name`), so
        its name, its row and its audio agree: a reader of ``…/2026-11-25/095430.mp3`` (``radiomon
        import``, the staff in the folder) takes 09:54:30 for the time of its first sample.

        Renamed before its row is written, so the archive only ever holds the final path. Its
        nearest second may be taken (a file of less than a second before it, or a stalled one
        whose audio the server delivered late); then the other second within one of its start.
        A name still taken is never overwritten: the file keeps ffmpeg's name and says so in the log.
        """
        folder = path.parent.parent
        nearest = folder / segment_clock.file_name(start, self.tz, path.suffix)
        floor = folder / segment_clock.file_name(start, self.tz, path.suffix, nearest=False)
        ceiling = folder / segment_clock.file_name(start + timedelta(seconds=1), self.tz, path.suffix,
                                                   nearest=False)
        wanted = next((name for name in (nearest, floor, ceiling) if name == path or not name.exists()), nearest)
        if wanted == path:
            return path
        try:
            wanted.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, wanted)  # unlike a rename, never replaces a file already there
        except FileExistsError:
            log.warning("%s: %s starts at %s but %s exists; name kept", self.station, path.name,
                        start.astimezone(self.tz).strftime("%H:%M:%S"), nearest.name)
            return path
        except OSError:  # a file system without hard links
            if wanted.exists():
                return path
            os.replace(path, wanted)
            return wanted
        path.unlink()
        log.info("%s: %s renamed %s, the second its audio starts", self.station, path.name, wanted.name)
        return wanted

    def _trim_head(self, path: Path, seconds: float, duration: float) -> float:
        tmp = path.with_name(path.stem + ".trim" + path.suffix)
        result = subprocess.run(ffmpeg_args.trim_args(path, tmp, seconds), capture_output=True, text=True)
        if result.returncode != 0 or not tmp.exists():
            log.warning("%s: could not trim %.2f s of replayed audio from %s", self.station, seconds, path.name)
            tmp.unlink(missing_ok=True)
            return duration
        os.replace(tmp, path)
        log.info("%s: trimmed %.2f s replayed by the server after reconnecting", self.station, seconds)
        try:
            return media.probe_duration(path)
        except AudioError:
            return max(duration - seconds, 0.0)

    def recover_orphans(self, stall_seconds: float) -> None:
        """Register the segments a killed run left behind (closed now: their writer is gone).

        Only yesterday's and today's folders are looked at, and only files
        untouched for ``stall_seconds`` (never one another process still writes).
        The start is end-anchored on the file's mtime: the last packet written.
        """
        today = _now().astimezone(self.tz).date()
        for day in (today - timedelta(days=1), today):
            folder = self.folder / day.isoformat()
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if not path.is_file() or ".trim" in path.suffixes:
                    continue
                known = self.archive.recording_for_path(str(path)) is not None
                mtime = path.stat().st_mtime
                if known or time.time() - mtime < stall_seconds:
                    continue
                try:
                    duration = media.probe_duration(path)
                except AudioError as err:
                    log.warning("%s: left-over %s is not audio (%s); left alone", self.station, path.name, err)
                    continue
                start = _wall(mtime) - timedelta(seconds=duration)
                path = self._named_by_start(path, start)
                rec_id, _ = self.archive.add_recording(
                    station=self.station, start=start, duration=duration, path=str(path))
                log.info("%s: registered %s left by an interrupted run (recording %d)",
                         self.station, path.name, rec_id)
