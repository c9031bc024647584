"""Clips: the audio around a mention, cut across file boundaries.

A recorder cuts a station into clock-aligned files, so a mention at 09:59:55
in 10-minute files spans two of them. Cutting a clip is three steps:

* :func:`plan_clip` (pure): the station's recordings and gaps, and the
  stretch wanted, in; the pieces of files to join (path, from, to) out, and
  whether the clip had to stop short at a hole in the recording;
* :func:`clip_command` / :func:`measure_command` (pure): ffmpeg's argument
  lists; ffmpeg seeks into each file (``-ss``/``-t`` per input) and joins
  the pieces with its ``concat`` filter, so an hour of audio is never read
  into memory;
* :func:`cut_clip`: the runner the command line and the web UI call.

Loudness is normalized to broadcast level for the municipal radio programme
(EBU R128, -16 LUFS integrated) with ffmpeg's ``loudnorm`` in two passes: the
first measures, the second applies one linear gain, so the short fades at
both ends stay fades and speech is not pumped. Testigos (proof of
broadcast, :mod:`~radiomon.reports.testigos`) are the same clips for every
mention of a day, with a cue sheet for Excel.
"""

from __future__ import annotations

import json
import logging
import math
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from radiomon import media, outputs, timeutil
from radiomon.archive import Archive, MentionRow, Recording
from radiomon.config import Config
from radiomon.errors import AudioError, QueryError, RadiomonError
from radiomon.filters import Filters

log = logging.getLogger(__name__)

FORMATS = ("mp3", "wav")
FADE_SECONDS = 0.3  # long enough to hide the click of a cut mid-word, short enough to keep the word
TARGET_LUFS = -16.0  # EBU R128 level for the radio programme (streaming/broadcast loudness)
TRUE_PEAK_DB = -1.5
LOUDNESS_RANGE = 11.0
SAMPLE_RATE = 44_100
MP3_BITRATE = "128k"
# Two files are consecutive when the second starts within this of the
# first's end: the recorder's clock-aligned files meet to within a frame,
# and a reconnect that lost more than a second left a hole worth saying.
CONSECUTIVE_SECONDS = 1.0
# Pieces shorter than this (a few samples at a file's edge) are not worth an input.
MIN_PIECE_SECONDS = 0.05
# An MP3 clip measures up to a frame or two (26 ms each) longer than planned.
CLIP_LENGTH_TOLERANCE = 0.5
# The longest stretch on either side of a mention: a clip is a quote or a testigo, not
# days of audio (and 1e300 seconds would overflow the clip's instants).
MAX_WINDOW_SECONDS = 86_400.0


class ClipError(RadiomonError):
    """A clip cannot be cut: no such mention, or its audio is gone."""


@dataclass(frozen=True)
class Piece:
    """Part of one recording's file: seconds ``from_s``–``to_s`` into it."""

    path: str
    from_s: float
    to_s: float
    recording_id: int

    @property
    def seconds(self) -> float:
        return self.to_s - self.from_s


@dataclass(frozen=True)
class ClipPlan:
    """What to join, and the instants the clip covers."""

    pieces: tuple[Piece, ...]
    start: datetime
    end: datetime
    stopped_before: bool = False  # the clip starts later than asked: a hole in the recording
    stopped_after: bool = False  # it ends earlier than asked

    @property
    def stopped_at_gap(self) -> bool:
        return self.stopped_before or self.stopped_after

    @property
    def duration(self) -> float:
        return sum(p.seconds for p in self.pieces)


@dataclass(frozen=True)
class ClipResult:
    """What :func:`cut_clip` wrote."""

    path: Path
    start_utc: str
    end_utc: str
    duration: float  # seconds, as planned from the recordings' measured durations
    stopped_at_gap: bool  # shorter than asked: the recording has a hole before or after
    pieces: int  # files the clip was cut from
    mention_id: int | None = None
    stopped_before: bool = False
    stopped_after: bool = False


# -- planning (pure) -----------------------------------------------------------------------------
def _end(recording: Recording) -> datetime | None:
    if recording.end_utc:
        return timeutil.parse_iso(recording.end_utc)
    if recording.duration is not None:
        return recording.start + timedelta(seconds=recording.duration)
    return None


def _usable(recording: Recording) -> bool:
    return bool(recording.path) and recording.status != "pruned" and _end(recording) is not None


