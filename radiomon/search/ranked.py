"""The archive's candidates ranked: BM25 over the newest window of matches, best first, highlighted.

The archive (radiomon/archive/fts.py) hands over the newest
:data:`~radiomon.archive.fts.RANK_WINDOW` segments a query matches and the
document counts of its terms; here they are scored (radiomon/search/ranking.py),
joined by the segments found through a mention of a term the query names
(radiomon/search/via_mention.py), and the best ``limit`` become rows with a
highlighted snippet.

The press is ranked the same way, by :func:`ranked_press_rows`, from its own
index: the newest window of matching articles, each scored on its headline
and text with BM25 and the articles' own document counts and average length
(an article is judged among articles, an utterance among utterances, so a
word common in the papers but rare on air counts for little in an article and
much in an utterance). Both scores are on BM25's scale (IDF times a
saturated term frequency), so the service merges the two lists by score.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from radiomon.archive import fts
from radiomon.filters import Filters
from radiomon.search.approximate import Variant
from radiomon.search.passage import passage
from radiomon.search.query import ParsedQuery, approximate_fts
from radiomon.search.ranking import (
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    ScoringTerm,
    bm25_scores,
    highlight,
    tokens,
    word_spans,
)
from radiomon.search.via_mention import as_heard

if TYPE_CHECKING:
    from radiomon.archive import Archive

# A candidate: segment id, its text (as heard, for one found through a mention), epoch ms,
# and (term, words heard) when it was found through a mention of the term.
Candidate = tuple[int, str, int, "tuple[str, str] | None"]


def ranked_rows(archive: Archive, query: str | ParsedQuery, filters: Filters = Filters(), *, limit: int = 20,
                through: Sequence[str] = ()) -> list[dict]:
    """Rows with segment, recording, ``rank`` and a highlighted snippet, best first,
    of ``filters``' stations and range, with a mention of one of its groups.

    ``query`` is a parsed user query, or an FTS5 expression as text.
    ``through``: keyword terms the query names; segments with a mention
    of one of them are found too, read as if Whisper had written the term,
    and carry ``via_mention`` and ``heard``.
    """
    parsed = query if isinstance(query, ParsedQuery) else ParsedQuery.from_fts(query)
    return radio_rows(archive, scored_candidates(archive, parsed, filters, through)[:limit], parsed.terms)


# A scored candidate: score (BM25, higher is better), epoch ms, segment id, and what marks it:
# (term, words heard) when found through a mention of the term; for an approximate hit, the
# words written that sound like the query's and what they stand for (see approximate_candidates).
Scored = tuple[float, int, int, "tuple[str, str] | None"]


def scored_candidates(archive: Archive, parsed: ParsedQuery, filters: Filters = Filters(),
                      through: Sequence[str] = ()) -> list[Scored]:
    """Every candidate of the window (radiomon/archive/fts.py) scored, best first, newest first on ties."""
    candidates: list[Candidate] = [(i, text, epoch, None) for i, text, epoch in
                                   archive.fts_candidates(parsed.fts, filters)]
    if through:
        found = {c[0] for c in candidates}
        candidates += [c for c in _through_mentions(archive, parsed.fts, filters, through) if c[0] not in found]
    if not candidates:
        return []
    ids, texts, epochs, via = zip(*candidates)
    counts = archive.document_counts([_fts_term(term) for term in parsed.terms])
    scores = bm25_scores(texts, parsed.terms, {term: counts[_fts_term(term)] for term in parsed.terms},
                         archive.document_total())
    # Best first (FTS5's rank is the negated score), newest first on ties.
    return sorted(zip(scores, epochs, ids, via), key=lambda c: (-c[0], -c[1], -c[2]))


def approximate_candidates(archive: Archive, parsed: ParsedQuery, filters: Filters,
                           variants: Sequence[Variant], typed: Mapping[str, str]) -> list[Scored]:
    """The segments the approximate search adds (``variants`` of the query's words, none that the exact
    search finds), best first: BM25 over the query's words and their variants, times how alike the
    variants heard are (a 75 % likeness weighs three quarters). Each carries (words written, what they
    stand for): ("EF MorLeón", "DIF Moroleón"); ``typed``: each query word (folded) as typed."""
    by_word: dict[str, list[str]] = {}
    for variant in variants:
        by_word.setdefault(variant.of, []).append(variant.word)
    expression = approximate_fts(parsed, by_word)
    if expression is None:
        return []
    likeness = {v.word: v.score for v in variants}
    order = {word: n for n, word in enumerate(typed)}
    stands_for = {v.word: v.of for v in variants}
    candidates = archive.fts_candidates(expression, filters)
    if not candidates:
        return []
    ids, texts, epochs = zip(*candidates)
    terms = (*parsed.terms, *(ScoringTerm(v.word) for v in variants))
    counts = archive.document_counts([_fts_term(term) for term in terms])
    scores = bm25_scores(texts, terms, {term: counts[_fts_term(term)] for term in terms}, archive.document_total())
    scored: list[Scored] = []
    for score, epoch, segment_id, text in zip(scores, epochs, ids, texts):
        heard = [(text[start:end], word) for word, start, end in word_spans(text) if word in likeness]
        if not heard:  # matched on a word typed alone (an OR): not approximate after all
            continue
        written = " ".join(dict.fromkeys(w for w, _ in heard))
        meant = " ".join(" ".join(typed.get(part, part) for part in word.split())
                         for word in sorted({stands_for[w] for _, w in heard},
                                            key=lambda w: order.get(w.split()[0], len(order))))
        scored.append((score * max(likeness[word] for _, word in heard) / 100, epoch, segment_id, (meant, written)))
    return sorted(scored, key=lambda c: (-c[0], -c[1], -c[2]))


def radio_rows(archive: Archive, ranked: Sequence[Scored], terms: Sequence[ScoringTerm], *,
               approximate: Collection[int] = ()) -> list[dict]:
    """The rows to show for ``ranked`` candidates, in their order, highlighted; ``approximate``: the
    segment ids of approximate hits (their marks say what the words written stand for)."""
    rows = archive.hit_details([segment_id for _, _, segment_id, _ in ranked])
    for (score, _, segment_id, mark), row in zip(ranked, rows):
        row["rank"] = -score
        marked = terms
        row["via_mention"], row["heard"], row["approximate"] = None, None, None
        if mark and segment_id in approximate:
            row["approximate"], row["heard"] = mark
        elif mark:
            row["via_mention"], row["heard"] = mark
        if mark:  # highlighted where the term was heard, or the words that sound like the query's
            marked = (*marked, *(ScoringTerm(word) for word in tokens(mark[1])))
        row["snippet"] = highlight(row["text"], marked, HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE)
    return rows


def _fts_term(term: ScoringTerm) -> str:
    return '"' + term.token.replace('"', '""') + '"' + ("*" if term.prefix else "")


def _through_mentions(archive: Archive, fts_query: str, filters: Filters, terms: Sequence[str]) -> list[Candidate]:
    """The newest RANK_WINDOW segments with a mention of ``terms`` (not rejected) that the query matches
    as heard: each read with the term written where the matcher heard it."""
    heard: dict[int, list] = {}
    for segment_id, text, epoch_ms, term, matched in archive.mentioned_segments(filters, terms):
        if segment_id not in heard:
            if len(heard) == fts.RANK_WINDOW:
                break
            heard[segment_id] = [text, epoch_ms, (term, matched)]
        heard[segment_id][0] = as_heard(heard[segment_id][0], matched, term)
    matching = archive.texts_matching(fts_query, {i: text for i, (text, _, _) in heard.items()})
    return [(i, text, epoch_ms, via) for i, (text, epoch_ms, via) in heard.items() if i in matching]


def ranked_press_rows(archive: Archive, query: str | ParsedQuery, filters: Filters = Filters(), *,
                      limit: int = 20) -> list[dict]:
    """Rows with the article, ``rank``, ``epoch_ms``, ``text`` (the sentence that matched, or the
    lede) and its highlighted ``snippet``, best first, of ``filters``' outlets, range and groups."""
    parsed = query if isinstance(query, ParsedQuery) else ParsedQuery.from_fts(query)
    return press_rows(archive, scored_press_candidates(archive, parsed, filters)[:limit], parsed.terms)


