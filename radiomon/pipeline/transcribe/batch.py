"""The transcription batch: the selected recordings, oldest first, into the archive.

    select → submit each recording to an executor → store each result in its transaction

Each recording is transcribed by :func:`~radiomon.pipeline.transcribe.work.transcribe_file`
(plain data in and out) on an executor: by default a pool of one thread
more than the engine has workers, so the next recording is decoded and cut
while the engine decodes the current one (CTranslate2 releases the GIL);
any ``concurrent.futures`` executor can be passed instead. With
``transcription.cluster`` the recordings go to a Dask cluster instead
(cluster.py: leases in the archive, newest first, results as they come).
The model is loaded once, before the first file, so a missing model or
engine stops the batch at once (TranscriptionError). Results are stored
here, in order, by this thread alone (one SQLite writer): the transcript
file, then the segments and the new status in one transaction, so a crash
or a kill leaves a recording ``pending`` and a rerun never duplicates
rows. One unreadable file is marked ``failed`` with the reason and the
batch goes on.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from radiomon.archive import Archive, Recording
from radiomon.config import Config, TranscriptionConfig
from radiomon.errors import ConfigError, RadiomonError
from radiomon.filters import Filters
from radiomon.keywords import KeywordSet, load_keywords
from radiomon.pipeline.executor import in_order
from radiomon.pipeline.transcribe import calibrate, models, output, vocabulary
from radiomon.pipeline.transcribe.engines import load_engine
from radiomon.pipeline.transcribe.machine import cpu_count, plan_workers, resolve_device
from radiomon.pipeline.transcribe.types import EngineOptions
from radiomon.pipeline.transcribe.work import (
    EngineFactory,
    TranscriberSpec,
    Transcript,
    transcribe_file,
    transcriber_for,
)

log = logging.getLogger(__name__)


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
    run_id: int | None = None  # the row in `runs`

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


def engine_options(settings: TranscriptionConfig, *, prompt: str | None,
                   preferred: tuple[int, int] | None = None) -> EngineOptions:
    """How to decode; the worker plan the split calibration measured on this CPU
    (``preferred``) where the settings leave it automatic."""
    device = resolve_device(settings.device)
    workers, threads = plan_workers(settings.workers, settings.threads, preferred=preferred)
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


def build_prompt(settings: TranscriptionConfig, keywords: KeywordSet | None) -> str | None:
    """The vocabulary prompt from keywords.yml's names, when ``hotwords`` is on."""
    if not settings.hotwords or keywords is None:
        return None
    counter = vocabulary.approximate_tokens
    if settings.engine == "faster-whisper" and settings.model == models.BUNDLED:
        counter = vocabulary.whisper_token_counter(models.ensure_bundled())
    return vocabulary.prompt_for(keywords, count_tokens=counter)


