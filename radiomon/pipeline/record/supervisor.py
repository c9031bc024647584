"""Record every station at once: one :class:`StationRunner` thread per station.

A station that fails (bad config, dead URL, crashing ffmpeg) is retried with
backoff in its own thread; the others never notice. ``record`` returns when
the duration is over or a stop is requested (SIGTERM/SIGINT in the CLI): each
runner stops its ffmpeg, which closes the open segment, and registers it.
:func:`recorders` is the same as a context manager, for a caller that does
other work while the stations record (the daemon, ``radiomon run``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

from radiomon import media
from radiomon.archive import Archive
from radiomon.config import Config, Station
from radiomon.errors import ConfigError, RecorderError
from radiomon.pipeline.record.runner import RecorderStatus, StationRunner

log = logging.getLogger("radiomon.pipeline.record")

JOIN_SECONDS = 30.0


def select_stations(config: Config, ids: Iterable[str] = ()) -> list[Station]:
    """The stations to record: those named (unknown ids are an error), else all."""
    ids = list(ids)
    if ids:
        return [config.station(i) for i in ids]
    if not config.stations:
        raise ConfigError(f"{config.path}: no stations configured; add one under stations:")
    return list(config.stations)


def record(
    config: Config,
    station_ids: Iterable[str] = (),
    *,
    duration: float | None = None,
    stop: threading.Event | None = None,
) -> list[RecorderStatus]:
    """Record until ``duration`` seconds pass or ``stop`` is set; returns each station's status."""
    stop = stop or threading.Event()
    with recorders(config, station_ids, stop=stop) as runners:
        deadline = None if duration is None else time.monotonic() + duration
        while not stop.is_set():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                log.info("duration reached; stopping")
                break
            stop.wait(1.0 if remaining is None else min(remaining, 1.0))
    return [r.status for r in runners]


@contextmanager
def recorders(config: Config, station_ids: Iterable[str] = (), *,
              stop: threading.Event) -> Iterator[list[StationRunner]]:
    """The stations' recorders, running (each station's lock held) while the
    body runs. On the way out ``stop`` is set: each runner stops its ffmpeg,
    which closes the open segment, and registers it; the run is logged."""
    media.require_tool("ffmpeg")  # fatal: nothing can be recorded without it
    media.require_tool("ffprobe")
    stations = select_stations(config, station_ids)
    with ExitStack() as locks:
        for station in stations:
            locks.enter_context(station_lock(lock_path(config, station.id), station.id))
        with Archive(config.archive) as archive:
            archive.sync_stations(config.stations, str(config.timezone))
            run_id = archive.start_run("record")
        runners = [StationRunner(config, s, stop) for s in stations]
        log.info("recording %d station(s): %s", len(runners), ", ".join(s.id for s in stations))
        for runner in runners:
            runner.start()
        try:
            yield runners
        finally:
            stop_runners(stop, runners)
            _finish(config, run_id, [r.status for r in runners])


def stop_runners(stop: threading.Event, runners: list[StationRunner]) -> None:
    """Set ``stop`` and wait for each runner to close and register its open segment."""
    stop.set()
    for runner in runners:
        runner.join(JOIN_SECONDS)


def _finish(config: Config, run_id: int, statuses: list[RecorderStatus]) -> None:
    with Archive(config.archive) as archive:
        archive.finish_run(
            run_id,
            {s.station: {"segments": s.segments, "seconds": round(s.seconds, 1), "restarts": s.restarts,
                         "gaps": s.gaps} for s in statuses},
            [e for s in statuses for e in s.errors],
        )
    for s in statuses:
        log.info("%s: stopped; %d segment(s), %.0f s recorded, %d restart(s), %d gap(s)",
                 s.station, s.segments, s.seconds, s.restarts, s.gaps)


def lock_path(config: Config, station_id: str) -> Path:
    """Beside the archive, not among the recordings (every file there is audio)."""
    return config.archive.with_name(f"{config.archive.name}.record-{station_id}.lock")


@contextmanager
def station_lock(path: Path, station_id: str) -> Iterator[IO]:
    """Hold ``path`` while recording: two recorders of one station would
    write the same files and register every segment twice."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RecorderError(
                f"station {station_id!r} is already being recorded (pid {holder}, lock {path}); "
                "stop that recorder first"
            ) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        yield handle


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` (finish the open segments, exit 0) instead of killing us."""
    def handler(signum, _frame):
        log.info("%s received; finishing the open segments", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