def plan_clip(recordings: Sequence[Recording], anchor_id: int, at: datetime, start: datetime, end: datetime,
              gaps: Sequence[dict] = ()) -> ClipPlan:
    """The pieces of files that make the clip ``[start, end)`` around ``at``.

    ``anchor_id`` is the recording the mention was heard in; from it the
    clip runs back and forth through consecutive recordings of the station
    (each starting within :data:`CONSECUTIVE_SECONDS` of the one before's
    end). It stops short at a hole between recordings, at a recording with
    no audio (pruned, an imported transcript) and at a ``gaps`` row
    (``{start_utc, end_utc}``; an open gap runs on), and says on which side.
    """
    usable = sorted((r for r in recordings if _usable(r)), key=lambda r: (r.start_utc, r.id))
    position = next((i for i, r in enumerate(usable) if r.id == anchor_id), None)
    if position is None:
        raise ClipError(f"recording {anchor_id} has no audio to cut from")
    stopped_before = stopped_after = False
    for gap in gaps:
        gap_start = timeutil.parse_iso(gap["start_utc"])
        gap_end = timeutil.parse_iso(gap["end_utc"]) if gap.get("end_utc") else None
        if gap_end is not None and gap_end <= at and gap_end > start:
            start, stopped_before = gap_end, True
        elif gap_start >= at and gap_start < end:
            end, stopped_after = gap_start, True

    chain = [usable[position]]
    low = position
    while chain[0].start > start:
        previous = usable[low - 1] if low > 0 else None
        first = chain[0]
        if previous is None or previous.start >= first.start or \
                _end(previous) < first.start - timedelta(seconds=CONSECUTIVE_SECONDS):
            start, stopped_before = first.start, True
            break
        chain.insert(0, previous)
        low -= 1
    high = position
    while _end(chain[-1]) < end:
        following = usable[high + 1] if high + 1 < len(usable) else None
        last = chain[-1]
        if following is None or following.start <= last.start or \
                following.start > _end(last) + timedelta(seconds=CONSECUTIVE_SECONDS):
            end, stopped_after = _end(last), True
            break
        chain.append(following)
        high += 1

    pieces = []
    for index, recording in enumerate(chain):
        piece_start = max(start, recording.start)
        piece_end = min(end, _end(recording))
        if index + 1 < len(chain):  # overlapping files: the later one takes over where it starts
            piece_end = min(piece_end, chain[index + 1].start)
        seconds_in = (piece_start - recording.start).total_seconds()
        seconds_out = (piece_end - recording.start).total_seconds()
        if seconds_out - seconds_in >= MIN_PIECE_SECONDS:
            pieces.append(Piece(str(recording.path), round(seconds_in, 3), round(seconds_out, 3), recording.id))
    return ClipPlan(tuple(pieces), start, max(start, end), stopped_before, stopped_after)


