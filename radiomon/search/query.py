"""The search box language, translated to an FTS5 MATCH expression (pure).

What staff type, and what it means:

====================  ==========================================
``mercado nuevo``     both words, anywhere in the utterance
``"mercado nuevo"``   the exact phrase
``DIF OR Obras``      either (OR binds tighter than the spaces, as on
                      web search engines: ``a OR b c`` = ``(a OR b) c``)
``-futbol``           leave out utterances with this word
``moro*``             words starting with "moro"
====================  ==========================================

Accents and case never matter (the index folds them). Anything else that
FTS5 would read as syntax (``:``, ``^``, ``NEAR``, parentheses) is taken as
text, so no query can be "malformed" except the few cases reported below.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from radiomon.errors import QueryError
from radiomon.search.ranking import ScoringTerm, tokens

_TOKEN = re.compile(r'(-?)"([^"]*)"(\*?)|(\S+)')
_WORD_CHARS = re.compile(r"[\w*]+", re.UNICODE)


@dataclass(frozen=True)
class QueryTerm:
    text: str  # the words, as typed (FTS5 tokenizes them)
    phrase: bool = False
    prefix: bool = False

    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + ("*" if self.prefix else "")


@dataclass(frozen=True)
class ParsedQuery:
    fts: str  # the FTS5 MATCH expression
    terms: tuple[ScoringTerm, ...]  # what ranks a hit: the words looked for, not the excluded ones
    words: tuple[str, ...] = ()  # the whole words looked for, folded, in the order typed (names a keyword term)
    groups: tuple[tuple[QueryTerm, ...], ...] = ()  # what the fts says: an AND of OR-groups ...
    negatives: tuple[QueryTerm, ...] = ()  # ... NOT any of these

    @classmethod
    def from_fts(cls, expression: str) -> "ParsedQuery":
        """Wrap a hand-written FTS5 expression; its quoted strings before NOT rank the hits."""
        positive = expression.split(" NOT ", 1)[0]
        found = re.findall(r'"((?:[^"]|"")*)"(\*?)', positive)
        return cls(expression, _scoring_terms((text.replace('""', '"'), bool(star)) for text, star in found))


def parse_query(query: str) -> ParsedQuery:
    """Translate a user query; raises QueryError with what to change."""
    fts, positives, negatives = _translate(query)
    words = tuple(word for group in positives for t in group if not t.prefix for word in tokens(t.text))
    return ParsedQuery(fts, _scoring_terms((t.text, t.prefix) for group in positives for t in group), words,
                       tuple(tuple(group) for group in positives), tuple(negatives))


def approximate_fts(parsed: ParsedQuery, variants: Mapping[str, Sequence[str]]) -> str | None:
    """The FTS5 expression of the approximate search: each single word typed (not a phrase or a
    prefix) is any of itself and its ``variants`` (folded word → words that may be it), two adjacent
    ones may also be one word that sounds like both glued (a key "dif moroleon": Whisper's
    "neyefemoreón"), and what the exact search already finds is left out. None when no word has a
    variant."""
    expanded, singles, changed = [], [], False
    for group in parsed.groups:
        alternatives = []
        single = None
        for term in group:
            alternatives.append(term.fts())
            words = tokens(term.text)
            if not term.phrase and not term.prefix and len(words) == 1:
                single = words[0] if len(group) == 1 else None
                for word in variants.get(words[0], ()):
                    alternatives.append(QueryTerm(word).fts())
                    changed = True
        expanded.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
        singles.append(single)
    joined, index = [], 0
    while index < len(expanded):
        pair = f"{singles[index]} {singles[index + 1]}" if index + 1 < len(expanded) and singles[index] \
            and singles[index + 1] else None
        glued = variants.get(pair, ()) if pair else ()
        if glued:
            heard_as_one = " OR ".join(QueryTerm(word).fts() for word in glued)
            joined.append(f"(({expanded[index]} AND {expanded[index + 1]}) OR {heard_as_one})")
            changed, index = True, index + 2
        else:
            joined.append(expanded[index])
            index += 1
    if not changed:
        return None
    exact = " AND ".join(_group(list(g)) for g in parsed.groups)
    left_out = " OR ".join([f"({exact})", *(t.fts() for t in parsed.negatives)])
    return f"({' AND '.join(joined)}) NOT ({left_out})"


def _scoring_terms(pieces) -> tuple[ScoringTerm, ...]:
    terms: dict[ScoringTerm, None] = {}
    for text, prefix in pieces:
        words = tokens(text)
        for index, word in enumerate(words):
            terms[ScoringTerm(word, prefix and index == len(words) - 1)] = None
    return tuple(terms)


def to_fts_query(query: str) -> str:
    """Translate a user query to FTS5; raises QueryError with what to change."""
    return parse_query(query).fts


def _translate(query: str) -> tuple[str, list[list[QueryTerm]], list[QueryTerm]]:
    if query.count('"') % 2:
        raise QueryError(f"unclosed quote in {query!r}; close the phrase with another \"")
    positives: list[list[QueryTerm]] = []  # AND of OR-groups
    negatives: list[QueryTerm] = []
    pending_or = False
    for found in _TOKEN.finditer(query):
        minus, phrase, star, bare = found.groups()
        if bare is not None and bare in ("OR", "|"):
            if not positives or pending_or:
                raise QueryError(f"OR needs a word on each side in {query!r}")
            pending_or = True
            continue
        term, negative = _term(minus, phrase, star, bare)
        if term is None:
            continue
        if negative:
            if pending_or:
                raise QueryError(f"OR cannot join an exclusion (-word) in {query!r}")
            negatives.append(term)
        elif pending_or:
            positives[-1].append(term)
            pending_or = False
        else:
            positives.append([term])
    if pending_or:
        raise QueryError(f"OR needs a word on each side in {query!r}")
    if not positives:
        if negatives:
            raise QueryError(f"{query!r} only excludes words; add at least one word to look for")
        raise QueryError("empty search; type at least one word")
    expression = " AND ".join(_group(g) for g in positives)
    if negatives:
        expression = f"({expression}) NOT ({' OR '.join(t.fts() for t in negatives)})"
    return expression, positives, negatives


def _group(terms: list[QueryTerm]) -> str:
    if len(terms) == 1:
        return terms[0].fts()
    return "(" + " OR ".join(t.fts() for t in terms) + ")"


def _term(minus: str | None, phrase: str | None, star: str | None, bare: str | None) -> tuple[QueryTerm | None, bool]:
    if phrase is not None:
        words = _words(phrase)
        return (QueryTerm(words, phrase=True, prefix=bool(star)) if words else None), bool(minus)
    negative = bare.startswith("-") and len(bare) > 1
    text = bare[1:] if negative else bare
    prefix = text.endswith("*")
    words = _words(text.rstrip("*"))
    if not words:
        if prefix:
            raise QueryError(f"{bare!r}: put at least one letter before * (e.g. moro*)")
        return None, negative
    if "*" in words:
        raise QueryError(f"{bare!r}: * only goes at the end of a word (e.g. moro*)")
    return QueryTerm(words, phrase=" " in words, prefix=prefix), negative


def _words(text: str) -> str:
    """Keep letters and digits; everything else separates words."""
    normalized = unicodedata.normalize("NFC", text)
    return " ".join(_WORD_CHARS.findall(normalized.replace("_", " ")))
