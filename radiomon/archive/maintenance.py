"""Upkeep of the file itself: free pages handed back to the disk, integrity checks, online backups.

Space: SQLite keeps the pages that deleted rows leave (a re-transcription
replaces a recording's segments, a re-match deletes mentions) and reuses
them, but returns them to the disk only with ``auto_vacuum=INCREMENTAL``
and a ``PRAGMA incremental_vacuum``. A new archive gets that mode when it is
created (archive/db.py); an older one is switched once with a VACUUM, which
rewrites the whole file (see :meth:`MaintenanceMixin.enable_incremental_vacuum`).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

from radiomon import outputs
from radiomon.archive.db import ArchiveBase
from radiomon.archive.db import writable as path_writable
from radiomon.errors import ArchiveError

log = logging.getLogger(__name__)

_AUTO_VACUUM = {0: "none", 1: "full", 2: "incremental"}


class MaintenanceMixin(ArchiveBase):
    # -- space ------------------------------------------------------------------------------
    @property
    def auto_vacuum(self) -> str:
        """none, full or incremental."""
        return _AUTO_VACUUM.get(self.conn.execute("PRAGMA auto_vacuum").fetchone()[0], "none")

    @property
    def page_size(self) -> int:
        return self.conn.execute("PRAGMA page_size").fetchone()[0]

    def free_bytes(self) -> int:
        """What the pages on the free list take (returned by :meth:`return_free_pages`)."""
        return self.conn.execute("PRAGMA freelist_count").fetchone()[0] * self.page_size

    def file_bytes(self) -> int:
        """The archive's size in pages (the main file once checkpointed)."""
        return self.conn.execute("PRAGMA page_count").fetchone()[0] * self.page_size

    def enable_incremental_vacuum(self) -> None:
        """Switch an archive created without incremental auto-vacuum to it: one
        VACUUM, which rewrites the file (it needs about the archive's size free
        twice, once for the copy and once for the WAL it goes through) and holds
        the write lock meanwhile; other writers wait their busy timeout. Done
        once: afterwards :attr:`auto_vacuum` is incremental (an archive in
        ``full`` mode already returns pages at every commit and is left so)."""
        if self.auto_vacuum != "none":
            return
        self.conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes effect with the VACUUM
        self.conn.execute("VACUUM")
        self._checkpoint()
        log.info("%s: auto_vacuum is now incremental", self.path)

    def return_free_pages(self) -> int:
        """Hand the free pages back to the disk; returns how many bytes went.
        A no-op (0) unless auto_vacuum is incremental."""
        before = self.free_bytes()
        if not before or self.auto_vacuum != "incremental":
            return 0
        # executescript steps the pragma to the end: Connection.execute steps
        # a statement that returns no rows once, and incremental_vacuum frees
        # one page per step.
        self.conn.executescript("PRAGMA incremental_vacuum;")
        # In WAL mode the file is cut to its new size when the WAL is checkpointed.
        self._checkpoint()
        return before - self.free_bytes()

    def _checkpoint(self) -> None:
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # a reader is in the way; SQLite's own checkpoints finish the job later
            log.info("%s: checkpoint postponed by a reader", self.path)

    # -- checks -----------------------------------------------------------------------------
    def integrity_problems(self) -> list[str]:
        """What ``PRAGMA integrity_check`` and the FTS5 index's own check find; empty when sound."""
        problems = [row[0] for row in self.conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        try:
            self.conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as err:
            problems.append(f"segments_fts: {err}")
        return problems

    def quick_check(self, limit: int = 5) -> list[str]:
        """What ``PRAGMA quick_check`` finds (at most ``limit`` lines); empty when sound.

        It reads every page once and checks the b-trees' structure, but not
        that each index matches its table: linear in the file's size, far
        cheaper than :meth:`integrity_problems`, so `radiomon status` can
        afford it on every call. A page too damaged to read is an error of
        its own, returned as the one problem.
        """
        try:
            rows = [row[0] for row in self.conn.execute(f"PRAGMA quick_check({int(limit)})")]
        except sqlite3.DatabaseError as err:
            return [str(err)]
        # One row can hold several lines under a "*** in database main ***" heading.
        lines = [line.strip() for row in rows for line in str(row).splitlines()]
        return [line for line in lines if line and line != "ok" and not line.startswith("***")][:limit]

    @property
    def writable(self) -> bool:
        """Whether this process can write the archive: the file, and its folder for the -wal and -shm
        (False on a read-only file, folder or disk)."""
        return path_writable(self.path)

    # -- backup -----------------------------------------------------------------------------
    def backup_to(self, target: Path) -> Path:
        """Copy the archive to ``target`` while other processes keep writing to it.

        A target that cannot take the copy (a folder, a missing or read-only
        folder, a disk with less room than the archive) is refused before
        anything is written; a write that fails anyway is one line too.

        The copy is written under a temporary name beside ``target`` and
        renamed when complete and checked, so ``target`` is always either the
        previous backup or a whole new one. It is taken in one step of SQLite's
        online backup: one read snapshot, during which writers in other
        processes go on (WAL). A backup in several steps restarts from the
        first page whenever another connection commits, and on an archive
        that a recorder writes to every few seconds it might never end.
        """
        target = Path(target)
        _check_backup_target(target, self.file_bytes())
        try:
            self._copy_to(target.resolve())  # through a symlink to the file it names
        except OSError as err:
            raise ArchiveError(f"{target}: cannot write the backup ({err.strerror or err})") from None
        except sqlite3.Error as err:
            raise ArchiveError(f"{target}: the backup failed ({err}); "
                               "the previous file, if any, is untouched") from None
        return target

    def _copy_to(self, target: Path) -> None:
        with outputs.atomic(target) as partial:
            copy = sqlite3.connect(str(partial), isolation_level=None)
            try:
                self.conn.backup(copy)
                # One self-contained file (no -wal beside it); radiomon switches
                # it back to WAL when it opens it as an archive.
                copy.execute("PRAGMA journal_mode = DELETE")
                problems = [row[0] for row in copy.execute("PRAGMA quick_check") if row[0] != "ok"]
            finally:
                copy.close()
            if problems:
                raise ArchiveError(f"{target}: the copy fails SQLite's check ({problems[0]}); nothing was replaced")


def _check_backup_target(target: Path, needed: int) -> None:
    """Refuse a backup target that cannot take a copy of ``needed`` bytes, saying what to do."""
    if target.exists() and target.is_dir():
        raise ArchiveError(f"{target} is a folder; give the backup's file name, e.g. {target / 'radiomon.db'}")
    folder = target.parent
    if not folder.is_dir():
        raise ArchiveError(f"{folder}: no such folder; create it (or mount the backup disk) first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ArchiveError(f"{folder}: this user cannot write there; pick another folder or fix its permissions")
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise ArchiveError(f"{folder}: {free / 1e6:.0f} MB free, the copy needs {needed / 1e6:.0f} MB; "
                           "free some space or use another disk")
