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

from collections.abc import Sequence
from typing import TYPE_CHECKING

from radiomon.archive import fts
from radiomon.filters import Filters
from radiomon.search.passage import passage
from radiomon.search.query import ParsedQuery
from radiomon.search.ranking import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, ScoringTerm, bm25_scores, highlight, tokens
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
    ranked = sorted(zip(scores, epochs, ids, via), key=lambda c: (-c[0], -c[1], -c[2]))[:limit]
    rows = archive.hit_details([segment_id for _, _, segment_id, _ in ranked])
    for (score, _, _, via_mention), row in zip(ranked, rows):
        row["rank"] = -score
        marked = parsed.terms
        row["via_mention"], row["heard"] = via_mention or (None, None)
        if via_mention:  # highlighted where the term was heard
            marked = (*marked, *(ScoringTerm(word) for word in tokens(via_mention[1])))
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
    candidates = archive.press_candidates(parsed.fts, filters)
    if not candidates:
        return []
    ids, titles, texts, epochs = zip(*candidates)
    counts = archive.press_document_counts([_fts_term(term) for term in parsed.terms])
    scores = bm25_scores([f"{title}\n{text}" for title, text in zip(titles, texts)], parsed.terms,
                         {term: counts[_fts_term(term)] for term in parsed.terms}, archive.article_total())
    ranked = sorted(zip(scores, epochs, ids), key=lambda c: (-c[0], -c[1], -c[2]))[:limit]
    found = {c[2]: c for c in ranked}
    rows = archive.article_hit_details(list(found))  # an article deleted meanwhile is left out
    for row in rows:
        score, epoch_ms, _ = found[row["article_id"]]
        row["rank"] = -score
        row["epoch_ms"] = epoch_ms
        row["text"] = passage(row["text"], parsed.terms)
        row["snippet"] = highlight(row["text"], parsed.terms, HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE)
    return rows
