"""Thresholds for the terms keywords.yml gives none: from the term itself.

An office writes its terms plainly, and the file's one default threshold
(88) is too strict for a name Whisper does not know ("Morreón" for Moroleón
scores 86) and about right for a term next to everyday words (Acámbaro and
"acabar", 86). What decides is how close real Spanish comes to the
spelling: a threshold just above the closest frequent word keeps every
real word out and lets in every mishearing closer than that. So a spelling
without its own threshold gets

    max(the floor its length allows, closest frequent word + GAP),

and never more than the file's default (a derived threshold only ever
forgives more than the default would; a term that real words come closer
to than the default is left at the default, and ``radiomon keywords check``
lists those words).

* The frequent words are the packaged list (radiomon/data/spanish-words.txt,
  the 50,000 most frequent Spanish words), the term's own ``exclude``
  look-alikes, and for a term of several words, the term with one of its
  words replaced by a frequent neighbour ("desarrollo sostenible" for
  Desarrollo Social). Whisper writes frequent words; a rare dictionary
  word one letter from a name ("morlona") is not what it hears in
  "Moroleón".
* The term's own forms are not look-alikes: its spellings and the words
  that differ from one only in the ending of gender or number (regidor,
  regidora, regidores), which are the term said another way.
* The floor (:func:`length_floor`) keeps a short word strict, where one
  letter is a larger share and chance look-alikes are many.

Pure but for reading the list once per process; each spelling's result is
cached, since keywords.yml is loaded again on every change. A whole file is
derived at once (:func:`derive_all`): every word of every term against the
50,000 words in a few matrix passes, not one search of the list per word
(10,000 terms took minutes that way).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import chain
from typing import Mapping, Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.patterns import Pattern, compile_pattern, similarities, similarity
from radiomon.keywords.phonetic import word_key, word_keys

# Points above the closest frequent word: its score plus a letter's worth of
# slack in a word of 30 (matcher scores are Indel ratios, so a window that is
# that word with one more letter changed scores a little lower, never higher).
GAP = 3.0
# A derived threshold is never below this: the matcher's anchor score (75)
# plus room, and the lowest a tuned keywords.yml needed (Moroleón, 80).
LOWEST = 80.0
# Neighbours of each word of a term of several words that are tried in its place.
NEIGHBOURS = 8
# Candidates read from the list for each form compared (spelling, phonetic key)
# before exact scoring: the closest by either form is among them.
CANDIDATES = 40


@dataclass(frozen=True)
class Derivation:
    """How a spelling's threshold was derived (for ``radiomon keywords check``)."""

    threshold: float
    floor: float  # what the spelling's length allows
    nearest: str  # the closest frequent word or phrase that is not the term ("" when none)
    nearest_score: float  # its score against the spelling
    capped: bool  # the file's default was lower, and applies

    @property
    def reason(self) -> str:
        """One line for ``radiomon keywords check``."""
        if self.capped:
            return f"the default: '{self.nearest}' scores {self.nearest_score:.0f}, too close to go lower"
        if self.nearest and self.nearest_score + GAP >= self.floor:
            return f"derived: '{self.nearest}' scores {self.nearest_score:.0f}, kept {GAP:.0f} points above it"
        closest = f"; closest word '{self.nearest}' scores {self.nearest_score:.0f}" if self.nearest else ""
        return f"derived: the lowest for its length{closest}"


def length_floor(letters: int) -> float:
    """The lowest threshold a spelling of this many letters (joined) may get.

    Eight letters or more: :data:`LOWEST`, one letter in five wrong
    ("Morreón", "Uriangatos"). Fewer, stricter, towards 88 at five letters,
    where one wrong letter is already a fifth of the word."""
    if letters >= 8:
        return LOWEST
    return min(88.0, LOWEST + (8 - letters) * 8 / 3)


