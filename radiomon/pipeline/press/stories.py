"""Near-duplicate articles grouped into stories: a 64-bit SimHash over word shingles (pure).

The same wire story (a state government bulletin, a Quadratín or
Notimex note) runs on several outlets with a different headline, one
sentence changed or a byline added; a story re-posted under a new URL is
the same text too. SimHash maps a text to 64 bits so that texts sharing
most of their 3-word shingles differ in few bits: two unrelated texts
differ in ~32 bits (binomially, σ = 4), a re-post in 0-3, a lightly edited
copy in a handful (Spanish notes of one day measured 27-40 apart).
``max_distance=8`` keeps unrelated notes six standard deviations apart;
the price is that a copy with one of four paragraphs rewritten (~15 bits)
starts a story of its own. Headlines and bylines are left out of the
shingles (:func:`body_lines`): they differ on every outlet by design.

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
BODY_LINE_WORDS = 12  # a headline or byline is shorter; a news paragraph is longer
_WORD = re.compile(r"\w+")
_MASK = (1 << 64) - 1


def words(text: str) -> list[str]:
    """Case- and accent-folded words: "Moroleón" and "MOROLEON" are one word to a story."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.findall(folded)


def body_lines(text: str, titles: Iterable[str | None] = ()) -> str:
    """The text's paragraphs of ``BODY_LINE_WORDS`` words or more, when they make a comparable text.

    One wire story carries a different headline, byline ("Agencias", "Redacción") and section line
    on each outlet; in a 150-word note those short lines alone move a SimHash by ~12 bits.
    """
    skip = {" ".join(words(title)) for title in titles if title}
    lines = [line for line in text.splitlines()
             if len(line.split()) >= BODY_LINE_WORDS and " ".join(words(line)) not in skip]
    body = "\n".join(lines)
    return body if len(body.split()) >= MIN_SHINGLES + SHINGLE_WORDS else text


def shingles(text: str, size: int = SHINGLE_WORDS, titles: Iterable[str | None] = ()) -> set[str]:
    tokens = words(body_lines(text, titles))
    return {" ".join(tokens[i:i + size]) for i in range(max(0, len(tokens) - size + 1))}


def simhash(text: str, titles: Iterable[str | None] = ()) -> int | None:
    """The text's 64-bit SimHash (an unsigned int), or ``None`` for a text too short to compare.

    ``titles``: the article's headlines (feed, page), left out where the extractor kept them as a line.
    """
    grams = shingles(text, titles=titles)
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


def group(items: Iterable[tuple[Hashable, int | None, datetime]], **kwargs) -> dict[Hashable, Hashable]:
    """Stories for a batch: ``(key, simhash, published)`` in order → ``{key: story}``, where a story
    is the key of its first article. For tests and benchmarks; the archive calls :func:`find_story`."""
    stories: dict[Hashable, Hashable] = {}
    seen: list[StorySignature] = []
    for key, fingerprint, published in items:
        story = find_story(fingerprint, published, seen, **kwargs) or key
        stories[key] = story
        if fingerprint is not None:
            seen.append(StorySignature(story=story, simhash=fingerprint, published=published))
    return stories
