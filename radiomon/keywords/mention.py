"""What the matcher reports: one :class:`Mention` per reference heard, and
how one is built from a spelling and the words it covers (:func:`mention_at`),
for :meth:`~radiomon.keywords.matcher.Matcher.find_mentions` and for the
archive-wide re-match, which chooses among candidates without it
(radiomon/pipeline/match/core.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from radiomon.transcript import Word

if TYPE_CHECKING:
    from radiomon.keywords.candidates import CompiledSpelling


@dataclass(frozen=True)
class Mention:
    """One reference to a keyword in the heard words."""

    group_id: str
    keyword: str  # the canonical term (keywords.yml ``term``), even when an alias matched
    matched: str  # the words actually heard, original spelling ("Moro León")
    score: float  # 0–100, see patterns.similarity
    start: float  # start of the first matched word (seconds)
    end: float  # end of the last matched word
    first_word_index: int  # into the words passed to find_mentions
    last_word_index: int
    segment_id: Any = None  # of the first matched word
    spelling: str = ""  # the keywords.yml spelling that matched: the term or one of its aliases


# Stripped from the ends of the words a mention reports ("Moroleón," is "Moroleón").
_OUTER_PUNCTUATION = " \t,.;:¡!¿?\"'«»()-…"


def mention_at(spelling: CompiledSpelling, score: float, words: Sequence[Word], first_word: int,
               last_word: int) -> Mention:
    """The mention of ``spelling`` heard in ``words[first_word..last_word]``."""
    heard = " ".join(w.text.strip() for w in words[first_word:last_word + 1])
    return Mention(
        group_id=spelling.group_id,
        keyword=spelling.keyword,
        matched=heard.strip(_OUTER_PUNCTUATION),
        score=round(score, 1),
        start=float(words[first_word].start),
        end=float(words[last_word].end),
        first_word_index=first_word,
        last_word_index=last_word,
        segment_id=words[first_word].segment_id,
        spelling=spelling.pattern.text,
    )


__all__ = ["Mention", "mention_at"]
