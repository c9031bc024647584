"""Existing audio files registered as recordings, to be transcribed.

An audio file is known by its path, so importing it twice stores nothing
new. Its start comes from ``--start`` or from its name (in the station's
time zone); its duration is measured.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from radiomon import media, timeutil
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.errors import AudioError, InputFileError
from radiomon.pipeline.ingest.result import ImportResult

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
    begin = start or timeutil.start_from_filename(str(path), tz)
    if begin is None:
        raise InputFileError(
            f"{path}: no start time in the file name (like 20261125T140000 or 2026-11-25_14-00-00); pass --start"
        )
    duration = media.probe_duration(path)
    recording_id, created = archive.add_recording(
        station=station, start=begin, duration=duration, path=str(path.resolve())
    )
    return ImportResult(str(path), recording_id, created, 0, timeutil.to_iso(begin))
