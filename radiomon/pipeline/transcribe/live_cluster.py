"""The daemon's transcription on a Dask cluster: recordings submitted as they close, through the batch's coordinator.

``radiomon run --cluster ADDRESS`` (or ``transcription.cluster``) keeps
recording and matching on this machine and hands each closed recording to
the cluster through the same :class:`~radiomon.pipeline.transcribe.cluster.Coordinator`
that ``radiomon transcribe --cluster`` uses: a lease in the archive before
its task is submitted, about as many tasks in flight as the cluster has
transcription slots, results stored by this process only, faults mapped
alike. The client is connected once and kept while the daemon runs.

When the scheduler goes away (killed, restarted) every claim not stored goes
back to pending at once, the client is closed, and the daemon goes on
recording and tries to connect again, every few seconds at first and then
less often; once connected it submits what is pending, in the daemon's
backlog order. A claim this process could not hand back (killed) runs out
its lease and is requeued when the daemon starts again or reconnects.
Nothing is lost or stored twice: a result lands only while its claim holds
the lease. Dask's own workers stop when their scheduler does; their service
(deploy/systemd/radiomon-worker.service, Restart=always) starts them again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import replace

from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.filters import Filters
from radiomon.pipeline.match import match_pending
from radiomon.pipeline.transcribe import cluster
from radiomon.pipeline.transcribe.batch import PER_ITEM_ERRORS, Stage
from radiomon.pipeline.transcribe.live import Finished, LiveTranscription

log = logging.getLogger(__name__)

RETRY_FIRST = 2.0  # seconds before the first attempt to connect again, doubled after each failed one
RETRY_MAX = 60.0
CONNECT_MAX = 10.0  # each attempt waits at most this long (connect_seconds if shorter): the pass goes on


class ClusterLane:
    """What the daemon calls, each pass, instead of its own worker pool: :meth:`collect`, then :meth:`claim`."""

    def __init__(self, config: Config, archive: Archive, live: LiveTranscription):
        self.config = config
        self.archive = archive
        self.live = live
        settings = config.transcription.cluster
        self.settings = replace(settings, connect_seconds=min(settings.connect_seconds, CONNECT_MAX))
        self.coordinator: cluster.Coordinator | None = None
        self._retry_at = 0.0
        self._retry = RETRY_FIRST
        self._said: str | None = None  # the last connection problem logged (said once, not every attempt)

    # ---------------------------------------------------------------- the connection
    @property
    def connected(self) -> bool:
        return self.coordinator is not None

    @property
    def in_flight(self) -> int:
        return len(self.coordinator.claims) if self.coordinator is not None else 0

    def _stage(self) -> Stage:
        """The stage of the keywords read last (the prompt, the rescoring terms), decided on each worker."""
        settings = self.config.transcription
        return Stage(self.config, cluster.deferred(self.live.spec, settings), settings.engine, settings.model,
                     settings.formats)

    def _connect(self) -> bool:
        if self.coordinator is not None:
            return True
        if time.monotonic() < self._retry_at:
            return False
        session = None
        try:
            session = cluster.open_session(self.settings)
            coordinator = cluster.Coordinator(session, self.archive, self._stage(), statuses=("transcribing",),
                                              per_item_errors=PER_ITEM_ERRORS)
            coordinator.check()
        except cluster.ClusterError as err:
            if session is not None:
                session.close()
            self._retry_at = time.monotonic() + self._retry
            if str(err) != self._said:
                log.error("%s; recording goes on, transcription waits (trying again every %.0f-%.0f s)", err,
                          RETRY_FIRST, RETRY_MAX)
                self._said = str(err)
            self._retry = min(RETRY_MAX, self._retry * 2)
            return False
        # Claims a killed coordinator (this daemon, before a restart) left are pending again.
        self.archive.requeue_expired()
        self.coordinator, self._retry, self._said = coordinator, RETRY_FIRST, None
        log.info("transcribing on the Dask cluster at %s (%d slot(s)) with %s %s", self.settings.address,
                 coordinator.window(), self.config.transcription.engine, self.config.transcription.model)
        return True

    def _disconnect(self, why: str) -> None:
        coordinator, self.coordinator = self.coordinator, None
        released = coordinator.abandon()
        coordinator.session.close()
        log.error("%s (%d back to pending); recording goes on, connecting again", why, released)
        self._retry_at = time.monotonic() + RETRY_FIRST

    def start(self) -> None:
        """Connect now if the cluster is there; if not, say so and keep trying each pass."""
        self._connect()

    def close(self) -> int:
        """Every task not stored back to pending; the client closed. Returns how many went back."""
        if self.coordinator is None:
            return 0
        coordinator, self.coordinator = self.coordinator, None
        try:
            return coordinator.abandon()
        finally:
            coordinator.session.close()

    # ---------------------------------------------------------------- each pass
    def collect(self, stop: threading.Event, seconds: float) -> list[Finished]:
        """Wait (at most ``seconds``) for tasks to finish, then store each one's
        transcript and flag its mentions, or fail it, or hand it back."""
        if not self.in_flight:
            stop.wait(seconds)
            return []
        coordinator = self.coordinator
        finished: list[Finished] = []
        try:
            for future in coordinator.wait(list(coordinator.futures.values()), seconds):
                settled = coordinator.settle(future)
                if settled.done is not None:
                    matched = match_pending(self.archive, self.live.matcher,
                                            Filters(stations=(settled.recording.station,)))
                    finished.append(Finished(settled.recording, settled.segments, settled.done.transcript.duration,
                                             matched))
                elif settled.failed is not None:
                    finished.append(Finished(settled.recording, error=settled.failed))
                elif settled.refused is not None:  # fix the worker; its recordings wait meanwhile
                    self._disconnect(f"refused: {settled.refused}")
                    break
        except cluster.SchedulerLost:
            self._disconnect(f"lost the Dask scheduler at {self.settings.address}")
        return finished

    def claim(self, stations: Sequence[str], *, newest_first: bool) -> bool:
        """Submit pending recordings of ``stations`` while the cluster has free
        slots; True when there was room and nothing (or no cluster) to submit."""
        if not self._connect():
            return True
        coordinator = self.coordinator
        coordinator.stage = self._stage()
        free = coordinator.window() - self.in_flight
        # Marked transcribing in one transaction (nobody else picks them), then leased one by one.
        picked = self.archive.claim_pending(stations, limit=free, newest_first=newest_first)
        try:
            for rec in picked:
                coordinator.submit(rec)
        except Exception as err:  # noqa: BLE001 - the client broke as it submitted: the scheduler went away
            self.archive.requeue(ids=[r.id for r in picked if not self._held(r.id)])
            self._disconnect(f"lost the Dask scheduler at {self.settings.address} ({type(err).__name__}: {err})")
            return True
        return free > 0 and not picked

    def _held(self, recording_id: int) -> bool:
        return any(c.recording.id == recording_id for c in self.coordinator.claims.values())


__all__ = ["ClusterLane"]
