"""A rescoring rewrite and how it is applied to a segment's words (pure).

Keyword rescoring (:mod:`~radiomon.pipeline.transcribe.rescore`) proposes
to replace some of a segment's words by a keywords.yml spelling; this
module says what such a rewrite is and writes it into the words, the text
and the word times. Rewritten words take the time span of the words they
replace.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from radiomon.keywords.words import ends_sentence, spell
from radiomon.transcript import Segment, Word


@dataclass(frozen=True)
class Rewrite:
    """Words ``first..last`` of a segment replaced by a keywords.yml spelling."""

    first: int
    last: int
    spelling: str
    keyword: str
    group_id: str
    score: float  # the matcher's score of the words heard
    # Found only because ANCHOR_REACH let a farther word anchor it: the model
    # must prefer the name to its own text (FAR_GAIN), not merely allow it.
    far: bool = False
    # A word said before the name that Whisper glued to it ("necuite o" for
    # "de Cuitzeo"): written before the spelling.
    particle: str = ""


def apply(words: Sequence[Word], rewrites: Sequence[Rewrite]) -> list[Word]:
    """``words`` with each rewrite's words replaced by its spelling (pure).

    The spelling keeps the punctuation around the words it replaces and the
    capital of the first one; its words share out, by letters, the time the
    replaced words took. Word for word (as many words as it replaces), each
    keeps its own punctuation and time: "DEF, Moroleón," is asked about as
    "DIF, Moroleón,", so the model compares names, not commas (dropping the
    decoder's comma had cost that question 6 nats).
    """
    out: list[Word] = []
    at = 0
    for r in sorted(rewrites, key=lambda r: r.first):
        out.extend(words[at:r.first])
        old = words[r.first:r.last + 1]
        lead = leading_punctuation(old[0].text.strip())
        trail = trailing_punctuation(old[-1].text.strip())
        new = f"{r.particle} {r.spelling}".split()
        if old[0].text.strip().lstrip(lead)[:1].isupper():
            new[0] = new[0][:1].upper() + new[0][1:]
        at = r.last + 1
        if len(new) == len(old) > 1:
            out.extend(
                Word(" " + leading_punctuation(o.text.strip()) + n + trailing_punctuation(o.text.strip()),
                     o.start, o.end, None)
                for o, n in zip(old, new)
            )
            continue
        new[0] = lead + new[0]
        new[-1] = new[-1] + trail
        start, end = old[0].start, old[-1].end
        total = sum(len(w) for w in new)
        t = start
        for w in new:
            step = (end - start) * len(w) / total
            out.append(Word(" " + w, round(t, 3), round(t + step, 3), None))
            t += step
    out.extend(words[at:])
    return out


def rewritten(segment: Segment, words: Sequence[Word], rewrites: Sequence[Rewrite], spelled: bool) -> Segment:
    """``segment`` with ``rewrites`` of ``words`` (from :func:`words_of`) applied;
    ``spelled``: :func:`spells` of the segment."""
    new = apply(words, rewrites)
    # Word times are replaced only where they spelled the text; otherwise the
    # matcher reads the text alone, and so the text alone changes.
    return replace(segment, text=text_of(new), words=tuple(new) if spelled else segment.words)


def words_of(segment: Segment, spelled: bool) -> list[Word]:
    """The segment's words where they spell its text (``spelled``); otherwise
    its text split at spaces."""
    if spelled:
        return list(segment.words)
    return [Word(" " + w, segment.start, segment.end, None) for w in segment.text.split()]


def spells(segment: Segment) -> bool:
    """Whether the matcher will read the segment's word list (not its text alone)."""
    return bool(segment.words) and spell((w.text for w in segment.words), segment.text)


def text_of(words: Sequence[Word]) -> str:
    return " ".join(w.text.strip() for w in words)


def shifted(rewrite: Rewrite, by: int) -> Rewrite:
    return replace(rewrite, first=rewrite.first + by, last=rewrite.last + by)


def sentences(words: Sequence[Word]) -> list[int]:
    """Each word's sentence number within the segment (pure)."""
    out, n = [], 0
    for w in words:
        out.append(n)
        n += ends_sentence(w.text)
    return out


def bare(word: str) -> str:
    """``word`` without the spaces and punctuation around it."""
    word = word.strip()
    return word[len(leading_punctuation(word)):len(word) - len(trailing_punctuation(word))]


def leading_punctuation(word: str) -> str:
    return word[:len(word) - len(word.lstrip("¿¡\"'«(“"))]


def trailing_punctuation(word: str) -> str:
    return word[len(word.rstrip(".,;:!?…\"'»)”")):]
