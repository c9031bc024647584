"""The daemon's press poll: one pass every ``press.poll_minutes``, on a thread of its own.

A pass over a dozen outlets takes minutes (one polite request at a time per
site, up to ``press.deadline_seconds``); recording and transcription must
never wait for it. So the daemon's after-pass hook only starts a pass when
none is running and :func:`poll_due` says the interval has gone by since the
last one began. The thread opens its own archive connection (SQLite
connections stay in the thread that made them) and is a daemon thread: a
stopping ``radiomon run`` does not wait out a pass. Killing it mid-pass is
safe: each article is stored in its own transaction, and one stored but not
matched yet is matched by the next pass.
"""

from __future__ import annotations

import logging
import threading
import time

from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.pipeline.press.store import press_pass

log = logging.getLogger(__name__)


def poll_due(last_began: float | None, now: float, poll_minutes: float) -> bool:
    """Whether a pass is due at ``now`` (monotonic seconds): at once the first time, then every
    ``poll_minutes`` from when the previous pass began (a long pass does not push the next one back)."""
    return last_began is None or now - last_began >= poll_minutes * 60


class BackgroundPress:
    """An after-pass hook of the daemon: ``hook(config, archive)``."""

    __name__ = "press"

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._thread: threading.Thread | None = None
        self._began: float | None = None

    def __call__(self, config: Config, _archive: Archive) -> None:
        if not config.press.outlets or (self._thread is not None and self._thread.is_alive()):
            return
        now = self._clock()
        if not poll_due(self._began, now, config.press.poll_minutes):
            return
        self._began = now
        self._thread = threading.Thread(target=self._run, args=(config,), name="radiomon-press", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @staticmethod
    def _run(config: Config) -> None:
        try:
            with Archive(config.archive) as archive:
                # The daemon leaves feeds failing for several polls alone for a while (store.BACKOFF_AFTER).
                result = press_pass(config, archive, respect_backoff=True)
            log.info("press: %s", result.summary())
        except Exception:  # noqa: BLE001 - the press must never stop recording and transcribing
            log.exception("press pass failed")


__all__ = ["BackgroundPress", "poll_due"]