def scored_press_candidates(archive: Archive, parsed: ParsedQuery,
                            filters: Filters = Filters()) -> list[tuple[float, int, int]]:
    """(score, published epoch ms, article id) of the window's articles, best first, newest first on ties."""
    candidates = archive.press_candidates(parsed.fts, filters)
    if not candidates:
        return []
    ids, titles, texts, epochs = zip(*candidates)
    counts = archive.press_document_counts([_fts_term(term) for term in parsed.terms])
    scores = bm25_scores([f"{title}\n{text}" for title, text in zip(titles, texts)], parsed.terms,
                         {term: counts[_fts_term(term)] for term in parsed.terms}, archive.article_total())
    return sorted(zip(scores, epochs, ids), key=lambda c: (-c[0], -c[1], -c[2]))


def press_rows(archive: Archive, ranked: Sequence[tuple[float, int, int]], terms: Sequence[ScoringTerm]) -> list[dict]:
    """The rows to show for ``ranked`` articles, in their order (one deleted meanwhile is left out)."""
    found = {c[2]: c for c in ranked}
    rows = archive.article_hit_details(list(found))
    for row in rows:
        score, epoch_ms, _ = found[row["article_id"]]
        row["rank"] = -score
        row["epoch_ms"] = epoch_ms
        row["text"] = passage(row["text"], terms)
        row["snippet"] = highlight(row["text"], terms, HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE)
    return rows
