"""Alerts beside the daemon's loop: health checked and the outbox delivered on a thread of their own.

A channel that is slow or down can hold a delivery pass for its whole
timeout; the daemon's pass (collect transcripts, claim the next recordings)
must not wait for it (radiomon/background.py).
"""

from __future__ import annotations

import time

from radiomon.alerts.delivery import deliver_due
from radiomon.alerts.health import check_health
from radiomon.archive import Archive
from radiomon.background import BackgroundPass
from radiomon.config import Config

# Crisis alerts reach their channels within a few seconds of the mention.
EVERY_SECONDS = 5.0


class BackgroundAlerts(BackgroundPass):
    """Health checked and the outbox delivered every :data:`EVERY_SECONDS`; not a daemon thread, so a
    stopping ``radiomon run`` waits for the message in flight instead of cutting it off mid-send."""

    __name__ = "alerts"

    def __init__(self, every: float = EVERY_SECONDS, clock=time.monotonic) -> None:
        super().__init__(clock)
        self._every = every

    def every(self, config: Config) -> float:
        return self._every

    def run(self, config: Config, archive: Archive) -> None:
        check_health(config, archive)
        deliver_due(config, archive)
