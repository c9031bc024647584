"""BM25 over a window of candidate utterances (pure).

FTS5's own ``bm25()`` counts, for every query, how many rows contain each
term by walking the term's whole doclist: for "de" on a station-year (four
million rows) that alone is 150–300 ms, far over the 50 ms a search box
allows. radiomon takes the document frequencies from the index's vocabulary
(``fts5vocab``, a B-tree lookup) instead and scores the candidates here,
with the same formula and constants as FTS5 (k1 = 1.2, b = 0.75).

Tokens are folded like the index's ``unicode61 remove_diacritics 2``
tokenizer: lowercase, accents and tildes removed, split on anything that is
not a letter or a digit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping, Sequence

K1 = 1.2
B = 0.75

# Around each matched word of a snippet: control characters no transcript
# holds, replaced by each consumer with its own markup (bold, <mark>).
HIGHLIGHT_OPEN = "\x02"
HIGHLIGHT_CLOSE = "\x03"

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Latin letters with accents, precomputed: folding a thousand candidates per
# query through NFKD character by character cost more than the search itself.
_LATIN = str.maketrans({chr(c): _strip_marks(chr(c)) for c in range(0xC0, 0x250) if _strip_marks(chr(c)) != chr(c)})


def fold(text: str) -> str:
    folded = text.lower().translate(_LATIN)
    # Lowercased again after NFKD: a styled letter ("𝕊") decomposes to a capital.
    return folded if folded.isascii() else _strip_marks(folded).lower()


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Each word of ``text`` as :func:`tokens` folds it, with its start and end in ``text``."""
    return [(fold(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def tokens(text: str) -> list[str]:
    # Most Spanish words are plain ASCII: fold only the others (this runs on
    # a thousand candidates per query).
    return [w if w.isascii() else fold(w) for w in _TOKEN.findall(text.lower())]


@dataclass(frozen=True)
class ScoringTerm:
    token: str  # folded, as in the index
    prefix: bool = False  # moro* matches every token starting with "moro"

    def count_in(self, doc_tokens: Sequence[str]) -> int:
        if self.prefix:
            return sum(1 for t in doc_tokens if t.startswith(self.token))
        return doc_tokens.count(self.token)


def idf(documents: int, containing: int) -> float:
    """FTS5's IDF, floored so that a term in most rows still counts a little."""
    value = math.log((documents - containing + 0.5) / (containing + 0.5))
    return max(value, 1e-6)


def bm25_scores(
    texts: Sequence[str],
    terms: Sequence[ScoringTerm],
    document_counts: Mapping[ScoringTerm, int],
    documents: int,
) -> list[float]:
    """A score per text; higher is better (FTS5 returns the negative)."""
    tokenized = [tokens(t) for t in texts]
    if not tokenized:
        return []
    average = max(1.0, sum(len(t) for t in tokenized) / len(tokenized))
    weights = {term: idf(max(documents, 1), min(document_counts.get(term, 0), documents)) for term in terms}
    scores = []
    for doc in tokenized:
        norm = K1 * (1 - B + B * len(doc) / average)
        score = 0.0
        for term in terms:
            tf = term.count_in(doc)
            if tf:
                score += weights[term] * tf * (K1 + 1) / (tf + norm)
        scores.append(score)
    return scores


def highlight(text: str, terms: Sequence[ScoringTerm], before: str, after: str) -> str:
    """``text`` with every word that matches a term wrapped in ``before``/``after``.

    Done here rather than with FTS5's ``snippet()``: for a common word,
    ``snippet()`` on a handful of rows still walks the word's whole doclist.
    """
    exact = {t.token for t in terms if not t.prefix}
    prefixes = tuple(t.token for t in terms if t.prefix)

    def mark(found: re.Match) -> str:
        word = fold(found.group(0))
        if word in exact or (prefixes and word.startswith(prefixes)):
            return f"{before}{found.group(0)}{after}"
        return found.group(0)

    marked = _TOKEN.sub(mark, text)
    # One highlight for a run of matching words ("mercado nuevo"), as FTS5 does.
    return re.sub(re.escape(after) + r"(\s+)" + re.escape(before), r"\1", marked)