# -- ffmpeg arguments (pure) ---------------------------------------------------------------------
@dataclass(frozen=True)
class Loudness:
    """What ``loudnorm``'s first pass measured (its JSON, as numbers)."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float

    @classmethod
    def from_json(cls, data: dict) -> Loudness | None:
        """None when the clip is silent (loudnorm reports -inf): nothing to normalize."""
        try:
            values = cls(*(float(data[k]) for k in ("input_i", "input_tp", "input_lra", "input_thresh",
                                                     "target_offset")))
        except (KeyError, TypeError, ValueError):
            return None
        if not all(math.isfinite(v) for v in (values.input_i, values.input_tp, values.input_lra,
                                              values.input_thresh, values.target_offset)):
            return None
        return values


def _inputs(pieces: Sequence[Piece]) -> list[str]:
    args: list[str] = []
    for piece in pieces:
        # -ss before -i: ffmpeg seeks in the file instead of decoding up to the point.
        args += ["-ss", f"{piece.from_s:.3f}", "-t", f"{piece.seconds:.3f}", "-i", piece.path]
    return args


def filter_graph(count: int, duration: float, *, fade: float = FADE_SECONDS, loudnorm: str) -> str:
    """Resample each piece alike (concat needs one format), join, fade in and out, normalize."""
    fade = max(0.0, min(fade, duration / 4))
    parts = [f"[{i}:a]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo[p{i}]"
             for i in range(count)]
    joined = "".join(f"[p{i}]" for i in range(count))
    chain = f"{joined}concat=n={count}:v=0:a=1"
    if fade > 0:
        chain += f",afade=t=in:st=0:d={fade:.3f},afade=t=out:st={duration - fade:.3f}:d={fade:.3f}"
    # loudnorm works at 192 kHz internally and outputs that; bring it back.
    chain += f",{loudnorm},aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo[out]"
    return ";".join([*parts, chain])


def loudnorm_filter(measured: Loudness | None = None, *, measure: bool = False) -> str:
    """``loudnorm`` for the first pass (``measure``: print what it found) or the second."""
    text = f"loudnorm=I={TARGET_LUFS:g}:TP={TRUE_PEAK_DB:g}:LRA={LOUDNESS_RANGE:g}"
    if measure:
        return text + ":print_format=json"
    if measured is not None:
        text += (f":measured_I={measured.input_i:.2f}:measured_TP={measured.input_tp:.2f}"
                 f":measured_LRA={measured.input_lra:.2f}:measured_thresh={measured.input_thresh:.2f}"
                 f":offset={measured.target_offset:.2f}:linear=true")
    return text


def measure_command(pieces: Sequence[Piece], *, fade: float = FADE_SECONDS) -> list[str]:
    """First pass: decode the pieces through the same graph and let loudnorm report (on stderr)."""
    duration = sum(p.seconds for p in pieces)
    return ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info", *_inputs(pieces),
            "-filter_complex", filter_graph(len(pieces), duration, fade=fade, loudnorm=loudnorm_filter(measure=True)),
            "-map", "[out]", "-f", "null", "-"]


def clip_command(pieces: Sequence[Piece], out: str | Path, *, fmt: str = "mp3", metadata: dict[str, str] | None = None,
                 measured: Loudness | None = None, fade: float = FADE_SECONDS) -> list[str]:
    """Second pass: cut, join, fade, normalize, tag and encode into ``out``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown clip format {fmt!r}")
    duration = sum(p.seconds for p in pieces)
    args = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-y", *_inputs(pieces),
            "-filter_complex", filter_graph(len(pieces), duration, fade=fade, loudnorm=loudnorm_filter(measured)),
            "-map", "[out]", "-ar", str(SAMPLE_RATE), "-map_metadata", "-1"]
    for key, value in (metadata or {}).items():
        args += ["-metadata", f"{key}={value}"]
    if fmt == "mp3":
        args += ["-c:a", "libmp3lame", "-b:a", MP3_BITRATE, "-id3v2_version", "3", "-f", "mp3"]
    else:
        args += ["-c:a", "pcm_s16le", "-f", "wav"]
    return [*args, str(out)]


def parse_loudnorm(stderr: str) -> Loudness | None:
    """The JSON block loudnorm prints at the end of its first pass."""
    found = re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr)
    if not found:
        return None
    return Loudness.from_json(json.loads(found[-1]))


def clip_metadata(station_name: str, local_at: datetime, keyword: str, quote: str | None) -> dict[str, str]:
    """Tags a producer's library searches: station, local date and time, keyword; the quote as comment."""
    return {
        "title": f"{station_name} {local_at:%Y-%m-%d %H:%M:%S} {keyword}",
        "artist": station_name,
        "album": "Testigos de radio",
        "date": f"{local_at:%Y-%m-%d}",
        "genre": "Speech",
        "comment": quote or "",
    }


# -- the runner ------------------------------------------------------------------------------------
def _run(command: list[str], what: str) -> subprocess.CompletedProcess:
    media.require_tool("ffmpeg")
    log.debug("running %s", command)
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["ffmpeg failed"])[-1]
        raise AudioError(f"{what}: ffmpeg could not cut the clip ({reason})")
    return result


def _mention(archive: Archive, mention_id: int) -> MentionRow:
    mention = archive.mention(mention_id)
    if mention is None:
        raise ClipError(f"mention {mention_id}: no such mention; `radiomon mentions` lists them with their ids")
    return mention


