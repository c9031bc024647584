"""Which workers × threads suit this CPU, measured once per machine and model.

A batch decodes several recordings side by side (workers: replicas of the
model in one process) with some intra-op threads each. Which split is
fastest depends on the CPU and CTranslate2's backend for it: on an AMD EPYC
two workers of one thread beat one worker of two by 1.4× (benchmarks/NOTES.md,
2026-12-04); on an Intel Xeon, where CTranslate2 uses MKL, the same plan
measured 1.34-1.42× the plain batched script's time (issue 32). So the plan
is chosen by measurement: each candidate split transcribes the bundled
sample (radiomon/data/calibration.mp3, 23 s of Spanish news naming
keywords.yml's places, so rescoring has questions to ask) through the whole
per-recording pipeline, as many copies at once as it has workers, and the
one with the most audio seconds per wall second wins (fewer workers on a
near tie: less memory).

The result is cached in the per-user cache (``calibration.json``) under a
key of the CPU (model name, cores this process may use, the instruction
sets CTranslate2 picks kernels by, its backend variables) and the model
(label, compute type, size and time of its weights): a new CPU or model
finds no entry and is measured again. Explicit ``transcription.workers`` /
``threads`` skip all of this. ``radiomon models --calibrate`` measures again
and shows the figures.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from radiomon.pipeline.transcribe import models
from radiomon.pipeline.transcribe.machine import cpu_count

log = logging.getLogger(__name__)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "calibration.mp3"
CACHE_FILE = "calibration.json"
# A candidate with more workers must beat one with fewer by this much to be
# chosen: each worker is one more copy of the model in memory, and two runs
# of the same plan differ by a few per cent.
MARGIN = 0.05
# The CPU flags CTranslate2 dispatches its kernels on (cpu_isa.cc); the rest
# of /proc/cpuinfo's flags do not change which code runs.
ISA_FLAGS = ("avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_int8", "avx2", "fma", "avx", "sse4_1",
             "asimd")
CLOCK = time.perf_counter  # what trials are timed with (a test's fake clock)
BACKEND_ENV = ("CT2_USE_MKL", "CT2_FORCE_CPU_ISA", "CT2_USE_EXPERIMENTAL_PACKED_GEMM", "OMP_NUM_THREADS")


@dataclass(frozen=True)
class Trial:
    """One candidate split, measured."""

    workers: int
    threads: int
    seconds: float  # wall time for `workers` copies of the sample side by side
    speed: float  # audio seconds transcribed per wall second


@dataclass(frozen=True)
class Calibration:
    """The split chosen for a machine and model, and what each candidate measured."""

    workers: int
    threads: int
    trials: tuple[Trial, ...]
    key: dict
    measured_utc: str

    @property
    def plan(self) -> tuple[int, int]:
        return self.workers, self.threads


def cpu_info(path: str = "/proc/cpuinfo") -> tuple[str, str]:
    """The CPU's model name and the flags of ISA_FLAGS it has ("" where unknown)."""
    name, flags = "", set()
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:  # not Linux: the platform's word for it
        import platform

        return platform.processor() or platform.machine(), ""
    for line in text.splitlines():
        field, _, value = line.partition(":")
        field = field.strip().lower()
        if field in ("model name", "hardware", "cpu model") and not name:
            name = value.strip()
        elif field in ("flags", "features") and not flags:
            flags = set(value.split())
    return name, " ".join(f for f in ISA_FLAGS if f in flags)


def machine_key(model_label: str, model_location: str, compute_type: str, *, cores: int | None = None,
                cpu: tuple[str, str] | None = None, environ: dict | None = None) -> dict:
    """What a calibration holds for: this CPU and backend, this model."""
    name, isa = cpu or cpu_info()
    environ = os.environ if environ is None else environ
    weights = Path(model_location) / "model.bin" if Path(model_location).is_dir() else Path(model_location)
    try:
        stat = weights.stat()
        weights_id = f"{stat.st_size}:{int(stat.st_mtime)}"
    except OSError:
        weights_id = ""
    return {
        "cpu": name,
        "cores": cores or cpu_count(),
        "isa": isa,
        "backend": {k: environ[k] for k in BACKEND_ENV if environ.get(k)},
        "model": model_label,
        "weights": weights_id,
        "compute_type": compute_type,
    }


