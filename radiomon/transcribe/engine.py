"""The engine protocol and the objects every engine returns.

An engine turns audio (a path or 16 kHz mono float32 samples) into
:class:`Segment` objects with word times, given the same
:class:`EngineOptions` whatever its implementation. Engines only decode;
voice-activity detection happens before (:mod:`radiomon.transcribe.vad`, so
both engines see exactly the same speech clips) and the radio-grade clean-up
after (:mod:`radiomon.transcribe.guards`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

# A word with its times is the same type the archive stores (seconds into the recording).
from radiomon.archive.segments import Word
from radiomon.errors import TranscriptionError

ENGINES = ("faster-whisper", "openai-whisper")
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Segment:
    """One decoded stretch; times are seconds into the recording."""

    start: float
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None
    words: tuple[Word, ...] = ()


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

    def score(self, audio: np.ndarray, clip: Clip, texts: Sequence[str], prompt: str | None = None) -> list[list[float]]:
        """Each text's token log probabilities given ``clip`` of ``audio``, after
        ``prompt`` as previous text (None: the vocabulary prompt, as decoded;
        "": none). Keyword rescoring, radiomon/transcribe/rescore.py."""
        ...


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan_workers(workers: int, threads: int, cores: int | None = None) -> tuple[int, int]:
    """Workers × threads for this machine when the config says 0 (automatic).

    CTranslate2 scales well to about 4 threads per model instance on CPU;
    past that, more instances decoding different recordings use the cores
    better. So: one worker with every core up to 4 cores, then a worker per
    4 cores.
    """
    cores = cores or cpu_count()
    if workers <= 0:
        workers = 1 if cores <= 4 else cores // 4
    if threads <= 0:
        threads = max(1, cores // workers)
    return workers, threads


def resolve_device(device: str) -> str:
    """``auto`` → cuda when CTranslate2 sees a GPU, else cpu."""
    if device != "auto":
        return device
    try:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except Exception:  # noqa: BLE001 - no ctranslate2 / no driver: CPU
        return "cpu"


def load_engine(engine: str, model: str, options: EngineOptions) -> Engine:
    """Load ``model`` into the named engine once (one load per batch)."""
    if engine == "faster-whisper":
        from radiomon.transcribe.faster_whisper import FasterWhisperEngine

        return FasterWhisperEngine(model, options)
    if engine == "openai-whisper":
        from radiomon.transcribe.openai_whisper import OpenAIWhisperEngine

        return OpenAIWhisperEngine(model, options)
    raise TranscriptionError(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}")
