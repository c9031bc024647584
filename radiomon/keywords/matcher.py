"""Find every reference to the municipality in a sequence of heard words.

Compile a :class:`~radiomon.keywords.model.KeywordSet` once with
:class:`Matcher`, then call :meth:`Matcher.find_mentions` on the words of one
segment or of several consecutive segments (a name split across a segment
boundary is still found).

How a mention is found:

1. Heard words are normalized into tokens (:mod:`~radiomon.keywords.normalize`).
2. A token *anchors* a spelling when it is not a stopword and is a misheard
   word of it (ratio ≥ :data:`ANCHOR_MIN_SCORE` on letters or phonetic key) or
   a piece of a split/glued word (partial ratio ≥ :data:`ANCHOR_PIECE_SCORE`);
   tokens under 3 letters only by equality.
   Every match contains an anchor, which is what lets the archive-wide
   re-match (radiomon/pipeline/match/) look only at windows around anchors.
3. Around each anchor, windows of n-1, n and n+1 tokens (n = tokens in the
   spelling) are scored with :func:`~radiomon.keywords.patterns.similarity`;
   windows that start or end on a stopword the spelling does not have are
   skipped ("la Moroleón" is reported as "Moroleón"), and so are windows
   across a sentence end ("agua potable. En Moroleón" is not Agua Potable de
   Moroleón; an abbreviation's dot, "H.", ends nothing); acronyms written in
   capitals in keywords.yml (DIF) must be heard exactly.
4. A window that scores at least the term's threshold is a candidate, unless
   an ``exclude`` of that term matches a window covering it at least as well:
   exclusions beat matches ("León" alone is not "Moroleón"; "Moro León" is).
   Exclusion is a property of the words: a near miss's window that starts
   or ends on a stopword is compared without it ("Morelos y" is Morelos).
5. Overlapping windows of one term: the best score wins ("Moroleón", not
   "Moroleón informa"). Overlapping candidates of one group: the longest
   keyword wins, then the higher score ("DIF Moroleón" is one mention, not
   also "DIF"; "H. Ayuntamiento de Moroleón" not also "Moroleón").
   Candidates of different groups are all kept: groups are independent
   questions ("was DIF on air?", "was the municipality named?"), and
   ``--group municipio`` must not lose "DIF Moroleón". Pass
   ``nested_across_groups=False`` to keep only the longest across groups too.

With :class:`~radiomon.keywords.near_misses.NearMissOptions` the same
machinery finds near misses instead: words that come close to a term
without counting.

The pieces around this module: :mod:`~radiomon.keywords.windows` (token
windows and where they may start and end), :mod:`~radiomon.keywords.candidates`
(compiled spellings, candidates, the greedy choice among overlapping ones),
:mod:`~radiomon.keywords.mention` (the :class:`Mention` reported and
:func:`~radiomon.keywords.mention.mention_at`), and
:mod:`~radiomon.keywords.narrowing_hooks` (what the archive-wide re-match
asks of a matcher).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq, Levenshtein

from radiomon.keywords.candidates import Candidate, CompiledSpelling, greedy
from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.mention import Mention, mention_at
from radiomon.keywords.model import KeywordSet
from radiomon.keywords.narrowing_hooks import NarrowingHooks
from radiomon.keywords.near_misses import NearMissOptions
from radiomon.keywords.normalize import Token, tokenize_words
from radiomon.keywords.patterns import (
    MIN_LENGTH_RATIO,
    SHORT_LENGTH,
    Pattern,
    compile_pattern,
    similarity,
    window_pattern,
)
from radiomon.keywords.phonetic import spelled_out, word_key
from radiomon.keywords.windows import Windows, inner, sentence_ends, stopword_edge
from radiomon.transcript import Word

log = logging.getLogger(__name__)

# A token anchors a spelling when it is at least this close (Indel ratio, on
# letters or phonetic key) to one of the spelling's words: Whisper's
# mishearings of Moroleón score 75 ("nemoreon") to 86 ("moreon") against
# "moroleon". Most of a station's vocabulary anchors nothing, and the segments
# made only of it are skipped.
ANCHOR_MIN_SCORE = 75
# ... or when it is a piece of the spelling, or the spelling a piece of it
# (partial_ratio): a split word ("Moro" "León") or a glued one
# ("obraspúblicas", "moroleonenses"). Only for tokens of 4+ letters: shorter
# ones are substrings of too much.
ANCHOR_PIECE_SCORE = 90
ANCHOR_PIECE_LENGTH = 4
# An LCS below this share of the shorter string rules a partial ratio of
# ANCHOR_PIECE_SCORE out (see Matcher._pieces; 0.818 exactly, rounded down).
PIECE_LCS = 0.8
# Letters a word needs to anchor a term of several words as a whole
# (Matcher's ``glued``): Whisper glues a name it does not know into one long
# word ("Orascullica", "Neyéfemoreón"); a short word is close to too many.
GLUED_LENGTH = 8
# Tokens shorter than this anchor only by being equal to a word of the
# spelling: "ve" is close to everything.
ANCHOR_MIN_LENGTH = 3


class Matcher(NarrowingHooks):
    """A KeywordSet compiled for matching. Build once, reuse for every segment."""

    def __init__(self, keywords: KeywordSet, *, near_miss: NearMissOptions = NearMissOptions(),
                 nested_across_groups: bool = True):
        """``near_miss``: find near misses instead of mentions (see
        :class:`NearMissOptions`); ``nested_across_groups``: see the module doc, step 5."""
        self.keywords = keywords
        self.stopword_edges = near_miss.stopword_edges
        self.acronym_edits = near_miss.acronym_edits
        self.split = int(near_miss.split)
        self.anchor_min_score = ANCHOR_MIN_SCORE - near_miss.anchor_reach
        self.nested_across_groups = nested_across_groups
        self.every_term = near_miss.every_term
        keywords.derive_all()
        self.spellings: tuple[CompiledSpelling, ...] = tuple(
            CompiledSpelling(
                group_id=group.id,
                keyword=term.term,
                pattern=compile_pattern(spelling),
                threshold=keywords.threshold_for(term, spelling) - near_miss.reach,
                excludes=tuple(compile_pattern(x) for x in term.exclude),
            )
            for group, term in keywords.terms
            for spelling in term.spellings
        )
        if near_miss.spelled_acronyms:
            self.spellings += tuple(
                replace(s, pattern=_spelled_out(s.pattern), spelled=True) for s in self.spellings if s.pattern.acronyms
            )
        self._group_order = {group.id: i for i, group in enumerate(keywords.groups)}
        self._joined = [s.pattern.joined for s in self.spellings]
        self._keys = [s.pattern.key for s in self.spellings]
        # Distinct long-enough words of non-short spellings, and which spellings use each.
        word_spellings: dict[str, set[int]] = {}
        for index, spelling in enumerate(self.spellings):
            if not spelling.pattern.short:
                for token in spelling.pattern.tokens:
                    if token not in STOPWORDS and len(token) >= ANCHOR_MIN_LENGTH:
                        word_spellings.setdefault(token, set()).add(index)
        self._words = list(word_spellings)
        self._word_keys = [word_key(w) for w in self._words]
        self._word_spellings = [tuple(word_spellings[w]) for w in self._words]
        self._exact_token: dict[str, list[int]] = {}
        self._short_key: dict[str, list[int]] = {}
        for index, spelling in enumerate(self.spellings):
            for token in set(spelling.pattern.tokens):
                self._exact_token.setdefault(token, []).append(index)
            if spelling.pattern.short:
                self._short_key.setdefault(spelling.pattern.key, []).append(index)
        # Terms of several words, glued, for ``glued``; not their aliases,
        # which may be mishearings ("un hangado") or other names.
        self._glued = [i for i, s in enumerate(self.spellings) if near_miss.glued and len(s.pattern.tokens) > 1
                       and not s.pattern.short and s.pattern.text == s.keyword]
        self._anchor_cache: dict[str, tuple[int, ...]] = {}
        log.debug("compiled %d spellings from %s", len(self.spellings), keywords.source)

    # -- one segment (or a few consecutive ones) ---------------------------------
    def find_mentions(self, words: Sequence[Word], spellings: Collection[int] | None = None) -> list[Mention]:
        """Every mention in ``words``, in order of appearance.

        ``spellings`` (indices into :attr:`spellings`) restricts the search to
        those, when the caller already knows the others cannot be there (the
        archive-wide re-match, radiomon/pipeline/match/rematch.py).
        """
        tokens = tokenize_words([w.text for w in words])
        anchored = [(i, self.anchors(t.text)) for i, t in enumerate(tokens)]
        if spellings is not None:
            anchored = [(i, tuple(x for x in a if x in spellings)) for i, a in anchored]
        anchored = [(i, a) for i, a in anchored if a]
        if not anchored:  # the common case: nothing here resembles any keyword
            return []
        windows = Windows(tokens, sentence_ends([w.text for w in words], tokens))
        candidates = [
            c for c in self._candidates(anchored, windows)
            if not self._excluded(c, windows)
        ]
        chosen = self._resolve_overlaps(candidates)
        return [self._mention(c, tokens, words) for c in chosen]

    def anchors(self, token: str) -> tuple[int, ...]:
        """Indices into :attr:`spellings` that the normalized ``token`` may take part in."""
        cached = self._anchor_cache.get(token)
        if cached is None:
            cached = self._anchor_cache[token] = self._compute_anchors([token])[0]
        return cached

    def text_score(self, spelling: CompiledSpelling, text: str) -> float:
        """How ``text``, heard as a whole, scores against ``spelling``: 0 when
        it would not be reported (below threshold, or excluded)."""
        tokens = tokenize_words(text.split())
        if not tokens:
            return 0.0
        windows = Windows(tokens, sentence_ends(text.split(), tokens))
        score = self._score(spelling, windows, 0, len(tokens) - 1)
        if score < spelling.threshold:
            return 0.0
        if self._excluded(Candidate(spelling, 0, len(tokens) - 1, score), windows):
            return 0.0
        return round(score, 1)

    def _compute_anchors(self, tokens: list[str]) -> list[tuple[int, ...]]:
        if not self.spellings or not tokens:
            return [() for _ in tokens]
        sounds = [word_key(t) for t in tokens]
        # (a) a misheard word of a spelling ("moreon" for "moroleon", "publikas")
        words = process.cdist(tokens, self._words, scorer=fuzz.ratio,
                              score_cutoff=self.anchor_min_score, workers=-1)
        word_sounds = process.cdist(sounds, self._word_keys, scorer=fuzz.ratio,
                                    score_cutoff=self.anchor_min_score, workers=-1)
        # (b) a piece of a split word, or a glued one ("moro" | "leon", "obraspublicas")
        pieces = self._pieces(tokens)
        glued = self._glued_anchors(tokens, sounds)
        out = []
        for row, (token, sound) in enumerate(zip(tokens, sounds)):
            if token in STOPWORDS:
                out.append(())
                continue
            anchored = set(self._exact_token.get(token, ()))
            anchored.update(self._short_key.get(sound, ()))
            if len(token) >= ANCHOR_PIECE_LENGTH:
                anchored.update(pieces.get(row, ()))
            anchored.update(glued.get(row, ()))
            if len(token) >= ANCHOR_MIN_LENGTH:
                for column in (words[row].nonzero()[0].tolist() + word_sounds[row].nonzero()[0].tolist()):
                    anchored.update(self._word_spellings[column])
            out.append(tuple(sorted(anchored)))
        return out

    def _glued_anchors(self, tokens: list[str], sounds: list[str]) -> dict[int, list[int]]:
        """Row → spellings of several words that token (GLUED_LENGTH+ letters)
        is close to as a whole, glued (``glued``): a misheard name of two
        words that Whisper wrote as one ("orascullica", 75 alike to
        "obraspublicas")."""
        if not self._glued:
            return {}
        rows = [r for r, t in enumerate(tokens) if len(t) >= GLUED_LENGTH and t not in STOPWORDS]
        if not rows:
            return {}
        letters = process.cdist([tokens[r] for r in rows], [self._joined[c] for c in self._glued],
                                scorer=fuzz.ratio, score_cutoff=self.anchor_min_score, workers=-1)
        sound = process.cdist([sounds[r] for r in rows], [self._keys[c] for c in self._glued],
                              scorer=fuzz.ratio, score_cutoff=self.anchor_min_score, workers=-1)
        out: dict[int, list[int]] = {}
        for r, c in zip(*np.nonzero(np.maximum(letters, sound))):
            out.setdefault(rows[int(r)], []).append(self._glued[int(c)])
        return out

    def _pieces(self, tokens: list[str]) -> dict[int, list[int]]:
        """Row → spellings (not short) that token (4+ letters) is a piece of, or
        a piece of it: partial ratio ≥ ANCHOR_PIECE_SCORE.

        partial_ratio over every pair was most of the cost of comparing an
        archive's vocabulary with the keywords; it is computed only where it
        can reach the score: the best-aligned substring u of the longer string
        has ratio(shorter, u) ≥ 0.9, which needs LCS(shorter, u) ≥ 0.818 ×
        len(shorter) (u may be cut short at an end), so an LCS of the whole
        pair below PIECE_LCS × the shorter length rules it out (cheap,
        bit-parallel in rapidfuzz).
        """
        rows = [r for r, t in enumerate(tokens) if len(t) >= ANCHOR_PIECE_LENGTH and t not in STOPWORDS]
        columns = [c for c, s in enumerate(self.spellings) if not s.pattern.short]
        if not rows or not columns:
            return {}
        picked = [tokens[r] for r in rows]
        joined = [self._joined[c] for c in columns]
        lcs = process.cdist(picked, joined, scorer=LCSseq.similarity, dtype=np.int32, workers=-1)
        shorter = np.minimum(np.array([len(t) for t in picked])[:, None], np.array([len(j) for j in joined])[None, :])
        maybe_rows, maybe_columns = np.nonzero(lcs >= PIECE_LCS * shorter)
        scores = process.cpdist([picked[r] for r in maybe_rows.tolist()], [joined[c] for c in maybe_columns.tolist()],
                                scorer=fuzz.partial_ratio, score_cutoff=ANCHOR_PIECE_SCORE, workers=-1)
        out: dict[int, list[int]] = {}
        for r, c in zip(maybe_rows[scores > 0].tolist(), maybe_columns[scores > 0].tolist()):
            out.setdefault(rows[r], []).append(columns[c])
        return out

    # -- steps of find_mentions ---------------------------------------------------
    def _candidates(self, anchored: list[tuple[int, tuple[int, ...]]], windows: Windows) -> Iterable[Candidate]:
        seen: set[tuple[int, int, int]] = set()
        count = len(windows.tokens)
        for position, spelling_indices in anchored:
            for index in spelling_indices:
                spelling = self.spellings[index]
                n = len(spelling.pattern.tokens)
                for length in range(max(1, n - 1), n + 2 + self.split):
                    for first in range(max(0, position - length + 1), min(position, count - length) + 1):
                        last = first + length - 1
                        if (index, first, last) in seen:
                            continue
                        seen.add((index, first, last))
                        score = self._score(spelling, windows, first, last)
                        if score >= spelling.threshold:
                            yield Candidate(spelling, first, last, score)

    def _score(self, spelling: CompiledSpelling, windows: Windows, first: int, last: int) -> float:
        pattern = spelling.pattern
        tokens = windows.tokens
        if (not self.stopword_edges or spelling.spelled) and stopword_edge(tokens, first, last, pattern):
            return 0.0
        if windows.crosses_sentence(first, last):
            return 0.0
        if not pattern.short:
            # similarity()'s length rule, before building the window's pattern
            # (most windows around an anchor fail it; same result, much cheaper).
            length = windows.length(first, last)
            if length > SHORT_LENGTH and min(length, len(pattern.joined)) < MIN_LENGTH_RATIO * max(
                length, len(pattern.joined)
            ):
                return 0.0
        window = windows.get(first, last)
        for acronym in pattern.acronyms:  # heard as written or as it sounds (IMS/IMSS), never fuzzily
            if acronym not in window.tokens and word_key(acronym) not in map(word_key, window.tokens) \
                    and not self._near_acronym(acronym, window.tokens):
                return 0.0  # "NIF Moroleón" is not "DIF Moroleón"
        return similarity(window, pattern)

    def _near_acronym(self, acronym: str, tokens: Sequence[str]) -> bool:
        return self.acronym_edits > 0 and any(
            len(token) == len(acronym) and token not in STOPWORDS
            and Levenshtein.distance(token, acronym, score_cutoff=self.acronym_edits) <= self.acronym_edits
            for token in tokens
        )

    def _excluded(self, candidate: Candidate, windows: Windows) -> bool:
        """True when an exclude matches the candidate's words at least as
        well as its spelling does: a window of the exclude's length (give or
        take a word) covering them scores at least the candidate's score.

        The candidate's words are its window less the stopwords at its edges
        that its spelling lacks (:func:`~radiomon.keywords.windows.inner`):
        a near miss's window may start or end on one, and "Morelos y" is
        Morelos, "En León se" León. Where a stopword was left out, the
        exclude must also beat the spelling's score of the words alone
        ("Moreón a" is Moreón, 86 alike to Moroleón, before it is Morena's
        83). A mention's window never has such an edge: for mentions this
        is the rule as it always was.
        """
        first, last = inner(windows.tokens, candidate.first, candidate.last, candidate.spelling.pattern)
        if first > last:
            return False
        score = candidate.score
        if (first, last) != (candidate.first, candidate.last):
            score = max(score, self._score(candidate.spelling, windows, first, last))
        count = len(windows.tokens)
        span = last - first + 1
        for exclude in candidate.spelling.excludes:
            m = len(exclude.tokens)
            for length in range(max(span, m - 1), m + 2):
                for start in range(max(0, last - length + 1), min(first, count - length) + 1):
                    # The rule candidates follow: a window does not start or end on a
                    # stopword its spelling lacks ("de Moreón a" is not "Morena").
                    if stopword_edge(windows.tokens, start, start + length - 1, exclude):
                        continue
                    window = windows.get(start, start + length - 1)
                    if similarity(window, exclude) >= score:
                        log.debug("%r excluded by %r", window.text, exclude.text)
                        return True
        return False

    def _resolve_overlaps(self, candidates: list[Candidate]) -> list[Candidate]:
        # First the best window for each term, whichever spelling: "Moroleón"
        # beats "Moroleón informa" (higher score), then the tightest window.
        best = greedy(candidates, lambda c: (c.spelling.group_id, c.spelling.keyword),
                      lambda c: (-c.score, abs(c.last - c.first + 1 - len(c.spelling.pattern.tokens)), c.first))
        # Then the longest keyword wins among overlapping ones of a group:
        # "DIF Moroleón" over "Moroleón", then the higher score
        # ("presidenta municipal" over "presidente municipal"). Near misses
        # with every_term: each term's best, all of them.
        scope = (lambda c: c.spelling.group_id) if self.nested_across_groups else (lambda c: None)
        chosen = best if self.every_term else greedy(
            best, scope, lambda c: (-len(c.spelling.pattern.joined), -c.score, c.first,
                                    self._group_order[c.spelling.group_id]))
        return sorted(chosen, key=lambda c: (c.first, self._group_order[c.spelling.group_id]))

    def _mention(self, candidate: Candidate, tokens: list[Token], words: Sequence[Word]) -> Mention:
        return mention_at(candidate.spelling, candidate.score, words,
                          tokens[candidate.first].first, tokens[candidate.last].last)

    # The mention of a spelling over given words, for the re-match (radiomon.keywords.mention).
    mention_at = staticmethod(mention_at)


def _spelled_out(pattern: Pattern) -> Pattern:
    """``pattern`` with its acronyms read letter by letter, written as before
    ("DIF Moroleón" compared as "deiefe moroleon")."""
    tokens = [spelled_out(t) if t in pattern.acronyms else t for t in pattern.tokens]
    return window_pattern(tokens, pattern.text)


# Mention, NearMissOptions and sentence_ends live in their own modules; importable from here as before.
__all__ = ["ANCHOR_MIN_SCORE", "ANCHOR_PIECE_LENGTH", "ANCHOR_PIECE_SCORE", "CompiledSpelling", "Matcher", "Mention",
           "NearMissOptions", "sentence_ends"]
