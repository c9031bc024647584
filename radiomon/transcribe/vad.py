"""Voice-activity detection tuned for radio, and the clips handed to the engines.

Radio is not a meeting recording: speech sits on music beds, songs run for
minutes, jingles are loud and short, and dead air happens. Whisper fed a song
transcribes lyrics or invents text, so music and silence are cut out *before*
decoding, with Silero VAD (shipped inside faster-whisper, ONNX, CPU): it also
saves the decoding time of every minute of music.

The speech regions are then packed into contiguous clips of at most 30 s
(Whisper's window). A gap shorter than :attr:`RadioVad.join_gap_s` stays
inside a clip (the pause between two sentences); a longer one (a song, a
jingle, dead air) separates clips, so its audio is never decoded at all and
no word can be placed in it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from radiomon.transcribe.engine import SAMPLE_RATE, Clip

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
    join_gap_s: float = 1.0  # regions closer than this share a clip (see module doc)
    max_clip_s: float = 30.0  # Whisper's window


def speech_regions(audio: np.ndarray, vad: RadioVad = RadioVad()) -> list[Clip]:
    """Speech stretches of ``audio`` (16 kHz mono float32), in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=vad.threshold,
        neg_threshold=vad.neg_threshold,
        min_speech_duration_ms=vad.min_speech_duration_ms,
        max_speech_duration_s=vad.max_clip_s,
        min_silence_duration_ms=vad.min_silence_duration_ms,
        speech_pad_ms=vad.speech_pad_ms,
    )
    stamps = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    return [Clip(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def pack_clips(regions: Sequence[Clip], *, join_gap_s: float = 1.0, max_clip_s: float = 30.0) -> list[Clip]:
    """Join nearby speech regions into contiguous clips of at most ``max_clip_s`` (pure)."""
    clips: list[Clip] = []
    for region in regions:
        start, end = region.start, region.end
        while end - start > max_clip_s:  # VAD already splits these; be safe
            clips.append(Clip(start, start + max_clip_s))
            start += max_clip_s
        if clips and start - clips[-1].end < join_gap_s and end - clips[-1].start <= max_clip_s:
            clips[-1] = Clip(clips[-1].start, end)
        else:
            clips.append(Clip(start, end))
    return clips


def radio_clips(audio: np.ndarray, vad: RadioVad | None = RadioVad()) -> tuple[list[Clip], list[Clip]]:
    """``(regions, clips)`` for ``audio``; without VAD the whole file in 30 s clips."""
    duration = len(audio) / SAMPLE_RATE
    if vad is None:
        regions = [Clip(0.0, duration)] if duration else []
        return regions, pack_clips(regions)
    regions = speech_regions(audio, vad)
    clips = pack_clips(regions, join_gap_s=vad.join_gap_s, max_clip_s=vad.max_clip_s)
    log.debug("VAD: %.1f s of speech in %.1f s, %d clips", sum(r.end - r.start for r in regions), duration, len(clips))
    return regions, clips
