"""``radiomon match --all``: every mention of the archive brought up to date at once.

After keywords.yml changes, every transcribed recording must be matched
again. Running the matcher over a station-year's every window would take
hours of Python, so the archive's texts are read once and narrowed down to
the few windows that could be a mention
(:mod:`~radiomon.pipeline.match.narrowing`, exact); the matcher then reads
only the words around those windows, for their spellings only
(:func:`~radiomon.pipeline.match.core.find_in_pieces`), and each
recording's mentions are replaced as when matching one recording (several
recordings per write transaction).

The distinct words of the FTS index are compared with the keywords once,
before the work is shared out; the narrowing and the matcher then run on
one worker process per core, each on its own batches of recordings
(:func:`rematch_batch`: plain data in, plain data out, through the
pipeline's executor seam). tests/test_rematch.py and tests/test_matching.py
check that the result equals matching each recording;
``benchmarks/match.py --check`` does so on a week of the synthetic archive.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from radiomon import events as events_mod
from radiomon import timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.archive.db import now_iso
from radiomon.keywords import Matcher
from radiomon.pipeline.executor import InlineExecutor, in_order
from radiomon.pipeline.match.core import Span, find_in_pieces
from radiomon.pipeline.match.crisis import event_writer, publish_events
from radiomon.pipeline.match.narrowing import HotSegments, Narrowing
from radiomon.pipeline.match.result import MatchResult

log = logging.getLogger(__name__)

# Recordings per batch of the narrowing: about 50,000 segments for hourly
# recordings, which keeps the numpy arrays of a batch near 100 MB.
BATCH_RECORDINGS = 100
# The vocabulary is compared on worker processes when the archive holds at
# least this many segments (below that, starting them costs more than it saves).
LEARN_PARALLEL_SEGMENTS = 200_000
# Recordings whose mentions are replaced in one write transaction.
WRITE_RECORDINGS = 200


def rematch_all(archive: Archive, matcher: Matcher, *, progress: Callable[[int, int], None] | None = None,
                event_hours: float = events_mod.REMATCH_EVENT_HOURS, workers: int | None = None) -> MatchResult:
    """Bring every mention up to date with ``matcher`` (after keywords.yml changed).

    Recordings re-transcribed while this runs are left with ``matched_utc``
    NULL for the next incremental run rather than matched from stale reads.
    """
    started = time.perf_counter()
    run_started = now_iso()
    workers = (os.cpu_count() or 1) if workers is None else max(1, workers)
    result = MatchResult()
    timings = result.timings
    transcribed = archive.transcribed_versions()

    t = time.perf_counter()
    narrowing = Narrowing(matcher)
    learners = workers if archive.max_segment_id() >= LEARN_PARALLEL_SEGMENTS else 1
    for chunk, figures in _on_workers(_learn_part, narrowing.new_words(archive.vocabulary()), narrowing, learners):
        narrowing.register(chunk, *figures.result())
    timings["vocabulary"] = time.perf_counter() - t

    t = time.perf_counter()
    batches = [(archive.path, ids) for ids in _batches(sorted(transcribed), BATCH_RECORDINGS)]
    found = HotSegments()
    rows_by_recording: dict[int, list[MentionRow]] = {}
    for _, future in _on_workers(rematch_batch, batches, narrowing, workers if len(batches) > 1 else 1):
        part, rows = future.result()
        found.merge(part)
        for row in rows:
            rows_by_recording.setdefault(row.recording_id, []).append(row)
    result.words, result.anchors, result.windows = found.words, found.anchors, found.windows
    result.segments = found.segments
    for name, seconds in found.timings.items():  # CPU seconds, summed over the workers
        timings[f"{name} (cpu)"] = seconds
    timings["match"] = time.perf_counter() - t
    log.info("%d segments could hold a mention (%d anchors, %d windows scored)",
             result.segments, found.anchors, found.windows)

    t = time.perf_counter()
    _write(archive, matcher, transcribed, rows_by_recording, result, event_hours, progress)
    archive.mark_all_matched(run_started)  # recordings without mentions, before or after
    result.recordings = len(transcribed)
    timings["write"] = time.perf_counter() - t
    result.seconds = time.perf_counter() - started
    return result


def _write(archive: Archive, matcher: Matcher, transcribed: dict[int, str], found: dict[int, list[MentionRow]],
           result: MatchResult, event_hours: float, progress: Callable[[int, int], None] | None) -> None:
    to_write = sorted((set(found) | archive.recordings_with_mentions()) & set(transcribed))
    since = timeutil.to_iso(datetime.now(timezone.utc) - timedelta(hours=event_hours))
    for start in range(0, len(to_write), WRITE_RECORDINGS):
        written = []
        # Several recordings per transaction (a commit each cost more than the
        # writing); each is still checked and replaced whole inside it.
        with archive.write():
            for recording_id in to_write[start:start + WRITE_RECORDINGS]:
                if archive.updated_utc(recording_id) != transcribed[recording_id]:
                    continue  # re-transcribed meanwhile: its matched_utc is NULL, the next run matches it
                written.append(archive.replace_mentions(
                    recording_id, found.get(recording_id, ()), mark_matched=True,
                    on_added=event_writer(archive, matcher, result, since=since)))
        for changes in written:  # handlers hear of mentions once they are stored
            result.add(changes)
            publish_events(matcher, changes, since)
        if progress:
            progress(min(start + WRITE_RECORDINGS, len(to_write)), len(to_write))


def _batches(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _consecutive_blocks(segments: list[dict]) -> list[list[dict]]:
    """Split segments (by recording, then time) where ids stop being consecutive."""
    blocks: list[list[dict]] = []
    for segment in segments:
        if blocks and blocks[-1][-1]["recording_id"] == segment["recording_id"] \
                and blocks[-1][-1]["id"] + 1 == segment["id"]:
            blocks[-1].append(segment)
        else:
            blocks.append([segment])
    return blocks


# -- worker processes ------------------------------------------------------------
# The matcher is pure Python and numpy's part is short, so threads would not
# help: the work goes to processes. They are forked, so that each inherits
# the compiled matcher and the per-word tables learnt so far instead of
# having them pickled (hundreds of MB on a station-year), and each keeps
# what it learns from its own batches for the next one.
@dataclass
class _Worker:
    narrowing: Narrowing
    margin: int  # pieces read beyond a window: room for its exclusions' windows
    archive: Archive | None = None  # opened on the first batch, in the worker


_WORKER: _Worker | None = None


def _adopt(narrowing: Narrowing) -> None:
    """Make this process a worker for ``narrowing`` (a pool's initializer)."""
    global _WORKER
    _WORKER = _Worker(narrowing, _margin(narrowing.matcher))


def _margin(matcher: Matcher) -> int:
    """An exclusion of m words is tried on windows of up to m + 1 words covering
    the candidate; three pieces per word leave room for numbers said in words."""
    longest = max((len(x.tokens) for s in matcher.spellings for x in s.excludes), default=0)
    return 3 * (longest + 1)


def _on_workers(work, tasks: Iterable, narrowing: Narrowing, workers: int) -> Iterator[tuple[object, Future]]:
    """``work`` over ``tasks`` in worker processes holding ``narrowing`` (in this
    process when one worker will do), results in order."""
    global _WORKER
    executor: Executor
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        _adopt(narrowing)
        executor = InlineExecutor()
    else:
        executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_adopt, initargs=(narrowing,))
    try:
        yield from in_order(executor, work, tasks, window=2 * workers if workers > 1 else 0)
    finally:
        executor.shutdown(cancel_futures=True)
        if _WORKER is not None and _WORKER.archive is not None:
            _WORKER.archive.close()
        _WORKER = None


