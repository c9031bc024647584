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
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.errors import InputFileError
from radiomon.pipeline.ingest.result import ImportResult
from radiomon.pipeline.ingest.storing import nothing_stored, stored_whole
from radiomon.transcript import Segment, Word, clean_text

log = logging.getLogger(__name__)


# A transcript without its audio has no measured length to check its times
# against; a radio recording is cut at most daily, so a time past a day is an
# error (a segment ending at 3e9 s made `status` say the station recorded
# until 2121, hiding every outage since).
MAX_SECONDS = 24 * 3600.0
# Whisper rounds times to 20 ms and realigns them to the words it found, so a
# segment may overlap the one before, or a word its segment, by a little:
# that much is corrected (and said); more means the times are on another
# clock, or two transcripts were joined, and the file is refused.
TOLERANCE = 1.0


@dataclass(frozen=True)
class WhisperTranscript:
    """What a Whisper JSON file holds, checked: segments in time order, none
    overlapping, words within their segment; ``notes`` say what was corrected."""

    segments: list[Segment]
    duration: float | None
    notes: tuple[str, ...] = ()


def parse_whisper_json(data: Any, source: str) -> tuple[list[Segment], float | None]:
    """Segments (and the duration, when given) from what the `whisper` command writes."""
    transcript = read_whisper_json(data, source)
    return transcript.segments, transcript.duration


def read_whisper_json(data: Any, source: str) -> WhisperTranscript:
    """Segments, duration and corrections from what the `whisper` command writes.

    Accepts ``{"segments": [{"start", "end", "text", "words"?, "avg_logprob"?,
    "no_speech_prob"?}, …], "duration"?}`` or a bare list of segments. Times
    that cannot be right are refused with one line naming the segment.
    """
    raw = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(raw, list):
        raise InputFileError(
            f'{source}: no \'segments\' list; expected Whisper JSON like {{"segments": [{{"start", "end", "text"}}]}}'
        )
    duration = _duration(data, source)
    limit = duration + TOLERANCE if duration is not None else MAX_SECONDS
    found: list[tuple[int, Segment]] = []
    clipped = 0
    for index, item in enumerate(raw):
        where = f"{source}: segments[{index}]"
        if not isinstance(item, dict):
            raise InputFileError(f"{where}: expected an object with start, end and text")
        start, end = _number(item, "start", where), _number(item, "end", where)
        text = item.get("text")
        if not isinstance(text, str):
            raise InputFileError(f"{where}.text: expected a string")
        if start < 0:
            raise InputFileError(f"{where}.start: {start} s is before the recording began; fix the times")
        if end < start:
            raise InputFileError(f"{where}: end ({end}) before start ({start}); fix the times")
        if end > limit:
            raise InputFileError(f"{where}.end: {end} s is {_past(duration)}; fix the times")
        text = clean_text(text).strip()  # Segment cleans too; cleaned first, a text of controls alone is empty
        if not text:
            continue
        words, n = _clip(list(_words(item.get("words"), where)), start, end, where)
        clipped += n
        found.append((index, Segment(
            start=start,
            end=end,
            text=text,
            avg_logprob=_optional_number(item, "avg_logprob"),
            no_speech_prob=_optional_number(item, "no_speech_prob"),
            words=tuple(words),
        )))
    segments, moved = _without_overlaps(found, source)
    notes = []
    if moved:
        notes.append(f"{source}: {moved} segment(s) overlapping the one before by under {TOLERANCE:g} s "
                     "now start where it ends")
    if clipped:
        notes.append(f"{source}: {clipped} word time(s) outside their segment by under {TOLERANCE:g} s "
                     "clipped into it")
    if duration is None:
        duration = max((s.end for s in segments), default=None)
    return WhisperTranscript(segments, duration, tuple(notes))


def _duration(data: Any, source: str) -> float | None:
    """The transcript's ``duration`` when it gives a usable one (Whisper's own JSON does not)."""
    duration = data.get("duration") if isinstance(data, dict) else None
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 0 < duration < math.inf:
        return None
    if duration > MAX_SECONDS:
        raise InputFileError(f"{source}: duration: {duration} s is more than 24 h; fix the duration")
    return float(duration)


def _past(duration: float | None) -> str:
    if duration is None:
        return "more than 24 h into the recording"
    return f"past the transcript's duration ({duration:g} s)"


