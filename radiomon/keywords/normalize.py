"""Spanish text normalization for matching, keeping track of source words.

``normalize("¡El H. Ayuntamiento de Moroleón, en la calle Veinte!")`` →
``"el honorable ayuntamiento de moroleon en la calle 20"``.

Decisions (each one applies to keywords.yml and transcripts alike, so only
consistency matters, not linguistics):

* lowercase; accents and diaeresis are dropped (``á``→``a``, ``ü``→``u``);
* **ñ is treated as n.** Whisper and people typing keywords.yml both drop the
  tilde now and then ("Piñícuaro"/"Pinicuaro"); the words it would merge
  (año/ano) are not proper nouns, and the matcher is fuzzy anyway;
* dotted acronyms lose their dots (``D.I.F.`` → ``dif``) and a few office
  abbreviations are spelled out when written with a period (``H.`` →
  ``honorable``, ``Col.`` → ``colonia``) because Whisper writes either form;
* thousands separators go (``1,500`` → ``1500``); other punctuation becomes a
  word break (``Obras-Públicas`` → ``obras publicas``);
* numbers become digits, whether written as digits or words (``veintiuno``
  → ``21``; see :mod:`radiomon.keywords.numbers`).

Joining adjacent words ("Moro León" ↔ "Moroleón") is the matcher's job: it
compares windows of tokens both spaced and joined.

:func:`tokenize_words` keeps, for every token, the indices of the source words
it came from, so a match can be mapped back to word timestamps.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from radiomon.keywords.numbers import NUMBER_WORDS, parse_number

# Written with a period in official names; spelled out so "H. Ayuntamiento"
# and "Honorable Ayuntamiento" normalize alike. Only with the period: a bare
# "col" or "av" is left alone.
ABBREVIATIONS = {
    "h": "honorable",
    "col": "colonia",
    "fracc": "fraccionamiento",
    "av": "avenida",
    "gto": "guanajuato",
    "mich": "michoacan",
    "pdte": "presidente",
}

_DOTTED_ACRONYM = re.compile(r"\b(?:[^\W\d_]\.){2,}")
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")
_ABBREVIATION = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")\.", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


class Token(NamedTuple):
    """A normalized word and the source words it covers (inclusive indices).

    A named tuple rather than a dataclass: a full re-match makes millions."""

    text: str
    first: int
    last: int


def strip_accents(text: str) -> str:
    """Lowercase and drop combining marks: "Piñícuaro" → "pinicuaro".

    Decomposed before lowercasing too: compatibility forms such as "𝕊" (a
    styled letter) only become "S" in NFKD, which must then be lowercased."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Cached: transcripts repeat a small vocabulary (Zipf), and folding every
# word of a station-year through four regexes dominated a full re-match
# (radiomon/pipeline/match/, benchmarks/match.py).
@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Lowercase, accent-free words separated by single spaces (no number handling)."""
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _THOUSANDS.sub("", text)
    text = _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1).lower()] + " ", text)
    return _NOT_WORD.sub(" ", strip_accents(text)).strip()


def tokenize_words(words: Sequence[str]) -> list[Token]:
    """Normalize a sequence of source words (Whisper's word list) into tokens.

    One source word may give several tokens ("Obras-Públicas") and several
    source words may give one token ("dos mil" → "2000"); each token records
    the range of source-word indices it came from.
    """
    pieces: list[tuple[str, int]] = [
        (piece, index) for index, word in enumerate(words) for piece in fold(word).split()
    ]
    if NUMBER_WORDS.isdisjoint([piece for piece, _ in pieces]):  # the common case, same result
        return [Token(piece, index, index) for piece, index in pieces]
    return list(merge_numbers(pieces))


def tokenize(text: str) -> list[Token]:
    """Tokens of a free text; indices refer to its whitespace-separated words."""
    return tokenize_words(text.split())


def normalize(text: str) -> str:
    """The normalized form of a text, as one space-separated string."""
    return " ".join(token.text for token in tokenize(text))


def normalize_word(word: str) -> str:
    """Normalize one vocabulary word ("Moroleón" → "moroleon", "tres" → "3")."""
    return " ".join(token.text for token in tokenize_words([word]))


def joined(tokens: Iterable[str]) -> str:
    """Tokens glued together, the form that compares "moro leon" with "moroleon"."""
    return "".join(tokens)


def merge_numbers(pieces: Sequence[tuple[str, int]]) -> Iterable[Token]:
    """(folded piece, source index) pairs → tokens, numbers said in words merged into one."""
    texts = [text for text, _ in pieces]
    i = 0
    while i < len(pieces):
        # Most words are not number words: skip the parser for them (same result).
        number = parse_number(texts, i) if texts[i] in NUMBER_WORDS else None
        if number is None:
            text, index = pieces[i]
            yield Token(text, index, index)
            i += 1
            continue
        value, used = number
        yield Token(str(value), pieces[i][1], pieces[i + used - 1][1])
        i += used
