"""Voice-activity detection tuned for radio, and the clips handed to the engines.

Radio is not a meeting recording: speech sits on music beds, songs run for
minutes, jingles are loud and short, and dead air happens. Whisper fed a song
transcribes lyrics or invents text, so music and silence are cut out *before*
decoding, with Silero VAD (shipped inside faster-whisper, ONNX, CPU): it also
saves the decoding time of every minute of music.

The speech regions are then cut out and laid end to end into clips of at
most 30 s (Whisper's window, :func:`pack`): the music and silence between
them are never decoded, so no word can be placed there, and every encoder
window is full of speech. :func:`restore` maps the decoded times back into
the recording.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from radiomon.pipeline.transcribe.types import SAMPLE_RATE, Clip
from radiomon.transcript import Segment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RadioVad:
    """Silero VAD settings for broadcast audio (faster-whisper's ``VadOptions`` names)."""

    # Silero's default 0.5 is right for speech over a music bed at -20 dB; lower
    # values start to let sung vocals and loud jingles through as "speech".
    threshold: float = 0.5
    neg_threshold: float = 0.35  # hysteresis: stay in speech down to this
    min_speech_duration_ms: int = 250  # shorter blips are clicks and jingle hits
    # A radio host's pause between sentences is 0.2–0.8 s; 500 ms keeps a
    # sentence whole while still ending a region at a jingle.
    min_silence_duration_ms: int = 500
    speech_pad_ms: int = 200  # keep the first and last syllable whole
    # Regions are cut at the last pause before this length, so that they pack
    # into full 30 s windows (a 25 s region leaves 5 s of a window unused).
    max_region_s: float = 15.0
    max_clip_s: float = 30.0  # Whisper's window


def speech_regions(audio: np.ndarray, vad: RadioVad = RadioVad()) -> list[Clip]:
    """Speech stretches of ``audio`` (16 kHz mono float32), in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=vad.threshold,
        neg_threshold=vad.neg_threshold,
        min_speech_duration_ms=vad.min_speech_duration_ms,
        max_speech_duration_s=vad.max_region_s,
        min_silence_duration_ms=vad.min_silence_duration_ms,
        speech_pad_ms=vad.speech_pad_ms,
    )
    stamps = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    return [Clip(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def regions_for(audio: np.ndarray, vad: RadioVad | None = RadioVad()) -> list[Clip]:
    """Speech regions of at most 30 s; without VAD, the whole file in 30 s pieces."""
    duration = len(audio) / SAMPLE_RATE
    if vad is None:
        return [Clip(t, min(t + 30.0, duration)) for t in np.arange(0.0, duration, 30.0)]
    regions = speech_regions(audio, vad)
    log.debug("VAD: %.1f s of speech in %.1f s", sum(r.end - r.start for r in regions), duration)
    return regions


@dataclass(frozen=True)
class Packed:
    """Speech regions cut out of a recording and laid end to end.

    Whisper pays a whole 30 s encoder window per clip however much of it is
    speech, so filling the windows matters more than anything else for speed
    on a CPU: the regions are concatenated (the music and silence between
    them removed) into clips of at most 30 s, as faster-whisper's own VAD
    path does. ``audio`` is that concatenation, ``clips`` are in its time,
    and :meth:`to_original` maps a time back into the recording.
    """

    audio: np.ndarray
    clips: list[Clip]  # in packed time
    regions: list[Clip]  # in recording time, in order
    offsets: list[float]  # packed start of each region

    def to_original(self, t: float, region: int | None = None) -> float:
        i = self.region_at(t) if region is None else region
        return self.regions[i].start + (t - self.offsets[i])

    def region_at(self, t: float) -> int:
        lo, hi = 0, len(self.offsets) - 1
        while lo < hi:  # last region whose packed start <= t
            mid = (lo + hi + 1) // 2
            if self.offsets[mid] <= t:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def span_to_original(self, start: float, end: float) -> tuple[float, float]:
        """A word's packed (start, end) in recording time.

        A word that straddles the joint of two regions (alignment is ±0.1 s)
        goes wholly to the region holding most of it, so it is never
        stretched across the music or silence that was cut out.
        """
        i, j = self.region_at(start), self.region_at(max(start, end - 1e-6))
        if j != i and end - self.offsets[j] > self.offsets[j] - start:
            s = self.regions[j].start
            return s, max(s, self.to_original(end, j))
        s = self.to_original(start, i)
        e = min(self.to_original(end, i), self.regions[i].end)
        return s, max(s, e)


def pack(audio: np.ndarray, regions: Sequence[Clip], max_clip_s: float = 30.0) -> Packed:
    """Concatenate the speech regions of ``audio`` into ≤ ``max_clip_s`` clips (see :class:`Packed`)."""
    pieces, offsets, clips = [], [], []
    cursor = 0.0
    clip_start = 0.0
    kept: list[Clip] = []
    for region in regions:
        a, b = int(region.start * SAMPLE_RATE), int(region.end * SAMPLE_RATE)
        piece = audio[a:b]
        length = len(piece) / SAMPLE_RATE
        if length <= 0:
            continue
        if cursor - clip_start + length > max_clip_s and cursor > clip_start:
            clips.append(Clip(clip_start, cursor))
            clip_start = cursor
        pieces.append(piece)
        offsets.append(cursor)
        kept.append(Clip(region.start, region.start + length))
        cursor += length
    if cursor > clip_start:
        clips.append(Clip(clip_start, cursor))
    packed_audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    return Packed(packed_audio.astype(np.float32, copy=False), clips, kept, offsets)


def restore(segments: Sequence[Segment], packed: Packed) -> list[Segment]:
    """Segments decoded from ``packed.audio`` with their times in the recording."""
    out = []
    for s in segments:
        words = tuple(w._replace(start=a, end=b) for w in s.words for a, b in [packed.span_to_original(w.start, w.end)])
        start = packed.to_original(s.start)
        end = packed.to_original(max(s.start, s.end - 1e-3))
        if words:
            start, end = words[0].start, words[-1].end
        out.append(replace(s, start=start, end=max(start, end), words=words))
    return out
