"""Alerts beside the daemon's loop: health checked and the outbox delivered on a thread of their own.

A channel that is slow or down can hold a delivery pass for its whole
timeout; the daemon's pass (collect transcripts, claim the next recordings)
must not wait for it. So each pass only starts an alerts pass when none is
running and :data:`EVERY_SECONDS` have gone by since the last one began.
The thread opens its own connection (SQLite connections stay in the thread
that made them) and is not a daemon thread: a stopping ``radiomon run``
waits for the message in flight instead of cutting it off mid-send.
"""

from __future__ import annotations

import logging
import threading
import time

from radiomon.alerts.delivery import deliver_due
from radiomon.alerts.health import check_health
from radiomon.archive import Archive
from radiomon.config import Config

log = logging.getLogger(__name__)

# Crisis alerts reach their channels within a few seconds of the mention.
EVERY_SECONDS = 5.0


class BackgroundAlerts:
    """An after-pass hook of the daemon: ``hook(config, archive)``."""

    __name__ = "alerts"

    def __init__(self, every: float = EVERY_SECONDS, clock=time.monotonic) -> None:
        self.every = every
        self._clock = clock
        self._thread: threading.Thread | None = None
        self._began: float | None = None

    def __call__(self, config: Config, _archive: Archive) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        now = self._clock()
        if self._began is not None and now - self._began < self.every:
            return
        self._began = now
        self._thread = threading.Thread(target=self._run, args=(config,), name="radiomon-alerts")
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @staticmethod
    def _run(config: Config) -> None:
        try:
            with Archive(config.archive) as archive:
                check_health(config, archive)
                deliver_due(config, archive)
        except Exception:  # noqa: BLE001 - alerting must never stop recording and transcribing
            log.exception("alerts pass failed")
