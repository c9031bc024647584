"""The connection: pragmas, migrations, write transactions."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import sqlite_utils

from radiomon import timeutil
from radiomon.archive import schema
from radiomon.errors import ArchiveError

log = logging.getLogger(__name__)

# A recorder, a transcriber and the web server share one file; writers wait
# this long for each other instead of failing with "database is locked".
BUSY_TIMEOUT_MS = 30_000
# Less free space than this under an I/O error is a full disk: SQLite needs a few
# pages for the -wal and 32 KB for the -shm before it writes anything.
FULL_BELOW_BYTES = 1 << 20


class ArchiveBase:
    """Owns the SQLite connection. The mixins in this package add the queries."""

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise ArchiveError(f"{self.path}: archive not found; run `radiomon init` first")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ArchiveError(f"{self.path.parent}: cannot create the archive's folder ({err.strerror or err}); "
                               "create it, or fix 'archive' in radiomon.yml") from None
        try:
            conn = _open(self.path)
        except sqlite3.DatabaseError as err:
            raise ArchiveError(open_problem(self.path, err)) from None
        if schema.schema_version(conn) > schema.CURRENT_VERSION:
            raise ArchiveError(
                f"{self.path}: archive schema v{schema.schema_version(conn)} is newer than this "
                f"radiomon (v{schema.CURRENT_VERSION}); upgrade radiomon"
            )
        self.conn = conn
        self.db = sqlite_utils.Database(conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands or none of it does."""
        if self.conn.in_transaction:  # nested: part of the caller's transaction
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            # Inside the try: a COMMIT that fails (a full disk) must not leave the
            # transaction open for the connection's next writer.
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def read_through_memory_map(self, cache_mb: int = 8) -> None:
        """Read the file through a memory map (up to SQLite's 2 GB cap) and keep
        a small page cache: for the many long-lived connections of a server,
        where the map is shared through the OS and a 64 MB cache each is not.
        A filtered search of a station-year reads almost twice as fast."""
        self.conn.execute(f"PRAGMA mmap_size = {2**31 - 65536}")
        self.conn.execute(f"PRAGMA cache_size = {-1024 * int(cache_mb)}")

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        return list(self.db.query(sql, params))

    @property
    def schema_version(self) -> int:
        return schema.schema_version(self.conn)


def _open(path: Path) -> sqlite3.Connection:
    """A configured, migrated connection. Two processes opening a new archive
    at once can deadlock on switching it to WAL or migrating it, and SQLite
    then answers "database is locked" at once, without waiting the busy
    timeout (a recorder and a status command starting together did): such a
    first open is tried again until the busy timeout has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a
        # writer takes the write lock up front instead of failing midway.
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
                # A new file: incremental auto-vacuum lets pruning hand freed
                # pages back to the disk (archive/maintenance.py). It only
                # takes before the first page is written, and switching to
                # WAL writes the first page.
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across application crashes in WAL mode; only
            # a power cut can lose the last transactions, never corrupt.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA cache_size = -65536")
            schema.migrate(conn)
            return conn
        except sqlite3.OperationalError as err:
            conn.close()
            if "locked" not in str(err) and "busy" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        except BaseException:
            conn.close()
            raise


def open_problem(path: Path, err: sqlite3.Error) -> str:
    """One line saying why SQLite could not open (or first write) the archive, and what to do.

    A read-only file or disk, a full disk and a damaged file each need a different
    fix; "is it a radiomon SQLite file?" is the answer only when it is not one.
    """
    name = getattr(err, "sqlite_errorname", "") or ""
    text = str(err)
    folder = path.parent
    if name.startswith("SQLITE_READONLY") or "readonly" in text or (
            name.startswith("SQLITE_CANTOPEN") and not writable(path)):
        return (f"{path}: the archive is read-only here ({text}); radiomon must be able to write the file and "
                f"its folder {folder} (SQLite keeps {path.name}-wal and {path.name}-shm beside it): check their "
                "owner and permissions, and that the disk is not mounted read-only")
    if name == "SQLITE_FULL" or "disk is full" in text or (
            (name.startswith("SQLITE_IOERR") or "disk I/O error" in text) and _nearly_full(folder)):
        # On a full disk SQLite often fails growing the -shm or -wal first, which it reports as an I/O error.
        return f"{path}: the disk is full ({text}); free some space on the disk of {folder} and try again"
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return (f"{path}: the disk failed reading or writing the archive ({text}); check the disk (dmesg) "
                "and its free space")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return (f"{path}: another process kept the archive locked for {BUSY_TIMEOUT_MS // 1000} s ({text}); "
                "try again when it has finished")
    if name.startswith("SQLITE_CANTOPEN"):
        return (f"{path}: cannot open the archive ({text}); check that it is a file this user can read and "
                "write, in a folder it can write")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return f"{path}: the archive is damaged ({text}); restore the newest backup (see the README)"
    return f"{path}: cannot open the archive ({text}); is it a radiomon SQLite file?"


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < FULL_BELOW_BYTES
    except OSError:
        return False


def writable(path: Path) -> bool:
    """Whether this process may write the archive (if it exists) and create files beside it."""
    # os.access answers EROFS on a read-only mount even for root.
    folder_ok = os.access(path.parent, os.W_OK | os.X_OK)
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


def now_iso() -> str:
    return timeutil.to_iso(datetime.now(timeutil.UTC))
