"""A pass of work beside the daemon's loop, on a thread of its own, at most one at a time.

The daemon's after-pass hooks (alerts every few seconds, the press every
``press.poll_minutes``) must never hold back recording and transcription: a
channel that is down, or a polite pass over a dozen newspapers, can take
minutes. So a hook only starts its work when none is running and its
interval has gone by since the last one *began* (a long pass does not push
the next one back). The work opens its own archive connection: SQLite
connections stay in the thread that made them.
"""

from __future__ import annotations

import logging
import threading
import time

from radiomon.archive import Archive
from radiomon.config import Config

log = logging.getLogger(__name__)


def due(last_began: float | None, now: float, every_seconds: float) -> bool:
    """Whether a pass is due at ``now`` (monotonic seconds): at once the first time, then every
    ``every_seconds`` from when the previous pass began."""
    return last_began is None or now - last_began >= every_seconds


class BackgroundPass:
    """An after-pass hook of the daemon, ``hook(config, archive)``; subclasses give :meth:`every`, :meth:`run`
    and say whether the thread is a daemon thread (one a stopping ``radiomon run`` does not wait for)."""

    __name__ = "background"
    daemon_thread = False

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._thread: threading.Thread | None = None
        self._began: float | None = None

    def every(self, config: Config) -> float | None:
        """Seconds between two passes; None: nothing to do with this config."""
        raise NotImplementedError

    def run(self, config: Config, archive: Archive) -> None:
        raise NotImplementedError

    def __call__(self, config: Config, _archive: Archive) -> None:
        interval = self.every(config)
        if interval is None or (self._thread is not None and self._thread.is_alive()):
            return
        now = self._clock()
        if not due(self._began, now, interval):
            return
        self._began = now
        self._thread = threading.Thread(target=self._pass, args=(config,), name=f"radiomon-{self.__name__}",
                                        daemon=self.daemon_thread)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _pass(self, config: Config) -> None:
        try:
            with Archive(config.archive) as archive:
                self.run(config, archive)
        except Exception:  # noqa: BLE001 - work beside the loop must never stop recording and transcribing
            log.exception("%s pass failed", self.__name__)