def key_id(key: dict) -> str:
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def candidates(cores: int) -> list[tuple[int, int]]:
    """Workers × threads splits of ``cores`` worth trying: one worker with every
    thread, a worker per core, and the powers of two between."""
    workers = {1, cores}
    w = 2
    while w < cores:
        workers.add(w)
        w *= 2
    return [(w, max(1, cores // w)) for w in sorted(workers)]


def choose(trials: Sequence[Trial]) -> Trial:
    """The fastest trial; one with more workers must beat the best with fewer by MARGIN."""
    best = None
    for trial in sorted(trials, key=lambda t: t.workers):
        if best is None or trial.speed > best.speed * (1 + MARGIN):
            best = trial
    if best is None:
        raise ValueError("no calibration trials")
    return best


def measure(plans: Sequence[tuple[int, int]], prepare: Callable[[int, int], Callable[[], float]], *,
            timer: Callable[[], float] | None = None) -> list[Trial]:
    """Time each plan: ``prepare(workers, threads)`` loads it (not timed) and
    returns what to time, which transcribes ``workers`` copies of the sample
    side by side and returns the audio seconds done."""
    timer = timer or CLOCK
    trials = []
    for workers, threads in plans:
        run = prepare(workers, threads)
        started = timer()
        audio = run()
        seconds = max(timer() - started, 1e-9)
        trials.append(Trial(workers, threads, round(seconds, 3), round(audio / seconds, 3)))
        log.info("calibration: %d worker(s) × %d thread(s): %.2f s for %.0f s of audio", workers, threads,
                 seconds, audio)
    return trials


def sample_runner(spec) -> Callable[[int, int], Callable[[], float]]:
    """``prepare`` for :func:`measure`: ``spec``'s whole per-recording pipeline
    on the bundled sample, loaded with each plan (the model once per plan)."""
    from radiomon.pipeline.transcribe.audio import decode
    from radiomon.pipeline.transcribe.types import SAMPLE_RATE
    from radiomon.pipeline.transcribe.work import Transcriber

    audio = decode(SAMPLE)

    def prepare(workers: int, threads: int) -> Callable[[], float]:
        transcriber = Transcriber(replace(spec, options=replace(spec.options, workers=workers, threads=threads)))

        def run() -> float:
            errors: list[BaseException] = []

            def one() -> None:
                try:
                    transcriber.transcribe(audio, label="calibration sample")
                except BaseException as err:  # noqa: BLE001 - re-raised below, in the calling thread
                    errors.append(err)

            side_by_side = [threading.Thread(target=one) for _ in range(workers)]
            for t in side_by_side:
                t.start()
            for t in side_by_side:
                t.join()
            if errors:
                raise errors[0]
            return workers * len(audio) / SAMPLE_RATE

        return run

    return prepare


def cache_path() -> Path:
    return models.cache_dir() / CACHE_FILE


def load_cached(key: dict, path: Path | None = None) -> Calibration | None:
    """The calibration stored for ``key``, if any (an unreadable cache is none)."""
    path = path or cache_path()
    try:
        entry = json.loads(path.read_text())[key_id(key)]
        return Calibration(entry["workers"], entry["threads"], tuple(Trial(**t) for t in entry["trials"]),
                           entry["key"], entry["measured_utc"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(calibration: Calibration, path: Path | None = None) -> None:
    """Add (or replace) ``calibration``'s entry; other machines' and models' entries stay."""
    path = path or cache_path()
    try:
        entries = json.loads(path.read_text())
        if not isinstance(entries, dict):
            entries = {}
    except (OSError, ValueError):
        entries = {}
    entries[key_id(calibration.key)] = asdict(calibration) | {"trials": [asdict(t) for t in calibration.trials]}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(entries, indent=1, ensure_ascii=False))
    os.replace(tmp, path)


def calibrate(spec, key: dict, *, prepare: Callable[[int, int], Callable[[], float]] | None = None,
              timer: Callable[[], float] | None = None, path: Path | None = None) -> Calibration:
    """Measure every candidate split for ``spec`` now and cache the result under ``key``."""
    trials = measure(candidates(key["cores"]), prepare or sample_runner(spec), timer=timer)
    best = choose(trials)
    result = Calibration(best.workers, best.threads, tuple(trials), key,
                         datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    store(result, path)
    return result


def spec_key(spec) -> dict:
    """The cache key for ``spec``'s model on this machine."""
    from radiomon.pipeline.transcribe.engines.faster_whisper import compute_type_for

    label, location = models.resolve(spec.model, spec.engine)
    return machine_key(label, location, compute_type_for(spec.options.device, spec.options.compute_type))


__all__ = ["Calibration", "Trial", "calibrate", "candidates", "choose", "load_cached", "machine_key", "measure",
           "spec_key", "store"]
