"""One station's recorder: an ffmpeg child under a watchdog, in its own thread.

The loop (``run``) is: check the schedule and the disk → resolve the input
(playlists, codec probe) → start ffmpeg → watch it → when it ends, record the
outage as a gap, back off, start again. The watchdog restarts ffmpeg when it
exits, when its output stops growing for ``stall_seconds`` (a stream that
stalls without closing), or after ``silence_minutes`` of digital silence.

Timing. A segment's start is *measured*, end-anchored: when ffmpeg closes a
segment (a clock cut) the last packet it wrote arrived just now, at the live
edge, so ``end = close time`` and ``start = end - duration`` (the duration
from ffprobe). This also dates correctly the burst Icecast sends on connect
(up to 64 KB of audio from *before* we connected). For the last segment of a
process the end is when the file last grew. After a restart, the head of the
first new segment that overlaps what was already recorded (the server's
burst replaying audio we have) is trimmed, so nothing is duplicated.
"""

from __future__ import annotations

import ctypes
import logging
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from radiomon import media
from radiomon.archive import Archive
from radiomon.config import Config, Station
from radiomon.errors import AudioError, RecorderError
from radiomon.record import clock, ffmpeg_args, ffmpeg_log, playlist
from radiomon.timeutil import UTC, parse_iso

log = logging.getLogger("radiomon.record")

POLL_SECONDS = 0.25  # watchdog tick; also the precision of "last grew at"
MIN_SEGMENT_SECONDS = 0.1  # shorter leftovers (a stop right after a cut) are deleted, not registered
TRIM_TOLERANCE = 0.15  # overlaps below this are clock jitter, not duplicated audio
HEALTHY_SECONDS = 60.0  # a process that recorded this long resets the backoff
STOP_GRACE = 10.0  # seconds ffmpeg gets to close its segment after SIGTERM
DISK_CHECK_SECONDS = 5.0
# Packets arrive every few tens of ms (an HLS stream: a few seconds at a time);
# a close within this long of the last growth happened while audio flowed.
LIVE_EDGE_SECONDS = 3.0
DRIFT_SECONDS = 1.0
_OUTAGE_REASONS = ("network", "stall", "silence", "error")


def _now() -> datetime:
    return datetime.now(UTC)


