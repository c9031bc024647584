"""The síntesis delivered beside the daemon's loop (radiomon/background.py): every
:data:`EVERY_SECONDS`, on a thread of its own, what is approved and due goes out, and a
late approval is told. Printing a PDF per reader takes a few seconds; recording and
transcription never wait for it.
"""

from __future__ import annotations

import time

from radiomon.archive import Archive
from radiomon.background import BackgroundPass
from radiomon.config import Config
from radiomon.sintesis.delivery import send_due

# send_at is a minute of the clock: a pass every half minute sends within it.
EVERY_SECONDS = 30.0


class BackgroundSintesis(BackgroundPass):
    """:func:`~radiomon.sintesis.delivery.send_due` every :data:`EVERY_SECONDS` where the síntesis has
    recipients; not a daemon thread, so a stopping ``radiomon run`` waits for the e-mail in flight (a
    message cut off mid-send would be one nobody can tell was received)."""

    __name__ = "sintesis"

    def __init__(self, every: float = EVERY_SECONDS, clock=time.monotonic) -> None:
        super().__init__(clock)
        self._every = every

    def every(self, config: Config) -> float | None:
        return self._every if config.sintesis.recipients else None

    def run(self, config: Config, archive: Archive) -> None:
        send_due(config, archive)