def _learn_part(words: list[str]) -> tuple:
    return _WORKER.narrowing.figures(words)


def rematch_batch(task: tuple[Path, list[int]]) -> tuple[HotSegments, list[MentionRow]]:
    """The narrowing and the matcher for some recordings: (archive path,
    recording ids) in, (figures, mention rows) out. Runs in a worker."""
    path, recording_ids = task
    worker = _WORKER
    if worker.archive is None:
        worker.archive = Archive(path, create=False)
    archive = worker.archive
    rows = archive.texts_of_recordings(recording_ids[0], recording_ids[-1])
    found = worker.narrowing.hot_segments(rows)
    t = time.perf_counter()
    hot = found.hot()
    segments = archive.segments_by_id(hot, neighbours=1)
    by_first: dict[int, list[Span]] = {}
    for span in found.spans:
        by_first.setdefault(span.first_segment, []).append(span)
    mentions = []
    for block in _consecutive_blocks(segments):
        index = {s["id"]: i for i, s in enumerate(block)}
        spans = [span._replace(first_segment=index[span.first_segment], last_segment=index[span.last_segment])
                 for s in block for span in by_first.get(s["id"], ())]
        if spans:
            mentions.extend(find_in_pieces(worker.narrowing.matcher, block, spans, worker.margin))
    found.timings["matcher"] = time.perf_counter() - t
    # Only the figures go back to the parent: pickling the hot segments and
    # spans would cost the parent CPU the workers need.
    found.segments, found.spans = len(hot), []
    return found, mentions
