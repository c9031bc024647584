"""Windows of heard tokens, the unit the matcher scores, and the rules on
where one may start and end (pure): not across a sentence end, not on a
stopword its spelling lacks."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.normalize import Token
from radiomon.keywords.patterns import Pattern, window_pattern
from radiomon.keywords.words import ends_sentence


def stopword_edge(tokens: Sequence[Token], first: int, last: int, pattern: Pattern) -> bool:
    """Whether the window first..last starts or ends on a stopword that
    ``pattern`` does not start or end with ("la Moroleón" is "Moroleón")."""
    return ((tokens[first].text in STOPWORDS and not pattern.starts_with_stopword)
            or (tokens[last].text in STOPWORDS and not pattern.ends_with_stopword))


def inner(tokens: Sequence[Token], first: int, last: int, pattern: Pattern) -> tuple[int, int]:
    """The window first..last less the stopwords at its edges that
    ``pattern`` does not start or end with: the words a near miss's window
    holds ("Morelos y" and "En León se" hold Morelos and León). First past
    last when nothing else is left; the window itself when it has no such
    edge (every window a mention is found in)."""
    while first <= last and tokens[first].text in STOPWORDS and not pattern.starts_with_stopword:
        first += 1
    while last >= first and tokens[last].text in STOPWORDS and not pattern.ends_with_stopword:
        last -= 1
    return first, last


def sentence_ends(words: Sequence[str], tokens: Sequence[Token]) -> list[bool]:
    """For each token, whether a sentence ends after it: its source word ends
    one (:func:`~radiomon.keywords.words.ends_sentence`) and it is that word's
    last token."""
    return [
        ends_sentence(words[t.last]) and (i + 1 == len(tokens) or tokens[i + 1].first > t.last)
        for i, t in enumerate(tokens)
    ]


class Windows:
    """Patterns of token windows, built once per segment as they are needed."""

    def __init__(self, tokens: list[Token], ends: Sequence[bool] | None = None):
        self.tokens = tokens
        self._cache: dict[tuple[int, int], Pattern] = {}
        self._ends = list(accumulate(len(t.text) for t in tokens))
        # Sentence ends before each token, counted: a window holds one when
        # the count changes inside it.
        self._sentences = [0, *accumulate(map(int, ends))] if ends else None

    def crosses_sentence(self, first: int, last: int) -> bool:
        return self._sentences is not None and self._sentences[last] != self._sentences[first]

    def length(self, first: int, last: int) -> int:
        """Letters of the window joined (len of its ``joined`` form)."""
        return self._ends[last] - (self._ends[first - 1] if first else 0)

    def get(self, first: int, last: int) -> Pattern:
        pattern = self._cache.get((first, last))
        if pattern is None:
            pattern = window_pattern([t.text for t in self.tokens[first:last + 1]])
            self._cache[(first, last)] = pattern
        return pattern


__all__ = ["Windows", "inner", "sentence_ends", "stopword_edge"]
