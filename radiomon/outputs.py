"""The files a person asks radiomon to write, and how they are written.

Every command that writes a file where it is told (``clip -o``, ``clips -o``,
``digest -o``, ``report weekly -o``, ``backup FILE``, the nightly síntesis in
``nightly.reports_dir``) asks :func:`check_target` first and writes through
:func:`atomic`. The check refuses the deployment's own files, however the
path spells them (a symlink, ``..``, relative to another folder, a hard
link): ``radiomon clip 1 -o radiomon.db`` once replaced the archive with an
MP3, and ``radiomon backup radiomon.db-wal`` while the recorder ran wrote a
database image over the live write-ahead log, so everything not yet
checkpointed was lost when the recorder stopped.

Writing goes to a temporary name in the target's folder and is renamed over
the target when complete, so a target is the old file or the whole new one,
never half of one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from radiomon.config import Config
from radiomon.errors import RadiomonError


class OutputError(RadiomonError):
    """A file cannot be written where it was asked: it is one of the deployment's own files."""


@dataclass(frozen=True)
class Protected:
    """A path radiomon never writes a document, clip or backup to."""

    path: Path  # resolved
    what: str  # "the archive", "the config", …
    folder: bool = False  # everything under it is protected as well


def protected_paths(config: Config) -> tuple[Protected, ...]:
    """The deployment's own files and folders, resolved."""
    # Imported here: the clip cache's module reaches the archive package, which writes its backups through this one.
    from radiomon.reports.clip_cache import cache_folder

    archive = Path(config.archive)
    files = [
        (archive, "the archive"),
        (Path(f"{archive}-wal"), "the archive's write-ahead log"),
        (Path(f"{archive}-shm"), "the archive's shared-memory index"),
        (Path(f"{archive}-journal"), "the archive's rollback journal"),
        (Path(f"{archive}.secret"), "the web UI's session key"),
        (Path(config.path), "the config"),
        (Path(config.keywords), "the keywords file"),
    ]
    folders = [
        (cache_folder(config), "the web UI's clip cache"),
        (Path(config.recordings_dir), "the recordings folder"),
        (Path(config.transcripts_dir), "the transcripts folder"),
    ]
    found = [Protected(path.resolve(), what) for path, what in files]
    # SQLite names the -wal and -shm after the archive as the config spells it; a
    # symlinked archive puts them beside the link, so both spellings count.
    real = archive.resolve()
    found += [Protected(Path(f"{real}{suffix}"), what) for suffix, what in
              (("-wal", "the archive's write-ahead log"), ("-shm", "the archive's shared-memory index"),
               ("-journal", "the archive's rollback journal"))]
    found += [Protected(path.resolve(), what, folder=True) for path, what in folders]
    return tuple(found)


def _is_lock(config: Config, target: Path) -> bool:
    """``radiomon.db.<name>.lock`` beside the archive (radiomon/lockfile.py): what keeps a second nightly out."""
    archive = Path(config.archive).resolve()
    return (target.parent == archive.parent and target.name.startswith(f"{archive.name}.")
            and target.name.endswith(".lock"))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def protected_as(config: Config, target: str | os.PathLike) -> str | None:
    """What ``target`` is among the deployment's own files ("the archive", …); None when it is free to write."""
    resolved = Path(target).resolve()
    for item in protected_paths(config):
        if item.folder:
            if resolved == item.path or resolved.is_relative_to(item.path) or _same_file(resolved, item.path):
                return item.what
        elif resolved == item.path or _same_file(resolved, item.path):
            return item.what
    if _is_lock(config, resolved):
        return "a lock file of the archive"
    return None


def check_target(config: Config, target: str | os.PathLike) -> Path:
    """``target`` resolved (symlinks followed: the file to replace); OutputError when it is one of the
    deployment's own files, or lies in one of its folders."""
    what = protected_as(config, target)
    if what is not None:
        raise OutputError(f"{target}: that is {what} ({Path(target).resolve()}); nothing was written, "
                          "choose another file name")
    return Path(target).resolve()


def check_folder(config: Config, folder: str | os.PathLike) -> Path:
    """``folder`` resolved, for a command that writes files into it (``clips -o DIR``): OutputError when it
    is one of the deployment's own files, or is or lies within one of its folders (recordings, transcripts,
    the clip cache). Each file written into it is checked with :func:`check_target` as well."""
    what = protected_as(config, folder)
    if what is not None:
        raise OutputError(f"{folder}: that is {what} ({Path(folder).resolve()}); nothing was written, "
                          "choose another folder")
    return Path(folder).resolve()


@contextmanager
def atomic(target: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``target`` to write the whole file to; renamed over ``target`` when the
    block ends without an exception, deleted when it raises. The folder must exist.

    The temporary name is ``.<name>.part``: a leftover of a killed run is replaced by the next one, and
    whatever stood under that name (even a symlink) is removed first, so a writer that follows links
    (ffmpeg) never writes through one.
    """
    target = Path(target)
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    try:
        yield partial
        _fsync(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _fsync(target.parent)


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """``data`` into ``target`` through :func:`atomic`."""
    target = Path(target)
    with atomic(target) as partial:
        # O_EXCL: atomic() removed the name, so anything found there now was put there meanwhile.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    return target


def replace_text(target: str | os.PathLike, text: str) -> Path:
    """A text file (radiomon.yml, keywords.yml) rewritten whole as UTF-8 through :func:`atomic`, keeping
    its permissions; raises OSError, which the caller says in its own words."""
    target = Path(target)
    mode = target.stat().st_mode & 0o7777
    with atomic(target) as partial:
        partial.write_bytes(text.encode("utf-8"))
        os.chmod(partial, mode)
    return target


def _fsync(path: Path) -> None:
    """Make a file (or a folder's entry of a renamed file) durable before relying on it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["OutputError", "Protected", "atomic", "check_folder", "check_target", "protected_as", "protected_paths",
           "write_bytes"]