def anchor_recording(archive: Archive, mention: MentionRow) -> Recording:
    if mention.article_id is not None:
        raise ClipError(f"mention {mention.id}: it was printed in article {mention.article_id} (press), "
                        "not heard on radio; only radio mentions have a clip")
    recording = archive.recording(mention.recording_id)
    if recording is None or not recording.path:
        raise ClipError(f"mention {mention.id}: its recording has no audio (it was imported as a transcript)")
    if recording.status == "pruned":
        raise ClipError(f"mention {mention.id}: the audio of recording {recording.id} was pruned "
                        "(retention.audio_days); only its text is kept")
    if not Path(recording.path).is_file():
        raise ClipError(f"mention {mention.id}: audio file {recording.path} is missing; was it moved or deleted?")
    if _end(recording) is None:
        recording = replace(recording, duration=media.probe_duration(recording.path))
    return recording


def plan_window(archive: Archive, anchor: Recording, at: datetime, start: datetime, end: datetime) -> ClipPlan:
    margin = timedelta(seconds=CONSECUTIVE_SECONDS)
    found = archive.recordings_covering(anchor.station, start - margin, end + margin)
    # A neighbour whose file is gone is a hole like any other.
    recordings = [anchor] + [r for r in found if r.id != anchor.id and r.path and Path(r.path).is_file()]
    gaps = archive.gaps(Filters(stations=(anchor.station,), since=start, until=end))
    return plan_clip(recordings, anchor.id, at, start, end, gaps)


def check_window(before: float, after: float, fmt: str) -> None:
    # NaN passes every comparison below (nan < 0 is False) and inf makes timedelta
    # overflow: both are refused by name, for the command line and the web UI alike.
    if not (math.isfinite(before) and math.isfinite(after)):
        raise QueryError(f"--before {before:g} / --after {after:g}: give a number of seconds (not nan or inf)")
    if before > MAX_WINDOW_SECONDS or after > MAX_WINDOW_SECONDS:
        raise QueryError(f"--before and --after are at most {MAX_WINDOW_SECONDS:g} seconds (a day) each")
    if before < 0 or after < 0:
        raise QueryError("--before and --after are seconds and cannot be negative")
    if before + after <= 0:
        raise QueryError("--before and --after together must be more than 0 seconds")
    if fmt not in FORMATS:
        raise QueryError(f"--format {fmt}: unknown clip format; use {' or '.join(FORMATS)}")


def station_name(config: Config, station_id: str) -> str:
    return next((s.name for s in config.stations if s.id == station_id), station_id)


def encode(plan: ClipPlan, out: Path, fmt: str, metadata: dict[str, str]) -> None:
    """Two passes of ffmpeg into a temporary file beside ``out``, renamed when complete."""
    out.parent.mkdir(parents=True, exist_ok=True)
    measured = parse_loudnorm(_run(measure_command(plan.pieces), str(out)).stderr)
    with outputs.atomic(out) as partial:
        _run(clip_command(plan.pieces, partial, fmt=fmt, metadata=metadata, measured=measured), str(out))


def _result(plan: ClipPlan, out: Path, mention_id: int | None) -> ClipResult:
    return ClipResult(out, timeutil.to_iso(plan.start), timeutil.to_iso(plan.end), round(plan.duration, 3),
                      plan.stopped_at_gap, len(plan.pieces), mention_id, plan.stopped_before, plan.stopped_after)


def cut_clip(config: Config, archive: Archive, mention_id: int, *, before: float = 5.0, after: float = 20.0,
             fmt: str = "mp3", out: Path) -> ClipResult:
    """Cut ``before`` seconds before mention ``mention_id`` to ``after`` seconds after it into ``out``:
    across the station's consecutive files, stopping at a gap; faded, at -16 LUFS, tagged."""
    check_window(before, after, fmt)
    mention = _mention(archive, mention_id)
    anchor = anchor_recording(archive, mention)
    at = timeutil.parse_iso(mention.at_utc)
    plan = plan_window(archive, anchor, at, at - timedelta(seconds=before), at + timedelta(seconds=after))
    if not plan.pieces:
        raise ClipError(f"mention {mention_id}: no audio around it to cut")
    metadata = clip_metadata(station_name(config, mention.station), timeutil.local(at, config.timezone),
                             mention.keyword, mention.context)
    encode(plan, Path(out), fmt, metadata)
    return _result(plan, Path(out), mention_id)


__all__ = ["ClipError", "ClipPlan", "ClipResult", "Piece", "anchor_recording", "check_window", "clip_command",
           "cut_clip", "encode", "measure_command", "plan_clip", "plan_window", "station_name"]
