"""Near-duplicate articles grouped into stories: a 64-bit SimHash over word shingles (pure).

The same wire story (a state government bulletin, a Quadratín or
Notimex note) runs on several outlets with a different headline, one
sentence changed or a byline added; a story re-posted under a new URL is
the same text too. SimHash maps a text to 64 bits so that texts sharing
most of their 3-word shingles differ in few bits: two unrelated texts
differ in ~32 bits (binomially, σ = 4), a re-post in 0-3, a lightly edited
copy in a handful. ``max_distance=8`` keeps unrelated notes apart by
six standard deviations while grouping copies with a changed paragraph.

Our own 64-bit SimHash (blake2b per shingle, no dependency): datasketch's
MinHash/LSH would pull in scipy for what is a hundred lines of arithmetic
over a few thousand recent articles.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

SHINGLE_WORDS = 3
MAX_DISTANCE = 8
WINDOW = timedelta(days=3)  # a wire story runs within a day or two; a re-post within days
# Too few shingles and any two short texts look alike: no story for teasers.
MIN_SHINGLES = 12
_WORD = re.compile(r"\w+")
_MASK = (1 << 64) - 1


def words(text: str) -> list[str]:
    """Case- and accent-folded words: "Moroleón" and "MOROLEON" are one word to a story."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.findall(folded)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    tokens = words(text)
    return {" ".join(tokens[i:i + size]) for i in range(max(0, len(tokens) - size + 1))}


def simhash(text: str) -> int | None:
    """The text's 64-bit SimHash (an unsigned int), or ``None`` for a text too short to compare."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    weights = [0] * 64
    for gram in grams:
        value = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0) & _MASK


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


@dataclass(frozen=True)
class StorySignature:
    """A recent article as the grouping sees it; ``story`` is the caller's id for its story."""

    story: Hashable
    simhash: int
    published: datetime  # aware


def find_story(
    fingerprint: int | None,
    published: datetime,
    recent: Iterable[StorySignature],
    *,
    max_distance: int = MAX_DISTANCE,
    window: timedelta = WINDOW,
) -> Hashable | None:
    """The story of the closest recent article within ``window`` of ``published`` and ``max_distance``
    bits of ``fingerprint`` (ties: the earliest article's), or ``None``: the article starts a story."""
    if fingerprint is None:
        return None
    best = None
    for signature in recent:
        if abs(signature.published - published) > window:
            continue
        bits = distance(fingerprint, signature.simhash)
        if bits <= max_distance and (best is None or (bits, signature.published) < best[:2]):
            best = (bits, signature.published, signature.story)
    return best[2] if best else None


def group(items: Iterable[tuple[Hashable, str, datetime]], **kwargs) -> dict[Hashable, Hashable]:
    """Stories for a batch: ``(key, text, published)`` in order → ``{key: story}``, where a story is
    the key of its first article. For tests and benchmarks; the archive calls :func:`find_story`."""
    stories: dict[Hashable, Hashable] = {}
    seen: list[StorySignature] = []
    for key, text, published in items:
        fingerprint = simhash(text)
        story = find_story(fingerprint, published, seen, **kwargs) or key
        stories[key] = story
        if fingerprint is not None:
            seen.append(StorySignature(story=story, simhash=fingerprint, published=published))
    return stories
