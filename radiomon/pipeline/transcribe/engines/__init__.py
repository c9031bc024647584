"""The two Whisper engines behind one protocol (:class:`~radiomon.pipeline.transcribe.types.Engine`).

* :mod:`~radiomon.pipeline.transcribe.engines.faster_whisper` — the default (CTranslate2)
* :mod:`~radiomon.pipeline.transcribe.engines.openai_whisper` — the reference (PyTorch)

Each is imported only when it is loaded: openai-whisper is an optional extra.
"""

from __future__ import annotations

from radiomon.errors import TranscriptionError
from radiomon.pipeline.transcribe.types import ENGINES, Engine, EngineOptions


def load_engine(engine: str, model: str, options: EngineOptions) -> Engine:
    """Load ``model`` into the named engine once (one load per batch)."""
    if engine == "faster-whisper":
        from radiomon.pipeline.transcribe.engines.faster_whisper import FasterWhisperEngine

        return FasterWhisperEngine(model, options)
    if engine == "openai-whisper":
        from radiomon.pipeline.transcribe.engines.openai_whisper import OpenAIWhisperEngine

        return OpenAIWhisperEngine(model, options)
    raise TranscriptionError(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}")
