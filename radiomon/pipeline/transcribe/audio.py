"""Audio for the engines: a recording decoded to 16 kHz mono, and a stretch of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from radiomon.errors import AudioError
from radiomon.pipeline.transcribe.types import SAMPLE_RATE, Clip

# Audio kept around a segment that an engine encodes again to score it
# (seconds): word times at a segment's edges run a little early or late.
PAD = 0.3


def decode(path: str | Path) -> np.ndarray:
    """A recording as 16 kHz mono float32; AudioError (per item) when unreadable."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: audio file not found")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: audio file is empty")
    from faster_whisper.audio import decode_audio

    try:
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as err:  # noqa: BLE001 - PyAV raises many kinds; all mean "unreadable"
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise AudioError(f"{path}: cannot decode audio ({reason})") from None
    if audio.size == 0:
        raise AudioError(f"{path}: no audio samples could be decoded")
    return audio


def around(audio: np.ndarray, clip: Clip) -> np.ndarray:
    """The samples of ``clip`` and :data:`PAD` around it, for an engine that
    encodes a segment's audio again to score it."""
    start = max(0.0, clip.start - PAD)
    return audio[int(start * SAMPLE_RATE):int((clip.end + PAD) * SAMPLE_RATE)]
