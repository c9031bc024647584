"""The machine a batch runs on: cores, the worker plan, the device."""

from __future__ import annotations

import os


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan_workers(workers: int, threads: int, cores: int | None = None, *,
                 preferred: tuple[int, int] | None = None) -> tuple[int, int]:
    """Workers × threads for this machine when the config says 0 (automatic).

    Recordings decoded side by side, each with fewer threads, use the cores
    better than one recording with all of them on the AMD EPYC this was
    tuned on: beam search and the Python between model calls (VAD,
    matching, the rescoring questions) leave a lone worker's second thread
    idle about half the time, so two workers of one thread finish a batch
    sooner than one of two, with the same transcripts, for one model's
    memory more (figures in benchmarks/NOTES.md). Without a measurement
    (``preferred``, from calibrate.py) that is the guess: a worker per core
    up to three cores, then a worker per two cores. A batch with fewer
    recordings than workers shares each recording's windows among them
    (TranscriberSpec.parts).
    """
    cores = cores or cpu_count()
    if workers <= 0:
        workers = preferred[0] if preferred else (cores if cores <= 3 else cores // 2)
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
