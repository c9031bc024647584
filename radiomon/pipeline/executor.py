"""The executor seam: a stage's unit of work submitted to any ``concurrent.futures`` executor.

A stage that fans out (transcription, the archive-wide re-match) writes its
unit of work as a top-level function with plain data in and out, and hands
it to an executor: a thread pool here, a process pool, or a Dask client's
executor on a cluster (``distributed.Client.get_executor()``), all through
:func:`in_order`. Results come back in submission order, because what is
done with each (one write transaction per recording) happens in the
caller's thread, one at a time. :func:`background_pool` is the daemon's
process pool: workers that yield the CPU to the recorder and die with it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Handle = TypeVar("Handle")


class InlineExecutor(Executor):
    """Runs each submitted call at once, in the caller's thread: the executor
    for one worker, where a pool would only add its overhead."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # noqa: BLE001 - handed to whoever asks the future
            future.set_exception(err)
        return future


def in_order(executor: Executor, work: Callable[[Item], object], items: Iterable[Item], *,
             window: int) -> Iterator[tuple[Item, Future]]:
    """``(item, future of work(item))`` for each item, in order, with up to
    ``window`` more submitted while the caller waits on one (so an executor
    of ``window`` workers never idles while the caller stores a result).

    ``items`` is read lazily (a generator still producing work overlaps the
    executor's), and what was submitted but not consumed is cancelled when
    the caller stops early.
    """
    ahead: deque[tuple[Item, Future]] = deque()
    source = iter(items)
    try:
        for item in source:
            ahead.append((item, executor.submit(work, item)))
            if len(ahead) > window:
                yield ahead.popleft()
        while ahead:
            yield ahead.popleft()
    finally:
        for _, future in ahead:
            future.cancel()


def as_completed_within(submit: Callable[[Item], Handle | None], queue: deque[Item], *, window: int,
                        wait_first: Callable[[list[Handle]], Iterable[Handle]],
                        cancel: Callable[[Handle], object] = lambda handle: handle.cancel(),
                        ) -> Iterator[tuple[Item, Handle]]:
    """``(item, handle)`` for each item of ``queue`` as its work completes,
    not in submission order, with at most ``window`` submitted and not yet
    handed back: backpressure for a cluster, where submitting a whole
    backlog at once would claim every recording in the archive for tasks
    that wait hours in the scheduler's memory.

    ``submit(item)`` starts the work and returns its handle (a Dask future),
    or None to skip the item (someone else claimed it). ``queue`` is read
    from the left as room frees up, and the caller may append to it while
    iterating (a recording handed back to be tried again). ``wait_first``
    returns the handles done among those given, and may return none (a
    timeout: the caller's chance to renew its leases). What was submitted
    and not handed back is cancelled when the caller stops early.
    """
    running: dict[Handle, Item] = {}
    try:
        while True:
            while len(running) < window and queue:
                item = queue.popleft()
                handle = submit(item)
                if handle is not None:
                    running[handle] = item
            if not running:
                return
            for handle in list(wait_first(list(running))):
                yield running.pop(handle), handle
    finally:
        for handle in running:
            cancel(handle)


def background_pool(workers: int, *, nice: int = 10, max_tasks: int = 0) -> ProcessPoolExecutor:
    """``workers`` processes that yield the CPU to everything else of the
    machine (``nice``), for work that must never starve a recorder.

    They are spawned, not forked (the parent runs threads and ffmpeg
    children), ignore Ctrl-C (the terminal's SIGINT reaches the whole
    process group; the parent decides when they stop), and are killed by the
    kernel when the parent dies, even by SIGKILL, so a killed daemon leaves
    no worker behind. Submit from a thread that lives as long as the pool:
    the kernel ties a child's death signal to the thread that started it.
    (A worker that ends after ``max_tasks`` tasks, 0 for never, is replaced
    by the pool's own manager thread, which lives as long as the pool.)
    """
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_background_worker, initargs=(os.getpid(), nice),
                               max_tasks_per_child=max_tasks or None)


def worker_memory_mb(pool: ProcessPoolExecutor) -> list[float]:
    """The resident memory of each live worker of ``pool``, in MB (Linux: /proc/PID/statm)."""
    sizes = []
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            with open(f"/proc/{process.pid}/statm", encoding="ascii") as statm:
                resident_pages = int(statm.read().split()[1])
        except (OSError, ValueError, IndexError):  # the worker ended meanwhile
            continue
        sizes.append(resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20)
    return sizes


def release_free_memory() -> None:
    """Hand the memory freed since the last call back to the kernel (glibc's malloc_trim).

    A transcription worker frees what a recording needed (its decoded audio,
    features, encoder outputs) when it is done, but glibc keeps the freed
    chunks inside its heaps, where the next recording's differently sized
    buffers fragment them: a daemon's worker measured 417 → 536 MB in 30
    minutes. One worker transcribing 1-minute recordings in a loop held
    about 515 MB, and about 250 MB trimmed after each (benchmarks/NOTES.md).
    A no-op where the C library has no malloc_trim."""
    if _trim is not None:
        _trim(0)


def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_trim = _malloc_trim()


def _background_worker(parent: int, nice: int) -> None:  # pragma: no cover - runs in the worker
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if os.getppid() != parent:  # the parent died before we asked to follow it
        os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # tqdm (faster-whisper's progress bars) makes a multiprocessing lock on
    # first use; a worker stopped by terminate() never unregisters it, and the
    # resource tracker then warns of a leaked semaphore as the parent exits.
    # A worker draws no bar it shares with another process: a thread lock does.
    try:
        import tqdm

        tqdm.tqdm.set_lock(threading.RLock())
    except ImportError:
        pass
    if nice:
        # Before any library starts its threads: they inherit the niceness.
        os.nice(nice)


def stop_pool(pool: ProcessPoolExecutor, timeout: float = 5.0) -> None:
    """Stop a process pool now: queued work is cancelled, running work is
    abandoned (its futures fail), and the workers are gone when this returns."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join(timeout)
    pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["InlineExecutor", "as_completed_within", "background_pool", "in_order", "release_free_memory", "stop_pool",
           "worker_memory_mb"]
