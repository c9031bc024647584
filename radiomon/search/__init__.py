"""Search: what staff type, turned into ranked hits from the archive.

* :mod:`~radiomon.search.query` — the search box language, to FTS5 (pure)
* :mod:`~radiomon.search.ranking` — BM25 over a window of candidates, highlights (pure)
* :mod:`~radiomon.search.via_mention` — a query naming a keyword term also finds its mentions, as heard (pure)
* :mod:`~radiomon.search.passage` — which sentence of an article a press hit shows (pure)
* :mod:`~radiomon.search.ranked` — the archive's candidates scored, joined and highlighted, per medium
* :mod:`~radiomon.search.approximate` — the archive's words that sound like a query word (búsqueda aproximada)
* :mod:`~radiomon.search.service` — :func:`search`: a query and filters in, :class:`SearchHit` (radio)
  and :class:`PressHit` out, in one list; :func:`search_results` the same with the count, approximate
  hits and «¿Quiso decir …?»
"""

from radiomon.search.query import ParsedQuery, parse_query, to_fts_query
from radiomon.search.service import (
    MAX_LIMIT,
    Hit,
    PressHit,
    SearchHit,
    SearchResults,
    plain_snippet,
    search,
    search_results,
)

__all__ = ["MAX_LIMIT", "Hit", "ParsedQuery", "PressHit", "SearchHit", "SearchResults", "parse_query",
           "plain_snippet", "search", "search_results", "to_fts_query"]