@dataclass(frozen=True, eq=False)  # compared (and cached on) by identity: it is one list
class Lexicon:
    """The packaged frequent words and their phonetic keys, for nearest-word lookups."""

    words: tuple[str, ...]  # most frequent first
    keys: tuple[str, ...]
    ranks: Mapping[str, int]  # word → its place in ``words``
    # token → every word :meth:`closest` may return for it, closest first
    _closest: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _indexes: dict[str, "_LengthIndex"] = field(default_factory=dict, repr=False)

    @classmethod
    def from_words(cls, words: Sequence[str]) -> "Lexicon":
        ranks: dict[str, int] = {}
        for i, w in enumerate(words):
            ranks.setdefault(w, i)
        return cls(tuple(words), tuple(word_keys(words)), ranks)

    def rank(self, word: str) -> int:
        """The folded ``word``'s place in the list, most frequent 0; the list's
        length when it is not there."""
        return self.ranks.get(word, len(self.words))

    def closest(self, token: str, limit: int) -> list[str]:
        """Up to ``limit`` words closest to ``token`` by spelling or sound, closest first.

        The :data:`CANDIDATES` best by each form (Indel ratio of the token and
        of its key; on equal scores the more frequent word first), each word
        with its better score; the two lists merged by score, spelling's
        first on equal scores. Computed for many tokens at once by :meth:`prepare`."""
        if token not in self._closest:
            self.prepare([token])
        return self._closest[token][:limit]

    def prepare(self, tokens: Iterable[str]) -> None:
        """Find :meth:`closest`'s words for every token not seen yet, in batches."""
        new = [t for t in dict.fromkeys(tokens) if t not in self._closest]
        if not new:
            return
        if len(self._closest) + len(new) > _CACHED_TOKENS:  # a daemon reloads edited files for months
            self._closest.clear()
        by_word = self._index("words").best(new, CANDIDATES)
        by_key = self._index("keys").best([word_key(t) for t in new], CANDIDATES)
        words = self.words
        for token, spelled, sounded in zip(new, by_word, by_key):
            found: dict[str, float] = {}
            for index, score in chain(spelled, sounded):
                word = words[index]
                if word not in found or score > found[word]:
                    found[word] = score
            self._closest[token] = sorted(found, key=lambda w: -found[w])

    def _index(self, form: str) -> "_LengthIndex":
        if form not in self._indexes:
            self._indexes[form] = _LengthIndex(self.words if form == "words" else self.keys)
        return self._indexes[form]


# Tokens whose closest words a Lexicon keeps (a few MB).
_CACHED_TOKENS = 200_000
# Queries compared with the whole list per matrix (rows × 50,000 bytes of LCS).
_BLOCK = 512
# Ratios (percent) a query's limit-th best is tried against, highest first: the
# words reaching the first one that at least limit words reach are all that
# is sorted (0: every word, for a query nothing comes close to). The 40th
# closest of a name or a word is mostly at 60–80.
_LEVELS = (70, 60, 50, 35, 20, 0)


