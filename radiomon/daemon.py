"""``radiomon run``: the always-on daemon.

Every station is recorded (one ffmpeg each, in the recorder's own threads,
:func:`~radiomon.pipeline.record.recorders`), and each segment is
transcribed and matched as soon as it closes. The daemon's pass runs every
``daemon.pass_seconds``, or as soon as a worker is done:

1. finish what the workers did: store each transcript and flag its mentions
   (:class:`radiomon.jobs.LiveTranscription`; crisis mentions become events);
2. claim the next pending recordings for the free workers, newest or
   oldest first (``daemon.backlog``), and submit them;
3. the after-pass work (:data:`AFTER_PASS`: alert delivery, health checks, and
   every ``press.poll_minutes`` a pass over the newspapers, on threads of their own).

Transcription runs in worker processes at a lower CPU priority
(``daemon.worker_nice``; one recording per worker, as many workers as
:func:`~radiomon.pipeline.transcribe.machine.plan_workers` gives the
machine), so ffmpeg and the recorder threads keep the CPU they need however
long the backlog is. With ``transcription.cluster`` (``--cluster``) a Dask
cluster's workers transcribe instead, through the batch's coordinator
(leases in the archive; :mod:`radiomon.pipeline.transcribe.live_cluster`),
and recording and matching stay here.

Crash safety: a recording a worker has is ``transcribing``; what a killed
run left so is queued again when the daemon starts (it holds the stations'
recorder locks, so no other daemon has them), and the backlog of
``pending`` recordings is then caught up with by itself. Every write is one
transaction (a recording, its segments, its mentions and their events), so
a kill at any point leaves whole rows and a rerun never doubles them.
SIGTERM and SIGINT stop the workers at once (their recordings go back to
``pending``), then the recorders finish and register their open segments.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from dataclasses import dataclass, field
from datetime import datetime

from radiomon import jobs, timeutil
from radiomon.alerts.background import BackgroundAlerts
from radiomon.archive import Archive, Recording
from radiomon.config import Config
from radiomon.errors import ArchiveError, TranscriptionError
from radiomon.pipeline.executor import background_pool, stop_pool, worker_memory_mb
from radiomon.pipeline.match import MatchResult
from radiomon.pipeline.press.poll import BackgroundPress
from radiomon.pipeline.record import recorders, select_stations
from radiomon.pipeline.record.runner import RecorderStatus
from radiomon.pipeline.record.supervisor import stop_runners
from radiomon.sintesis.background import BackgroundSintesis

log = logging.getLogger(__name__)

AfterPass = Callable[[Config, Archive], None]

# After each pass, in order, with the deployment's config and the daemon's
# archive; one that raises is logged and the daemon goes on. Alerts: health
# checked and the outbox delivered, on a thread of their own so a slow
# channel never holds back transcription (radiomon/alerts/background.py). The press:
# a polite pass every press.poll_minutes, on its thread (radiomon/pipeline/press/poll.py). The
# síntesis: approved editions delivered when due (radiomon/sintesis/background.py).
AFTER_PASS: list[AfterPass] = [BackgroundAlerts(), BackgroundPress(), BackgroundSintesis()]

# A recording in flight when a worker process died this many times is marked
# failed instead of being tried again: it is what kills the worker.
WORKER_DEATHS = 2


@dataclass
class DaemonResult:
    """What a daemon run did, for its last log line."""

    recorders: list[RecorderStatus] = field(default_factory=list)
    transcribed: int = 0
    failed: int = 0
    segments: int = 0
    audio_seconds: float = 0.0
    mentions: int = 0  # new mentions flagged
    events: int = 0  # of which crisis events
    recovered: int = 0  # recordings a killed run left transcribing, queued again at the start
    requeued: int = 0  # recordings the workers had at the stop, back to pending
    waiting: int = 0  # recordings of the stations still pending at the stop: the next run's backlog
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        segments = sum(s.segments for s in self.recorders)
        return (f"recorded {segments} segment(s) from {len(self.recorders)} station(s); transcribed "
                f"{self.transcribed} recording(s) ({self.audio_seconds / 3600:.2f} h of audio), {self.failed} "
                f"failed; {self.mentions} new mention(s), {self.events} event(s); "
                f"{self.waiting} waiting for the next run")


def run(config: Config, station_ids: Iterable[str] = (), *, stop: threading.Event, duration: float | None = None,
        after_pass: tuple[AfterPass, ...] = ()) -> DaemonResult:
    """Record, transcribe and match the stations (those named, else all)
    until ``stop`` is set.

    With ``duration`` (seconds), recording stops after that long, and the run
    ends once everything waiting for the stations is transcribed (a trial,
    the demo). ``after_pass`` runs after :data:`AFTER_PASS` each pass.
    """
    # none configured, or an unknown id: ConfigError, before anything starts
    stations = [s.id for s in select_stations(config, station_ids)]
    live = jobs.LiveTranscription(config)  # keywords.yml read: a broken one stops here
    recording = threading.Event()
    with Archive(config.archive) as archive, recorders(config, stations, stop=recording) as runners:
        daemon = _Daemon(config, archive, live, stations, stop, (*AFTER_PASS, *after_pass))
        try:
            daemon.start()
            deadline = None if duration is None else time.monotonic() + duration
            daemon.loop(until=lambda: deadline is not None and time.monotonic() >= deadline)
            if duration is not None and not stop.is_set():
                log.info("recording time is over; transcribing what is waiting, then stopping")
                stop_runners(recording, runners)  # their open segments are registered now
                daemon.drain()
        finally:
            daemon.close()
    daemon.result.recorders = [r.status for r in runners]
    return daemon.result


class _Daemon:
    def __init__(self, config: Config, archive: Archive, live: jobs.LiveTranscription, stations: list[str],
                 stop: threading.Event, after_pass: tuple[AfterPass, ...]):
        self.config = config
        self.archive = archive
        self.live = live
        self.stations = stations
        self.stop = stop
        self.after_pass = after_pass
        self.newest_first = config.daemon.backlog == "newest-first"
        self.result = DaemonResult()
        self.pool = None
        self.inflight: dict[Future, Recording] = {}
        self.deaths: Counter[int] = Counter()  # recording id → worker deaths while it was in flight
        self.run_id: int | None = None
        self._claimed_nothing = False
        self.cluster = None  # the Dask cluster's lane instead of the pool, with transcription.cluster (--cluster)

    # ---------------------------------------------------------------- life
    def start(self) -> None:
        self.run_id = self.archive.start_run("run")
        self.result.recovered = self.archive.requeue(stations=self.stations)
        if self.result.recovered:
            log.info("%d recording(s) left transcribing by an interrupted run: queued again", self.result.recovered)
        leftover = self.live.match_leftovers(self.archive, self.stations)
        if leftover.recordings:
            self._count_matched(leftover)
            log.info("matched %d recording(s) an interrupted run had transcribed", leftover.recordings)
        if self.config.transcription.cluster.enabled:
            from radiomon.pipeline.transcribe.live_cluster import ClusterLane  # dask only with a cluster

            self.cluster = ClusterLane(self.config, self.archive, self.live)
            self.cluster.start()
            return
        self._start_pool()
        log.info("transcribing with %s %s in %d worker(s), backlog %s", self.live.stage.engine,
                 self.live.stage.model, self.live.workers, self.config.daemon.backlog)

    def _start_pool(self) -> None:
        self.pool = background_pool(self.live.workers, nice=self.config.daemon.worker_nice,
                                    max_tasks=self.config.daemon.worker_max_recordings)
        self._recycling = False
        try:
            self.live.start(self.pool)  # the model loads in a worker; a missing one fails here
        except BrokenExecutor as err:
            raise TranscriptionError(f"the transcription worker died as it loaded the model ({err}); "
                                     "check free memory and `radiomon models`") from None

    def close(self) -> None:
        """Workers stopped now, what they had back to pending, the run logged."""
        if self.cluster is not None:
            self.result.requeued = self.cluster.close()
        if self.pool is not None:
            stop_pool(self.pool)
            self.pool = None
        if self.inflight:
            self.result.requeued = self.archive.requeue(ids=[r.id for r in self.inflight.values()])
            self.inflight.clear()
        self.result.waiting = sum(row["n"] for row in self.archive.recording_counts()
                                  if row["station"] in self.stations and row["status"] == "pending")
        if self.run_id is not None:
            r = self.result
            self.archive.finish_run(self.run_id, {
                "transcribed": r.transcribed, "failed": r.failed, "segments": r.segments,
                "audio_seconds": round(r.audio_seconds, 1), "mentions": r.mentions, "events": r.events,
                "recovered": r.recovered, "requeued": r.requeued}, r.errors[-50:])

    def drain(self) -> None:
        """Passes until nothing is in flight and nothing is left to claim."""
        self._claimed_nothing = False
        self.loop(until=lambda: not self.inflight and not (self.cluster and self.cluster.in_flight)
                  and self._claimed_nothing)

    # ---------------------------------------------------------------- passes
    def loop(self, *, until: Callable[[], bool]) -> None:
        while not self.stop.is_set() and not until():
            try:
                self._pass()
            except (sqlite3.OperationalError, ArchiveError, OSError) as err:
                # The archive locked past its busy timeout, a full disk: the
                # recorders go on, and so does the next pass.
                log.error("daemon pass failed: %s; trying again in %g s", err, self.config.daemon.pass_seconds)
                self.result.errors.append(str(err))
                self.stop.wait(self.config.daemon.pass_seconds)

    def _pass(self) -> None:
        self._collect()
        if self.stop.is_set():
            return
        self.live.refresh()
        self._claim()
        for hook in self.after_pass:
            try:
                hook(self.config, self.archive)
            except Exception:  # noqa: BLE001 - alerting must never stop recording and transcribing
                log.exception("after-pass %s failed", getattr(hook, "__name__", hook))

    def _collect(self) -> None:
        """Wait for a worker (at most a pass), then store what the workers finished."""
        if self.cluster is not None:
            for finished in self.cluster.collect(self.stop, self.config.daemon.pass_seconds):
                self._count(finished)
            return
        if not self.inflight:
            self.stop.wait(self.config.daemon.pass_seconds)
            return
        done, _ = wait(list(self.inflight), timeout=self.config.daemon.pass_seconds, return_when=FIRST_COMPLETED)
        broken = False
        for future in done:
            recording = self.inflight[future]
            try:
                finished = self.live.finish(self.archive, recording, future)
            except BrokenExecutor:
                broken = True
                continue
            # only now: a result the archive could not take (locked, disk
            # full) stays in flight and is stored again at the next pass
            del self.inflight[future]
            self._count(finished)
        if broken:
            self._worker_died()

    def _claim(self) -> None:
        if self.cluster is not None:
            self._claimed_nothing = self.cluster.claim(self.stations, newest_first=self.newest_first)
            return
        if self._memory_recycle_due():
            if self.inflight:
                return  # claim nothing new: the workers are drained, then replaced between recordings
            stop_pool(self.pool)
            self._start_pool()
        free = self.live.workers - len(self.inflight)
        claimed = self.archive.claim_pending(self.stations, limit=free, newest_first=self.newest_first)
        for recording in claimed:
            self.inflight[self.pool.submit(self.live.work, recording)] = recording
        self._claimed_nothing = free > 0 and not claimed

    def _memory_recycle_due(self) -> bool:
        """True (and stays so until the pool is replaced) once a worker holds more than
        daemon.worker_max_memory_mb of resident memory."""
        limit = self.config.daemon.worker_max_memory_mb
        if not self._recycling and limit:
            largest = max(worker_memory_mb(self.pool), default=0.0)
            if largest > limit:
                log.info("a transcription worker holds %.0f MB (daemon.worker_max_memory_mb: %d): "
                         "replacing the workers once their recordings are done", largest, limit)
                self._recycling = True
        return self._recycling

    def _worker_died(self) -> None:
        """A worker process died (killed, out of memory): its pool is gone.
        Every recording in flight goes back to pending, except one that was
        in flight at every death so far, which is marked failed."""
        log.error("a transcription worker died; starting new workers")
        stop_pool(self.pool)
        self.pool = None
        requeue = []
        for recording in self.inflight.values():
            self.deaths[recording.id] += 1
            if self.deaths[recording.id] >= WORKER_DEATHS:
                message = (f"{recording.path}: the transcription worker died {WORKER_DEATHS} times on it; "
                           "check the file, then `radiomon transcribe --retranscribe` it")
                self.archive.mark_failed(recording.id, message)
                self.result.failed += 1
                self.result.errors.append(message)
            else:
                requeue.append(recording.id)
        self.archive.requeue(ids=requeue)
        self.inflight.clear()
        self._start_pool()

    # ---------------------------------------------------------------- results
    def _count(self, finished: jobs.Finished) -> None:
        recording = finished.recording
        if finished.error is not None:
            self.result.failed += 1
            self.result.errors.append(finished.error)
            return
        self.result.transcribed += 1
        self.result.segments += finished.segments
        self.result.audio_seconds += finished.audio_seconds
        matched = finished.matched
        self._count_matched(matched)
        behind = ""
        if recording.end_utc:
            late = (datetime.now(timeutil.UTC) - timeutil.parse_iso(recording.end_utc)).total_seconds()
            behind = f", {late:.0f} s after it closed"
        log.info("%s: recording %d transcribed: %d segment(s), %d new mention(s), %d event(s)%s",
                 recording.station, recording.id, finished.segments, matched.added, matched.events, behind)

    def _count_matched(self, matched: MatchResult) -> None:
        self.result.mentions += matched.added
        self.result.events += matched.events


__all__ = ["AFTER_PASS", "AfterPass", "DaemonResult", "run"]
