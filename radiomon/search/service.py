"""Search the archive: a user query and filters in, plain hits out, radio and press in one list.

Each medium is ranked from its own index (radiomon/search/ranked.py), the
best ``limit`` of each; the two lists are merged by score, newest first on
ties, and cut to ``limit``. A station filter asks for radio, an outlet filter
for the press (:meth:`Filters.covers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from radiomon.archive.fts import RANK_WINDOW
from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.search.approximate import Variant, sound_index
from radiomon.search.query import parse_query
from radiomon.search.ranked import (
    Scored,
    approximate_candidates,
    press_rows,
    radio_rows,
    scored_candidates,
    scored_press_candidates,
)
from radiomon.search.ranking import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, tokens, word_spans
from radiomon.search.via_mention import named_terms

if TYPE_CHECKING:
    from radiomon.archive import Archive

MAX_LIMIT = 10_000
# Fewer exact hits than this and approximate search joins in by itself (``approx=None``),
# and a «¿Quiso decir …?» is looked for.
AUTO_BELOW = 5
ORDERS = ("relevance", "time")


@dataclass(frozen=True)
class SearchHit:
    station: str
    recording_id: int
    segment_id: int
    start: str  # ISO UTC: recording start + offset
    end: str
    offset: float  # seconds into the recording
    text: str
    audio: str | None  # the recording's audio file, if it has one
    score: float  # bm25, higher is better
    snippet: str  # text with matches between HIGHLIGHT_OPEN and HIGHLIGHT_CLOSE
    via_mention: str | None = None  # found through a mention of this keyword term (the text reads otherwise)
    heard: str | None = None  # then: the words Whisper wrote where the term was heard (or, approximate: the
    # words written that sound like the query's)
    approximate: str | None = None  # an approximate hit: the query's words that ``heard`` may be

    medium = "radio"

    def as_json(self) -> dict:
        data = asdict(self)
        data["snippet"] = plain_snippet(self.snippet)
        data["medium"] = "radio"
        return data


@dataclass(frozen=True)
class PressHit:
    """An article the query matched (its headline or its text)."""

    article_id: int
    outlet: str  # the outlet's id
    outlet_name: str  # its name, for pages (not in the JSON: the contract names the outlet by id)
    url: str
    title: str
    published: str  # ISO UTC
    story: int | None  # shared by the articles of one story
    text: str  # the sentence that matched, or the lede
    score: float  # bm25 among articles, higher is better
    snippet: str  # text with matches between HIGHLIGHT_OPEN and HIGHLIGHT_CLOSE

    medium = "press"

    @property
    def start(self) -> str:
        """When, as a radio hit's ``start``: the published time."""
        return self.published

    def as_json(self) -> dict:
        return {"medium": "press", "article_id": self.article_id, "outlet": self.outlet, "url": self.url,
                "title": self.title, "published": self.published, "story": self.story, "text": self.text,
                "snippet": plain_snippet(self.snippet), "score": self.score}


Hit = SearchHit | PressHit


@dataclass(frozen=True)
class SearchResults:
    """What :func:`search_results` found."""

    hits: list[Hit]  # the first ``limit``, in the order asked for
    total: int  # everything found (exact and approximate) ...
    more: bool  # ... or at least that many: a window of the newest matches was full (radiomon/archive/fts.py)
    approximate: int  # of ``total``, the approximate hits
    approximated: bool  # whether approximate search ran
    did_you_mean: str | None  # the query with a word the archive says far more often, when few were found


def plain_snippet(snippet: str, before: str = "", after: str = "") -> str:
    return snippet.replace(HIGHLIGHT_OPEN, before).replace(HIGHLIGHT_CLOSE, after)


def search(archive: Archive, query: str, filters: Filters = Filters(), *, limit: int = 20,
           spellings: Iterable[tuple[str, str]] = ()) -> list[Hit]:
    """Best matches first (bm25), newest first on ties, of ``filters``' media, stations,
    outlets, range and groups; see search/ranked.py for the ranking window. ``spellings``:
    the keyword terms as ``(term, spelling)`` pairs; a query that names one also
    finds its mentions however Whisper wrote them (radiomon/search/via_mention.py)."""
    return search_results(archive, query, filters, limit=limit, spellings=spellings, suggest=False).hits


