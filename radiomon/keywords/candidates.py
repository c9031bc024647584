"""What the matcher compares and what it finds before choosing (pure).

A :class:`CompiledSpelling` is one spelling of one term ready to compare;
a :class:`Candidate` is a window of heard tokens that reaches its
threshold; :func:`greedy` is the one way overlapping candidates are chosen
among (:meth:`~radiomon.keywords.matcher.Matcher.find_mentions` and the
archive-wide re-match's :meth:`~radiomon.keywords.matcher.Matcher.resolve`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from radiomon.keywords.patterns import Pattern


@dataclass(frozen=True)
class CompiledSpelling:
    """One spelling of one term (the term itself or an alias), ready to compare."""

    group_id: str
    keyword: str
    pattern: Pattern
    threshold: float
    excludes: tuple[Pattern, ...]
    # Compared as its acronyms read letter by letter (see Matcher's
    # spelled_acronyms); never from or to a stopword, since a letter name
    # is one ("de i efe": "de Moroleón" is not DIF Moroleón).
    spelled: bool = False


@dataclass(frozen=True)
class Candidate:
    """A window of tokens ``first..last`` that scores at least ``spelling``'s threshold."""

    spelling: CompiledSpelling
    first: int  # token indices
    last: int
    score: float


def greedy(candidates: Iterable[Candidate], scope, rank) -> list[Candidate]:
    """Take candidates best-``rank`` first, skipping any that overlaps one
    already taken in the same ``scope``."""
    taken: dict[Any, list[tuple[int, int]]] = {}
    chosen = []
    for candidate in sorted(candidates, key=rank):
        spans = taken.setdefault(scope(candidate), [])
        if any(candidate.first <= last and first <= candidate.last for first, last in spans):
            continue
        spans.append((candidate.first, candidate.last))
        chosen.append(candidate)
    return chosen


__all__ = ["Candidate", "CompiledSpelling", "greedy"]
