"""Existing audio files registered as recordings, to be transcribed.

An audio file is known by its path and by its content (SHA-256), so
importing it twice, or a copy of it under another name, stores nothing new
(a copy stored again was a second recording of the same minutes, every
mention in it doubled). Its start comes from ``--start`` or from its name
(in the station's time zone); its duration is measured from the audio it
holds, not only from its header (see :func:`radiomon.media.measured_duration`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from radiomon import media, timeutil
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.errors import AudioError, InputFileError
from radiomon.pipeline.ingest.result import ImportResult
from radiomon.pipeline.ingest.storing import nothing_stored, stored_whole

log = logging.getLogger(__name__)


def import_audio(
    archive: Archive, config: Config, paths: Sequence[Path], station: str, start: datetime | None = None
) -> Iterator[ImportResult]:
    """Register audio files as pending recordings; yields one result per file.

    Per-file problems (unreadable audio, no start time in the name) are
    reported in the result and the other files go on; a missing ffprobe
    stops everything at once.
    """
    config.station(station)
    tz = config.station_tz(station)
    media.require_tool("ffprobe")
    if start is not None and len(paths) > 1:
        raise InputFileError(
            "--start names the start of one file; import several files without it (their names carry the start)"
        )
    for path in paths:
        try:
            yield _import_one_audio(archive, path, station, start, tz)
        except (AudioError, InputFileError) as err:
            # The caller reports result.error; a warning here would print it twice.
            log.info("skipped: %s", err)
            yield ImportResult(str(path), error=str(err))


def _import_one_audio(archive: Archive, path: Path, station: str, start: datetime | None, tz) -> ImportResult:
    if not path.exists():
        raise InputFileError(f"{path}: not found")
    begin = start or timeutil.start_from_filename(str(path), tz)
    if begin is None:
        raise InputFileError(
            f"{path}: no start time in the file name (like 20261125T140000 or 2026-11-25_14-00-00); pass --start"
        )
    duration = media.measured_duration(path)
    notes = ()
    if duration.header is not None:
        notes = (f"{path}: its header says {duration.header:.2f} s but it holds {duration.seconds:.2f} s of audio "
                 f"(truncated?); stored as {duration.seconds:.2f} s",)
    resolved = str(path.resolve())
    sha256 = _sha256(path)
    with stored_whole(archive, nothing_stored(str(path))):
        recording_id, created = archive.add_recording(
            station=station, start=begin, duration=duration.seconds, path=resolved, source_sha256=sha256
        )
    same_audio_as = None
    if not created:
        existing = archive.recording(recording_id)
        if existing is not None and existing.path != resolved:
            same_audio_as = existing.path
    return ImportResult(str(path), recording_id, created, 0, timeutil.to_iso(begin),
                        notes=notes if created else (), same_audio_as=same_audio_as)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    except OSError as err:
        raise InputFileError(f"{path}: cannot read it ({err.strerror})") from None
    return digest.hexdigest()