def search_results(archive: Archive, query: str, filters: Filters = Filters(), *, limit: int = 20,
                   spellings: Iterable[tuple[str, str]] = (), approx: bool | None = False,
                   order: str = "relevance", suggest: bool = True) -> SearchResults:
    """:func:`search` with the count of what was found, and approximate search
    (radiomon/search/approximate.py): with ``approx`` True the words that sound
    like the query's are looked for too, with None only when the exact search
    finds fewer than :data:`AUTO_BELOW` hits. Approximate hits rank below every
    exact one. ``order``: ``relevance`` (best first) or ``time`` (newest first). ``suggest``: look for
    a «¿Quiso decir …?» when few were found."""
    if limit < 1 or limit > MAX_LIMIT:
        raise QueryError(f"--limit {limit}: use a number from 1 to {MAX_LIMIT}")
    if filters.since and filters.until and filters.since >= filters.until:
        raise QueryError("--since must be before --until")
    if order not in ORDERS:
        raise QueryError(f"order {order!r}: use one of {', '.join(ORDERS)}")
    parsed = parse_query(query)
    radio: list[Scored] = []
    press: list[tuple[float, int, int]] = []
    if filters.covers("radio"):
        radio = scored_candidates(archive, parsed, filters, named_terms(parsed.words, spellings))
    if filters.covers("press"):
        press = scored_press_candidates(archive, parsed, filters)
    full = len(radio) >= RANK_WINDOW or len(press) >= RANK_WINDOW
    few = len(radio) + len(press) < AUTO_BELOW
    variants: list[Variant] = []
    if filters.covers("radio") and (approx or (few and (suggest or approx is None))):
        variants = _variants(archive, parsed)
    approximate: list[Scored] = []
    if variants and (approx or (approx is None and few)):
        exact = {c[2] for c in radio}
        approximate = [c for c in approximate_candidates(archive, parsed, filters, variants, _typed(parsed))
                       if c[2] not in exact]
        full = full or len(approximate) >= RANK_WINDOW
    # Entries to order: (rank, epoch ms, medium, id); rank is the negated score, approximate hits
    # after every exact one (rank + 1e9: scores are far below that).
    entries = [(-score, epoch, "radio", i) for score, epoch, i, _ in radio]
    entries += [(-score, epoch, "press", i) for score, epoch, i in press]
    entries += [(1e9 - score, epoch, "radio", i) for score, epoch, i, _ in approximate]
    if order == "time":
        entries.sort(key=lambda e: (-e[1], e[0]))
    else:
        entries.sort(key=lambda e: -e[1])
        entries.sort(key=lambda e: e[0])  # stable: newest first on ties
    shown = entries[:limit]
    hits = _hits(archive, parsed, shown, radio, press, approximate)
    return SearchResults(hits=hits, total=len(entries), more=full, approximate=len(approximate),
                         approximated=bool(approx or (approx is None and few)),
                         did_you_mean=_did_you_mean(archive, query, variants) if few and suggest else None)


def _hits(archive: Archive, parsed, shown: list, radio: list[Scored], press: list, approximate: list[Scored]
          ) -> list[Hit]:
    """The hits of ``shown`` entries, in their order."""
    wanted = {(medium, i) for _, _, medium, i in shown}
    scored = {c[2]: c for c in radio if ("radio", c[2]) in wanted}
    marked = {c[2]: c for c in approximate if ("radio", c[2]) in wanted}
    scored.update(marked)
    radio_ids = [i for _, _, medium, i in shown if medium == "radio"]
    by_radio = {h.segment_id: h for h in _radio_hits(
        radio_rows(archive, [scored[i] for i in radio_ids], parsed.terms, approximate=set(marked)))}
    press_ranked = [c for c in press if ("press", c[2]) in wanted]
    by_press = {h.article_id: h for h in _press_hits(press_rows(archive, press_ranked, parsed.terms))}
    out: list[Hit] = []
    for _, _, medium, i in shown:
        hit = by_radio.get(i) if medium == "radio" else by_press.get(i)
        if hit is not None:
            out.append(hit)
    return out


def _typed(parsed) -> dict[str, str]:
    """Each single word of the query, folded, as typed ("moroleon" → "Moroleón")."""
    typed = {}
    for group in parsed.groups:
        for term in group:
            words = tokens(term.text)
            if not term.phrase and not term.prefix and len(words) == 1:
                typed.setdefault(words[0], term.text)
    return typed


def _variants(archive: Archive, parsed) -> list[Variant]:
    """The vocabulary's words that may be the query's single words misheard."""
    archive.catch_up_vocabulary()  # a read-only archive, or a writer holding it: what is counted will do
    index = sound_index(archive)
    typed = list(_typed(parsed))
    return [*(variant for word in typed for variant in index.variants(word)), *index.glued_variants(typed)]


def _did_you_mean(archive: Archive, query: str, variants: Sequence[Variant]) -> str | None:
    """The query with each word replaced by a variant said far more often (at least twice as often, and
    twice at least), if one still is: «¿Quiso decir tianguis?» for "tiangis". None when none is."""
    variants = [v for v in variants if " " not in v.of]  # two words heard as one: no word to replace
    if not variants:
        return None
    counts = archive.vocabulary_counts([*(v.of for v in variants), *(v.word for v in variants)])
    best: dict[str, str] = {}
    for variant in sorted(variants, key=lambda v: (-counts[v.word], -v.score)):
        if variant.of not in best and counts[variant.word] >= max(2, 2 * counts[variant.of]):
            if archive.words_present([variant.word]):
                best[variant.of] = variant.word
    if not best:
        return None
    suggested = query
    for word, start, end in reversed(word_spans(query)):
        if word in best:
            suggested = suggested[:start] + archive.written_form(best[word]) + suggested[end:]
    return suggested


def _radio_hits(rows: list[dict]) -> list[SearchHit]:
    return [
        SearchHit(
            station=row["station"],
            recording_id=row["recording_id"],
            segment_id=row["segment_id"],
            start=row["start"],
            end=row["end"],
            offset=round(row["offset"], 3),
            text=row["text"],
            audio=row["audio"],
            score=round(-row["rank"], 4),
            snippet=row["snippet"],
            via_mention=row["via_mention"],
            heard=row["heard"],
            approximate=row["approximate"],
        )
        for row in rows
    ]


def _press_hits(rows: list[dict]) -> list[PressHit]:
    return [
        PressHit(article_id=row["article_id"], outlet=row["outlet"], outlet_name=row["outlet_name"], url=row["url"],
                 title=row["title"], published=row["published"], story=row["story"], text=row["text"],
                 score=round(-row["rank"], 4), snippet=row["snippet"])
        for row in rows
    ]
