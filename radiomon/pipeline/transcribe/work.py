"""Transcribing one recording: the unit of work, plain data in and plain data out.

The pipeline for one recording is one readable list of stages::

    decode audio → radio VAD → clips → engine → keyword rescoring → back to recording time → guards

:func:`transcribe_file` runs it for an audio file and a
:class:`TranscriberSpec` (which engine and model, how to decode, which
keywords to rescore against: values only, so it can be sent to another
process) and returns a :class:`Transcript` (segments with their words).
It touches neither the archive nor the transcript files: the batch stores
what it returns. Any ``concurrent.futures`` executor can run it — the
batch's thread pool, or a Dask worker on another machine, which loads the
model for the spec on its first call and keeps it (:func:`transcriber_for`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from radiomon.keywords import KeywordSet
from radiomon.pipeline.executor import release_free_memory
from radiomon.pipeline.transcribe import guards
from radiomon.pipeline.transcribe.audio import decode
from radiomon.pipeline.transcribe.engines import load_engine
from radiomon.pipeline.transcribe.rescore import Rescorer
from radiomon.pipeline.transcribe.types import SAMPLE_RATE, Clip, Engine, EngineOptions
from radiomon.pipeline.transcribe.vad import RadioVad, pack, regions_for, restore
from radiomon.transcript import Segment

log = logging.getLogger(__name__)

EngineFactory = Callable[[str, str, EngineOptions], Engine]


@dataclass(frozen=True)
class TranscriberSpec:
    """How to transcribe: the same for every recording of a batch."""

    engine: str  # faster-whisper | openai-whisper
    model: str  # a name, a CTranslate2 folder or an openai .pt file
    options: EngineOptions  # decoding, including the vocabulary prompt
    vad: bool = True  # cut music and silence out before decoding
    # Ask Whisper whether near misses of these terms were the term
    # (rescore.py); None: no rescoring.
    rescore: KeywordSet | None = None
    engine_factory: EngineFactory = load_engine  # a stand-in engine in tests
    # Each recording's speech windows cut into this many parts decoded side
    # by side (on the engine's workers), for a batch with fewer recordings
    # than workers: a lone file would otherwise leave all workers but one idle.
    parts: int = 1


@dataclass(frozen=True)
class Transcript:
    """What was said in one recording."""

    segments: tuple[Segment, ...]  # captions by time, seconds into the recording
    duration: float  # seconds of audio, measured from the decoded samples
    speech_seconds: float  # of which VAD found speech


class Transcriber:
    """A spec loaded: the engine with its model, the VAD settings, the rescorer."""

    def __init__(self, spec: TranscriberSpec):
        self.spec = spec
        self.engine = spec.engine_factory(spec.engine, spec.model, spec.options)  # fatal errors stop here
        self.vad = RadioVad() if spec.vad else None
        self.rescorer = None
        if spec.rescore is not None and callable(getattr(self.engine, "score", None)):
            self.rescorer = Rescorer.for_keywords(spec.rescore, spec.options.initial_prompt)
        self._recheck_engine = None  # the float32 model, loaded the first time an answer is near the line
        self._recheck_loading = threading.Lock()  # the process's threads share this transcriber

    def transcribe(self, audio: np.ndarray, label: str = "audio") -> Transcript:
        """``audio`` (16 kHz mono float32) through every stage after decoding."""
        regions = regions_for(audio, self.vad)
        packed = pack(audio, regions)
        groups = split_clips(packed.clips, self.spec.parts)
        if len(groups) > 1:
            with ThreadPoolExecutor(len(groups), thread_name_prefix="part") as pool:
                raw = [s for part in pool.map(lambda g: self._decode(packed.audio, g), groups) for s in part]
        else:
            raw = self._decode(packed.audio, packed.clips)
        raw = restore(raw, packed)
        report = guards.GuardReport()
        cleaned = guards.clean(raw, regions if self.vad else None, report=report)
        if any(vars(report).values()):
            log.info("%s: guards dropped %s", label, report)
        return Transcript(tuple(cleaned), len(audio) / SAMPLE_RATE, sum(c.end - c.start for c in regions))


    def _decode(self, audio: np.ndarray, clips) -> list[Segment]:
        """The engine on ``clips`` of the packed ``audio``, then the rescoring questions, in
        one thread: the engine keeps the clips' encoder output per thread for score()."""
        raw = self.engine.transcribe(audio, clips)
        if self.rescorer is not None:
            raw = self.rescorer.rescore(
                raw, lambda clip, texts, prompt: self.engine.score(audio, clip, texts, prompt),
                recheck=self._recheck(audio))
        return raw

    def _recheck(self, audio: np.ndarray):
        """The second scorer for answers within decide.BAND of their line: the same weights in float32.

        int8 kernels differ by CPU backend (CT2_USE_MKL, the instruction set) by up to 3 nats on one
        question, enough to flip a decision near MARGIN or FAR_GAIN; float32 answers agree across
        backends (tests/test_rescore_backends.py). Loaded only when first needed, since it costs a
        second copy of the model; None where the engine already decodes in float32."""
        options = self.spec.options
        if options.compute_type == "float32" or self.spec.engine != "faster-whisper":
            return None

        def score(clip, texts, prompt):
            with self._recheck_loading:
                if self._recheck_engine is None:
                    self._recheck_engine = self.spec.engine_factory(self.spec.engine, self.spec.model,
                                                                    replace(options, compute_type="float32"))
            return self._recheck_engine.score(audio, clip, texts, prompt)

        return score


def split_clips(clips: Sequence[Clip], parts: int) -> list[list[Clip]]:
    """``clips`` in at most ``parts`` runs of neighbours with about equal seconds of audio (pure)."""
    clips = list(clips)
    if parts <= 1 or len(clips) <= 1:
        return [clips] if clips else []
    total = sum(c.end - c.start for c in clips)
    groups: list[list[Clip]] = [[]]
    done = 0.0
    for clip in clips:
        if groups[-1] and len(groups) < parts and done >= total * len(groups) / parts:
            groups.append([])
        groups[-1].append(clip)
        done += clip.end - clip.start
    return groups


_loaded: tuple[TranscriberSpec, Transcriber] | None = None
_loading = threading.Lock()


def transcriber_for(spec: TranscriberSpec) -> Transcriber:
    """The transcriber for ``spec``, loaded once per process and shared by its
    threads. One at a time: a new spec replaces the old (its model is freed)."""
    global _loaded
    with _loading:
        if _loaded is None or _loaded[0] != spec:
            _loaded = None
            _loaded = (spec, Transcriber(spec))
        return _loaded[1]


def engine_label(spec: TranscriberSpec) -> tuple[str, str]:
    """Load ``spec`` here (in the worker that will use it) and say which engine
    and model it is, as the archive stores them; a missing model fails here."""
    engine = transcriber_for(spec).engine
    return engine.name, engine.model_label


def transcribe_file(path: str | Path, spec: TranscriberSpec) -> Transcript:
    """Transcribe one audio file; AudioError when it cannot be decoded. What
    the recording needed goes back to the kernel once it is done, so a
    long-lived worker stays the size of one recording's work."""
    try:
        return transcriber_for(spec).transcribe(decode(path), label=str(path))
    finally:
        release_free_memory()


__all__ = ["Transcriber", "TranscriberSpec", "Transcript", "engine_label", "split_clips", "transcribe_file",
           "transcriber_for"]