class _LengthIndex:
    """A word list sorted by length, for the ``limit`` best of many queries at once.

    Exactly what ``rapidfuzz.process.extract(query, choices, scorer=fuzz.ratio,
    limit=limit)`` gives (index, best score first, then lowest index), from
    one LCS matrix per batch of queries of one length (bit-parallel, all
    cores). The ratio is 2·LCS / (q + l), so for a query of q letters, a
    ratio of at least c% is an LCS of at least c·(q + l)/200 with a word of l
    letters: per level c of :data:`_LEVELS`, highest first, the words of
    each length are compared with that one number (a flat index of the
    comparison: a tenth of the matrix's cost, where a 2-D ``nonzero`` or a
    count per row costs more than the matrix), and a query that at least
    ``limit`` words reach is done. Every word at its level is read out, so
    its limit-th best and the ties of it are among them, and only those
    (tens to hundreds a query; most queries are done at 70 or 60) are
    sorted. Scores are compared as 2·LCS / (q + l) in floating point: equal
    ratios give equal quotients, different ones differ by far more than the
    rounding, so the order is rapidfuzz's. The first matrix holds only the
    words of the lengths that can reach :data:`_LEVELS`' second (a word of
    l letters scores at most 2·min(q, l)/(q + l)); the few queries left
    after it get one of every word.
    """

    def __init__(self, choices: Sequence[str]):
        lengths = np.array([len(c) for c in choices], dtype=np.int64)
        self.order = np.argsort(lengths, kind="stable")  # sorted position → index in choices
        self.sorted = [choices[i] for i in self.order.tolist()]
        self.lengths = lengths[self.order]
        unique = np.unique(self.lengths)
        # (length, first, past last position) of the words of each length
        self.buckets = list(zip(unique.tolist(), np.searchsorted(self.lengths, unique).tolist(),
                                np.searchsorted(self.lengths, unique, side="right").tolist()))
        self.dtype = np.uint8 if not len(lengths) or lengths.max() < 255 else np.uint16

    def best(self, queries: Sequence[str], limit: int) -> list[list[tuple[int, float]]]:
        out: list[list[tuple[int, float]]] = [[] for _ in queries]
        if not self.sorted:
            return out
        by_length: dict[int, list[int]] = {}
        for i, q in enumerate(queries):
            by_length.setdefault(len(q), []).append(i)
        for q, rows in by_length.items():
            for start in range(0, len(rows), _BLOCK):
                block = rows[start:start + _BLOCK]
                for row, found in zip(block, self._best_of_length([queries[i] for i in block], q, limit)):
                    out[row] = found
        return out

    def _best_of_length(self, queries: list[str], q: int, limit: int) -> list[list[tuple[int, float]]]:
        # Words × queries: the words are rapidfuzz's packed side (sorted by
        # length they pack well: twice as fast as the other way round), and
        # the words of one length are consecutive rows, compared with one number.
        # First only the words of the lengths that can reach the second
        # level (most queries are done by then); the others for the rest.
        near = [(s, e) for n, s, e in self.buckets if -(-_LEVELS[1] * (q + n) // 200) <= min(q, n)] or [(0, 0)]
        offset = near[0][0]
        lcs = process.cdist(self.sorted[offset:near[-1][1]], queries, scorer=LCSseq.similarity, dtype=self.dtype,
                            workers=-1)
        waiting = np.ones(len(queries), dtype=bool)  # queries short of limit words yet
        scanned, columns = lcs, np.arange(len(queries))  # what is compared, and its columns' queries
        rows, positions, values = [], [], []
        for step, level in enumerate(_LEVELS):
            pending = np.flatnonzero(waiting)
            if step == 2:  # every word, for the queries left
                offset = 0
                lcs = scanned = process.cdist(self.sorted, [queries[i] for i in pending.tolist()],
                                              scorer=LCSseq.similarity, dtype=self.dtype, workers=-1)
                columns = pending
            if level == 0 or q == 0:  # every word (an empty query scores 100 with an empty word only)
                if offset or len(lcs) < len(self.sorted):
                    offset = 0
                    scanned = process.cdist(self.sorted, [queries[i] for i in pending.tolist()],
                                            scorer=LCSseq.similarity, dtype=self.dtype, workers=-1)
                    columns = pending
                flat = np.flatnonzero(waiting[columns][None, :].repeat(len(scanned), axis=0))
                p, c = np.divmod(flat, len(columns))
                rows.append(columns[c])
                positions.append(p)
                values.append(scanned[p, c])
                break
            if 8 * len(pending) <= len(columns):  # the columns of the queries done left out, once they are
                # most (a gather of columns costs more than comparing them)
                scanned, columns = scanned[:, np.searchsorted(columns, pending)], pending
            width = len(columns)
            found = [np.flatnonzero(scanned[start - offset:stop - offset] >= least) + (start - offset) * width
                     for n, start, stop in self.buckets
                     for least in [-(-level * (q + n) // 200)] if least <= min(q, n)]
            p, c = np.divmod(np.concatenate(found) if found else np.zeros(0, dtype=np.int64), width)
            r = columns[c]
            open_ = waiting[r]
            p, c, r = p[open_], c[open_], r[open_]
            done = np.bincount(r, minlength=len(queries)) >= limit
            keep = done[r]
            rows.append(r[keep])
            positions.append(p[keep] + offset)
            values.append(scanned[p[keep], c[keep]])
            waiting &= ~done
            if not waiting.any():
                break
        r, p, lcs_of = np.concatenate(rows), np.concatenate(positions), np.concatenate(values)
        total = q + self.lengths[p]
        ratio = np.divide(2.0 * lcs_of, total, out=np.ones(len(r)), where=total > 0)
        index = self.order[p]
        picked = np.lexsort((index, -ratio, r))
        r, index, ratio = r[picked], index[picked], 100.0 * ratio[picked]
        firsts = np.searchsorted(r, np.arange(len(queries) + 1)).tolist()
        return [list(zip(index[a:min(b, a + limit)].tolist(), ratio[a:min(b, a + limit)].tolist()))
                for a, b in zip(firsts[:-1], firsts[1:])]


@lru_cache(maxsize=1)
def packaged_lexicon() -> Lexicon:
    """radiomon/data/spanish-words.txt, read once per process."""
    text = (resources.files("radiomon") / "data" / "spanish-words.txt").read_text(encoding="utf-8")
    return Lexicon.from_words([line for line in text.splitlines() if line and not line.startswith("#")])


def derive(spelling: str, own: Sequence[str], exclude: Sequence[str], default: float,
           lexicon: Lexicon | None = None) -> Derivation:
    """The threshold for ``spelling``, one of a term's ``own`` spellings, with
    its ``exclude`` look-alikes, under the file's ``default`` (see the module doc)."""
    return derive_all([(spelling, own, exclude, default)], lexicon)[0]


Request = tuple[str, Sequence[str], Sequence[str], float]  # derive()'s arguments


def derive_all(requests: Iterable[Request], lexicon: Lexicon | None = None) -> list[Derivation]:
    """:func:`derive` of many spellings at once: what :func:`derive` gives
    each, with the frequent words of all of them found in a few batches
    and every variant scored in one."""
    lexicon = lexicon or packaged_lexicon()
    keys = [(spelling, tuple(own), tuple(exclude), float(default), lexicon)
            for spelling, own, exclude, default in requests]
    missing = list(dict.fromkeys(k for k in keys if k not in _derived))
    if missing:
        if len(_derived) + len(missing) > _CACHED_DERIVATIONS:
            _derived.clear()
        _derived.update(zip(missing, _derive_batch(missing, lexicon)))
    return [_derived[k] for k in keys]


def clear_cache() -> None:
    """Forget derived thresholds and nearest words (benchmarks time a cold start)."""
    _derived.clear()
    packaged_lexicon()._closest.clear()


_derived: dict[tuple, Derivation] = {}
_CACHED_DERIVATIONS = 100_000


def _derive_batch(keys: list[tuple], lexicon: Lexicon) -> list[Derivation]:
    compiled: dict[str, Pattern] = {}  # a term's spellings come up once for each of them: compiled once

    def compile_(text: str) -> Pattern:
        if text not in compiled:
            compiled[text] = compile_pattern(text)
        return compiled[text]

    patterns = [compile_(key[0]) for key in keys]
    lexicon.prepare(token for pattern in patterns for _, token in _replaceable(pattern.tokens))
    windows: list[tuple[str, ...]] = []  # every variant of every spelling, and whose
    against: list[Pattern] = []
    owner: list[int] = []
    scored: list[list[tuple[float, str]]] = []
    for i, ((_, own, exclude, _, _), pattern) in enumerate(zip(keys, patterns)):
        own_tokens = {t for s in own for t in compile_(s).tokens} | set(pattern.tokens)
        own_forms = {_stem(t) for t in own_tokens}
        own_joined = {compile_(s).joined for s in own}
        scored.append([(similarity(compile_(x), pattern), x) for x in exclude])
        for variant in _variants(pattern.tokens, own_forms, lexicon):
            if "".join(variant) not in own_joined:
                windows.append(variant)
                against.append(pattern)
                owner.append(i)
    for i, variant, score in zip(owner, windows, similarities(windows, against).tolist()):
        scored[i].append((score, " ".join(variant)))
    out = []
    for key, pattern, candidates in zip(keys, patterns, scored):
        default = key[3]
        floor = length_floor(len(pattern.joined))
        nearest_score, nearest = max(candidates, default=(0.0, ""))
        if not nearest_score:
            nearest = ""
        wanted = max(floor, nearest_score + GAP)
        out.append(Derivation(threshold=min(wanted, default), floor=floor, nearest=nearest,
                              nearest_score=nearest_score, capped=wanted > default))
    return out


def _replaceable(tokens: Sequence[str]) -> Iterable[tuple[int, str]]:
    """(position, token) of the words of a spelling that :func:`_variants`
    replaces: not stopwords, nor acronyms in a spelling of several words."""
    for i, token in enumerate(tokens):
        if not (token in STOPWORDS or (len(tokens) > 1 and len(token) <= 3)):
            yield i, token


def _variants(tokens: Sequence[str], own_forms: set[str], lexicon: Lexicon) -> list[tuple[str, ...]]:
    """Frequent words or phrases that could be heard for the spelling's tokens:
    for one word, its closest frequent words; for several, the spelling with
    one word (not a stopword nor an acronym) replaced by a close frequent one.
    Words that are a form of one of the term's own words are left out."""
    out = []
    for i, token in _replaceable(tokens):
        limit = CANDIDATES if len(tokens) == 1 else NEIGHBOURS
        for word in lexicon.closest(token, limit + len(own_forms)):
            if _stem(word) not in own_forms:
                out.append((*tokens[:i], word, *tokens[i + 1:]))
    return out


@lru_cache(maxsize=200_000)  # the words of every term's neighbours, many times each
def _stem(word: str) -> str:
    """A word without the endings of gender and number ("regidoras" → "regidor",
    "pública" → "public"), to tell the term's own forms from other words."""
    for ending in ("es", "s"):
        if word.endswith(ending) and len(word) > len(ending) + 3:
            word = word[: -len(ending)]
            break
    if word[-1:] in ("a", "o", "e") and len(word) > 4:
        word = word[:-1]
    return word

