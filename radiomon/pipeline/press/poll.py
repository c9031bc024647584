"""The daemon's press poll: one pass every ``press.poll_minutes``, on a thread of its own.

A pass over a dozen outlets takes minutes (one polite request at a time per
site, up to ``press.deadline_seconds``); recording and transcription must
never wait for it (radiomon/background.py). Killing it mid-pass is
safe: each article is stored in its own transaction, and one stored but not
matched yet is matched by the next pass.
"""

from __future__ import annotations

import logging

from radiomon.archive import Archive
from radiomon.background import BackgroundPass, due
from radiomon.config import Config
from radiomon.pipeline.press.store import press_pass

log = logging.getLogger(__name__)


def poll_due(last_began: float | None, now: float, poll_minutes: float) -> bool:
    """Whether a pass is due at ``now`` (monotonic seconds): every ``poll_minutes`` from when the previous
    pass began, at once the first time."""
    return due(last_began, now, poll_minutes * 60)


class BackgroundPress(BackgroundPass):
    """One pass every ``press.poll_minutes`` while outlets are configured; a daemon thread, so a stopping
    ``radiomon run`` does not wait out a pass."""

    __name__ = "press"
    daemon_thread = True

    def every(self, config: Config) -> float | None:
        return config.press.poll_minutes * 60 if config.press.outlets else None

    def run(self, config: Config, archive: Archive) -> None:
        # The daemon leaves feeds failing for several polls alone for a while (store.BACKOFF_AFTER).
        result = press_pass(config, archive, respect_backoff=True)
        log.info("press: %s", result.summary())
