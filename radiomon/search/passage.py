"""Which words of an article a press hit shows: the sentence that matched, or the lede (pure).

A radio hit is one utterance, short enough to show whole; an article is
hundreds of words. The hit shows the first sentence of the text holding a
word looked for; when only the headline matched, the first sentence (the
lede). A sentence longer than :data:`MAX_CHARS` (a paragraph without
full stops, as some sites print them) is cut to a window around the match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from radiomon.search.ranking import ScoringTerm, word_spans

MAX_CHARS = 320
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)|\s*\n+\s*")
# "H. Ayuntamiento", "Lic. Pérez", "Ing. García": a short capitalized word before a period
# is an abbreviation, not a sentence's end.
_ABBREVIATION = re.compile(r"(?:^|\s)[A-ZÁÉÍÓÚÑ][a-záéíóúñ]{0,3}\.$")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, blanks around them left out."""
    spans, start = [], 0
    for found in _SENTENCE_END.finditer(text):
        if "\n" not in found.group(0) and _ABBREVIATION.search(text, max(0, found.start() - 6), found.start()):
            continue
        if found.start() > start:
            spans.append((start, found.start()))
        start = found.end()
    if len(text.rstrip()) > start:
        spans.append((start, len(text.rstrip())))
    return spans


def passage(text: str, terms: Sequence[ScoringTerm]) -> str:
    """The sentence of ``text`` with the first word matching ``terms``, else the first sentence."""
    exact = {t.token for t in terms if not t.prefix}
    prefixes = tuple(t.token for t in terms if t.prefix)
    first = next(((start, end) for word, start, end in word_spans(text)
                  if word in exact or (prefixes and word.startswith(prefixes))), None)
    spans = sentences(text)
    if not spans:
        return ""
    if first is None:
        start, end = spans[0]
        return _window(text, start, end, start)
    start, end = next(((s, e) for s, e in spans if s <= first[0] < e), spans[0])
    return _window(text, start, end, first[0])


def _window(text: str, start: int, end: int, at: int) -> str:
    """``text[start:end]``, or at most MAX_CHARS of it around ``at`` cut between words, marked with "…"."""
    if end - start <= MAX_CHARS:
        return text[start:end]
    lo = max(start, at - MAX_CHARS // 3)
    hi = min(end, lo + MAX_CHARS)
    lo = max(start, hi - MAX_CHARS)
    if lo > start:
        space = text.find(" ", lo, at) if at > lo else -1
        lo = space + 1 if space != -1 else lo
    if hi < end:
        space = text.rfind(" ", max(at, lo), hi)
        hi = space if space > lo else hi
    return ("…" if lo > start else "") + text[lo:hi].strip() + ("…" if hi < end else "")


__all__ = ["MAX_CHARS", "passage", "sentences"]
