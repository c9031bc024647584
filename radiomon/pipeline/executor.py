"""The executor seam: a stage's unit of work submitted to any ``concurrent.futures`` executor.

A stage that fans out (transcription, the archive-wide re-match) writes its
unit of work as a top-level function with plain data in and out, and hands
it to an executor: a thread pool here, a process pool, or a Dask client's
executor on a cluster (``distributed.Client.get_executor()``), all through
:func:`in_order`. Results come back in submission order, because what is
done with each (one write transaction per recording) happens in the
caller's thread, one at a time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import TypeVar

Item = TypeVar("Item")


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


__all__ = ["InlineExecutor", "in_order"]
