"""`radiomon import`: register audio files and Whisper-style JSON transcripts.

Importing is idempotent: an audio file is known by its path, a transcript by
its content (SHA-256) and station, so running the same import twice stores
nothing new. A transcript's segments and its recording row land in one
transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Sequence

from radiomon import media, timeutil
from radiomon.archive import Archive, SegmentIn, Word
from radiomon.config import Config
from radiomon.errors import AudioError, InputFileError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    path: str
    recording_id: int | None = None
    created: bool = False
    segments: int = 0
    start_utc: str | None = None
    error: str | None = None


def parse_whisper_json(data: Any, source: str) -> tuple[list[SegmentIn], float | None]:
    """Segments (and the duration, when given) from what the `whisper` command writes.

    Accepts ``{"segments": [{"start", "end", "text", "words"?, "avg_logprob"?,
    "no_speech_prob"?}, …]}`` or a bare list of segments.
    """
    raw = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(raw, list):
        raise InputFileError(f"{source}: no 'segments' list; expected Whisper JSON like {{\"segments\": [{{\"start\", \"end\", \"text\"}}]}}")
    segments = []
    for index, item in enumerate(raw):
        where = f"{source}: segments[{index}]"
        if not isinstance(item, dict):
            raise InputFileError(f"{where}: expected an object with start, end and text")
        start, end = _number(item, "start", where), _number(item, "end", where)
        text = item.get("text")
        if not isinstance(text, str):
            raise InputFileError(f"{where}.text: expected a string")
        if end < start or start < 0:
            raise InputFileError(f"{where}: end ({end}) before start ({start}); fix the times")
        if not text.strip():
            continue
        segments.append(
            SegmentIn(
                start=start,
                end=end,
                text=text.strip(),
                avg_logprob=_optional_number(item, "avg_logprob"),
                no_speech_prob=_optional_number(item, "no_speech_prob"),
                words=tuple(_words(item.get("words"), where)),
            )
        )
    duration = data.get("duration") if isinstance(data, dict) else None
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 0 < duration < math.inf:
        duration = max((s.end for s in segments), default=None)
    return segments, duration


def _number(item: dict, key: str, where: str) -> float:
    value = item.get(key)
    # json.loads accepts NaN and Infinity; neither is a time.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputFileError(f"{where}.{key}: expected a number of seconds, got {value!r}")
    return float(value)


def _optional_number(item: dict, key: str) -> float | None:
    value = item.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _words(raw: Any, where: str) -> Iterator[Word]:
    if not isinstance(raw, list):
        return
    for index, word in enumerate(raw):
        if not isinstance(word, dict) or not isinstance(word.get("word"), str):
            raise InputFileError(f"{where}.words[{index}]: expected {{\"word\", \"start\", \"end\"}}")
        at = f"{where}.words[{index}]"
        yield Word(word["word"], _number(word, "start", at), _number(word, "end", at), _optional_number(word, "probability"))


def import_transcript(archive: Archive, config: Config, path: Path, station: str, start: datetime) -> ImportResult:
    """Store a Whisper JSON transcript as a transcribed recording of ``station``."""
    config.station(station)  # unknown station: a clear error listing the ids
    try:
        content = path.read_bytes()
    except OSError as err:
        raise InputFileError(f"{path}: cannot read it ({err.strerror})") from None
    try:
        data = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputFileError(f"{path}: not valid JSON ({err}); expected a Whisper transcript") from None
    return import_transcript_data(
        archive, data, source=str(path.resolve()), sha256=hashlib.sha256(content).hexdigest(),
        station=station, start=start,
    )


def import_transcript_data(
    archive: Archive, data: Any, *, source: str, sha256: str, station: str, start: datetime
) -> ImportResult:
    """Store already-decoded Whisper JSON; ``sha256`` of its bytes makes it idempotent."""
    segments, duration = parse_whisper_json(data, source)
    with archive.write():
        recording_id, created = archive.add_recording(
            station=station, start=start, duration=duration, source_sha256=sha256, status="transcribed"
        )
        stored = 0
        if created:
            stored = archive.replace_segments(recording_id, segments, engine="import", transcript_path=source)
    log.info("%s: %s recording %s (%d segments)", source, "imported as" if created else "already imported as", recording_id, stored)
    return ImportResult(source, recording_id, created, stored, timeutil.to_iso(start))


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
        raise InputFileError("--start names the start of one file; import several files without it (their names carry the start)")
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


__all__ = ["ImportResult", "import_audio", "import_transcript", "import_transcript_data", "parse_whisper_json"]
