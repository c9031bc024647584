"""Steps 1–3 of the archive-wide re-match (pure, numpy): which windows of words could be a mention.

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
   a window that reaches its threshold is kept as a
   :class:`~radiomon.pipeline.match.core.Span`, and the segments it touches
   are *hot*.

Each step is exact: it never drops a window the matcher would report.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from radiomon.keywords import Matcher
from radiomon.keywords.bounds import SpellingForms, WordTables, feasible_windows
from radiomon.keywords.normalize import fold, merge_numbers
from radiomon.keywords.numbers import NUMBER_WORDS
from radiomon.keywords.patterns import similarities
from radiomon.keywords.words import ends_sentence
from radiomon.pipeline.match.core import Span

log = logging.getLogger(__name__)

# The vocabulary is compared with the spellings in chunks of this many words.
LEARN_CHUNK = 10_000
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
    def new_words(self, vocabulary: Iterable[str]) -> Iterator[list[str]]:
        """The normalized words of ``vocabulary`` not registered yet, in chunks
        of :data:`LEARN_CHUNK`, read as they are consumed: comparing a
        station-year's distinct words (its FTS index's terms) with every
        spelling ahead of reading the texts is shared out chunk by chunk."""
        seen, chunk = set(self.tables.row), []
        for word in vocabulary:
            for piece in fold(word).split():
                if piece not in seen:
                    seen.add(piece)
                    chunk.append(piece)
            if len(chunk) >= LEARN_CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def figures(self, words: list[str]) -> tuple:
        """Everything :meth:`register` needs about new words (no state changed)."""
        return (*self.tables.compute(words), self.matcher.anchors_of(words))

    def _rows_of_words(self, words: Sequence[str]) -> None:
        """Register new normalized words: tables, anchors, number flags."""
        new = [w for w in dict.fromkeys(words) if w not in self.tables.row]
        if new:
            self.register(new, *self.figures(new))

    def register(self, words: list[str], keys, packed, lengths, anchors) -> None:
        """Add new words and their :meth:`figures`."""
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
        joined = f" {_SEPARATOR} ".join(text for _, _, text in segments)
        if joined.count(_SEPARATOR) != len(segments) - 1:
            # A text of its own holds the separator: stored before transcripts were
            # cleaned (radiomon.transcript.clean_text). fold reads it as a space.
            joined = f" {_SEPARATOR} ".join(text.replace(_SEPARATOR, " ") for _, _, text in segments)
        raw = self._raw_index(joined.split())
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
        span_rows = np.stack(
            [owners[firsts[ok]], pieces[firsts[ok]], owners[lasts], pieces[lasts], indices[ok]], axis=1
        )
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
