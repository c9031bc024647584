"""What each keyword looks like to the matcher, and what it could be confused with.

Backs ``radiomon keywords check``: before trusting a new keywords.yml, staff
see each spelling's normalized and phonetic forms, and the other terms or
common Spanish words that would be reported as it (or it as them). The
matcher itself decides, so what is shown is what will happen on air.

Every spelling against every other is quadratic: the pairs that could reach
a threshold are found first in matrix passes (:func:`_reachable`), and the
matcher scores only those (10,000 terms: seconds, not many minutes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from radiomon.keywords.common_words import COMMON_WORDS
from radiomon.keywords.matcher import Matcher
from radiomon.keywords.model import KeywordSet
from radiomon.keywords.normalize import tokenize_words
from radiomon.keywords.patterns import MIN_LENGTH_RATIO, Pattern, window_pattern
from radiomon.keywords.phonetic import word_key


@dataclass(frozen=True)
class Confusion:
    """Heard ``text`` (alone) would be reported as the term being explained."""

    text: str  # another term's spelling, or a common word
    kind: Literal["term", "common word"]
    score: float
    group_id: str | None = None  # the other term's group (kind "term")
    keyword: str | None = None  # the other term (kind "term")


@dataclass(frozen=True)
class TermReport:
    """One spelling (a term or an alias) as the matcher sees it."""

    group_id: str
    keyword: str  # the canonical term
    spelling: str  # the term or one of its aliases, as written
    normalized: str
    phonetic: str
    threshold: float
    exact_only: bool  # short spelling: counts only when heard exactly (DIF, IMSS)
    confusions: tuple[Confusion, ...] = ()
    # Where the threshold comes from: the term's own ("term"), derived from
    # the term (see radiomon/keywords/derive.py), or the file's default.
    threshold_source: Literal["term", "derived", "default"] = "default"
    threshold_reason: str = ""  # why the derived threshold is what it is


def explain(keywords: KeywordSet, common_words: Iterable[str] = COMMON_WORDS) -> list[TermReport]:
    """A report per spelling, in file order, with its possible confusions."""
    matcher = Matcher(keywords)
    words = sorted(set(common_words))
    terms = {(group.id, term.term): term for group, term in keywords.terms}
    patterns = [s.pattern for s in matcher.spellings]
    thresholds = [s.threshold for s in matcher.spellings]
    # Heard alone, a word is the window of its tokens (as Matcher.text_score reads it).
    heard = [window_pattern([t.text for t in tokenize_words(w.split())]) for w in words]
    other_terms = _reachable(patterns, thresholds, patterns)
    common = _reachable(patterns, thresholds, heard)
    reports = []
    for spelling, term_columns, word_columns in zip(matcher.spellings, other_terms, common):
        pattern = spelling.pattern
        term = terms[spelling.group_id, spelling.keyword]
        derivation = keywords.derivation(term, pattern.text)
        confusions = [
            Confusion(other.pattern.text, "term", score, other.group_id, other.keyword)
            for other in (matcher.spellings[j] for j in term_columns)
            if other.keyword != spelling.keyword or other.group_id != spelling.group_id
            for score in [matcher.text_score(spelling, other.pattern.text)] if score
        ] + [
            Confusion(word, "common word", score)
            for word in (words[j] for j in word_columns)
            for score in [matcher.text_score(spelling, word)] if score
        ]
        reports.append(TermReport(
            group_id=spelling.group_id,
            keyword=spelling.keyword,
            spelling=pattern.text,
            normalized=pattern.spaced,
            phonetic=" ".join(word_key(t) for t in pattern.tokens),
            threshold=spelling.threshold,
            exact_only=pattern.short,
            confusions=tuple(sorted(confusions, key=lambda c: (-c.score, c.text))),
            threshold_source="term" if term.threshold is not None else "derived" if derivation else "default",
            threshold_reason=derivation.reason if derivation else "",
        ))
    return reports


# Rows of spellings compared with the columns per matrix (rows × columns × 4 bytes, three times).
_BLOCK = 1024
# Below a threshold by less than this, a pair is still scored by the matcher:
# the matrices hold float32, the threshold a float64.
_SLACK = 0.01


def _reachable(spellings: Sequence[Pattern], thresholds: Sequence[float],
               heard: Sequence[Pattern]) -> list[list[int]]:
    """For each spelling, in increasing order, the columns of ``heard`` whose
    similarity to it reaches its threshold (and is not 0): every window the
    matcher could report as it, and a few it will not (the matcher decides).

    similarity() is 0 unless the joined lengths are within MIN_LENGTH_RATIO;
    a short spelling or window (SHORT_LENGTH letters) counts only when equal
    in letters or key; otherwise it is the best of three Indel ratios, each
    computed here for all pairs of similar length at once."""
    out: list[set[int]] = [set() for _ in spellings]
    by_joined: dict[str, list[int]] = {}
    by_key: dict[str, list[int]] = {}
    for j, window in enumerate(heard):
        if window.tokens:
            by_joined.setdefault(window.joined, []).append(j)
            by_key.setdefault(window.key, []).append(j)
    for i, pattern in enumerate(spellings):  # equality: a short spelling or a short window
        for j in (*by_joined.get(pattern.joined, ()), *by_key.get(pattern.key, ())):
            if pattern.short or heard[j].short:
                out[i].add(j)
    rows = sorted((i for i, p in enumerate(spellings) if not p.short), key=lambda i: len(spellings[i].joined))
    columns = sorted((j for j, w in enumerate(heard) if w.tokens and not w.short), key=lambda j: len(heard[j].joined))
    column_lengths = np.array([len(heard[j].joined) for j in columns])
    for start in range(0, len(rows), _BLOCK):
        block = rows[start:start + _BLOCK]
        shortest, longest = len(spellings[block[0]].joined), len(spellings[block[-1]].joined)
        first = int(np.searchsorted(column_lengths, MIN_LENGTH_RATIO * shortest - 1e-9))
        last = int(np.searchsorted(column_lengths, longest / MIN_LENGTH_RATIO + 1e-9, side="right"))
        if first >= last:
            continue
        near = columns[first:last]
        # Heard × spellings: for the terms against each other, the longer
        # list is then rapidfuzz's packed side (a third faster; the ratio is symmetric).
        best = np.zeros((len(near), len(block)), dtype=np.float32)
        for form in ("spaced", "joined", "key"):
            np.maximum(best, process.cdist([getattr(heard[j], form) for j in near],
                                           [getattr(spellings[i], form) for i in block],
                                           scorer=fuzz.ratio, dtype=np.float32, workers=-1), out=best)
        least = np.array([thresholds[i] for i in block], dtype=np.float32) - _SLACK
        # a flat index: a 2-D nonzero costs more than the matrices
        c, r = np.divmod(np.flatnonzero((best >= least) & (best > 0)), len(block))
        for row, column in zip(r.tolist(), c.tolist()):
            out[block[row]].add(near[column])
    return [sorted(found) for found in out]
