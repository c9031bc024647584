"""The web UI's clip cache: each window cut once, the folder kept within a size, clips gone with their audio.

The Mención page previews a mention's clip and downloads it; both ask for
the same window, and the preview seeks with Range requests, so a clip is
cut once (:func:`radiomon.reports.clips.cut_clip`) into a real file in
``<archive>.clips/`` and served from there. Three things keep that folder
honest:

* windows are whole seconds within :data:`MAX_BEFORE` / :data:`MAX_AFTER`
  (the page rounds what it is sent), so a mention has a bounded number of
  distinct clips; before this, every ``antes=5.01``, ``5.02``… cut and
  kept a new file (20 requests: 336 s of ffmpeg and 123 MB);
* when a cut makes the folder larger than ``web.clip_cache_mb``, the least
  recently served clips go first (a hit refreshes the file's time);
* ``radiomon prune`` drops the cached clips whose window could reach into
  a recording whose audio it deletes (:func:`drop_mentions`): retention
  means the audio is gone, copies included. The clips of confirmed
  mentions that retention keeps live in ``kept-clips/``, not here.

Two requests for one clip at once (the preview and the download) share a
lock and cut it once; another process cutting the same clip writes its own
temporary file, and each is renamed over the name whole, never half-written.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from radiomon.archive import Archive, MentionRow
from radiomon.config import Config
from radiomon.reports import clips

log = logging.getLogger(__name__)

# The longest window the web UI cuts, in whole seconds: a quote with its lead-in
# and what follows, as the radio programme uses them (the default is 5 and 20).
MAX_BEFORE = 60
MAX_AFTER = 120
DEFAULT_BEFORE = 5
DEFAULT_AFTER = 20
# A clip served this recently may still be streaming (send_file opens the file
# after measuring it, and a preview comes back for more Range requests): it is
# never evicted, even when that leaves the folder over its size for a while.
IN_USE_SECONDS = 60.0
# A temporary file this old was left by a killed cut; it is removed, not counted.
STALE_PARTIAL_SECONDS = 3600.0

# Striped locks: one per clip name would grow with every window ever asked.
_LOCKS = tuple(threading.Lock() for _ in range(64))
_EVICTING = threading.Lock()


def cache_folder(config: Config) -> Path:
    """``<archive>.clips``: beside the archive, with the rest of the deployment's data."""
    return Path(f"{config.archive}.clips")


def clip_name(mention: MentionRow, before: int, after: int) -> str:
    """``<mention>_<recording>_<offset ms>_<before>_<after>.mp3``.

    The recording and offset besides the id: matching a recording again
    deletes its mentions, and SQLite may give a deleted id to a new mention
    elsewhere, which must not be served the old one's clip.
    """
    return f"{mention.id}_{mention.recording_id}_{round(mention.offset * 1000)}_{before}_{after}.mp3"


def cached_clip(config: Config, archive: Archive, mention: MentionRow, before: int, after: int) -> Path:
    """The clip of ``mention`` from ``before`` s ahead to ``after`` s past, cut now or found in the cache.

    Raises :class:`~radiomon.reports.clips.ClipError` when there is no audio
    to cut from (and drops a cached copy of audio pruned meanwhile).
    """
    folder = cache_folder(config)
    path = folder / clip_name(mention, before, after)
    recording = archive.recording(mention.recording_id)
    if recording is None or not recording.path or recording.status == "pruned":
        # A prune stopped before it dropped this clip: its audio is gone all the same.
        path.unlink(missing_ok=True)
        raise clips.ClipError(f"mention {mention.id}: the audio of its recording is gone")
    with _LOCKS[hash(path.name) % len(_LOCKS)]:
        if path.is_file():
            _touch(path)
            return path
        folder.mkdir(parents=True, exist_ok=True)
        # A name of this process's own: another server process may be cutting the same clip.
        partial = folder / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
        try:
            clips.cut_clip(config, archive, mention.id, before=before, after=after, fmt="mp3", out=partial)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    evict(folder, int(config.web.clip_cache_mb * 1_000_000), keep=(path,))
    return path


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # the file's time is when it was last served: least recently used goes first
    except OSError:
        pass


# -- size --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """A file in the cache folder."""

    name: str
    size: int
    used: float  # modification time: when the clip was cut or last served

    @property
    def partial(self) -> bool:
        return self.name.startswith(".")


def choose_evictions(entries: Iterable[Entry], max_bytes: int, now: float, keep: Collection[str] = ()) -> list[str]:
    """The names to delete so the folder fits ``max_bytes`` (pure): temporary files left by a killed
    cut, then clips least recently used first, never one in ``keep`` or served in the last
    :data:`IN_USE_SECONDS` (the folder may stay over its size until those age)."""
    entries = list(entries)
    doomed = [e.name for e in entries if e.partial and now - e.used > STALE_PARTIAL_SECONDS]
    total = sum(e.size for e in entries if e.name not in doomed)
    for entry in sorted((e for e in entries if not e.partial), key=lambda e: (e.used, e.name)):
        if total <= max_bytes:
            break
        if entry.name in keep or now - entry.used < IN_USE_SECONDS:
            continue
        doomed.append(entry.name)
        total -= entry.size
    return doomed


def _entries(folder: Path) -> list[Entry]:
    found = []
    try:
        with os.scandir(folder) as scan:
            for item in scan:
                try:
                    if item.is_file(follow_symlinks=False):
                        stat = item.stat(follow_symlinks=False)
                        found.append(Entry(item.name, stat.st_size, stat.st_mtime))
                except OSError:  # deleted meanwhile
                    continue
    except FileNotFoundError:
        pass
    return found


def evict(folder: Path, max_bytes: int, *, keep: Iterable[Path] = (), now: float | None = None) -> int:
    """Delete what :func:`choose_evictions` picks; the number of files deleted."""
    with _EVICTING:
        names = choose_evictions(_entries(folder), max_bytes, time.time() if now is None else now,
                                 {Path(p).name for p in keep})
        for name in names:
            (folder / name).unlink(missing_ok=True)
    if names:
        log.debug("clip cache %s: evicted %d file(s) to stay within %d bytes", folder, len(names), max_bytes)
    return len(names)


# -- retention ---------------------------------------------------------------------------------------------
def drop_mentions(folder: Path, mention_ids: Collection[int]) -> int:
    """Delete every cached clip of these mentions (any window); the number of files deleted."""
    if not mention_ids:
        return 0
    wanted = {str(i) for i in mention_ids}
    dropped = 0
    for entry in _entries(folder):
        if not entry.partial and entry.name.split("_", 1)[0] in wanted:
            (folder / entry.name).unlink(missing_ok=True)
            dropped += 1
    return dropped


__all__ = ["DEFAULT_AFTER", "DEFAULT_BEFORE", "MAX_AFTER", "MAX_BEFORE", "Entry", "cache_folder", "cached_clip",
           "choose_evictions", "clip_name", "drop_mentions", "evict"]
