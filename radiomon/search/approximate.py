"""Approximate search ("búsqueda aproximada"): the archive's words that sound like a query word.

Whisper writes what it does not know by ear: "DIF" became "deef", the
alcaldesa "calmesa", the tianguis "tiangis". Exact search cannot find those
sentences; this module proposes, for each word typed, the words of the
archive's vocabulary (radiomon/archive/vocabulary.py) that may be it:

* the same Spanish phonetic key as the matcher's
  (:func:`radiomon.keywords.phonetic.word_key`: "diff" and "dif" are "dif"), or
* for words of :data:`LONG` letters or more, a fuzzy ratio of at least
  :data:`MIN_SCORE` on the letters or on the keys ("calmesa" is 75 alike to
  "alcaldesa", "tiangis" 93 to "tianguis");
* for shorter ones (acronyms, mostly) only the same consonants in the key,
  one letter more or less at most: Whisper changes an acronym's vowels
  ("deef"), while a ratio of 75 on three letters would take "dio" for "dif".

Flooding is what makes approximate search useless, so, by rule:

* stopwords and words under :data:`MIN_LENGTH` letters are never approximated
  ("de" finds "de"), and a stopword is never proposed;
* for a query word that is a frequent Spanish word (radiomon/data/spanish-words.txt),
  another frequent word is proposed only with the same phonetic key:
  "alcalde" is another word, not a mishearing of "alcaldesa", while
  "calmesa" is no word at all;
* at most :data:`MAX_VARIANTS` per query word, the closest first.

The vocabulary is held in memory per archive file (:func:`sound_index`),
refreshed with what was added since (the ``added`` column), so a query
scores a station-year's words without reading them from disk.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.phonetic import word_key

if TYPE_CHECKING:
    from radiomon.archive import Archive

MIN_LENGTH = 3
LONG = 5
# The matcher's ANCHOR_MIN_SCORE: Whisper's mishearings of Moroleón score 75
# ("nemoreon") to 86 ("moreon"), and "calmesa" for "alcaldesa" is 75.
MIN_SCORE = 75
MAX_VARIANTS = 8
_VOWELS = str.maketrans("", "", "aeiou")


@dataclass(frozen=True)
class Variant:
    word: str  # as the index folds it
    of: str  # the query word (folded) it may stand for
    score: float  # 0–100: how alike (letters or phonetic key)


@lru_cache(maxsize=1)
def frequent_words() -> frozenset[str]:
    """The packaged list of frequent Spanish words (folded), read once per process."""
    text = (resources.files("radiomon") / "data" / "spanish-words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def skeleton(key: str) -> str:
    """A phonetic key without its vowels: "dif" and "def" are both "df"."""
    return key.translate(_VOWELS)


def approximable(word: str) -> bool:
    """Whether a query word gets approximate variants at all."""
    return len(word) >= MIN_LENGTH and word not in STOPWORDS and not word.isdigit()


def acceptable(query: str, query_key: str, word: str, key: str) -> bool:
    """The anti-flood rules for a proposed ``word`` (see the module doc)."""
    if word == query or word in STOPWORDS or len(word) < 2 or word.isdigit():
        return False
    if key == query_key:
        return True
    # Two real words are two words ("alcalde" is not "alcaldesa" misheard); a word typed that is
    # none (a name, or Whisper's spelling typed back: "tiangis") may well be a real one.
    return word not in frequent_words() or query not in frequent_words()


def score(query: str, word: str) -> float:
    """How alike two folded words are: the better of their letters and their phonetic keys (0–100)."""
    return max(fuzz.ratio(query, word), fuzz.ratio(word_key(query), word_key(word)))


@dataclass
class SoundIndex:
    """The vocabulary in memory: words, their keys, and the short words by key skeleton."""

    words: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    by_skeleton: dict[str, list[int]] = field(default_factory=dict)
    watermark: int = 0  # the highest ``added`` read
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, rows: list[tuple[str, str, int]]) -> None:
        for word, key, added in rows:
            index = len(self.words)
            self.words.append(word)
            self.keys.append(key)
            if len(word) <= LONG + 1:
                self.by_skeleton.setdefault(skeleton(key), []).append(index)
            self.watermark = max(self.watermark, added)

    def variants(self, query: str, *, limit: int = MAX_VARIANTS) -> list[Variant]:
        """The vocabulary's words that may be ``query`` misheard, closest first (none for a stopword)."""
        if not approximable(query):
            return []
        query_key = word_key(query)
        found: dict[int, float] = {}
        if len(query) < LONG:
            shape = skeleton(query_key)
            for i in self.by_skeleton.get(shape, ()):
                if abs(len(self.keys[i]) - len(query_key)) <= 1:
                    found[i] = max(fuzz.ratio(query, self.words[i]), fuzz.ratio(query_key, self.keys[i]))
        else:
            for choices, typed in ((self.words, query), (self.keys, query_key)):
                for _, value, i in process.extract(typed, choices, scorer=fuzz.ratio, score_cutoff=MIN_SCORE,
                                                   limit=None):
                    found[i] = max(found.get(i, 0.0), value)
        chosen = [Variant(self.words[i], query, round(value, 1)) for i, value in found.items()
                  if acceptable(query, query_key, self.words[i], self.keys[i])]
        chosen.sort(key=lambda v: (-v.score, v.word))
        return chosen[:limit]


    def glued_variants(self, typed: list[str], *, limit: int = MAX_VARIANTS) -> list[Variant]:
        """Words of the vocabulary that may be two adjacent query words heard as one: Whisper writes
        "DIF Moroleón", said as letters ("de i efe") and a name, as "neyefemoreón". Each pair of words
        typed is glued, with a short one (an acronym) also spelled out by its letters' names, and scored
        as one long word (:data:`MIN_SCORE`); a Variant's ``of`` is the pair, "dif moroleon"."""
        found: list[Variant] = []
        for first, second in zip(typed, typed[1:]):
            if first in STOPWORDS or len(first) < 2 or first.isdigit() or not approximable(second):
                continue
            forms = {a + b for a in (first, *spelled(first)) for b in (second, *spelled(second))}
            best: dict[int, float] = {}
            for form in forms:
                for _, value, i in process.extract(form, self.words, scorer=fuzz.ratio, score_cutoff=MIN_SCORE,
                                                   limit=None):
                    if len(self.words[i]) >= GLUED_MIN_LENGTH:
                        best[i] = max(best.get(i, 0.0), value)
            of = f"{first} {second}"
            chosen = [Variant(self.words[i], of, round(value, 1)) for i, value in best.items()
                      if self.words[i] not in STOPWORDS and self.words[i] not in frequent_words()
                      and self.words[i] not in (first, second)]
            chosen.sort(key=lambda v: (-v.score, v.word))
            found.extend(chosen[:limit])
        return found


