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
5. Overlapping windows of one term: the best score wins ("Moroleón", not
   "Moroleón informa"). Overlapping candidates of one group: the longest
   keyword wins, then the higher score ("DIF Moroleón" is one mention, not
   also "DIF"; "H. Ayuntamiento de Moroleón" not also "Moroleón").
   Candidates of different groups are all kept: groups are independent
   questions ("was DIF on air?", "was the municipality named?"), and
   ``--group municipio`` must not lose "DIF Moroleón". Pass
   ``nested_across_groups=False`` to keep only the longest across groups too.

With :class:`NearMissOptions` the same machinery finds near misses instead:
words that come close to a term without counting.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq, Levenshtein

from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.model import KeywordSet
from radiomon.keywords.normalize import Token, normalize_word, tokenize_words
from radiomon.keywords.patterns import (
    MIN_LENGTH_RATIO,
    SHORT_LENGTH,
    Pattern,
    compile_pattern,
    similarity,
    window_pattern,
)
from radiomon.keywords.phonetic import spelled_out, word_key
from radiomon.keywords.words import ends_sentence
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


@dataclass(frozen=True)
class Mention:
    """One reference to a keyword in the heard words."""

    group_id: str
    keyword: str  # the canonical term (keywords.yml ``term``), even when an alias matched
    matched: str  # the words actually heard, original spelling ("Moro León")
    score: float  # 0–100, see patterns.similarity
    start: float  # start of the first matched word (seconds)
    end: float  # end of the last matched word
    first_word_index: int  # into the words passed to find_mentions
    last_word_index: int
    segment_id: Any = None  # of the first matched word
    spelling: str = ""  # the keywords.yml spelling that matched: the term or one of its aliases


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
class _Candidate:
    spelling: CompiledSpelling
    first: int  # token indices
    last: int
    score: float


@dataclass(frozen=True)
class NearMissOptions:
    """How far past the matcher's own rules to look, to find *near misses*
    rather than mentions: words that come close to a term without counting.
    Transcription's keyword rescoring (radiomon/pipeline/transcribe/rescore.py)
    asks Whisper whether each was the term ("O las públicas" may be Obras
    Públicas, "a cámbalo" Acámbaro, "DEF Moroleón" DIF Moroleón). The
    defaults are the matcher's own rules: nothing more."""

    # Points every term's threshold is lowered by.
    reach: float = 0.0
    # Windows may start or end on a stopword (Whisper splits a name it does
    # not know at a syllable that is a word: "O las públicas").
    stopword_edges: bool = False
    # An acronym inside a longer term may be heard this many letters off, as
    # a word of its length that is not a stopword ("DEF Moroleón").
    acronym_edits: int = 0
    # Points further from a term's words at which a word still anchors it
    # ("zapadecivo", 73 alike, for desaparecido).
    anchor_reach: float = 0.0
    # A term with an acronym is also compared as its acronym read letter by
    # letter ("de i efe Moroleón", heard "NEF Moroleón").
    spelled_acronyms: bool = False
    # One word anchors a term of several words when it is close to them glued
    # together ("Orascullica" for Obras Públicas, "Neyéfemoreón" for DIF
    # Moroleón read letter by letter).
    glued: bool = False
    # A window may hold two words more than the spelling, not one ("Se muñe a
    # publicar" for Seguridad Pública).
    split: bool = False
    # Overlapping near misses of different terms are all kept, each term's
    # best window: the matcher's own rule (the longest term of a group wins)
    # let "Tesorería Municipal" (70.6 alike) hide "DIF municipal" read letter
    # by letter (83.9) over "Neyfé municipal". Whoever asks about them
    # chooses among them.
    every_term: bool = False


