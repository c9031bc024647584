"""One station's recorder: an ffmpeg child under a watchdog, in its own thread.

The loop (``run``) is: check the schedule and the disk → resolve the input
(playlists, codec probe) → start ffmpeg → watch it → when it ends, record the
outage as a gap, back off, start again. The watchdog restarts ffmpeg when it
exits, when its output stops growing for ``stall_seconds`` (a stream that
stalls without closing), or after ``silence_minutes`` of digital silence.

Where each closed segment sits in time is the segment clock's decision
(:mod:`~radiomon.pipeline.record.segment_clock`), carried out onto disk and
archive by the registrar (:mod:`~radiomon.pipeline.record.registrar`); what
is on record as an outage is the gap tracker's
(:mod:`~radiomon.pipeline.record.gap_tracker`). This module drives ffmpeg
and hands them what it sees.
"""

from __future__ import annotations

import ctypes
import logging
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

from radiomon import media, schedule
from radiomon.archive import Archive
from radiomon.config import Config, Station
from radiomon.errors import RecorderError
from radiomon.pipeline.record import clock, ffmpeg_args, ffmpeg_log, playlist
from radiomon.pipeline.record.gap_tracker import GapTracker
from radiomon.pipeline.record.registrar import SegmentRegistrar
from radiomon.pipeline.record.segment_clock import SegmentClock, end_instant
from radiomon.timeutil import UTC

log = logging.getLogger("radiomon.pipeline.record")

POLL_SECONDS = 0.25  # watchdog tick; also the precision of "last grew at"
HEALTHY_SECONDS = 60.0  # a process that recorded this long resets the backoff
STOP_GRACE = 10.0  # seconds ffmpeg gets to close its segment after SIGTERM
DISK_CHECK_SECONDS = 5.0


def _now() -> datetime:
    return datetime.now(UTC)


def _wall(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class _BadStation(RecorderError):
    """The station's own config cannot be recorded (bad device name, unknown codec): gap reason "error"."""


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
class RecorderStatus:
    """What one station's recorder is doing and has done, for its log lines and the run's summary."""

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
        self.status = RecorderStatus(station.id)
        self.proc: subprocess.Popen | None = None
        self.timeline = SegmentClock()
        self.gaps: GapTracker | None = None  # once the archive is open
        self.segments: SegmentRegistrar | None = None  # likewise
        self._stream_codec: str | None = None
        self._title: str | None = None
        self._restart_now = False

    # ------------------------------------------------------------------ loop
    def run(self) -> None:
        self.archive = Archive(self.archive_path)
        self.gaps = GapTracker(self.archive, self.station.id, self.tz)
        self.segments = SegmentRegistrar(self.archive, self.station.id, self.tz, self.folder,
                                         timeline=self.timeline, gaps=self.gaps, status=self.status)
        adopted = False
        try:
            while not self.stop_event.is_set():
                try:
                    if not adopted:
                        self.segments.recover_orphans(self.options.stall_seconds)
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
                        self._open_gap("error", self.timeline.last_end or _now())
                    except Exception:  # the archive itself may be what failed
                        pass
                    self.stop_event.wait(self.options.backoff_max)
        finally:
            self._kill()
            try:
                if self.gaps.gap is None:  # an outage already open (off-schedule, network…) just goes on
                    self._open_gap("stopped", self.timeline.last_end or _now())
            finally:
                self.status.state = "stopped"
                self.archive.close()

    def _loop(self) -> None:
        backoff = self.options.backoff_initial
        while not self.stop_event.is_set():
            now = _now()
            if not schedule.is_scheduled(self.station, now, self.tz):
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
                self._open_gap("error" if isinstance(err, _BadStation) else "network", self.timeline.last_end or now)
                self._set("waiting", f"retry in {backoff:g} s")
                self.stop_event.wait(backoff)
                backoff = min(backoff * 2, self.options.backoff_max)
                continue
            started = time.time()
            reason, detail = self._run_once(command)
            if reason in ("stopped", "off-schedule", "disk"):
                if reason != "stopped":
                    self._open_gap(reason, self.timeline.last_end or _now())
                continue
            self.status.restarts += 1
            self._open_gap(reason, self.timeline.last_end or _now())
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
        change = schedule.next_change(self.station, now, self.tz)
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
        off_at = schedule.next_change(self.station, _now(), self.tz)
        first_segment = True
        stop_sent = 0.0
        while True:
            current, last_error, first_segment, silence = self._drain(
                events, current, last_error, first_segment, last_growth
            )
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
        current, last_error, first_segment, silence = self._drain(
            events, current, last_error, first_segment, last_growth
        )
        if current is not None:
            # killed, or exited without saying "ended": the file is closed now
            self.segments.register(current.path, end_instant(exited, last_growth), first_segment)
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
                self.gaps.close(_wall(at))
            elif event.kind == "ended":
                path = Path(event.value)
                self.segments.register(path, end_instant(at, last_growth), first)
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

    # ----------------------------------------------------------------- gaps
    def _adopt_open_gaps(self) -> None:
        """An outage left open by a previous run (stopped, crashed) ends when we record again;
        a recorder restarted within seconds must not duplicate the server's burst either."""
        self.timeline.last_end = self.archive.last_audio_end(self.station.id)
        self.gaps.adopt(self.archive.open_gaps(self.station.id), self.timeline.last_end)
        self.status.gaps = self.gaps.opened

    def _open_gap(self, reason: str, start: datetime) -> None:
        self.gaps.open(reason, start)
        self.status.gaps = self.gaps.opened

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
