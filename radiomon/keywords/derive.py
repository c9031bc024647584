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
cached, since keywords.yml is loaded again on every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Mapping, Sequence

from rapidfuzz import fuzz, process

from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.patterns import compile_pattern, similarity, window_pattern
from radiomon.keywords.phonetic import word_key

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

    @classmethod
    def from_words(cls, words: Sequence[str]) -> "Lexicon":
        ranks: dict[str, int] = {}
        for i, w in enumerate(words):
            ranks.setdefault(w, i)
        return cls(tuple(words), tuple(word_key(w) for w in words), ranks)

    def rank(self, word: str) -> int:
        """The folded ``word``'s place in the list, most frequent 0; the list's
        length when it is not there."""
        return self.ranks.get(word, len(self.words))

    def closest(self, token: str, limit: int) -> list[str]:
        """Up to ``limit`` words closest to ``token`` by spelling or sound, closest first."""
        found: dict[str, float] = {}
        for query, choices in ((token, self.words), (word_key(token), self.keys)):
            for _, score, index in process.extract(query, choices, scorer=fuzz.ratio, limit=CANDIDATES):
                word = self.words[index]
                found[word] = max(found.get(word, 0.0), score)
        return sorted(found, key=lambda w: -found[w])[:limit]


@lru_cache(maxsize=1)
def packaged_lexicon() -> Lexicon:
    """radiomon/data/spanish-words.txt, read once per process."""
    text = (resources.files("radiomon") / "data" / "spanish-words.txt").read_text(encoding="utf-8")
    return Lexicon.from_words([line for line in text.splitlines() if line and not line.startswith("#")])


def derive(spelling: str, own: Sequence[str], exclude: Sequence[str], default: float,
           lexicon: Lexicon | None = None) -> Derivation:
    """The threshold for ``spelling``, one of a term's ``own`` spellings, with
    its ``exclude`` look-alikes, under the file's ``default`` (see the module doc)."""
    return _derive(spelling, tuple(own), tuple(exclude), float(default), lexicon or packaged_lexicon())


@lru_cache(maxsize=4096)
def _derive(spelling: str, own: tuple[str, ...], exclude: tuple[str, ...], default: float,
            lexicon: Lexicon) -> Derivation:
    pattern = compile_pattern(spelling)
    floor = length_floor(len(pattern.joined))
    own_tokens = {t for s in own for t in compile_pattern(s).tokens} | set(pattern.tokens)
    own_forms = {_stem(t) for t in own_tokens}
    own_joined = {compile_pattern(s).joined for s in own}
    scored = [(similarity(compile_pattern(x), pattern), x) for x in exclude]
    for variant in _variants(pattern.tokens, own_forms, lexicon):
        if "".join(variant) not in own_joined:
            scored.append((similarity(window_pattern(variant), pattern), " ".join(variant)))
    nearest_score, nearest = max(scored, default=(0.0, ""))
    if not nearest_score:
        nearest = ""
    wanted = max(floor, nearest_score + GAP)
    return Derivation(threshold=min(wanted, default), floor=floor, nearest=nearest, nearest_score=nearest_score,
                      capped=wanted > default)


def _variants(tokens: Sequence[str], own_forms: set[str], lexicon: Lexicon) -> list[tuple[str, ...]]:
    """Frequent words or phrases that could be heard for the spelling's tokens:
    for one word, its closest frequent words; for several, the spelling with
    one word (not a stopword nor an acronym) replaced by a close frequent one.
    Words that are a form of one of the term's own words are left out."""
    out = []
    for i, token in enumerate(tokens):
        if token in STOPWORDS or (len(tokens) > 1 and len(token) <= 3):
            continue
        limit = CANDIDATES if len(tokens) == 1 else NEIGHBOURS
        for word in lexicon.closest(token, limit + len(own_forms)):
            if _stem(word) not in own_forms:
                out.append((*tokens[:i], word, *tokens[i + 1:]))
    return out


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

