"""What each keyword looks like to the matcher, and what it could be confused with.

Backs ``radiomon keywords check``: before trusting a new keywords.yml, staff
see each spelling's normalized and phonetic forms, and the other terms or
common Spanish words that would be reported as it (or it as them). The
matcher itself decides, so what is shown is what will happen on air.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from radiomon.keywords.common_words import COMMON_WORDS
from radiomon.keywords.matcher import Matcher
from radiomon.keywords.model import KeywordSet
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
    reports = []
    for spelling in matcher.spellings:
        pattern = spelling.pattern
        term = terms[spelling.group_id, spelling.keyword]
        derivation = keywords.derivation(term, pattern.text)
        confusions = [
            Confusion(other.pattern.text, "term", score, other.group_id, other.keyword)
            for other in matcher.spellings
            if other.keyword != spelling.keyword or other.group_id != spelling.group_id
            for score in [matcher.text_score(spelling, other.pattern.text)] if score
        ] + [
            Confusion(word, "common word", score)
            for word in words
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
