"""The transcription batch: every pending recording, oldest first, into the archive.

The pipeline for one recording is one readable list of stages::

    decode audio → radio VAD → clips → engine → guards → transcript file → archive

Decoding and VAD of the next recording run in a helper thread while the
engine decodes the current one (CTranslate2 releases the GIL), and the model
is loaded once per batch. A recording's segments and its new status are
written in one transaction *after* it is transcribed, so a crash or a kill
leaves it ``pending`` and a rerun never duplicates rows. One unreadable file
is marked ``failed`` with the reason and the batch goes on; a missing model
or engine stops the batch before the first file (TranscriptionError).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from radiomon.archive import Archive, Recording, SegmentIn
from radiomon.config import Config, TranscriptionConfig
from radiomon.errors import AudioError, ConfigError, RadiomonError
from radiomon.transcribe import guards, models, output, rescore, vocabulary
from radiomon.transcribe.engine import (
    SAMPLE_RATE,
    Clip,
    Engine,
    EngineOptions,
    Segment,
    load_engine,
    plan_workers,
    resolve_device,
)
from radiomon.transcribe.vad import Packed, RadioVad, pack, regions_for, restore

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """A recording decoded and cut into speech clips, ready for the engine."""

    recording: Recording
    duration: float  # seconds, measured from the decoded samples
    regions: list[Clip]  # speech, in recording time
    packed: Packed  # the speech laid end to end, in clips for the engine


@dataclass
class BatchResult:
    transcribed: int = 0
    failed: int = 0
    segments: int = 0
    audio_seconds: float = 0.0
    speech_seconds: float = 0.0
    wall_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    engine: str = ""
    model: str = ""

    @property
    def realtime_factor(self) -> float | None:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else None

    def summary(self) -> str:
        rtf = f", {1 / self.realtime_factor:.0f}× real time" if self.realtime_factor else ""
        return (
            f"transcribed {self.transcribed} recording{'s' * (self.transcribed != 1)} "
            f"({self.audio_seconds / 3600:.2f} h of audio, {self.segments} segment{'s' * (self.segments != 1)}) in "
            f"{self.wall_seconds:.0f} s{rtf} with {self.engine} {self.model}; {self.failed} failed"
        )


class Progress:
    """Hooks the CLI implements (progress bar); the library never prints."""

    def start(self, recordings: int, audio_seconds: float) -> None: ...

    def done(self, recording: Recording, audio_seconds: float, ok: bool) -> None: ...


def engine_options(settings: TranscriptionConfig, *, prompt: str | None) -> EngineOptions:
    device = resolve_device(settings.device)
    workers, threads = plan_workers(settings.workers, settings.threads)
    return EngineOptions(
        language=settings.language,
        beam_size=settings.beam_size,
        batch_size=settings.batch_size,
        word_timestamps=settings.word_timestamps,
        initial_prompt=prompt,
        device=device,
        compute_type=settings.compute_type,
        threads=threads,
        workers=workers,
    )


def build_prompt(config: Config, settings: TranscriptionConfig) -> str | None:
    if not settings.hotwords:
        return None
    counter = vocabulary.approximate_tokens
    if settings.engine == "faster-whisper" and settings.model == models.BUNDLED:
        counter = vocabulary.whisper_token_counter(models.ensure_bundled())
    return vocabulary.prompt_from_file(config.keywords, count_tokens=counter)


def build_rescorer(config: Config, settings: TranscriptionConfig, asr: Engine,
                   prompt: str | None) -> rescore.Rescorer | None:
    """Keyword rescoring (rescore.py) when it is on, keywords.yml exists and
    the engine can score texts; a broken keywords.yml already stopped the
    batch when the prompt was built."""
    if not settings.rescore or not callable(getattr(asr, "score", None)):
        return None
    if config.keywords is None or not Path(config.keywords).is_file():
        return None
    from radiomon.keywords.load import load_keywords

    return rescore.Rescorer.for_keywords(load_keywords(config.keywords), prompt)


def select(archive: Archive, *, station=None, since: datetime | None = None, limit: int | None = None,
           retranscribe: bool = False) -> list[Recording]:
    """The recordings this batch will do, oldest first."""
    statuses = ("pending", "transcribed", "failed") if retranscribe else ("pending",)
    recordings = archive.recordings(status=statuses, station=station, since=since)
    recordings = [r for r in recordings if r.path]  # imported transcripts have no audio
    return recordings[:limit] if limit is not None else recordings


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


def prepare(recording: Recording, vad: RadioVad | None) -> Prepared:
    audio = decode(recording.path)
    regions = regions_for(audio, vad)
    return Prepared(recording, len(audio) / SAMPLE_RATE, regions, pack(audio, regions))


def to_archive(segments: Sequence[Segment]) -> list[SegmentIn]:
    return [
        SegmentIn(
            start=s.start,
            end=s.end,
            text=s.text,
            avg_logprob=s.avg_logprob,
            no_speech_prob=s.no_speech_prob,
            words=s.words,
        )
        for s in segments
    ]


def transcribe_batch(
    config: Config,
    archive: Archive,
    *,
    engine: str | None = None,
    model: str | None = None,
    station: str | Sequence[str] | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    retranscribe: bool = False,
    formats: Sequence[str] | None = None,
    progress: Progress | None = None,
    engine_factory: Callable[[str, str, EngineOptions], Engine] = load_engine,
) -> BatchResult:
    """Transcribe the selected recordings into the archive; see the module doc."""
    started = time.perf_counter()
    settings = config.transcription
    settings = replace(settings, engine=engine or settings.engine, model=model or settings.model)
    formats = tuple(formats if formats is not None else settings.formats)
    progress = progress or Progress()
    result = BatchResult(engine=settings.engine, model=settings.model)

    stations = (station,) if isinstance(station, str) else tuple(station or ())
    for station_id in stations:
        config.station(station_id)  # ConfigError: unknown station, before any work
    recordings = select(archive, station=stations or None, since=since, limit=limit, retranscribe=retranscribe)
    if not recordings:
        result.wall_seconds = time.perf_counter() - started
        return result

    options = engine_options(settings, prompt=build_prompt(config, settings))
    asr = engine_factory(settings.engine, settings.model, options)  # fatal errors stop here
    result.model = asr.model_label
    vad = RadioVad() if settings.vad else None
    rescorer = build_rescorer(config, settings, asr, options.initial_prompt)
    progress.start(len(recordings), sum(r.duration or 0.0 for r in recordings))
    run_id = archive.start_run("transcribe")

    def decode_text(prepared: Prepared) -> list[Segment]:
        report = guards.GuardReport()
        packed = prepared.packed
        raw = asr.transcribe(packed.audio, packed.clips)
        if rescorer is not None:
            raw = rescorer.rescore(raw, lambda clip, texts, prompt: asr.score(packed.audio, clip, texts, prompt))
        raw = restore(raw, packed)
        cleaned = guards.clean(raw, prepared.regions if vad else None, report=report)
        if any(vars(report).values()):
            log.info("%s: guards dropped %s", prepared.recording.path, report)
        return cleaned

    # Stage 1 (decode + VAD) runs one recording ahead in its own thread;
    # stage 2 (the engine) in `workers` threads; results are stored here,
    # in order, by this thread alone (one SQLite writer).
    with ThreadPoolExecutor(1, thread_name_prefix="decode") as decoders, \
            ThreadPoolExecutor(options.workers, thread_name_prefix="asr") as engines:
        window = options.workers + 1
        staged: list[tuple[Recording, Future]] = []
        pending = list(recordings)

        def feed() -> None:
            while pending and len(staged) < window:
                rec = pending.pop(0)
                prep = decoders.submit(prepare, rec, vad)
                staged.append((rec, engines.submit(lambda p=prep: _run(p.result(), decode_text))))

        feed()
        while staged:
            rec, future = staged.pop(0)
            feed()
            try:
                prepared, segments = future.result()
                stored = _store(config, archive, prepared, segments, asr, formats)
            except (RadiomonError, OSError, RuntimeError, ValueError) as err:
                log.debug("recording %d: %s", rec.id, err, exc_info=True)
                message = _one_line(err, rec)
                log.warning("recording %d failed: %s", rec.id, message)
                archive.mark_failed(rec.id, message)
                result.failed += 1
                result.errors.append(message)
                progress.done(rec, rec.duration or 0.0, False)
                continue
            result.transcribed += 1
            result.segments += stored
            result.audio_seconds += prepared.duration
            result.speech_seconds += sum(c.end - c.start for c in prepared.regions)
            progress.done(rec, prepared.duration, True)

    result.wall_seconds = time.perf_counter() - started
    archive.finish_run(
        run_id,
        {"transcribed": result.transcribed, "failed": result.failed, "segments": result.segments,
         "audio_seconds": round(result.audio_seconds, 1), "wall_seconds": round(result.wall_seconds, 1),
         "engine": settings.engine, "model": result.model},
        result.errors,
    )
    return result


def _run(prepared: Prepared, decode_text: Callable[[Prepared], list[Segment]]) -> tuple[Prepared, list[Segment]]:
    return prepared, decode_text(prepared)


def _one_line(err: BaseException, rec: Recording) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    if isinstance(err, RadiomonError):
        return text
    return f"{rec.path}: {type(err).__name__}: {text}"


def _store(config: Config, archive: Archive, prepared: Prepared, segments: list[Segment], asr: Engine,
           formats: Sequence[str]) -> int:
    """The transcript file (atomic), then segments + status in one transaction."""
    rec = prepared.recording
    try:
        tz = config.station_tz(rec.station)
    except ConfigError:  # a station removed from radiomon.yml still has its recordings
        tz = config.timezone
    json_path = output.transcript_path(config.transcripts_dir, rec.station, rec.start, tz)
    meta = {"recording_id": rec.id, "station": rec.station, "audio": rec.path, "engine": asr.name,
            "model": asr.model_label, "language": config.transcription.language,
            "duration": round(prepared.duration, 3)}
    output.write_transcripts(segments, json_path=json_path, start=rec.start, meta=meta, formats=formats)
    return archive.replace_segments(
        rec.id,
        to_archive(segments),
        status="transcribed",
        engine=asr.name,
        model=asr.model_label,
        transcript_path=str(json_path),
        duration=prepared.duration,
    )
