"""Search: what staff type, turned into ranked hits from the archive.

* :mod:`~radiomon.search.query` — the search box language, to FTS5 (pure)
* :mod:`~radiomon.search.ranking` — BM25 over a window of candidates, highlights (pure)
* :mod:`~radiomon.search.via_mention` — a query naming a keyword term also finds its mentions, as heard (pure)
* :mod:`~radiomon.search.passage` — which sentence of an article a press hit shows (pure)
* :mod:`~radiomon.search.ranked` — the archive's candidates scored, joined and highlighted, per medium
* :mod:`~radiomon.search.service` — :func:`search`: a query and filters in, :class:`SearchHit` (radio)
  and :class:`PressHit` out, in one list
"""

from radiomon.search.query import ParsedQuery, parse_query, to_fts_query
from radiomon.search.service import MAX_LIMIT, Hit, PressHit, SearchHit, plain_snippet, search

__all__ = ["MAX_LIMIT", "Hit", "ParsedQuery", "PressHit", "SearchHit", "parse_query", "plain_snippet", "search",
           "to_fts_query"]