# Spanish letter names, for an acronym said letter by letter ("DIF": "de i efe").
LETTER_NAMES = {"a": "a", "b": "be", "c": "ce", "d": "de", "e": "e", "f": "efe", "g": "ge", "h": "hache", "i": "i",
                "j": "jota", "k": "ka", "l": "ele", "m": "eme", "n": "ene", "ñ": "eñe", "o": "o", "p": "pe", "q": "cu",
                "r": "erre", "s": "ese", "t": "te", "u": "u", "v": "uve", "w": "doble u", "x": "equis", "y": "ye",
                "z": "zeta"}
ACRONYM_MAX = 4
GLUED_MIN_LENGTH = 7


def spelled(word: str) -> tuple[str, ...]:
    """A short word (an acronym: "dif", "sapam") spelled out by its letters' names, glued: ("deiefe",);
    () for a longer word or one with other characters."""
    if not 2 <= len(word) <= ACRONYM_MAX or not all(ch in LETTER_NAMES for ch in word):
        return ()
    return ("".join(LETTER_NAMES[ch].replace(" ", "") for ch in word),)


_indexes: dict[str, SoundIndex] = {}
_indexes_lock = threading.Lock()


def sound_index(archive: Archive) -> SoundIndex:
    """The archive's vocabulary in memory, brought up to date (one per archive file and process)."""
    path = str(archive.path.resolve())
    with _indexes_lock:
        index = _indexes.setdefault(path, SoundIndex())
        if archive.vocabulary_done() < index.watermark:  # another archive now at this path
            index = _indexes[path] = SoundIndex()
    with index.lock:
        index.add(archive.vocabulary_added_after(index.watermark))
    return index


def forget_indexes() -> None:
    """Drop every in-memory vocabulary (an archive replaced by another at the same path)."""
    with _indexes_lock:
        _indexes.clear()