def _clip(words: list[Word], start: float, end: float, where: str) -> tuple[list[Word], int]:
    """Words within [start, end]: a little outside is clipped (and counted), far outside refused."""
    clipped = 0
    for index, word in enumerate(words):
        if word.end < word.start:
            raise InputFileError(f"{where}.words[{index}]: end ({word.end}) before start ({word.start}); "
                                 "fix the times")
        if word.start >= start and word.end <= end:
            continue
        if word.start < start - TOLERANCE or word.end > end + TOLERANCE:
            raise InputFileError(f"{where}.words[{index}]: {word.start:g}–{word.end:g} s is outside its segment "
                                 f"({start:g}–{end:g} s); fix the times")
        words[index] = word._replace(start=min(max(word.start, start), end), end=max(min(word.end, end), start))
        clipped += 1
    return words, clipped


def _without_overlaps(found: list[tuple[int, Segment]], source: str) -> tuple[list[Segment], int]:
    """Segments in time order; one overlapping the one before by a little starts
    where it ends (its words moved too), by more is refused."""
    segments: list[Segment] = []
    previous, moved = 0, 0
    for index, segment in sorted(found, key=lambda f: (f[1].start, f[1].end)):
        if segments and segment.start < segments[-1].end:
            before = segments[-1]
            if before.end - segment.start > TOLERANCE or segment.end <= before.end:
                raise InputFileError(
                    f"{source}: segments[{index}] ({segment.start:g}–{segment.end:g} s) overlaps "
                    f"segments[{previous}] ({before.start:g}–{before.end:g} s); fix the times "
                    "(a transcript's segments follow each other)"
                )
            words = tuple(w._replace(start=max(w.start, before.end), end=max(w.end, before.end))
                          for w in segment.words)
            segment = replace(segment, start=before.end, words=words)
            moved += 1
        segments.append(segment)
        previous = index
    return segments, moved


def _finite(value: Any) -> float | None:
    """``value`` as a float when it is a finite JSON number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # json.loads reads a 400-digit integer; float() cannot hold it
        return None
    # json.loads accepts NaN and Infinity; neither is a time or a probability.
    return number if math.isfinite(number) else None


def _number(item: dict, key: str, where: str) -> float:
    value = item.get(key)
    number = _finite(value)
    if number is None:
        huge = isinstance(value, int) and not isinstance(value, bool)  # the only int _finite refuses
        shown = "an integer past any time" if huge else repr(value)
        raise InputFileError(f"{where}.{key}: expected a number of seconds, got {shown}")
    return number


def _optional_number(item: dict, key: str) -> float | None:
    return _finite(item.get(key))


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
    if not path.exists():
        raise InputFileError(f"{path}: not found")
    try:
        content = path.read_bytes()
    except OSError as err:
        raise InputFileError(f"{path}: cannot read it ({err.strerror})") from None
    try:
        data = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputFileError(f"{path}: not valid JSON ({err}); expected a Whisper transcript") from None
    except ValueError:  # a number of over 4300 digits: Python refuses to read it (a plain ValueError)
        raise InputFileError(f"{path}: not a Whisper transcript (a number thousands of digits long)") from None
    except RecursionError:  # [[[[…]]]] a hundred thousand deep: no transcript is nested like that
        raise InputFileError(f"{path}: not a Whisper transcript (JSON nested too deeply)") from None
    return import_transcript_data(
        archive, data, source=str(path.resolve()), sha256=hashlib.sha256(content).hexdigest(),
        station=station, start=start,
    )


def import_transcript_data(
    archive: Archive, data: Any, *, source: str, sha256: str, station: str, start: datetime
) -> ImportResult:
    """Store already-decoded Whisper JSON; ``sha256`` of its bytes makes it idempotent."""
    transcript = read_whisper_json(data, source)
    with stored_whole(archive, nothing_stored(source)), archive.write():
        recording_id, created = archive.add_recording(
            station=station, start=start, duration=transcript.duration, source_sha256=sha256, status="transcribed"
        )
        stored = 0
        if created:
            stored = archive.replace_segments(recording_id, transcript.segments, engine="import",
                                              transcript_path=source)
    log.info(
        "%s: %s recording %s (%d segments)",
        source,
        "imported as" if created else "already imported as",
        recording_id,
        stored,
    )
    return ImportResult(source, recording_id, created, stored, timeutil.to_iso(start),
                        notes=transcript.notes if created else ())
