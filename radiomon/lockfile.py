"""One copy at a time: an exclusive ``flock`` on a file beside the archive.

The kernel drops a ``flock`` when its holder dies, however it dies (kill -9,
a power cut's reboot), so a lock file never stays "held" by a process that
is gone and nobody has to delete it by hand. The file holds the holder's pid
for the message the next copy prints.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from radiomon.errors import RadiomonError


class AlreadyRunning(RadiomonError):
    """Another process holds the lock: this copy should exit at once."""


def lock_path(archive: Path, name: str) -> Path:
    """``radiomon.db.<name>.lock`` beside the archive."""
    return archive.with_name(f"{archive.name}.{name}.lock")


@contextmanager
def hold(path: Path, what: str) -> Iterator[None]:
    """Hold ``path`` exclusively for the block; :class:`AlreadyRunning` at once if another process does."""
    try:
        handle = open(path, "a+")
    except OSError as err:
        raise RadiomonError(f"{path}: cannot create the lock file ({err.strerror}); "
                            "can this user write in the archive's folder?") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise AlreadyRunning(f"{what} is already running (pid {holder}, lock {path}); this copy exits") from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
