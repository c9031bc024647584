"""Upper bounds on the matcher's score of a window, from per-word figures.

A full re-match (``radiomon match --all``) cannot afford the matcher's
Python on every window of a station-year. This module decides, with numpy
and tables computed once per distinct word, which windows *could* reach a
spelling's threshold; only those are scored for real. It never drops a window
the matcher would report: every bound below is proven, and
tests/test_keywords_bounds.py checks them against the matcher's own
:func:`~radiomon.keywords.patterns.similarity` on random windows.

The matcher's score is the best of three Indel ratios, ``2·LCS / (A + B)``,
between the window and the spelling: spaced words, joined words, and the
phonetic key (the words' keys glued). For a window of tokens t₁ … tₖ and a
spelling S with threshold T (1 for short spellings, compared for equality):

* **LCS**: a common subsequence of the joined window and S splits into one
  part per token, so ``LCS ≤ Σ LCS(tᵢ, S)``; spaced, the k − 1 spaces can
  match at most ``min(k − 1, n − 1)`` of the spelling's spaces.
* **Bigrams**: with ratio ≥ T, at least ``(1.5 T − 1)(A + B) − 1`` bigrams
  of the window are bigrams of S (each unmatched letter of the window breaks
  at most two of its bigrams, each letter of S skipped at most one), while
  the window can share at most ``Σ m(tᵢ, S)`` of them inside its tokens
  (m: size of the bigram multiset intersection) plus one per word break
  joined, two spaced. The bigram bound is the sharper one for long
  spellings, the LCS bound for short ones; a window must pass both, for at
  least one of the three forms.

The bounds ignore everything else the matcher checks (stopwords at the
edges, acronyms heard exactly, exclusions, the length rule): those only ever
reject.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from radiomon.keywords.patterns import Pattern
from radiomon.keywords.phonetic import word_key

# A token that ends every window touching it (between recordings, and as
# padding): so long that no bound can pass.
WALL_LENGTH = 10_000
# Slack for the floating-point ratio rapidfuzz computes: never drop a window
# that the matcher's >= comparison would keep.
EPSILON = 1e-6


@dataclass(frozen=True)
class SpellingForms:
    """The spellings' figures the bounds need, as arrays (one entry per spelling)."""

    joined: tuple[str, ...]
    keys: tuple[str, ...]
    tokens: np.ndarray  # n: words in the spelling
    threshold: np.ndarray  # T in 0–1; 1 for short spellings (equality)
    length: np.ndarray  # letters joined
    key_length: np.ndarray

    @classmethod
    def of(cls, patterns: Sequence[Pattern], thresholds: Sequence[float]) -> "SpellingForms":
        return cls(
            joined=tuple(p.joined for p in patterns),
            keys=tuple(p.key for p in patterns),
            tokens=np.array([len(p.tokens) for p in patterns], dtype=np.int32),
            threshold=np.array([1.0 if p.short else t / 100 for p, t in zip(patterns, thresholds)]),
            length=np.array([len(p.joined) for p in patterns], dtype=np.int32),
            key_length=np.array([len(p.key) for p in patterns], dtype=np.int32),
        )


