"""Record every station at once: one :class:`StationRunner` thread per station.

A station that fails (bad config, dead URL, crashing ffmpeg) is retried with
backoff in its own thread; the others never notice. ``record`` returns when
the duration is over or a stop is requested (SIGTERM/SIGINT in the CLI): each
runner stops its ffmpeg, which closes the open segment, and registers it.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterable, Iterator

from radiomon import media
from radiomon.archive import Archive
from radiomon.config import Config, Station
from radiomon.errors import ConfigError
from radiomon.record.station_runner import StationRunner, StationStatus

log = logging.getLogger("radiomon.record")

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
) -> list[StationStatus]:
    """Record until ``duration`` seconds pass or ``stop`` is set; returns each station's status."""
    media.require_tool("ffmpeg")  # fatal: nothing can be recorded without it
    media.require_tool("ffprobe")
    stations = select_stations(config, station_ids)
    stop = stop or threading.Event()
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        run_id = archive.start_run("record")
    runners = [StationRunner(config, s, stop) for s in stations]
    log.info("recording %d station(s): %s", len(runners), ", ".join(s.id for s in stations))
    for runner in runners:
        runner.start()
    deadline = None if duration is None else time.monotonic() + duration
    try:
        while not stop.is_set():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                log.info("duration reached; stopping")
                break
            stop.wait(1.0 if remaining is None else min(remaining, 1.0))
    finally:
        stop.set()
        for runner in runners:
            runner.join(JOIN_SECONDS)
    statuses = [r.status for r in runners]
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
    return statuses


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
