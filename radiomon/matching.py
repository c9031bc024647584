"""The matching stage: keywords.yml against the archive's segments → ``mentions``.

Two ways in, one core:

* :func:`match_recording` — one recording, right after it is transcribed
  (the transcription batch calls it), or any recording whose ``matched_utc``
  is NULL (:func:`match_pending`, ``radiomon match``).
* :func:`rematch_all` — every transcribed recording, after keywords.yml
  changed (``radiomon match --all``). It does not read the archive segment by
  segment: the FTS5 index already holds the archive's distinct vocabulary,
  so each keyword is compared with the vocabulary once (:class:`Preselection`),
  FTS queries find the segments that could hold each spelling, and only
  those go through the matcher, for those spellings only, with the edge
  words of their neighbours (names split across segments). Measured on the
  search benchmark's synthetic station-year with 200 terms: see
  benchmarks/match.py and the figures in its docstring.

The core (:func:`find_in_segments`) is pure: segments in, :class:`MentionRow`
out. Segments are matched in *runs*: a segment with a word that could anchor
a keyword, plus its neighbours, joined, so "Moro" at the end of one segment
and "León" at the start of the next are one mention. The full re-match reads
fewer segments but finds the same mentions (tests/test_matching.py compares
the two).

Writing is one transaction per recording (:meth:`Archive.replace_mentions`):
mentions still found keep their id and the staff's ``review``, removed terms'
mentions go, new ones appear, ``matched_utc`` is set. Running it twice changes
nothing. New mentions of a ``crisis`` group become events (radiomon/events.py)
in the same transaction.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from radiomon import events as events_mod
from radiomon import timeutil
from radiomon.archive import Archive, MentionChanges, MentionRow
from radiomon.archive.db import now_iso
from radiomon.keywords import (
    KeywordSet, Matcher, Word, load_keywords, tokenize_words, words_from_text, words_from_whisper,
)
from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.matcher import ANCHOR_MIN_LENGTH, ANCHOR_MIN_SCORE, ANCHOR_PIECE_LENGTH, ANCHOR_PIECE_SCORE
from radiomon.keywords.normalize import normalize_word, tokenize
from radiomon.keywords.patterns import similarity, window_pattern
from radiomon.keywords.phonetic import word_key

log = logging.getLogger(__name__)

# The context stored with a mention is the sentence around it, cut at this
# many words on each side when Whisper wrote no full stop for a while.
CONTEXT_WORDS = 25
_SENTENCE_END = (".", "?", "!", "…")


@dataclass
class MatchResult:
    """What a matching run did (``radiomon match`` prints it)."""

    recordings: int = 0  # recordings matched
    segments: int = 0  # segments that went through the matcher
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    events: int = 0
    candidate_words: int = 0  # rematch_all: vocabulary words that could anchor a keyword
    vocabulary: int = 0  # rematch_all: distinct words in the archive
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, changes: MentionChanges) -> None:
        self.added += len(changes.added)
        self.updated += changes.updated
        self.unchanged += changes.unchanged
        self.removed += changes.removed

    def summary(self) -> str:
        return (f"matched {self.recordings} recording(s) in {self.seconds:.1f} s: {self.added} new mention(s), "
                f"{self.removed} removed, {self.updated} updated, {self.unchanged} unchanged")


def load_matcher(keywords_path: str | Path) -> Matcher:
    """keywords.yml compiled for matching (ConfigError, one line, if it is invalid)."""
    return Matcher(load_keywords(keywords_path))


# -- the pure core -------------------------------------------------------------
def segment_words(segment: dict) -> list[Word]:
    """A segment's heard words: Whisper's word times, or its text spread over its span."""
    if segment.get("words"):
        return words_from_whisper(segment["words"], segment_id=segment["id"])
    return words_from_text(segment["text"], segment["start"], segment["end"], segment_id=segment["id"])


def find_in_segments(matcher: Matcher, segments: Sequence[dict], hot: dict[int, set[int] | None] | None = None,
                     edge_words: int | None = None) -> list[MentionRow]:
    """Mentions in consecutive segments of one recording (as
    :meth:`Archive.recording_segments` returns them), in order.

    Only *hot* segments are matched, each joined with its neighbours into a
    run. ``hot`` maps a segment's index to the spellings (indices into
    ``matcher.spellings``) that could be in it, or None for all of them; by
    default a segment is hot when one of its words anchors any keyword (the
    common case, a segment with nothing like a keyword, costs a dictionary
    lookup per word). ``edge_words`` passes only that many words of a
    neighbour that is not hot itself to the matcher (enough for a name split
    across the boundary); the context is still taken from whole segments.
    """
    words = [segment_words(s) for s in segments]
    if hot is None:
        hot = {i: None for i, ws in enumerate(words) if _anchors_any(matcher, ws)}
    rows: list[MentionRow] = []
    for first, last in _runs(sorted(hot), len(segments)):
        run_words = [w for ws in words[first:last + 1] for w in ws]
        allowed = [hot[i] for i in range(first, last + 1) if i in hot]
        spellings = None if any(a is None for a in allowed) else set().union(*allowed)
        lo, hi = 0, len(run_words)
        if edge_words is not None:
            if spellings:  # a window is at most n + 1 tokens; + 1 for numbers read from two words
                edge_words = min(edge_words, 2 + max(len(matcher.spellings[i].pattern.tokens) for i in spellings))
            if first not in hot:
                lo = max(0, len(words[first]) - edge_words)
            if last not in hot:
                hi = len(run_words) - max(0, len(words[last]) - edge_words)
        by_id = {s["id"]: s for s in segments[first:last + 1]}
        for mention in matcher.find_mentions(run_words[lo:hi], spellings):
            segment = by_id[mention.segment_id]
            rows.append(MentionRow(
                segment_id=segment["id"],
                recording_id=segment["recording_id"],
                station=segment["station"],
                group_id=mention.group_id,
                keyword=mention.keyword,
                matched=mention.matched,
                score=float(mention.score),
                at_utc=_at(segment["epoch0_ms"], mention.start),
                offset=round(mention.start, 3),
                context=sentence_around(run_words, mention.first_word_index + lo, mention.last_word_index + lo),
            ))
    return rows


def _anchors_any(matcher: Matcher, words: list[Word]) -> bool:
    return any(matcher.anchors(t.text) for t in tokenize_words([w.text for w in words]))


def _runs(hot: list[int], count: int, neighbours: int = 1) -> list[tuple[int, int]]:
    """Index ranges (inclusive) covering every hot segment and its neighbours, merged."""
    runs: list[tuple[int, int]] = []
    for i in hot:
        first, last = max(0, i - neighbours), min(count - 1, i + neighbours)
        if runs and first <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def sentence_around(words: Sequence[Word], first: int, last: int, limit: int = CONTEXT_WORDS) -> str:
    """The words of the sentence containing ``words[first..last]`` (at most ``limit`` more each side)."""
    start = first
    while start > 0 and first - start < limit and not words[start - 1].text.strip().endswith(_SENTENCE_END):
        start -= 1
    end = last
    while end < len(words) - 1 and end - last < limit and not words[end].text.strip().endswith(_SENTENCE_END):
        end += 1
    return " ".join(w.text.strip() for w in words[start:end + 1] if w.text.strip())


def _at(epoch0_ms: int, offset: float) -> str:
    return timeutil.to_iso(datetime.fromtimestamp((epoch0_ms + round(offset * 1000)) / 1000, timezone.utc))


# -- the stage: I/O at the edges -------------------------------------------------
def match_recording(archive: Archive, matcher: Matcher, recording_id: int, *, emit_events: bool = True) -> list[MentionRow]:
    """Match one recording and store its mentions; returns them (with ids and reviews).

    Call it after a recording's segments are stored (the transcription batch
    does). Reads and writes in one transaction, so a concurrent
    re-transcription cannot slip in between. Idempotent.
    """
    result = MatchResult()
    _match_one(archive, matcher, recording_id, None, result, emit_events)
    return archive.mentions_of(recording_id)


def match_pending(archive: Archive, matcher: Matcher, *, station: str | tuple[str, ...] | None = None,
                  limit: int | None = None, progress: Callable[[int, int], None] | None = None) -> MatchResult:
    """Match every transcribed recording whose ``matched_utc`` is NULL, oldest first."""
    started = time.perf_counter()
    result = MatchResult()
    pending = archive.recordings(unmatched=True, station=station, limit=limit)
    for n, recording in enumerate(pending, 1):
        _match_one(archive, matcher, recording.id, None, result, True)
        if progress:
            progress(n, len(pending))
    result.seconds = time.perf_counter() - started
    return result


def rematch_all(archive: Archive, matcher: Matcher, *, progress: Callable[[int, int], None] | None = None,
                event_hours: float = events_mod.REMATCH_EVENT_HOURS, workers: int | None = None) -> MatchResult:
    """Bring every mention up to date with ``matcher`` (after keywords.yml changed).

    Recordings re-transcribed while this runs are left with ``matched_utc``
    NULL for the next incremental run rather than matched from stale reads.
    """
    started = time.perf_counter()
    run_started = now_iso()
    result = MatchResult()
    timings = result.timings

    t = time.perf_counter()
    transcribed = {r[0]: r[1] for r in archive.conn.execute(
        "SELECT id, updated_utc FROM recordings WHERE status = 'transcribed'")}
    vocabulary = archive.vocabulary()
    timings["vocabulary"] = time.perf_counter() - t

    t = time.perf_counter()
    plan = Preselection(matcher, vocabulary)
    result.vocabulary, result.candidate_words = len(vocabulary), plan.candidate_words
    timings["candidates"] = time.perf_counter() - t
    log.info("%d of %d vocabulary words could take part in a mention", plan.candidate_words, len(vocabulary))

    t = time.perf_counter()
    hot = plan.hot_segments(archive)
    segments = archive.segments_by_id(hot, neighbours=1)
    timings["select"] = time.perf_counter() - t

    t = time.perf_counter()
    found: dict[int, list[MentionRow]] = {}
    edge = max((len(s.pattern.tokens) for s in matcher.spellings), default=0) + 2
    # Anchors of every word about to be read, in one vectorized batch rather
    # than one rapidfuzz call per new word.
    matcher.candidate_words({w for s in segments for w in s["text"].split()})
    jobs = [(block, {i: hot[s["id"]] for i, s in enumerate(block) if s["id"] in hot})
            for block in _consecutive_blocks(segments)]
    for rows in _run_jobs(matcher, jobs, edge, workers):
        for row in rows:
            found.setdefault(row.recording_id, []).append(row)
    result.segments = len(hot)
    timings["match"] = time.perf_counter() - t

    t = time.perf_counter()
    to_write = sorted((set(found) | archive.recordings_with_mentions()) & set(transcribed))
    since = timeutil.to_iso(datetime.now(timezone.utc) - timedelta(hours=event_hours))
    for n, recording_id in enumerate(to_write, 1):
        with archive.write() as conn:
            row = conn.execute("SELECT updated_utc FROM recordings WHERE id = ?", (recording_id,)).fetchone()
            if row is None or row[0] != transcribed[recording_id]:
                continue  # re-transcribed meanwhile: its matched_utc is NULL, the next run matches it
            changes = archive.replace_mentions(
                recording_id, found.get(recording_id, ()), mark_matched=True,
                on_added=_event_writer(archive, matcher, result, since=since))
        result.add(changes)
        _publish(matcher, changes, since)
        if progress:
            progress(n, len(to_write))
    with archive.write() as conn:  # recordings without mentions, before or after
        conn.execute(
            "UPDATE recordings SET matched_utc = ? WHERE status = 'transcribed' AND updated_utc <= ? "
            "AND (matched_utc IS NULL OR matched_utc < ?)", (now_iso(), run_started, run_started))
    result.recordings = len(transcribed)
    timings["write"] = time.perf_counter() - t
    result.seconds = time.perf_counter() - started
    return result


# Points below Preselection.word_cutoff's bound still selected (rounding).
WORD_CUTOFF_MARGIN = 3
# Below this, a content word may be heard as anything (the rest of the name
# carries the score): it does not narrow the selection.
MIN_WORD_CUTOFF = 40


class Preselection:
    """Which segments of the archive could hold which keyword, from the FTS index alone.

    Every spelling is compared with the archive's distinct vocabulary once
    (FTS5 folds case, accents and ñ like the matcher does). Then:

    * a one-word spelling (Moroleón, DIF, incendio) is possible in a segment
      holding a word that scores its threshold on its own (the exact test,
      the matcher's own similarity), or a piece of it (a split name, "Moro"
      "León": partial ratio ≥ ANCHOR_PIECE_SCORE, shorter than the spelling);
    * a longer one ("Obras Públicas") is possible in a segment holding a word
      that anchors one of its *content words* (not stopwords, 3+ letters:
      Indel ratio ≥ ANCHOR_MIN_SCORE on letters or sound, or a piece of it),
      when, in it and its neighbours, (a) every content word that cannot be
      mangled is anchored too (:meth:`word_cutoff` ≥ ANCHOR_MIN_SCORE: the
      similarity a stand-in for the word needs for the whole to reach the
      threshold, all else heard right), and (b) the content words not
      anchored add up to at most :meth:`missing_letters` letters. "Obras"
      alone is never "Obras Públicas"; "síndico lozo" is "síndico López".

    Why this is enough: a window reaches the threshold only if its letters
    line up with most of the spelling's. The single-anchor rule of
    :meth:`Matcher.candidate_words` is just as exact but not selective at
    archive scale: with 200 terms nearly every segment holds some "casa",
    "calle" or "solo". The matcher then runs on each hot segment for the
    spellings it is hot for only. tests/test_matching.py checks that a full
    re-match stores exactly what matching each recording stores; on a week of
    the synthetic benchmark archive the two agree mention for mention.

    Not selective enough yet for names made of short common words ("Juan
    Carlos Soto Soto": any "juan" or "soto" makes a segment hot) — see
    benchmarks/match.py for the station-year figures.
    """

    def __init__(self, matcher: Matcher, vocabulary: Sequence[str]):
        self.matcher = matcher
        self.needs: list[tuple[str, ...]] = []  # content words per spelling; () = one-word spelling
        self.main_word: dict[int, str] = {}
        words: dict[str, None] = {}
        for index, spelling in enumerate(matcher.spellings):
            pattern = spelling.pattern
            content = tuple(dict.fromkeys(
                t for t in pattern.tokens if t not in STOPWORDS and len(t) >= ANCHOR_MIN_LENGTH))
            if len(content) <= 1 or pattern.short:
                self.main_word[index] = content[0] if content else pattern.joined
                content = ()
            else:
                words.update(dict.fromkeys(content))
            self.needs.append(content)
        self.words = list(words)
        by_token: dict[str, list[str]] = {}
        for term in vocabulary:
            for token in normalize_word(term).split():
                by_token.setdefault(token, []).append(term)
        self._by_token = by_token
        self._covering(list(by_token))
        self._single([t for t in by_token if t not in STOPWORDS])
        anchors = [self.covering(w, ANCHOR_MIN_SCORE) for w in self.words] if self._scores is not None else []
        self.candidate_words = len(set().union(*anchors, *self.whole.values(), *self.partial.values()))

    def _single(self, tokens: list[str]) -> None:
        """For each spelling with at most one content word: the vocabulary that
        matches it alone (``self.whole``), and the vocabulary that anchors it
        without (``self.partial``: pieces, mishearings), whose segments are
        checked word by word (:meth:`_windows_match`)."""
        self.whole: dict[int, set[str]] = {}
        self.partial: dict[int, set[str]] = {}
        self.partial_tokens: dict[int, set[str]] = {}
        indices = [i for i, content in enumerate(self.needs) if not content]
        if not tokens or not indices:
            return
        patterns = [self.matcher.spellings[i].pattern for i in indices]
        joined = [p.joined for p in patterns]
        main = [self.main_word[i] for i in indices]  # "soledad" of "La Soledad"
        pieces = process.cdist(tokens, joined, scorer=fuzz.partial_ratio, score_cutoff=ANCHOR_PIECE_SCORE, workers=-1)
        close = process.cdist(tokens, main, scorer=fuzz.ratio, score_cutoff=ANCHOR_MIN_SCORE, workers=-1)
        keys = [word_key(t) for t in tokens]
        sounds = process.cdist(keys, [word_key(w) for w in main], scorer=fuzz.ratio,
                               score_cutoff=ANCHOR_MIN_SCORE, workers=-1)
        exact: dict[str, list[int]] = {}
        for column, pattern in enumerate(patterns):
            for form in (pattern.joined, pattern.key, *pattern.tokens):
                exact.setdefault(form, []).append(column)
        for row, token in enumerate(tokens):
            columns = set(close[row].nonzero()[0].tolist()) | set(sounds[row].nonzero()[0].tolist())
            if len(token) >= ANCHOR_PIECE_LENGTH:
                columns |= set(pieces[row].nonzero()[0].tolist())
            columns.update(exact.get(token, ()))
            columns.update(exact.get(keys[row], ()))
            for column in columns:
                index = indices[column]
                spelling = self.matcher.spellings[index]
                if similarity(window_pattern([token]), spelling.pattern) >= spelling.threshold:
                    self.whole.setdefault(index, set()).update(self._by_token[token])
                else:
                    self.partial.setdefault(index, set()).update(self._by_token[token])
                    self.partial_tokens.setdefault(index, set()).add(token)

    def _windows_match(self, index: int, text: str) -> bool:
        """Whether any window around a partial word of ``text`` scores the
        spelling's threshold (the matcher's test; True at a segment edge,
        where the rest of the name may be in the neighbour)."""
        spelling = self.matcher.spellings[index]
        n = len(spelling.pattern.tokens)
        tokens = [t.text for t in tokenize(text)]
        wanted = self.partial_tokens[index]
        for position, token in enumerate(tokens):
            if token not in wanted:
                continue
            for length in range(max(1, n - 1), n + 2):
                for first in range(position - length + 1, position + 1):
                    last = first + length - 1
                    if first < 0 or last >= len(tokens):
                        return True
                    window = window_pattern(tokens[first:last + 1])
                    if similarity(window, spelling.pattern) >= spelling.threshold:
                        return True
        return False

    def _covering(self, tokens: list[str]) -> None:
        """Scores of every vocabulary token against every content word of the
        longer spellings (best of letters and sound), and which are pieces."""
        self._tokens = tokens
        self._column = {w: c for c, w in enumerate(self.words)}
        self._terms_cache: dict[tuple[str, int], set[str]] = {}
        if not tokens or not self.words:
            self._scores = self._pieces = None
            return
        keys = [word_key(t) for t in tokens]
        word_keys = [word_key(w) for w in self.words]
        cutoff = MIN_WORD_CUTOFF
        letters = process.cdist(tokens, self.words, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=-1)
        sounds = process.cdist(keys, word_keys, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=-1)
        # Any token (stopwords and 1–2 letter words too) may stand in for a
        # content word inside a window: the "near" test uses these scores.
        self._near_scores = np.maximum(letters, sounds)
        for row, token in enumerate(tokens):
            if token in self._column:
                self._near_scores[row, self._column[token]] = 100
        scores = self._near_scores.copy()
        # Anchors: never stopwords; 1–2 letter words only when equal (above).
        short_token = np.array([len(t) < ANCHOR_MIN_LENGTH and t not in self._column for t in tokens])
        stopword = np.array([t in STOPWORDS for t in tokens])
        scores[short_token | stopword, :] = 0
        self._scores = scores
        pieces = process.cdist(tokens, self.words, scorer=fuzz.partial_ratio, score_cutoff=ANCHOR_PIECE_SCORE,
                               dtype=np.uint8, workers=-1)
        long_token = np.array([len(t) >= ANCHOR_PIECE_LENGTH for t in tokens])
        long_word = np.array([len(w) >= ANCHOR_PIECE_LENGTH for w in self.words])
        self._stopword = stopword
        self._near_pieces = (pieces > 0) & long_token[:, None] & long_word[None, :]
        self._pieces = self._near_pieces & ~stopword[:, None]

    def covering(self, word: str, cutoff: int, near: bool = False) -> set[str]:
        """Vocabulary (FTS terms) standing for ``word`` at least ``cutoff`` alike, or a piece of it:
        as an anchor (no stopwords), or with ``near`` as any word of a window."""
        cutoff = max(MIN_WORD_CUTOFF, cutoff)
        key = (word, cutoff, near)
        if key not in self._terms_cache:
            column = self._column[word]
            scores, pieces = (self._near_scores, self._near_pieces) if near else (self._scores, self._pieces)
            rows = np.flatnonzero((scores[:, column] >= cutoff) | pieces[:, column]).tolist()
            self._terms_cache[key] = {term for r in rows for term in self._by_token[self._tokens[r]]}
        return self._terms_cache[key]

    def near_stopword(self, word: str, cutoff: int) -> bool:
        """Whether a stopword stands for ``word`` at least ``cutoff`` alike (or as a piece)."""
        cutoff = max(MIN_WORD_CUTOFF, cutoff)
        column = self._column[word]
        hits = (self._near_scores[:, column] >= cutoff) | self._near_pieces[:, column]
        return bool((hits & self._stopword).any())

    def word_cutoff(self, index: int, word: str) -> int:
        """How alike (Indel ratio, 0–100) a heard word X must be to ``word`` for
        the spelling to still reach its threshold T, all its other letters
        heard right.

        With L the spelling's length (spaced, the most lenient of the
        matcher's three forms), m = len(word) and x = len(X), the window is
        L − m + x long and shares at most L − m + LCS(X, word) letters with
        the spelling; ratio ≥ T then needs ratio(X, word) ≥
        (m (2 − T) − 2 L (1 − T) + T x) / (m + x), smallest at x = 1.
        ("síndico lozo" is "síndico López" at 88: "lozo" needs 56, has 67.)
        """
        spelling = self.matcher.spellings[index]
        t = spelling.threshold / 100
        length, m = len(spelling.pattern.spaced), len(word)
        return int(100 * (m * (2 - t) - 2 * length * (1 - t) + t) / (m + 1)) - WORD_CUTOFF_MARGIN

    def missing_letters(self, index: int) -> float:
        """How many letters of a spelling's content words, in all, may be
        heard less than ANCHOR_MIN_SCORE alike with the whole still at the
        threshold: each such word loses at least a quarter of its letters,
        and the whole may lose (1 − T) of its length (spaced)."""
        spelling = self.matcher.spellings[index]
        return 4 * (1 - spelling.threshold / 100) * len(spelling.pattern.spaced)

    def hot_segments(self, archive: Archive) -> dict[int, set[int]]:
        """Segment id → the spellings (indices) it could hold (see the class doc)."""
        ids_cache: dict[tuple[str, int, bool], tuple[set[int], set[int]]] = {}

        def segments(word: str, cutoff: int, near: bool = False) -> tuple[set[int], set[int]]:
            cutoff = max(MIN_WORD_CUTOFF, cutoff)
            if (word, cutoff, near) not in ids_cache:
                terms = self.covering(word, cutoff, near)
                ids = archive.segments_with_terms(terms) if terms else set()
                ids_cache[(word, cutoff, near)] = (ids, ids | {i - 1 for i in ids} | {i + 1 for i in ids})
            return ids_cache[(word, cutoff, near)]

        hot: dict[int, set[int]] = {}
        for index, content in enumerate(self.needs):
            if not content:
                terms = self.whole.get(index)
                found = archive.segments_with_terms(terms) if terms else set()
                terms = self.partial.get(index)
                if terms:
                    maybe = archive.segments_with_terms(terms) - found
                    texts = archive.segment_texts(maybe)
                    found |= {i for i, text in texts.items() if self._windows_match(index, text)}
            else:
                # Every match holds an anchor (a word ANCHOR_MIN_SCORE alike,
                # or a piece): the hot segment is the one holding it …
                found = set().union(*(segments(w, ANCHOR_MIN_SCORE)[0] for w in content))
                # … each content word that cannot go unheard is near: some
                # word (any, stopwords too) at least word_cutoff alike, or a
                # piece of it. (Rarest first: the cheap test narrows most.)
                # A word a stopword may stand in for is near everywhere: skipped.
                for word in content:
                    cutoff = self.word_cutoff(index, word)
                    if cutoff >= MIN_WORD_CUTOFF and found and not self.near_stopword(word, cutoff):
                        found &= segments(word, cutoff, near=True)[1]
                # … and the words not anchored nearby are few letters in all.
                budget = self.missing_letters(index)
                total = sum(len(w) for w in content)
                if found and total > budget:
                    covered = dict.fromkeys(found, 0)
                    for word in content:
                        near = segments(word, ANCHOR_MIN_SCORE)[1]
                        for i in (near & found if len(near) < 4 * len(found) else (i for i in found if i in near)):
                            covered[i] += len(word)
                    found = {i for i, n in covered.items() if total - n <= budget}
            for segment_id in found:
                hot.setdefault(segment_id, set()).add(index)
        return hot


# Below this many runs the matcher works in this process: starting workers
# costs more than it saves.
PARALLEL_MIN_JOBS = 2_000
_JOBS: list = []
_MATCHER: Matcher | None = None


def _run_jobs(matcher: Matcher, jobs: list, edge: int, workers: int | None) -> list[list[MentionRow]]:
    """find_in_segments over every (block, hot) job, on ``workers`` processes
    (default: every core) when there are many. The matcher is pure Python,
    so threads would not help; forked workers inherit the compiled matcher
    and its warm anchor cache instead of pickling them."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers <= 1 or len(jobs) < PARALLEL_MIN_JOBS or "fork" not in multiprocessing.get_all_start_methods():
        return [find_in_segments(matcher, block, block_hot, edge) for block, block_hot in jobs]
    global _JOBS, _MATCHER
    _JOBS, _MATCHER = jobs, matcher
    try:
        step = -(-len(jobs) // (workers * 8))
        chunks = [(start, min(start + step, len(jobs)), edge) for start in range(0, len(jobs), step)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [rows for chunk in pool.imap(_run_chunk, chunks) for rows in chunk]
    finally:
        _JOBS, _MATCHER = [], None


def _run_chunk(chunk: tuple[int, int, int]) -> list[list[MentionRow]]:
    start, stop, edge = chunk
    return [find_in_segments(_MATCHER, block, block_hot, edge) for block, block_hot in _JOBS[start:stop]]


def _match_one(archive: Archive, matcher: Matcher, recording_id: int, since: str | None,
               result: MatchResult, emit_events: bool) -> None:
    with archive.write():
        segments = archive.recording_segments(recording_id)
        rows = find_in_segments(matcher, segments)
        changes = archive.replace_mentions(
            recording_id, rows, on_added=_event_writer(archive, matcher, result, since) if emit_events else None)
    result.recordings += 1
    result.segments += len(segments)
    result.add(changes)
    if emit_events:
        _publish(matcher, changes, since)


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


# -- events ---------------------------------------------------------------------
def crisis_events(keywords: KeywordSet, rows: Sequence[MentionRow], since: str | None = None) -> list[events_mod.MentionEvent]:
    """Events for the rows of ``crisis`` groups (newer than ``since``, if given)."""
    out = []
    for row in rows:
        group = keywords.group(row.group_id)
        if group.priority != "crisis" or (since is not None and row.at_utc < since):
            continue
        out.append(events_mod.MentionEvent(
            kind=events_mod.CRISIS_MENTION, mention_id=row.id, station=row.station, group_id=group.id,
            group_label=group.title, priority=group.priority, keyword=row.keyword, matched=row.matched,
            at_utc=row.at_utc, offset=row.offset, recording_id=row.recording_id, segment_id=row.segment_id,
            context=row.context,
        ))
    return out


def _event_writer(archive: Archive, matcher: Matcher, result: MatchResult, since: str | None):
    def write(conn, added):
        found = crisis_events(matcher.keywords, added, since)
        archive.add_events(conn, events_mod.CRISIS_MENTION, [(e.mention_id, e.as_json()) for e in found])
        result.events += len(found)
    return write


def _publish(matcher: Matcher, changes: MentionChanges, since: str | None) -> None:
    if changes.added:
        events_mod.publish(crisis_events(matcher.keywords, changes.added, since))