def transcriber_spec(config: Config, settings: TranscriptionConfig,
                     engine_factory: EngineFactory = load_engine, *, recordings: int | None = None) -> TranscriberSpec:
    """What a worker needs to transcribe as ``settings`` say: keywords.yml (a
    missing file only means no biasing and no rescoring; a broken one is a
    ConfigError) read once, into the prompt and the rescoring terms. Given
    the batch's number of ``recordings``, the worker plan fits it: the split
    calibrated for this CPU and model (calibrate.py, measured on a batch's
    first use), and with fewer recordings than workers each recording's
    windows shared among them (a lone 10-minute file on two cores took
    1.9-2.2× the plain batched script's time with one worker busy and the
    other idle, 1.33× shared; benchmarks/NOTES.md)."""
    keywords = None
    if settings.hotwords or settings.rescore:
        if config.keywords is not None and Path(config.keywords).is_file():
            keywords = load_keywords(config.keywords)
        else:
            log.info("no keywords file at %s: transcribing without vocabulary biasing", config.keywords)
    prompt = build_prompt(settings, keywords)
    spec = TranscriberSpec(
        engine=settings.engine,
        model=settings.model,
        options=engine_options(settings, prompt=prompt),
        vad=settings.vad,
        rescore=keywords if settings.rescore else None,
        engine_factory=engine_factory,
    )
    preferred = calibrated_plan(settings, spec, recordings)
    if preferred is not None:
        spec = replace(spec, options=engine_options(settings, prompt=prompt, preferred=preferred))
    if recordings and spec.options.workers > recordings:
        # Each recording's windows shared among the workers rather than leaving the extra ones idle.
        spec = replace(spec, parts=spec.options.workers // recordings)
    return spec


def calibrated_plan(settings: TranscriptionConfig, spec: TranscriberSpec,
                    recordings: int | None) -> tuple[int, int] | None:
    """The split calibrate.py measured for this CPU and model, where the choice is
    the machine's to make: workers and threads both automatic, faster-whisper on
    a CPU of several cores. Measured now if never measured, with the real engine
    only and for a batch of several recordings (a lone short file is not made to
    wait for it); None: keep plan_workers' guess."""
    if (settings.workers > 0 or settings.threads > 0 or not recordings
            or spec.engine != "faster-whisper" or spec.options.device != "cpu" or cpu_count() < 2):
        return None
    try:
        key = calibrate.spec_key(spec)
        found = calibrate.load_cached(key)
        if found is None and spec.engine_factory is load_engine and recordings >= 2:
            log.info("calibrating workers × threads for %s on this CPU (once per machine and model)", key["model"])
            found = calibrate.calibrate(spec, key)
    except (RadiomonError, OSError) as err:
        log.warning("worker plan calibration failed (%s): using the default plan", err)
        return None
    return found.plan if found else None


def calibrate_now(config: Config) -> calibrate.Calibration:
    """Measure workers × threads for this CPU and the configured model again
    (``radiomon models --calibrate``), as a batch would, and cache the result."""
    settings = replace(config.transcription, workers=0, threads=0)
    if settings.engine != "faster-whisper":
        raise ConfigError(f"calibration measures the faster-whisper engine; transcription.engine is "
                          f"{settings.engine!r} in {config.path}")
    spec = transcriber_spec(config, settings)
    if spec.options.device != "cpu":
        raise ConfigError(f"calibration measures CPU plans; transcription.device is {spec.options.device!r} "
                          f"in {config.path}")
    return calibrate.calibrate(spec, calibrate.spec_key(spec))


def select(archive: Archive, filters: Filters = Filters(), *, retranscribe: bool = False) -> list[Recording]:
    """The recordings this batch will do, oldest first (``filters``' limit
    counts recordings that have audio: imported transcripts have none)."""
    recordings = archive.recordings(replace(filters, limit=None), status=_statuses(retranscribe))
    recordings = [r for r in recordings if r.path]
    return recordings[:filters.limit] if filters.limit is not None else recordings


def transcribe_batch(
    config: Config,
    archive: Archive,
    filters: Filters = Filters(),
    *,
    engine: str | None = None,
    model: str | None = None,
    retranscribe: bool = False,
    formats: Sequence[str] | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    engine_factory: EngineFactory = load_engine,
) -> BatchResult:
    """Transcribe the selected recordings into the archive; see the module doc."""
    started = time.perf_counter()
    settings = config.transcription
    settings = replace(settings, engine=engine or settings.engine, model=model or settings.model)
    formats = tuple(formats if formats is not None else settings.formats)
    progress = progress or Progress()
    result = BatchResult(engine=settings.engine, model=settings.model)

    # Claims of a cluster coordinator that was killed come back first, whichever path this run takes.
    if archive.requeue_expired():
        log.info("recordings claimed by a coordinator that stopped renewing its leases are pending again")
    recordings = select(archive, filters, retranscribe=retranscribe)
    if not recordings:
        result.wall_seconds = time.perf_counter() - started
        return result

    on_cluster = settings.cluster.enabled and executor is None
    spec = transcriber_spec(config, settings, engine_factory, recordings=None if on_cluster else len(recordings))
    if on_cluster:
        _on_cluster(config, archive, settings, spec, formats, recordings, result, progress,
                    statuses=_statuses(retranscribe))
    else:
        _here(config, archive, spec, formats, recordings, result, progress, executor)

    result.wall_seconds = time.perf_counter() - started
    archive.finish_run(result.run_id, _counts(result, settings), result.errors)
    return result


def _here(config: Config, archive: Archive, spec: TranscriberSpec, formats: tuple[str, ...],
          recordings: list[Recording], result: BatchResult, progress: Progress, executor: Executor | None) -> None:
    """On this machine: a pool of threads (or the executor given), results in order."""
    asr = transcriber_for(spec).engine  # fatal errors stop here, before the first file
    stage = Stage(config, spec, asr.name, asr.model_label, formats)
    result.model = asr.model_label
    progress.start(len(recordings), sum(r.duration or 0.0 for r in recordings))
    result.run_id = archive.start_run("transcribe")

    threads = spec.options.workers + 1
    pool = executor or ThreadPoolExecutor(threads, thread_name_prefix="transcribe")
    try:
        for rec, future in in_order(pool, stage.work, recordings, window=threads):
            try:
                transcript = future.result()
                stored = stage.store(archive, rec, transcript)
            except PER_ITEM_ERRORS as err:
                message = stage.fail(archive, rec, err)
                result.failed += 1
                result.errors.append(message)
                progress.done(rec, rec.duration or 0.0, False)
                continue
            result.transcribed += 1
            result.segments += stored
            result.audio_seconds += transcript.duration
            result.speech_seconds += transcript.speech_seconds
            progress.done(rec, transcript.duration, True)
    finally:
        if executor is None:
            pool.shutdown(cancel_futures=True)


def _on_cluster(config: Config, archive: Archive, settings: TranscriptionConfig, spec: TranscriberSpec,
                formats: tuple[str, ...], recordings: list[Recording], result: BatchResult, progress: Progress, *,
                statuses: tuple[str, ...]) -> None:
    """On the Dask cluster of ``transcription.cluster``: the scheduler and
    workers are checked before anything is claimed (ClusterError, one line)."""
    from radiomon.pipeline.transcribe import cluster  # dask is imported only when a cluster is configured

    stage = Stage(config, cluster.deferred(spec, settings), settings.engine, settings.model, formats)
    with cluster.connect(settings.cluster) as session:
        progress.start(len(recordings), sum(r.duration or 0.0 for r in recordings))
        result.run_id = archive.start_run("transcribe")
        try:
            cluster.transcribe(session, archive, stage, recordings, result, progress, statuses=statuses,
                               per_item_errors=PER_ITEM_ERRORS)
        except BaseException as err:
            archive.finish_run(result.run_id, _counts(result, settings), result.errors + [str(err)])
            raise


def _statuses(retranscribe: bool) -> tuple[str, ...]:
    return ("pending", "transcribed", "failed") if retranscribe else ("pending",)


def _counts(result: BatchResult, settings: TranscriptionConfig) -> dict:
    return {"transcribed": result.transcribed, "failed": result.failed, "segments": result.segments,
            "audio_seconds": round(result.audio_seconds, 1), "wall_seconds": round(result.wall_seconds, 1),
            "engine": settings.engine, "model": result.model}


# What one recording's failure can be: it is marked failed and the batch goes on.
PER_ITEM_ERRORS = (RadiomonError, OSError, RuntimeError, ValueError)


@dataclass(frozen=True)
class _Work:
    """A recording's audio file and the spec, handed to the executor (picklable)."""

    spec: TranscriberSpec

    def __call__(self, recording: Recording) -> Transcript:
        return transcribe_file(recording.path, self.spec)


@dataclass(frozen=True)
class Stage:
    """Transcription set up once for a batch (or for the daemon): the spec
    the workers load, and how each result lands in the archive."""

    config: Config
    spec: TranscriberSpec
    engine: str  # what the archive stores as each recording's engine
    model: str  # and as its model (the engine's label once loaded)
    formats: tuple[str, ...] = ()  # extra transcript files besides the JSON

    @property
    def work(self) -> _Work:
        """The unit of work to submit for a recording (plain data in and out)."""
        return _Work(self.spec)

    def store(self, archive: Archive, rec: Recording, transcript: Transcript) -> int:
        """The transcript file (atomic), then segments + status in one
        transaction; returns the number of segments."""
        config = self.config
        try:
            tz = config.station_tz(rec.station)
        except ConfigError:  # a station removed from radiomon.yml still has its recordings
            tz = config.timezone
        json_path = output.transcript_path(config.transcripts_dir, rec.station, rec.start, tz)
        meta = {"recording_id": rec.id, "station": rec.station, "audio": rec.path, "engine": self.engine,
                "model": self.model, "language": config.transcription.language,
                "duration": round(transcript.duration, 3)}
        output.write_transcripts(transcript.segments, json_path=json_path, start=rec.start, meta=meta,
                                 formats=self.formats)
        return archive.replace_segments(
            rec.id,
            transcript.segments,
            status="transcribed",
            engine=self.engine,
            model=self.model,
            transcript_path=str(json_path),
            duration=transcript.duration,
        )

    def fail(self, archive: Archive, rec: Recording, err: BaseException) -> str:
        """Mark the recording failed with the reason (one line), which is returned."""
        log.debug("recording %d: %s", rec.id, err, exc_info=True)
        message = _one_line(err, rec)
        log.warning("recording %d failed: %s", rec.id, message)
        archive.mark_failed(rec.id, message)
        return message


def _one_line(err: BaseException, rec: Recording) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    if isinstance(err, RadiomonError):
        return text
    return f"{rec.path}: {type(err).__name__}: {text}"
