"""A spelling compiled for comparison, and the similarity score between two.

Both keywords.yml spellings and windows of heard words become a
:class:`Pattern`: its tokens, the tokens spaced and joined, and the phonetic
key of the joined form. :func:`similarity` is the one place that decides how
close a window is to a spelling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.normalize import fold, joined, tokenize
from radiomon.keywords.phonetic import word_key

# A spelling of at most this many letters (DIF, IMSS, León) is compared only
# for equality (of spelling or of phonetic key): one edit in three letters is
# another word ("NIF", "DIF" and "IF" are 67% alike), and Whisper gets short
# acronyms right or badly wrong, rarely one letter off.
SHORT_LENGTH = 4

# Windows much shorter or longer than the spelling are not compared at all:
# "leon" is 50% of "moroleon" and must not count as it. The Indel ratio already
# penalizes length, but weakly once a term's threshold is lowered; 0.7 still
# lets through the measured mishearing "Moreón" (6 of 8 letters of "Moroleón").
MIN_LENGTH_RATIO = 0.7


@dataclass(frozen=True)
class Pattern:
    """The comparable forms of a spelling or of a window of heard words."""

    text: str  # as written
    tokens: tuple[str, ...]  # normalized words
    spaced: str  # "obras publicas"
    joined: str  # "obraspublicas": compares with "obras publicas" and "obraspúblicas"
    key: str  # phonetic keys of the tokens, glued (see window_pattern)
    acronyms: tuple[str, ...] = ()  # tokens written in capitals (DIF): heard exactly or not at all

    @property
    def short(self) -> bool:
        return len(self.joined) <= SHORT_LENGTH

    @property
    def starts_with_stopword(self) -> bool:
        return bool(self.tokens) and self.tokens[0] in STOPWORDS

    @property
    def ends_with_stopword(self) -> bool:
        return bool(self.tokens) and self.tokens[-1] in STOPWORDS


def compile_pattern(text: str) -> Pattern:
    """Compile a keywords.yml spelling ("DIF Moroleón", "Obras Públicas")."""
    tokens = tuple(token.text for token in tokenize(text))
    acronyms = tuple(
        fold(word) for word in text.split()
        if word.isalpha() and word.isupper() and 2 <= len(word) <= SHORT_LENGTH
    )
    return window_pattern(tokens, text, acronyms)


def window_pattern(tokens: Sequence[str], text: str = "", acronyms: tuple[str, ...] = ()) -> Pattern:
    """The pattern of already-normalized tokens (a window of heard words).

    The phonetic key is each token's key, glued: "Moro León" and "Moroleón"
    both key as "moroleon". Keying the glued letters instead would let sounds
    merge across a word break ("el lago" as "eyago"), which speech does not
    do, and it would make the key of a window depend on more than its words:
    the archive-wide re-match bounds a window's score from per-word figures
    (radiomon/keywords/bounds.py), which needs the key to be made of the
    words' keys.
    """
    return Pattern(
        text=text or " ".join(tokens),
        tokens=tuple(tokens),
        spaced=" ".join(tokens),
        joined=joined(tokens),
        key="".join(word_key(t) for t in tokens),
        acronyms=acronyms,
    )


def similarity(window: Pattern, spelling: Pattern) -> float:
    """0–100: how close heard words are to a spelling.

    The best of three Indel ratios (rapidfuzz ``fuzz.ratio``): spaced words,
    joined words (word splits and merges: "Moro León"), and the Spanish
    phonetic key (b/v, s/z/c, ll/y, h … : "Morreón" ≈ "Moreón").
    Short spellings score 100 on equality and 0 otherwise.
    """
    if spelling.short or window.short:
        same = window.joined == spelling.joined or window.key == spelling.key
        return 100.0 if same else 0.0
    shorter, longer = sorted((len(window.joined), len(spelling.joined)))
    if shorter < MIN_LENGTH_RATIO * longer:
        return 0.0
    return max(
        fuzz.ratio(window.spaced, spelling.spaced),
        fuzz.ratio(window.joined, spelling.joined),
        fuzz.ratio(window.key, spelling.key),
    )


def similarities(windows: Sequence[Sequence[str]], spellings: Sequence[Pattern],
                 keys: Sequence[str] | None = None) -> np.ndarray:
    """:func:`similarity` of many (window tokens, spelling) pairs at once,
    ``windows[i]`` against ``spellings[i]``, with rapidfuzz's batch scorer
    (the archive-wide re-match scores millions of windows). ``keys``: the
    windows' phonetic keys, when the caller has them."""
    if not windows:
        return np.zeros(0)
    spaced = [" ".join(tokens) for tokens in windows]
    joined_ = [s.replace(" ", "") for s in spaced]
    if keys is None:
        keys = ["".join(map(word_key, tokens)) for tokens in windows]
    scores = np.maximum.reduce([
        process.cpdist(spaced, [p.spaced for p in spellings], scorer=fuzz.ratio, dtype=np.float64, workers=-1),
        process.cpdist(joined_, [p.joined for p in spellings], scorer=fuzz.ratio, dtype=np.float64, workers=-1),
        process.cpdist(keys, [p.key for p in spellings], scorer=fuzz.ratio, dtype=np.float64, workers=-1),
    ])
    window_length = np.array([len(j) for j in joined_])
    spelling_length = np.array([len(p.joined) for p in spellings])
    shorter, longer = np.minimum(window_length, spelling_length), np.maximum(window_length, spelling_length)
    scores[shorter < MIN_LENGTH_RATIO * longer] = 0.0
    for i in np.flatnonzero((window_length <= SHORT_LENGTH) | (spelling_length <= SHORT_LENGTH)).tolist():
        same = joined_[i] == spellings[i].joined or keys[i] == spellings[i].key
        scores[i] = 100.0 if same else 0.0
    return scores