def _wall(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class _BadStation(RecorderError):
    """The station's own config cannot be recorded (bad device name, unknown codec): gap reason "error"."""


def _end_instant(closed_at: float, last_growth: float) -> float:
    """When the audio of a segment closed at ``closed_at`` ends.

    While data flows the last packet arrived just before the close (the live
    edge), so the close time is the end. If the file had not grown for a while
    (a stall, then a restart or stop), the audio ended when it last grew.
    """
    if closed_at - last_growth <= LIVE_EDGE_SECONDS:
        return closed_at
    return last_growth


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    # No orphan ffmpeg: if the recorder thread that started it dies (even by
    # SIGKILL), the kernel kills the child. PR_SET_PDEATHSIG = 1.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


@dataclass
class _Open:
    """The segment ffmpeg is writing now."""

    path: Path
    opened: float
    size: int = 0


@dataclass
class StationStatus:
    """What a station is doing, for progress lines and ``radiomon status``."""

    station: str
    state: str = "starting"  # starting | recording | waiting | off-schedule | disk | stopped | error
    detail: str = ""
    segments: int = 0
    restarts: int = 0
    gaps: int = 0
    seconds: float = 0.0  # audio registered
    duplicated_trimmed: float = 0.0  # seconds of replayed audio removed after reconnects
    errors: list[str] = field(default_factory=list)


class StationRunner(threading.Thread):
    def __init__(self, config: Config, station: Station, stop: threading.Event, *, archive_path: Path | None = None):
        super().__init__(name=f"record-{station.id}", daemon=True)
        self.config = config
        self.station = station
        self.options = config.record
        self.tz: ZoneInfo = station.timezone or config.timezone
        self.stop_event = stop
        self.archive_path = archive_path or config.archive
        self.folder = Path(config.recordings_dir) / station.id
        self.status = StationStatus(station.id)
        self.proc: subprocess.Popen | None = None
        self._gap: tuple[int, str] | None = None  # (row id, reason) of the open gap
        self._gap_start: datetime | None = None
        # (gap id, gap start) of the gap closed when the current process opened
        # its first segment; that segment's measured start corrects the end.
        self._gap_closed_at: tuple[int, datetime] | None = None
        self._last_end: datetime | None = None  # end of the last registered audio
        self._stream_codec: str | None = None
        self._title: str | None = None
        self._restart_now = False

    # ------------------------------------------------------------------ loop
    def run(self) -> None:
        self.archive = Archive(self.archive_path)
        adopted = False
        try:
            while not self.stop_event.is_set():
                try:
                    if not adopted:
                        self._recover_orphans()
                        self._adopt_open_gaps()
                        adopted = True
                    self._loop()
                except Exception as err:
                    # A bug or a locked archive must neither take the other
                    # stations down nor end this one: it runs for months.
                    log.exception("%s: recorder failed: %s; restarting it in %g s",
                                  self.station.id, err, self.options.backoff_max)
                    self._kill()
                    self.status.state, self.status.detail = "error", str(err)
                    self._error_line(f"{self.station.id}: {err}")
                    try:
                        self._open_gap("error", self._last_end or _now())
                    except Exception:  # the archive itself may be what failed
                        pass
                    self.stop_event.wait(self.options.backoff_max)
        finally:
            self._kill()
            try:
                if self._gap is None:  # an outage already open (off-schedule, network…) just goes on
                    self._open_gap("stopped", self._last_end or _now())
            finally:
                self.status.state = "stopped"
                self.archive.close()

    def _loop(self) -> None:
        backoff = self.options.backoff_initial
        while not self.stop_event.is_set():
            now = _now()
            if not clock.is_scheduled(self.station, now, self.tz):
                self._wait_off_schedule(now)
                continue
            if self._disk_low():
                self._open_gap("disk", now)
                self._set("disk", f"less than {self.options.min_free_mb} MB free in {self.config.recordings_dir}")
                self.stop_event.wait(DISK_CHECK_SECONDS)
                continue
            try:
                command = self._prepare()
            except RecorderError as err:
                self._error_line(str(err))
                self._open_gap("error" if isinstance(err, _BadStation) else "network", self._last_end or now)
                self._set("waiting", f"retry in {backoff:g} s")
                self.stop_event.wait(backoff)
                backoff = min(backoff * 2, self.options.backoff_max)
                continue
            started = time.time()
            reason, detail = self._run_once(command)
            if reason in ("stopped", "off-schedule", "disk"):
                if reason != "stopped":
                    self._open_gap(reason, self._last_end or _now())
                continue
            self.status.restarts += 1
            self._open_gap(reason, self._last_end or _now())
            if time.time() - started >= HEALTHY_SECONDS + backoff:
                backoff = self.options.backoff_initial
            log.warning("%s: %s (%s); restarting in %g s", self.station.id, reason, detail, backoff)
            self._set("waiting", f"{reason}: {detail}; restart in {backoff:g} s")
            self.stop_event.wait(backoff)
            backoff = min(backoff * 2, self.options.backoff_max)

    def _wait_off_schedule(self, now: datetime) -> None:
        self._open_gap("off-schedule", now)
        _, reason = clock.station_state(self.station, now, self.tz)
        if self.status.state != "off-schedule":
            log.info("%s: %s", self.station.id, reason)
        self._set("off-schedule", reason)
        change = clock.next_change(self.station, now, self.tz)
        wait = 60.0 if change is None else max(0.05, (change - now).total_seconds())
        self.stop_event.wait(min(wait, 60.0))

    # -------------------------------------------------------------- prepare
    def _prepare(self) -> list[str]:
        """Resolve the input and build the ffmpeg command (errors are per station, retried)."""
        media.require_tool("ffmpeg")
        try:
            source = ffmpeg_args.parse_input(self.station.url, self.station.input)
        except ValueError as err:
            raise _BadStation(f"{self.station.id}: {err}") from None
        if source.kind == "http" and self.station.url:
            try:
                resolved = playlist.resolve(self.station.url, timeout=min(self.options.stall_seconds, 15.0))
            except RecorderError as err:
                raise RecorderError(f"{self.station.id}: {err}") from None
            source = ffmpeg_args.parse_input(resolved, None)
        stream_codec = None
        if source.kind in ("http", "hls", "file") and self.station.codec is None:
            stream_codec = self._probe_codec(source.target)
        silence = self.options.silence_minutes * 60.0
        try:
            output = ffmpeg_args.choose_output(
                self.folder,
                clock.segment_seconds(self.station),
                stream_codec=stream_codec,
                station_codec=self.station.codec,
                station_bitrate=self.station.bitrate,
                default_codec=self.options.codec,
                default_bitrate=self.options.bitrate,
                device=source.kind == "device",
                silence_seconds=silence,
            )
        except ValueError as err:
            raise _BadStation(f"{self.station.id}: {err}") from None
        self.output = output
        command = ffmpeg_args.record_args(source, output, read_timeout=self.options.stall_seconds)
        log.debug("%s: %s", self.station.id, " ".join(command))
        return command

    def _probe_codec(self, url: str) -> str:
        if self._stream_codec is not None:
            return self._stream_codec  # probed once; a restart should not wait for it again
        media.require_tool("ffprobe")
        timeout = min(self.options.stall_seconds, 15.0)
        command = ffmpeg_args.probe_args(url, timeout=timeout)
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout + 5)
        except subprocess.TimeoutExpired:
            raise RecorderError(f"{self.station.id}: {url} did not answer within {timeout:g} s") from None
        codec = result.stdout.strip().splitlines()[0] if result.stdout.strip() else ""
        if result.returncode != 0 or not codec:
            why = (result.stderr.strip().splitlines() or ["no audio stream"])[-1]
            why = why.removeprefix(f"{url}: ")
            raise RecorderError(f"{self.station.id}: cannot read {url}: {why}")
        self._stream_codec = codec
        return codec

    # ------------------------------------------------------------ one child
    def _run_once(self, command: list[str]) -> tuple[str, str]:
        """Run ffmpeg until it ends or the watchdog stops it; returns (reason, detail)."""
        self._make_date_folders()
        events: queue.Queue = queue.Queue()
        try:
            self.proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=ffmpeg_args.child_env(str(self.tz)),
                start_new_session=True,  # a terminal's Ctrl-C reaches us, not ffmpeg directly
                preexec_fn=_die_with_parent,
            )
        except OSError as err:
            return "error", f"cannot start ffmpeg: {err}"
        proc = self.proc
        reader = threading.Thread(target=self._read_stderr, args=(proc, events), daemon=True)
        reader.start()
        log.info("%s: recording %s (%s)", self.station.id, self.station.source,
                 "stream copy" if self.output.copy else f"{self.output.codec} {self.output.bitrate or ''}".strip())
        self._set("recording", self.station.source)

        current: _Open | None = None
        last_growth = time.time()
        last_error = ""
        reason, detail = "", ""
        next_disk_check = time.time() + DISK_CHECK_SECONDS
        off_at = clock.next_change(self.station, _now(), self.tz)
        first_segment = True
        stop_sent = 0.0
        while True:
            current, last_error, first_segment, silence = self._drain(events, current, last_error, first_segment, last_growth)
            now = time.time()
            if proc.poll() is not None:
                reason = reason or ffmpeg_log.classify_exit(last_error)
                detail = detail or (last_error or f"ffmpeg exited with status {proc.returncode}")
                break
            if reason:  # we asked it to stop; wait for it to close the segment
                if now > stop_sent + STOP_GRACE:
                    proc.kill()
                time.sleep(POLL_SECONDS / 2)
                continue
            if current is not None:
                try:
                    stat = current.path.stat()
                except OSError:
                    stat = None
                if stat is not None and stat.st_size > current.size:
                    # mtime is when the last packet was written (flushed per packet)
                    current.size, last_growth = stat.st_size, max(last_growth, min(stat.st_mtime, now))
            if self.stop_event.is_set():
                reason, detail = "stopped", "stop requested"
            elif silence:
                reason, detail = "silence", f"{self.options.silence_minutes:g} min of digital silence"
            elif now - last_growth > self.options.stall_seconds:
                reason, detail = "stall", f"no audio for {self.options.stall_seconds:g} s"
            elif off_at is not None and _now() >= off_at:
                reason, detail = "off-schedule", "schedule window ended"
            elif now >= next_disk_check:
                next_disk_check = now + DISK_CHECK_SECONDS
                self._make_date_folders()
                if self._disk_low():
                    reason, detail = "disk", f"less than {self.options.min_free_mb} MB free"
                    log.warning("%s: stopping: %s", self.station.id, detail)
            if reason:
                stop_sent = now
                self._terminate(proc)
                continue
            time.sleep(POLL_SECONDS)
        reader.join(5)
        exited = time.time()
        current, last_error, first_segment, silence = self._drain(events, current, last_error, first_segment, last_growth)
        if current is not None:
            # killed, or exited without saying "ended": the file is closed now
            self._register(current.path, _end_instant(exited, last_growth), first_segment)
        self.proc = None
        if reason == "silence":
            # the silence began silence_minutes before silencedetect said so
            self._open_gap("silence", _now() - timedelta(minutes=self.options.silence_minutes))
        return reason, detail

    def _drain(self, events: queue.Queue, current: _Open | None, last_error: str, first: bool, last_growth: float):
        silence = False
        while True:
            try:
                at, event = events.get_nowait()
            except queue.Empty:
                return current, last_error, first, silence
            if event.kind == "opened":
                current = _Open(Path(event.value), at)
                if self._gap is not None:
                    self._close_gap(_wall(at))
            elif event.kind == "ended":
                path = Path(event.value)
                self._register(path, _end_instant(at, last_growth), first)
                first = False
                if current is not None and current.path == path:
                    current = None
            elif event.kind == "title":
                self._now_playing(_wall(at), event.value)
            elif event.kind == "silence":
                silence = True
            elif event.kind == "error":
                last_error = event.value

    def _read_stderr(self, proc: subprocess.Popen, events: queue.Queue) -> None:
        ext = self.output.ext
        for raw in proc.stderr:  # type: ignore[union-attr]
            line = raw.decode("utf-8", errors="replace")
            event = ffmpeg_log.parse_line(line, segment_ext=ext)
            if event is not None:
                events.put((time.time(), event))

    def _terminate(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)  # ffmpeg closes the open segment and exits
            except ProcessLookupError:
                pass

    def _kill(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            self._terminate(proc)
            try:
                proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    # ------------------------------------------------------------- segments
    def _register(self, path: Path, end_ts: float, first: bool) -> None:
        """Register a closed segment with its measured start and duration."""
        if not path.exists():
            return
        try:
            duration = media.probe_duration(path)
        except AudioError:
            duration = 0.0
        if duration < MIN_SEGMENT_SECONDS:
            log.debug("%s: dropping empty segment %s", self.station.id, path)
            path.unlink(missing_ok=True)
            return
        end = _wall(end_ts)
        start = end - timedelta(seconds=duration)
        if not first and self._last_end is not None:
            # Same ffmpeg, next file: its first sample directly follows the
            # previous file's last one. Chaining is exact where the close time
            # jitters by tens of ms; re-anchor only if the stream's clock has
            # drifted from the wall clock by more than DRIFT_SECONDS.
            chained = self._last_end
            if abs((chained - start).total_seconds()) <= DRIFT_SECONDS:
                start = chained
            else:
                log.info("%s: stream clock drifted %.2f s from the wall clock; re-anchored",
                         self.station.id, (start - chained).total_seconds())
            end = start + timedelta(seconds=duration)
        if first and self._last_end is not None and start < self._last_end:
            overlap = (self._last_end - start).total_seconds()
            if overlap >= duration - MIN_SEGMENT_SECONDS:
                log.info("%s: %s holds only audio already recorded; dropped", self.station.id, path.name)
                path.unlink(missing_ok=True)
                self.status.duplicated_trimmed += duration
                return
            if overlap > TRIM_TOLERANCE:
                duration = self._trim_head(path, overlap, duration)
                self.status.duplicated_trimmed += overlap
            # what is left starts where the last recording ended (jitter below TRIM_TOLERANCE included)
            start = max(end - timedelta(seconds=duration), self._last_end)
            end = start + timedelta(seconds=duration)
        if self._gap_closed_at is not None:
            # the gap ended when this audio starts (it may begin before we reconnected: burst)
            gap_id, gap_start = self._gap_closed_at
            self.archive.close_gap(gap_id, max(start, gap_start))
            self._gap_closed_at = None
        rec_id, created = self.archive.add_recording(
            station=self.station.id, start=start, duration=duration, path=str(path)
        )
        self._last_end = end
        self.status.segments += 1
        self.status.seconds += duration
        log.info("%s: segment %s %.1f s from %s (recording %d)", self.station.id,
                 path.relative_to(self.folder) if path.is_relative_to(self.folder) else path,
                 duration, start.astimezone(self.tz).strftime("%H:%M:%S.%f")[:-3], rec_id)

    def _trim_head(self, path: Path, seconds: float, duration: float) -> float:
        tmp = path.with_name(path.stem + ".trim" + path.suffix)
        result = subprocess.run(ffmpeg_args.trim_args(path, tmp, seconds), capture_output=True, text=True)
        if result.returncode != 0 or not tmp.exists():
            log.warning("%s: could not trim %.2f s of replayed audio from %s", self.station.id, seconds, path.name)
            tmp.unlink(missing_ok=True)
            return duration
        os.replace(tmp, path)
        log.info("%s: trimmed %.2f s replayed by the server after reconnecting", self.station.id, seconds)
        try:
            return media.probe_duration(path)
        except AudioError:
            return max(duration - seconds, 0.0)

    # ----------------------------------------------------------------- gaps
    def _adopt_open_gaps(self) -> None:
        """An outage left open by a previous run (stopped, crashed) ends when we record again."""
        open_gaps = self.archive.query(
            "SELECT id, reason, start_utc FROM gaps WHERE station = ? AND end_utc IS NULL ORDER BY start_utc, id",
            (self.station.id,),
        )
        # several open ones (runs that crashed): each ended where the next began
        for older, newer in zip(open_gaps, open_gaps[1:]):
            self.archive.close_gap(older["id"], parse_iso(newer["start_utc"]))
        if open_gaps:
            self._gap = (open_gaps[-1]["id"], open_gaps[-1]["reason"])
            self._gap_start = parse_iso(open_gaps[-1]["start_utc"])
        # a recorder restarted within seconds must not duplicate the server's burst either
        last = self.archive.query(
            "SELECT max(end_utc) AS end_utc FROM recordings WHERE station = ?", (self.station.id,)
        )
        if last and last[0]["end_utc"]:
            self._last_end = parse_iso(last[0]["end_utc"])
            if self._gap is None:
                # The last run left no gap open: it was killed (power cut,
                # SIGKILL, crash). Nothing was recorded since its last audio.
                self._open_gap("stopped", self._last_end)

    def _recover_orphans(self) -> None:
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
                known = self.archive.query("SELECT id FROM recordings WHERE path = ?", (str(path),))
                mtime = path.stat().st_mtime
                if known or time.time() - mtime < self.options.stall_seconds:
                    continue
                try:
                    duration = media.probe_duration(path)
                except AudioError as err:
                    log.warning("%s: left-over %s is not audio (%s); left alone", self.station.id, path.name, err)
                    continue
                start = _wall(mtime) - timedelta(seconds=duration)
                rec_id, _ = self.archive.add_recording(
                    station=self.station.id, start=start, duration=duration, path=str(path))
                log.info("%s: registered %s left by an interrupted run (recording %d)",
                         self.station.id, path.name, rec_id)

    def _open_gap(self, reason: str, start: datetime) -> None:
        if self._gap is not None:
            # One outage, one reason: a network drop that then fails to
            # reconnect in time (stall) stays a network gap. Deliberate states
            # (off-schedule, disk, stopped) do take over.
            if self._gap[1] == reason or reason in _OUTAGE_REASONS:
                return
            self.archive.close_gap(self._gap[0], start)
        gap_id = self.archive.open_gap(self.station.id, start, reason)
        self._gap = (gap_id, reason)
        self._gap_start = start
        self._gap_closed_at = None
        self.status.gaps += 1
        log.info("%s: gap opened (%s) from %s", self.station.id, reason,
                 start.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S"))

    def _close_gap(self, end: datetime) -> None:
        assert self._gap is not None
        gap_id, reason = self._gap
        end = max(end, self._gap_start)
        self.archive.close_gap(gap_id, end)
        # the first segment's measured start may move this end earlier (see _register)
        self._gap_closed_at = (gap_id, self._gap_start)
        self._gap = None
        log.info("%s: gap closed (%s), %.1f s", self.station.id, reason, (end - self._gap_start).total_seconds())

    # ----------------------------------------------------------------- misc
    def _now_playing(self, at: datetime, title: str) -> None:
        if not title or title == self._title:
            return
        self._title = title
        self.archive.add_now_playing(self.station.id, at, title)
        log.info("%s: now playing %r", self.station.id, title)

    def _disk_low(self) -> bool:
        target = Path(self.config.recordings_dir)
        while not target.exists() and target != target.parent:
            target = target.parent
        free_mb = shutil.disk_usage(target).free / 1024 / 1024
        return free_mb < self.options.min_free_mb

    def _make_date_folders(self) -> None:
        # ffmpeg's segment muxer does not create the %Y-%m-%d folder: make
        # today's and tomorrow's ahead so the midnight cut finds its folder.
        today = _now().astimezone(self.tz).date()
        for day in (today, today + timedelta(days=1)):
            (self.folder / day.isoformat()).mkdir(parents=True, exist_ok=True)

    def _set(self, state: str, detail: str) -> None:
        self.status.state, self.status.detail = state, detail

    def _error_line(self, message: str) -> None:
        if not self.status.errors or self.status.errors[-1] != message:
            log.error("%s", message)
        self.status.errors.append(message)
        del self.status.errors[:-20]
