"""Storing one imported file whole, or one line saying why the disk refused it.

SQLite writes a transaction's pages to the WAL at COMMIT, so a full disk shows
up there, as ``sqlite3.OperationalError: database or disk is full`` (ENOSPC
from a file write is the same problem); either way nothing of the file may
stay half-stored.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from radiomon.archive import Archive
from radiomon.errors import ArchiveError


@contextmanager
def stored_whole(archive: Archive, outcome: str) -> Iterator[None]:
    """Run some writes; a full disk rolls them back and becomes one
    :class:`ArchiveError`: "ARCHIVE: the disk is full; " + ``outcome`` (what
    was stored and what to do)."""
    try:
        yield
    except (sqlite3.OperationalError, OSError) as err:
        if not disk_full(err):
            raise
        # A failed COMMIT leaves the transaction open; what it held must not land later.
        if archive.conn.in_transaction:
            archive.conn.rollback()
        raise ArchiveError(f"{archive.path}: the disk is full; {outcome}") from None


def nothing_stored(source: str) -> str:
    return f"nothing of {source} was stored: free some space and import it again"


def disk_full(err: BaseException) -> bool:
    if isinstance(err, sqlite3.Error):
        return getattr(err, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(err)
    return isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT)