class WordTables:
    """Per (word, spelling) figures for a growing list of distinct words.

    Row 0 is the wall (see :data:`WALL_LENGTH`). :meth:`add` appends words;
    figures are computed with rapidfuzz and numpy over all spellings at once.
    The four per-spelling figures of a word (LCS and shared bigrams, of its
    letters and of its key; each < 256) are packed in one uint32, so the
    bounds gather them with one memory access instead of four.
    """

    def __init__(self, forms: SpellingForms):
        self.forms = forms
        self.words: list[str] = [""]
        self.keys: list[str] = [""]
        self.row: dict[str, int] = {}
        self._joined_bigrams = _bigram_counts(forms.joined)
        self._key_bigrams = _bigram_counts(forms.keys)
        self._packed = np.zeros((1024, len(forms.joined)), dtype=np.uint32)
        self._lengths = np.zeros(1024, dtype=np.int64)  # letters | key letters << 32
        self._lengths[0] = WALL_LENGTH | WALL_LENGTH << 32

    def add(self, words: Sequence[str]) -> None:
        new = [w for w in dict.fromkeys(words) if w not in self.row]
        if new:
            self.append(new, *self.compute(new))

    def compute(self, words: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(keys, packed figures, packed lengths) of ``words``, changing nothing:
        another process may compute them for :meth:`append`."""
        keys = [word_key(w) for w in words]
        forms = self.forms
        packed = _lcs(words, forms.joined).astype(np.uint32)
        packed |= _shared_bigrams(words, self._joined_bigrams).astype(np.uint32) << 8
        packed |= _lcs(keys, forms.keys).astype(np.uint32) << 16
        packed |= _shared_bigrams(keys, self._key_bigrams).astype(np.uint32) << 24
        lengths = np.array([len(w) | len(k) << 32 for w, k in zip(words, keys)], dtype=np.int64)
        return keys, packed, lengths

    def append(self, words: Sequence[str], keys: Sequence[str], packed: np.ndarray, lengths: np.ndarray) -> None:
        """Add new distinct words with what :meth:`compute` gave for them."""
        first = len(self.words)
        for word in words:
            self.row[word] = len(self.words)
            self.words.append(word)
        self.keys.extend(keys)
        if len(self.words) > len(self._packed):  # grow by doubling: appends stay cheap
            size = max(len(self.words), 2 * len(self._packed))
            self._packed = np.concatenate(
                [self._packed, np.zeros((size - len(self._packed), self._packed.shape[1]), dtype=np.uint32)]
            )
            self._lengths = np.concatenate([self._lengths, np.zeros(size - len(self._lengths), dtype=np.int64)])
        self._packed[first:len(self.words)] = packed
        self._lengths[first:len(self.words)] = lengths

    @property
    def packed(self) -> np.ndarray:
        return self._packed[:len(self.words)]

    @property
    def lengths(self) -> np.ndarray:
        return self._lengths[:len(self.words)]


def _lcs(words: Sequence[str], spellings: Sequence[str]) -> np.ndarray:
    if not words or not spellings:
        return np.zeros((len(words), len(spellings)), dtype=np.uint8)
    # An LCS is at most the spelling's length; spellings are far under 256 letters.
    return process.cdist(words, spellings, scorer=LCSseq.similarity, dtype=np.uint8, workers=-1)


def _bigram_counts(strings: Sequence[str]) -> list[dict[str, int]]:
    counts = []
    for text in strings:
        found: dict[str, int] = {}
        for i in range(len(text) - 1):
            found[text[i:i + 2]] = found.get(text[i:i + 2], 0) + 1
        counts.append(found)
    return counts


def _shared_bigrams(words: Sequence[str], spellings: list[dict[str, int]]) -> np.ndarray:
    """m[w, s]: size of the multiset intersection of the bigrams of word w and spelling s.

    min(a, b) = #{occurrences of a bigram in the word with rank < b}, rank
    counting that bigram's earlier occurrences in the word: for each rank r,
    (words × bigrams with an occurrence of rank r) @ (bigrams × spellings
    holding more than r of it), by blocks of words.
    """
    code: dict[str, int] = {}
    for counts in spellings:
        for bigram in counts:
            code.setdefault(bigram, len(code))
    out = np.zeros((len(words), len(spellings)), dtype=np.uint8)
    if not code or not words:
        return out
    wanted = np.zeros((len(code), len(spellings)), dtype=np.float32)
    for column, counts in enumerate(spellings):
        for bigram, n in counts.items():
            wanted[code[bigram], column] = n
    pieces = [word[i:i + 2] for word in words for i in range(len(word) - 1)]
    owner_a = np.repeat(np.arange(len(words), dtype=np.int64), [max(len(w) - 1, 0) for w in words])
    codes_a = np.array([code.get(p, -1) for p in pieces], dtype=np.int64)
    kept = codes_a >= 0  # a bigram in no spelling shares nothing
    owner_a, codes_a = owner_a[kept], codes_a[kept]
    # rank: earlier occurrences of the same bigram in the same word
    key = owner_a * len(code) + codes_a
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    group_start = np.flatnonzero(np.concatenate([[True], sorted_key[1:] != sorted_key[:-1]]))
    rank_sorted = np.arange(len(key)) - np.repeat(group_start, np.diff(np.concatenate([group_start, [len(key)]])))
    ranks_a = np.empty(len(key), dtype=np.int64)
    ranks_a[order] = rank_sorted
    block = 8_192
    for start in range(0, len(words), block):
        stop = min(start + block, len(words))
        lo, hi = np.searchsorted(owner_a, [start, stop])
        shared = np.zeros((stop - start, len(spellings)), dtype=np.float32)
        for rank in np.unique(ranks_a[lo:hi]).tolist():
            pick = np.flatnonzero(ranks_a[lo:hi] == rank) + lo
            present = np.zeros((stop - start, len(code)), dtype=np.float32)
            present[owner_a[pick] - start, codes_a[pick]] = 1
            shared += present @ (wanted > rank).astype(np.float32)
        out[start:stop] = np.minimum(shared, 255).astype(np.uint8)
    return out


def feasible_windows(stream: np.ndarray, positions: np.ndarray, spellings: np.ndarray,
                     tables: WordTables) -> np.ndarray:
    """Windows that could reach their spelling's threshold.

    ``stream`` holds word rows (of ``tables``) with walls between
    recordings and at least ``max n + 1`` walls at both ends; each
    (``positions[i]``, ``spellings[i]``) is an anchor: a word that may take
    part in that spelling. Windows are the matcher's: n − 1, n and n + 1
    words (n: the spelling's words) holding the anchor. Returns an (m, 3)
    array of distinct (first position, length, spelling).
    """
    forms = tables.forms
    packed_table, length_table = tables.packed, tables.lengths
    found = []
    n_of = forms.tokens[spellings]
    for n in np.unique(n_of).tolist():
        pick = n_of == n
        pos, sp = positions[pick], spellings[pick]
        rows = stream[pos[:, None] + np.arange(-n, n + 1)[None, :]]  # (pairs, 2n + 1) word rows around the anchor
        # One gather each; the four 8-bit figures are spread into 16-bit
        # fields of an int64 so one cumsum sums all four (13 × 255 < 2¹⁶).
        gathered = packed_table[rows, sp[:, None]].astype(np.int64)
        spread = (
            (gathered & 0xFF) | (gathered & 0xFF00) << 8 | (gathered & 0xFF0000) << 16 | (gathered & 0xFF000000) << 24
        )
        zeros = np.zeros((len(pos), 1), dtype=np.int64)
        figures = np.concatenate([zeros, np.cumsum(spread, axis=1)], axis=1)
        lengths = np.concatenate([zeros, np.cumsum(length_table[rows], axis=1)], axis=1)
        t = forms.threshold[sp]
        c = 1.5 * t - 1
        spelling_length = forms.length[sp]
        spelling_key_length = forms.key_length[sp]
        for k in range(max(1, n - 1), n + 2):
            breaks = k - 1
            for first in range(n - k + 1, n + 1):  # local start; the anchor sits at local index n
                window = figures[:, first + k] - figures[:, first]
                w_lcs, w_bigrams = window & 0xFFFF, window >> 16 & 0xFFFF
                w_key_lcs, w_key_bigrams = window >> 32 & 0xFFFF, window >> 48
                letters = lengths[:, first + k] - lengths[:, first]
                joined_total = (letters & 0xFFFFFFFF) + spelling_length
                spaced_total = joined_total + breaks + (n - 1)
                key_total = (letters >> 32) + spelling_key_length
                joined_ok = (2 * w_lcs >= t * joined_total - EPSILON) & \
                            (w_bigrams + breaks >= c * joined_total - 1 - EPSILON)
                spaced_ok = (2 * (w_lcs + min(breaks, n - 1)) >= t * spaced_total - EPSILON) & \
                            (w_bigrams + 2 * breaks >= c * spaced_total - 1 - EPSILON)
                key_ok = (2 * w_key_lcs >= t * key_total - EPSILON) & \
                         (w_key_bigrams + breaks >= c * key_total - 1 - EPSILON)
                ok = np.flatnonzero(joined_ok | spaced_ok | key_ok)
                if len(ok):
                    found.append(np.stack([pos[ok] + (first - n), np.full(len(ok), k), sp[ok]], axis=1))
    if not found:
        return np.zeros((0, 3), dtype=np.int64)
    return np.unique(np.concatenate(found).astype(np.int64), axis=0)
