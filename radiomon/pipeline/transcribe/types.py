"""The engine protocol and the objects every engine returns.

An engine turns audio (a path or 16 kHz mono float32 samples) into
:class:`Segment` objects with word times, given the same
:class:`EngineOptions` whatever its implementation. Engines only decode;
voice-activity detection happens before (:mod:`radiomon.pipeline.transcribe.vad`, so
both engines see exactly the same speech clips) and the radio-grade clean-up
after (:mod:`radiomon.pipeline.transcribe.guards`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from radiomon import config
from radiomon.transcript import Segment

ENGINES = config.ENGINES  # the list transcription.engine is checked against
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Clip:
    """A stretch of audio to decode (seconds), found by VAD; at most 30 s."""

    start: float
    end: float


@dataclass(frozen=True)
class EngineOptions:
    """How to decode; the same for every engine. Defaults suit radio on a CPU."""

    language: str = "es"  # forced: never detected, so music cannot flip it
    beam_size: int = 5  # see TranscriptionConfig.beam_size
    batch_size: int = 4  # clips decoded together (faster-whisper); 0 = one at a time
    word_timestamps: bool = True
    initial_prompt: str | None = None  # vocabulary bias (see vocabulary.py); repeated for every clip
    device: str = "cpu"  # cpu | cuda (resolved from auto before this point)
    compute_type: str = "auto"  # int8 on CPU, float16 on CUDA when auto
    threads: int = 0  # intra-op threads per worker; 0 = all cores
    workers: int = 1  # recordings decoded at the same time
    # Tokens one 30 s clip may produce. Fast Spanish speech needs ~150; a
    # repetition loop runs to the model's 448-token limit and dominates the
    # time, so the cap bounds the damage (the compression-ratio guard then
    # rejects what a loop produced).
    max_new_tokens: int = 200


class Engine(Protocol):
    name: str  # faster-whisper | openai-whisper
    model_label: str  # what the archive stores as the model

    def transcribe(self, audio: np.ndarray, clips: Sequence[Clip]) -> list[Segment]:
        """Decode ``clips`` of ``audio`` (16 kHz mono float32); times in seconds into ``audio``."""
        ...

    def score(
        self, audio: np.ndarray, clip: Clip, texts: Sequence[str], prompt: str | None = None
    ) -> list[list[float]]:
        """Each text's token log probabilities given ``clip`` of ``audio``, after
        ``prompt`` as previous text (None: the vocabulary prompt, as decoded;
        "": none), for keyword rescoring (rescore.py)."""
        ...
