"""The machine a batch runs on: cores, the worker plan, the device."""

from __future__ import annotations

import os


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
