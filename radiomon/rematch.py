"""``radiomon match --all``: every mention of the archive brought up to date at once.

After keywords.yml changes, every transcribed recording must be matched
again. Running the matcher (radiomon/matching.py) over a station-year's
every window would take hours of Python, so this reads the archive's texts
once and narrows down in three steps, each exact (it never drops a window
the matcher would report):

1. **Words, once.** Texts are read in batches of recordings and turned into
   one stream of word rows (the matcher's own normalization, numbers said in
   words merged as the matcher merges them). Each distinct word is compared
   with every spelling once: which spellings it may anchor
   (:meth:`Matcher.anchors`) and its per-spelling figures
   (:class:`~radiomon.keywords.bounds.WordTables`).
2. **Bounds, in numpy.** Around every anchor, the matcher's windows whose
   score *could* reach the threshold, from those figures alone
   (:func:`~radiomon.keywords.bounds.feasible_windows`), less those across
   a sentence end (the stream marks where sentences end, as the matcher
   reads them).
3. **Scores.** Only those windows are scored with the matcher's similarity;
   a window that reaches its threshold is kept as a :class:`~radiomon.matching.Span`,
   and the segments it touches are *hot*.

The matcher itself then reads only the words around those windows (plus
room for the exclusions' windows), for their spellings only
(:func:`~radiomon.matching.find_in_pieces`), and each recording's mentions
are replaced as when matching one recording (several recordings per write
transaction). The distinct words of the FTS index are compared with the
keywords once, before the work is shared out; steps 1–3 and the matcher run
on one worker process per core, each on its own batches of recordings.
tests/test_rematch.py and tests/test_matching.py check that the result
equals matching each recording; ``benchmarks/match.py --check`` does so on a
week of the synthetic archive, and prints the figures on a station-year.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from radiomon import events as events_mod
from radiomon import timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.archive.db import now_iso
from radiomon.keywords import Matcher
from radiomon.keywords.bounds import SpellingForms, WordTables, feasible_windows
from radiomon.keywords.normalize import fold, merge_numbers
from radiomon.keywords.numbers import NUMBER_WORDS
from radiomon.keywords.patterns import similarities
from radiomon.keywords.words import ends_sentence
from radiomon.matching import MatchResult, Span, event_writer, find_in_pieces, publish_events

log = logging.getLogger(__name__)

# Recordings per batch of step 1–3: about 50,000 segments for hourly
# recordings, which keeps the numpy arrays of a batch near 100 MB.
BATCH_RECORDINGS = 100
# The vocabulary is compared in chunks of this many words, on worker
# processes when the archive holds at least LEARN_PARALLEL_SEGMENTS segments
# (below that, starting them costs more than it saves).
LEARN_CHUNK = 10_000
LEARN_PARALLEL_SEGMENTS = 200_000
# Recordings whose mentions are replaced in one write transaction.
WRITE_RECORDINGS = 200
# Words that may take part in a number said in words. "un"/"una" and "y"
# only join a number next to another number word, so they never start one.
_NUMBER_PART = NUMBER_WORDS | {"y"}
_NUMBER_START = NUMBER_WORDS - {"un", "una"}
_SEPARATOR = "\x01"  # between segments in a batch's joined text (fold drops it)


@dataclass
class HotSegments:
    """What steps 1–3 found in some recordings."""

    spans: list[Span] = field(default_factory=list)  # each window that reached its threshold
    words: int = 0  # word positions read
    anchors: int = 0  # (word, spelling) anchors
    windows: int = 0  # windows that passed the bounds
    segments: int = 0  # hot segments, counted before the spans are dropped (see _rematch_batch)
    timings: dict[str, float] = field(default_factory=dict)

    def hot(self) -> set[int]:
        """Ids of the segments the spans touch (a recording's ids are consecutive)."""
        return {i for span in self.spans for i in range(span.first_segment, span.last_segment + 1)}

    def merge(self, other: "HotSegments") -> None:
        """Add up the figures of another batch (its hot segments and spans are not kept)."""
        self.segments += other.segments
        self.words += other.words
        self.anchors += other.anchors
        self.windows += other.windows
        for name, seconds in other.timings.items():
            self.timings[name] = self.timings.get(name, 0.0) + seconds


class Narrowing:
    """Steps 1–3 for one matcher, over batches of recordings. Keeps the
    per-word tables between batches (one instance per worker process)."""

    def __init__(self, matcher: Matcher):
        self.matcher = matcher
        spellings = matcher.spellings
        self.tables = WordTables(SpellingForms.of([s.pattern for s in spellings], [s.threshold for s in spellings]))
        # Text word → its word rows (fold splits "Obras-Públicas" in two, drops "¡"),
        # as a growing CSR table; entry 0 is the segment separator (no rows).
        self._raw: dict[str, int] = _Index({_SEPARATOR: 0})
        self._raw_rows = _Csr()
        self._raw_rows.extend([()])
        # Text word → whether it ends a sentence (the matcher reads no mention across one).
        self._raw_ends = np.zeros(1, dtype=bool)
        # Word row → the spellings it anchors; row 0 is the wall.
        self._anchors = _Csr()
        self._anchors.extend([()])
        self._number_start = np.zeros(1, dtype=bool)
        self._number_part = np.zeros(1, dtype=bool)
        self._walls = 1 + int(max((len(s.pattern.tokens) for s in spellings), default=1))

    # -- step 1 -------------------------------------------------------------------
    def learn(self, vocabulary: Iterable[str], workers: int = 1) -> None:
        """Compare words with every spelling ahead of reading texts: given the
        archive's distinct words (its FTS index's terms), the workers forked
        afterwards inherit the figures instead of each computing them. With
        several ``workers`` the comparison is shared out in chunks, and the
        vocabulary is read (by SQLite, in the pool's feeder thread) while
        earlier chunks are compared."""
        parts: list[list[str]] = []

        def chunks() -> Iterator[list[str]]:
            seen, chunk = set(self.tables.row), []
            for word in vocabulary:
                for piece in fold(word).split():
                    if piece not in seen:
                        seen.add(piece)
                        chunk.append(piece)
                if len(chunk) >= LEARN_CHUNK:
                    parts.append(chunk)
                    yield chunk
                    chunk = []
            if chunk:
                parts.append(chunk)
                yield chunk

        for n, figures in enumerate(_map(_learn_part, chunks(), self, workers)):
            self._register(parts[n], *figures)

    def figures(self, words: list[str]) -> tuple:
        """Everything :meth:`_register` needs about new words (no state changed)."""
        return (*self.tables.compute(words), self.matcher.anchors_of(words))

    def _rows_of_words(self, words: Sequence[str]) -> None:
        """Register new normalized words: tables, anchors, number flags."""
        new = [w for w in dict.fromkeys(words) if w not in self.tables.row]
        if new:
            self._register(new, *self.figures(new))

    def _register(self, words: list[str], keys, packed, lengths, anchors) -> None:
        self.tables.append(words, keys, packed, lengths)
        self.matcher.remember_anchors(words, anchors)
        self._anchors.extend(anchors)
        self._number_start = np.concatenate([self._number_start, [w in _NUMBER_START for w in words]])
        self._number_part = np.concatenate([self._number_part, [w in _NUMBER_PART for w in words]])

    def _raw_index(self, words: list[str]) -> np.ndarray:
        index = np.fromiter(map(self._raw.__getitem__, words), dtype=np.int64, count=len(words))
        missing = np.flatnonzero(index < 0)
        if len(missing):
            unknown = list(dict.fromkeys(words[i] for i in missing.tolist()))
            pieces = [fold(w).split() for w in unknown]
            self._rows_of_words([p for ps in pieces for p in ps])
            row = self.tables.row
            for word in unknown:
                self._raw[word] = len(self._raw)
            self._raw_rows.extend([[row[p] for p in ps] for ps in pieces])
            self._raw_ends = np.concatenate([self._raw_ends, [ends_sentence(w) for w in unknown]])
            get = self._raw.__getitem__
            index[missing] = [get(words[i]) for i in missing.tolist()]
        return index

    def stream(self, segments: Sequence[tuple[int, int, str]]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(word rows, segment id, piece index in the segment, whether a
        sentence ends after it) per position, for (segment id, recording id,
        text) rows ordered by recording and time; walls (row 0, segment -1)
        between recordings and at both ends."""
        if not segments:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, np.zeros(0, dtype=bool)
        raw = self._raw_index(f" {_SEPARATOR} ".join(text for _, _, text in segments).split())
        # The separator comes before every segment but the first.
        segment_of_raw = np.cumsum(raw == 0)
        at, rows = self._raw_rows.expand(raw)
        # A sentence ends after the last piece of a word that ends one (matcher.sentence_ends).
        last_piece = np.ones(len(at), dtype=bool)
        last_piece[:-1] = at[1:] != at[:-1]
        ends = self._raw_ends[raw[at]] & last_piece
        seg_index = segment_of_raw[at]
        piece = np.arange(len(rows)) - np.searchsorted(seg_index, seg_index)  # counted in each segment
        recording = np.array([r for _, r, _ in segments], dtype=np.int64)[seg_index]
        segment_ids = np.array([s for s, _, _ in segments], dtype=np.int64)[seg_index]
        keep = self._merge_numbers(rows, recording)
        # A number said in words keeps the sentence end of the words merged into it.
        merged_ends = np.zeros(int(keep.sum()), dtype=bool)
        merged_ends[(np.cumsum(keep) - 1)[ends]] = True
        rows, segment_ids, recording, piece = rows[keep], segment_ids[keep], recording[keep], piece[keep]
        # Walls: before each recording's first word, and padding at the end.
        change = np.flatnonzero(np.diff(recording)) + 1
        wall_at = np.concatenate([np.zeros(self._walls, dtype=np.int64), change,
                                  np.full(self._walls, len(rows), dtype=np.int64)])
        return (np.insert(rows, wall_at, 0), np.insert(segment_ids, wall_at, -1), np.insert(piece, wall_at, -1),
                np.insert(merged_ends, wall_at, False))

    def _merge_numbers(self, rows: np.ndarray, recording: np.ndarray) -> np.ndarray:
        """Numbers said in words become one token, as the matcher's tokenizer
        makes them: the number's first position takes the merged token (rows
        is changed in place); returns which positions remain."""
        keep = np.ones(len(rows), dtype=bool)
        starts = np.flatnonzero(self._number_start[rows])
        if not len(starts):
            return keep
        part = self._number_part[rows]
        replaced: dict[int, str] = {}
        end = -1
        words = self.tables.words
        for start in starts.tolist():
            if start < end:
                continue
            first = start
            while first > 0 and part[first - 1] and recording[first - 1] == recording[start]:
                first -= 1
            end = start + 1
            while end < len(rows) and part[end] and recording[end] == recording[start]:
                end += 1
            pieces = [(words[r], i) for i, r in enumerate(rows[first:end].tolist(), first)]
            for token in merge_numbers(pieces):
                if token.first != token.last:
                    keep[token.first + 1:token.last + 1] = False
                    replaced[token.first] = token.text
                elif token.text != pieces[token.first - first][0]:
                    replaced[token.first] = token.text
        if replaced:
            self._rows_of_words(list(replaced.values()))
            for position, text in replaced.items():
                rows[position] = self.tables.row[text]
        return keep

    # -- steps 2 and 3 -------------------------------------------------------------
    def hot_segments(self, segments: Sequence[tuple[int, int, str]]) -> HotSegments:
        """Steps 1–3 on (segment id, recording id, text) rows of whole
        recordings, ordered by recording and time."""
        result = HotSegments()
        t = time.perf_counter()
        stream, owners, pieces, ends = self.stream(segments)
        result.words = int((owners >= 0).sum())
        result.timings["words"] = time.perf_counter() - t

        t = time.perf_counter()
        positions, spellings = self._anchors.expand(stream)
        result.anchors = len(positions)
        windows = feasible_windows(stream, positions, spellings, self.tables) if len(positions) else np.zeros((0, 3))
        if len(windows):  # the matcher reads no mention across a sentence end
            before = np.concatenate([[0], np.cumsum(ends)])
            firsts = windows[:, 0].astype(np.int64)
            windows = windows[before[firsts + windows[:, 1].astype(np.int64) - 1] == before[firsts]]
        result.windows = len(windows)
        result.timings["bounds"] = time.perf_counter() - t

        t = time.perf_counter()
        if len(windows):
            self._score(windows, stream, owners, pieces, result)
        result.timings["scores"] = time.perf_counter() - t
        return result

    def _score(self, windows: np.ndarray, stream: np.ndarray, owners: np.ndarray, pieces: np.ndarray,
               result: HotSegments) -> None:
        """Step 3: the windows that reach their threshold, as spans."""
        firsts, lengths, indices = windows[:, 0], windows[:, 1], windows[:, 2]
        grid = stream[firsts[:, None] + np.arange(int(lengths.max()))[None, :]]  # walls pad the end
        words, keys = self.tables.words, self.tables.keys
        tokens, window_keys = [], []
        for row, length in zip(grid.tolist(), lengths.tolist()):
            row = row[:length]
            tokens.append([words[r] for r in row])
            window_keys.append("".join([keys[r] for r in row]))
        spellings = self.matcher.spellings
        index_list = indices.tolist()
        scores = similarities(tokens, [spellings[i].pattern for i in index_list], window_keys)
        thresholds = np.array([spellings[i].threshold for i in index_list])
        ok = np.flatnonzero(scores >= thresholds)
        if not len(ok):
            return
        lasts = firsts[ok] + lengths[ok] - 1
        span_rows = np.stack([owners[firsts[ok]], pieces[firsts[ok]], owners[lasts], pieces[lasts], indices[ok]], axis=1)
        matcher = self.matcher
        for row, n in zip(span_rows.tolist(), ok.tolist()):
            index, window = index_list[n], tokens[n]
            simple = matcher.simple(index, window)
            score = matcher.window_score(index, window) if simple else float(scores[n])
            result.spans.append(Span(*row, score=score, simple=simple))


class _Index(dict):
    """A dict that answers -1 for a word it does not know (mapped in C, no Python per word)."""

    def __missing__(self, key: str) -> int:
        return -1


class _Csr:
    """A growing table of integer lists, expandable with numpy."""

    def __init__(self):
        self.count = np.zeros(0, dtype=np.int64)
        self.start = np.zeros(0, dtype=np.int64)
        self.flat = np.zeros(0, dtype=np.int64)

    def extend(self, lists: Sequence[Sequence[int]]) -> None:
        count = np.array([len(x) for x in lists], dtype=np.int64)
        self.start = np.concatenate([self.start, len(self.flat) + np.cumsum(count) - count])
        self.count = np.concatenate([self.count, count])
        self.flat = np.concatenate([self.flat, np.array([v for x in lists for v in x], dtype=np.int64)])

    def expand(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each value of each key's list, in order: (index into ``keys``, value)."""
        count = self.count[keys]
        at = np.repeat(np.arange(len(keys)), count)
        within = np.arange(len(at)) - np.repeat(np.cumsum(count) - count, count)
        return at, self.flat[self.start[keys][at] + within]


# -- the stage -----------------------------------------------------------------
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
    transcribed = {r[0]: r[1] for r in archive.conn.execute(
        "SELECT id, updated_utc FROM recordings WHERE status = 'transcribed'")}

    t = time.perf_counter()
    narrowing = Narrowing(matcher)
    size = archive.conn.execute("SELECT max(id) FROM segments").fetchone()[0] or 0
    narrowing.learn(archive.vocabulary(), workers if size >= LEARN_PARALLEL_SEGMENTS else 1)
    timings["vocabulary"] = time.perf_counter() - t

    t = time.perf_counter()
    batches = [(archive.path, ids) for ids in _batches(sorted(transcribed), BATCH_RECORDINGS)]
    found = HotSegments()
    rows_by_recording: dict[int, list[MentionRow]] = {}
    for part, rows in _map(_rematch_batch, batches, narrowing, workers):
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
    with archive.write() as conn:  # recordings without mentions, before or after
        conn.execute(
            "UPDATE recordings SET matched_utc = ? WHERE status = 'transcribed' AND updated_utc <= ? "
            "AND (matched_utc IS NULL OR matched_utc < ?)", (now_iso(), run_started, run_started))
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
        with archive.write() as conn:
            for recording_id in to_write[start:start + WRITE_RECORDINGS]:
                row = conn.execute("SELECT updated_utc FROM recordings WHERE id = ?", (recording_id,)).fetchone()
                if row is None or row[0] != transcribed[recording_id]:
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
# help; forked workers inherit the compiled matcher instead of pickling it,
# and each keeps its own per-word tables and anchors across its batches.
_NARROWING: Narrowing | None = None
_STATE: "_Worker | None" = None


@dataclass
class _Worker:
    narrowing: Narrowing
    archive: Archive
    margin: int  # pieces read beyond a window: room for its exclusions' windows


def _margin(matcher: Matcher) -> int:
    """An exclusion of m words is tried on windows of up to m + 1 words covering
    the candidate; three pieces per word leave room for numbers said in words."""
    longest = max((len(x.tokens) for s in matcher.spellings for x in s.excludes), default=0)
    return 3 * (longest + 1)


def _map(function, tasks: Iterable, narrowing: Narrowing, workers: int) -> Iterator:
    global _NARROWING, _STATE
    _NARROWING, _STATE = narrowing, None
    try:
        few = isinstance(tasks, list) and len(tasks) < 2
        if workers <= 1 or few or "fork" not in multiprocessing.get_all_start_methods():
            yield from map(function, tasks)
            return
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(function, tasks)
    finally:
        if _STATE is not None:
            _STATE.archive.close()
        _NARROWING, _STATE = None, None


def _learn_part(words: list[str]) -> tuple:
    return _NARROWING.figures(words)


def _rematch_batch(task: tuple[Path, list[int]]) -> tuple[HotSegments, list[MentionRow]]:
    """Steps 1–3 and the matcher for some recordings (in a worker process)."""
    global _STATE
    path, recording_ids = task
    if _STATE is None:
        _STATE = _Worker(_NARROWING, Archive(path, create=False), _margin(_NARROWING.matcher))
    archive = _STATE.archive
    rows = archive.texts_of_recordings(recording_ids[0], recording_ids[-1])
    found = _STATE.narrowing.hot_segments(rows)
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
            mentions.extend(find_in_pieces(_STATE.narrowing.matcher, block, spans, _STATE.margin))
    found.timings["matcher"] = time.perf_counter() - t
    # Only the figures go back to the parent: pickling the hot segments and
    # spans would cost the parent CPU the workers need.
    found.segments, found.spans = len(hot), []
    return found, mentions
