"""A spelling compiled for comparison, and the similarity score between two.

Both keywords.yml spellings and windows of heard words become a
:class:`Pattern`: its tokens, the tokens spaced and joined, and the phonetic
key of the joined form. :func:`similarity` is the one place that decides how
close a window is to a spelling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

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
    key: str  # phonetic key of ``joined``
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
    """The pattern of already-normalized tokens (a window of heard words)."""
    glued = joined(tokens)
    return Pattern(
        text=text or " ".join(tokens),
        tokens=tuple(tokens),
        spaced=" ".join(tokens),
        joined=glued,
        key=word_key(glued),
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
