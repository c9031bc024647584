"""The matcher's hooks for the archive-wide re-match and its narrowing
(radiomon/pipeline/match/narrowing.py, core.py): anchors computed for a
whole vocabulary at once, the words that can anchor each term, and
:meth:`~radiomon.keywords.matcher.Matcher.find_mentions`' rules applied to
windows the narrowing already scored, so that most stretches of the archive
are resolved without running the matcher over them. Each gives what
find_mentions would: the re-match is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from radiomon.keywords.candidates import Candidate, CompiledSpelling
from radiomon.keywords.normalize import Token, normalize_word
from radiomon.keywords.windows import Windows


class NarrowingHooks:
    """Mixed into :class:`~radiomon.keywords.matcher.Matcher`, whose state and steps it reads."""

    spellings: tuple[CompiledSpelling, ...]
    nested_across_groups: bool
    _anchor_cache: dict[str, tuple[int, ...]]

    def anchors_of(self, tokens: Sequence[str]) -> list[tuple[int, ...]]:
        """:meth:`anchors` of many normalized tokens, computed in vectorized batches."""
        unknown = [t for t in dict.fromkeys(tokens) if t not in self._anchor_cache]
        for start in range(0, len(unknown), 20_000):
            chunk = unknown[start:start + 20_000]
            self._anchor_cache.update(zip(chunk, self._compute_anchors(chunk)))
        return [self._anchor_cache[t] for t in tokens]

    def remember_anchors(self, tokens: Sequence[str], anchors: Sequence[tuple[int, ...]]) -> None:
        """Store :meth:`anchors_of` results computed elsewhere (another process)."""
        self._anchor_cache.update(zip(tokens, anchors))

    def candidate_words(self, vocabulary: Iterable[str]) -> set[str]:
        """The vocabulary words that could take part in any mention.

        Give it the archive's distinct words (any spelling: they are
        normalized here); only segments containing one of the returned words
        (e.g. found with the FTS index) can yield a mention, so a full re-match
        reads only those. Exact: find_mentions never matches without one.
        """
        return set().union(*self.candidates_by_term(vocabulary).values())

    def candidates_by_term(self, vocabulary: Iterable[str]) -> dict[tuple[str, str], set[str]]:
        """For each (group id, term), the vocabulary words that could anchor it."""
        result: dict[tuple[str, str], set[str]] = {(s.group_id, s.keyword): set() for s in self.spellings}
        by_token: dict[str, list[str]] = {}
        for word in vocabulary:
            for token in normalize_word(word).split():
                by_token.setdefault(token, []).append(word)
        self.anchors_of(list(by_token))
        for token, words in by_token.items():
            for index in self._anchor_cache[token]:
                spelling = self.spellings[index]
                result[(spelling.group_id, spelling.keyword)].update(words)
        return result

    def simple(self, index: int, tokens: Sequence[str]) -> bool:
        """Whether a window of ``tokens`` needs nothing but its score to be a
        candidate of spelling ``index``: the spelling has no exclusions, and
        the window holds no number (numbers said in words span several words
        per token). The archive-wide re-match resolves such candidates
        without running :meth:`find_mentions` around them."""
        return not self.spellings[index].excludes and not any(t.isdigit() for t in tokens)

    def window_score(self, index: int, tokens: Sequence[str]) -> float:
        """The score :meth:`find_mentions` gives a window of normalized
        ``tokens`` for spelling ``index``: the similarity, or 0 when a rule
        rules it out (a stopword at an edge, an acronym not heard exactly)."""
        windows = Windows([Token(t, i, i) for i, t in enumerate(tokens)])
        return self._score(self.spellings[index], windows, 0, len(tokens) - 1)

    def resolve(self, windows: Sequence[tuple[int, int, int, float]]) -> list[tuple[int, int, int, float]] | None:
        """:meth:`find_mentions`' choice among candidate windows given as
        (spelling index, first token, last token, score), for a caller that
        already has every candidate of a stretch of words (the archive-wide
        re-match, for :meth:`simple` windows, scored with
        :meth:`window_score`). None when two candidates tie
        in a ranking, so the order the matcher would have met them in would
        decide: the caller then runs the matcher."""
        candidates = [Candidate(self.spellings[i], first, last, score) for i, first, last, score in windows]
        index_of = {id(c): w[0] for c, w in zip(candidates, windows)}
        scope = (lambda c: c.spelling.group_id) if self.nested_across_groups else (lambda c: None)
        ranks = (
            lambda c: (c.spelling.group_id, c.spelling.keyword, -c.score,
                       abs(c.last - c.first + 1 - len(c.spelling.pattern.tokens)), c.first),
            lambda c: (scope(c), -len(c.spelling.pattern.joined), -c.score, c.first),
        )
        for rank in ranks:
            keys = [rank(c) for c in candidates]
            if len(set(keys)) < len(keys):
                return None
        return [(index_of[id(c)], c.first, c.last, c.score) for c in self._resolve_overlaps(candidates)]


__all__ = ["NarrowingHooks"]
