"""Slowing down password guessing: a growing wait after repeated failed logins."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

# Three tries are free (typos happen); then the wait doubles from 1 s up to
# 5 minutes, per user name and address, and per address for any name (so
# trying many names from one machine is slowed down too).
FREE_TRIES = 3
FREE_TRIES_PER_ADDRESS = 10
MAX_WAIT = 300.0


@dataclass
class _Record:
    failures: int = 0
    until: float = 0.0


class LoginThrottle:
    """In memory: a restart forgets it, which is fine for a handful of staff."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._records: dict[tuple, _Record] = {}
        self._lock = threading.Lock()

    def _keys(self, name: str, address: str) -> list[tuple[tuple, int]]:
        return [(("user", name.lower(), address), FREE_TRIES), (("address", address), FREE_TRIES_PER_ADDRESS)]

    def wait_left(self, name: str, address: str) -> float:
        """Seconds before another try is listened to (0: go ahead)."""
        now = self._clock()
        with self._lock:
            return max([0.0] + [r.until - now for key, _ in self._keys(name, address)
                                if (r := self._records.get(key))])

    def failed(self, name: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key, free in self._keys(name, address):
                record = self._records.setdefault(key, _Record())
                record.failures += 1
                if record.failures >= free:
                    record.until = now + min(MAX_WAIT, 2.0 ** (record.failures - free))

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._records.pop(("user", name.lower(), address), None)
