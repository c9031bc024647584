"""What to tune in keywords.yml, from what the stations said (pure): near misses and rewrites, ranked.

``radiomon keywords suggest`` reads the archive for two kinds of
:class:`Sighting` (radiomon/pipeline/match/near_misses.py finds them):

* a **near miss**: words the matcher found close to a term without
  counting ("Morreón" for Moroleón at threshold 88, "Morelos" if it is not
  excluded). Each is either the term misheard, to accept as an alias, or a
  look-alike, to accept as an exclusion;
* a **rewrite**: a mention whose words keyword rescoring wrote in place of
  what Whisper first decoded (radiomon/pipeline/transcribe/rescore.py).

:func:`rank` groups sightings by term and by the words heard, normalized
("Morreón", "morreon" and "MORREÓN," are one), counts them, and keeps the
best score and one sample of each: the best-scoring sighting, the newest
of those. Within a term the most frequent come first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from radiomon.keywords.normalize import normalize

Kind = Literal["near_miss", "rewritten"]


@dataclass(frozen=True)
class Sighting:
    """Words heard once on air that came close to a term (or that rescoring wrote as it)."""

    kind: Kind
    group_id: str
    keyword: str  # the canonical term
    heard: str  # the words as the transcript writes them
    score: float  # the matcher's score of those words against the term's closest spelling
    station: str
    at_utc: str  # when they were said, ISO UTC
    recording_id: int
    segment_id: int
    offset: float  # seconds into the recording
    context: str  # the sentence around them
    mention_id: int | None = None  # a rewrite is a stored mention


@dataclass(frozen=True)
class Suggestion:
    """One spelling heard near one term, and how often."""

    kind: Kind
    group_id: str
    keyword: str
    heard: str  # its most frequent written form (the first met on a tie)
    normalized: str  # what the matcher compares: the grouping key
    count: int
    best_score: float
    sample: Sighting  # the best-scoring sighting, the newest on a tie


def rank(sightings: Iterable[Sighting], *, limit: int | None = None,
         terms: Sequence[tuple[str, str]] = ()) -> list[Suggestion]:
    """Suggestions from ``sightings``: terms in the order of ``terms``
    ((group id, term) pairs, keywords.yml's order; others after them, by
    name), near misses before rewrites, then the most frequent spelling
    first (the best score, then the spelling, breaking ties); at most
    ``limit`` of each kind per term."""
    groups: dict[tuple[Kind, str, str, str], list[Sighting]] = {}
    for sighting in sightings:
        key = (sighting.kind, sighting.group_id, sighting.keyword, normalize(sighting.heard))
        groups.setdefault(key, []).append(sighting)
    suggestions = [
        Suggestion(kind, group_id, keyword, _most_frequent(found), normalized, len(found),
                   max(s.score for s in found), max(found, key=lambda s: (s.score, s.at_utc, s.segment_id)))
        for (kind, group_id, keyword, normalized), found in groups.items()
    ]
    order = {term: i for i, term in enumerate(dict.fromkeys(terms))}
    suggestions.sort(key=lambda s: (order.get((s.group_id, s.keyword), len(order)), s.group_id, s.keyword,
                                    s.kind != "near_miss", -s.count, -s.best_score, s.normalized))
    if limit is None:
        return suggestions
    kept: Counter[tuple[Kind, str, str]] = Counter()
    out = []
    for s in suggestions:
        kept[(s.kind, s.group_id, s.keyword)] += 1
        if kept[(s.kind, s.group_id, s.keyword)] <= limit:
            out.append(s)
    return out


def _most_frequent(sightings: Sequence[Sighting]) -> str:
    written = Counter(s.heard for s in sightings)
    best = max(written.values())
    return next(s.heard for s in sightings if written[s.heard] == best)


__all__ = ["Kind", "Sighting", "Suggestion", "rank"]