class Matcher:
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
        windows = _Windows(tokens, sentence_ends([w.text for w in words], tokens))
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

    def text_score(self, spelling: CompiledSpelling, text: str) -> float:
        """How ``text``, heard as a whole, scores against ``spelling``: 0 when
        it would not be reported (below threshold, or excluded)."""
        tokens = tokenize_words(text.split())
        if not tokens:
            return 0.0
        windows = _Windows(tokens, sentence_ends(text.split(), tokens))
        score = self._score(spelling, windows, 0, len(tokens) - 1)
        if score < spelling.threshold:
            return 0.0
        if self._excluded(_Candidate(spelling, 0, len(tokens) - 1, score), windows):
            return 0.0
        return round(score, 1)

    # -- the archive: match against the vocabulary once --------------------------
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
    def _candidates(self, anchored: list[tuple[int, tuple[int, ...]]], windows: "_Windows") -> Iterable[_Candidate]:
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
                            yield _Candidate(spelling, first, last, score)

    def _score(self, spelling: CompiledSpelling, windows: "_Windows", first: int, last: int) -> float:
        pattern = spelling.pattern
        tokens = windows.tokens
        if (not self.stopword_edges or spelling.spelled) and _stopword_edge(tokens, first, last, pattern):
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

    def _excluded(self, candidate: _Candidate, windows: "_Windows") -> bool:
        """True when an exclude matches words covering the candidate at least as well."""
        count = len(windows.tokens)
        span = candidate.last - candidate.first + 1
        for exclude in candidate.spelling.excludes:
            m = len(exclude.tokens)
            for length in range(max(span, m - 1), m + 2):
                lowest = max(0, candidate.last - length + 1)
                highest = min(candidate.first, count - length)
                for first in range(lowest, highest + 1):
                    # The rule candidates follow: a window does not start or end on a
                    # stopword its spelling lacks ("de Moreón a" is not "Morena").
                    if _stopword_edge(windows.tokens, first, first + length - 1, exclude):
                        continue
                    window = windows.get(first, first + length - 1)
                    if similarity(window, exclude) >= candidate.score:
                        log.debug("%r excluded by %r", window.text, exclude.text)
                        return True
        return False

    def _resolve_overlaps(self, candidates: list[_Candidate]) -> list[_Candidate]:
        # First the best window for each term, whichever spelling: "Moroleón"
        # beats "Moroleón informa" (higher score), then the tightest window.
        best = _greedy(candidates, lambda c: (c.spelling.group_id, c.spelling.keyword),
                       lambda c: (-c.score, abs(c.last - c.first + 1 - len(c.spelling.pattern.tokens)), c.first))
        # Then the longest keyword wins among overlapping ones of a group:
        # "DIF Moroleón" over "Moroleón", then the higher score
        # ("presidenta municipal" over "presidente municipal"). Near misses
        # with every_term: each term's best, all of them.
        scope = (lambda c: c.spelling.group_id) if self.nested_across_groups else (lambda c: None)
        chosen = best if self.every_term else _greedy(
            best, scope, lambda c: (-len(c.spelling.pattern.joined), -c.score, c.first,
                                    self._group_order[c.spelling.group_id]))
        return sorted(chosen, key=lambda c: (c.first, self._group_order[c.spelling.group_id]))

    def resolve(self, windows: Sequence[tuple[int, int, int, float]]) -> list[tuple[int, int, int, float]] | None:
        """:meth:`find_mentions`' choice among candidate windows given as
        (spelling index, first token, last token, score), for a caller that
        already has every candidate of a stretch of words (the archive-wide
        re-match, for :meth:`simple` windows, scored with
        :meth:`window_score`). None when two candidates tie
        in a ranking, so the order the matcher would have met them in would
        decide: the caller then runs the matcher."""
        candidates = [_Candidate(self.spellings[i], first, last, score) for i, first, last, score in windows]
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

    def _mention(self, candidate: _Candidate, tokens: list[Token], words: Sequence[Word]) -> Mention:
        return self.mention_at(candidate.spelling, candidate.score, words,
                               tokens[candidate.first].first, tokens[candidate.last].last)

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
        windows = _Windows([Token(t, i, i) for i, t in enumerate(tokens)])
        return self._score(self.spellings[index], windows, 0, len(tokens) - 1)

    def mention_at(self, spelling: CompiledSpelling, score: float, words: Sequence[Word],
                   first_word: int, last_word: int) -> Mention:
        """The mention of ``spelling`` heard in ``words[first_word..last_word]``."""
        heard = " ".join(w.text.strip() for w in words[first_word:last_word + 1])
        return Mention(
            group_id=spelling.group_id,
            keyword=spelling.keyword,
            matched=heard.strip(_OUTER_PUNCTUATION),
            score=round(score, 1),
            start=float(words[first_word].start),
            end=float(words[last_word].end),
            first_word_index=first_word,
            last_word_index=last_word,
            segment_id=words[first_word].segment_id,
            spelling=spelling.pattern.text,
        )


def _spelled_out(pattern: Pattern) -> Pattern:
    """``pattern`` with its acronyms read letter by letter, written as before
    ("DIF Moroleón" compared as "deiefe moroleon")."""
    tokens = [spelled_out(t) if t in pattern.acronyms else t for t in pattern.tokens]
    return window_pattern(tokens, pattern.text)


def _stopword_edge(tokens: Sequence[Token], first: int, last: int, pattern: Pattern) -> bool:
    """Whether the window first..last starts or ends on a stopword that
    ``pattern`` does not start or end with ("la Moroleón" is "Moroleón")."""
    return ((tokens[first].text in STOPWORDS and not pattern.starts_with_stopword)
            or (tokens[last].text in STOPWORDS and not pattern.ends_with_stopword))


def _greedy(candidates: Iterable[_Candidate], scope, rank) -> list[_Candidate]:
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


_OUTER_PUNCTUATION = " \t,.;:¡!¿?\"'«»()-…"


def sentence_ends(words: Sequence[str], tokens: Sequence[Token]) -> list[bool]:
    """For each token, whether a sentence ends after it: its source word ends
    one (:func:`~radiomon.keywords.words.ends_sentence`) and it is that word's
    last token."""
    return [
        ends_sentence(words[t.last]) and (i + 1 == len(tokens) or tokens[i + 1].first > t.last)
        for i, t in enumerate(tokens)
    ]


class _Windows:
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
