"""Slowing down password guessing: a growing wait after repeated failed logins.

The counts live in the archive (:mod:`radiomon.archive.logins`), shared by
every web worker, and the gate is atomic: deciding that a password may be
checked and counting that check as failed happen in one write transaction,
before the slow argon2 check begins. Forty guesses sent at once therefore
get exactly the free tries checked, not as many as reach the gate before
the first failure is written (18 did with the old in-memory counter), and
``--workers 4`` does not give a guesser four counters.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.archive.schema import user_name_key

# Three tries are free (typos happen); then the wait doubles from 1 s up to
# 5 minutes, per account (whatever the address) and per address for any name
# (so trying many names from one machine is slowed down too).
FREE_TRIES = 3
FREE_TRIES_PER_ADDRESS = 10
MAX_WAIT = 300.0


def wait_after(failures: int, free: int) -> float:
    """Seconds before the next check, after ``failures`` failed checks in a row."""
    if failures < free:
        return 0.0
    return min(MAX_WAIT, 2.0 ** (failures - free))


def _account(name: str) -> str:
    return f"account:{user_name_key(name.strip())}"


def _address(address: str) -> str:
    return f"address:{address}"


class LoginThrottle:
    """The rules; the state is the archive's. ``clock`` gives the time (seconds since 1970)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), timeutil.UTC)

    def reserve(self, archive: Archive, name: str, address: str) -> float:
        """0.0: check the password now (the check already counts as failed until
        :meth:`succeeded` says otherwise); else the seconds to wait, nothing checked."""
        free = {_account(name): FREE_TRIES, _address(address): FREE_TRIES_PER_ADDRESS}
        return archive.reserve_login_check(free, self._now(), wait_after)

    def succeeded(self, archive: Archive, name: str, address: str) -> None:
        archive.login_check_succeeded([_account(name)], {_address(address): FREE_TRIES_PER_ADDRESS}, self._now())

    @staticmethod
    def forget_account(archive: Archive, name: str) -> None:
        """A new password (``radiomon users passwd``) starts the account's count again."""
        archive.forget_login_failures(_account(name))
