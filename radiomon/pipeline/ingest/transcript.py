"""Whisper-style JSON transcripts into the archive, as transcribed recordings.

A transcript is known by its content (SHA-256) and station, so importing it
twice stores nothing new; its segments and its recording row land in one
transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.errors import InputFileError
from radiomon.pipeline.ingest.result import ImportResult
from radiomon.transcript import Segment, Word, clean_text

log = logging.getLogger(__name__)


def parse_whisper_json(data: Any, source: str) -> tuple[list[Segment], float | None]:
    """Segments (and the duration, when given) from what the `whisper` command writes.

    Accepts ``{"segments": [{"start", "end", "text", "words"?, "avg_logprob"?,
    "no_speech_prob"?}, …]}`` or a bare list of segments.
    """
    raw = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(raw, list):
        raise InputFileError(
            f'{source}: no \'segments\' list; expected Whisper JSON like {{"segments": [{{"start", "end", "text"}}]}}'
        )
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
        text = clean_text(text).strip()  # Segment cleans too; cleaned first, a text of controls alone is empty
        if not text:
            continue
        segments.append(
            Segment(
                start=start,
                end=end,
                text=text,
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
        yield Word(
            word["word"], _number(word, "start", at), _number(word, "end", at), _optional_number(word, "probability")
        )


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
    log.info(
        "%s: %s recording %s (%d segments)",
        source,
        "imported as" if created else "already imported as",
        recording_id,
        stored,
    )
    return ImportResult(source, recording_id, created, stored, timeutil.to_iso(start))
