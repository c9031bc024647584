"""Search the archive: a user query and filters in, plain hits out, radio and press in one list.

Each medium is ranked from its own index (radiomon/search/ranked.py), the
best ``limit`` of each; the two lists are merged by score, newest first on
ties, and cut to ``limit``. A station filter asks for radio, an outlet filter
for the press (:meth:`Filters.covers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.search.query import parse_query
from radiomon.search.ranked import ranked_press_rows, ranked_rows
from radiomon.search.ranking import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN
from radiomon.search.via_mention import named_terms

if TYPE_CHECKING:
    from radiomon.archive import Archive

MAX_LIMIT = 10_000


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
    heard: str | None = None  # then: the words Whisper wrote where the term was heard

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


def plain_snippet(snippet: str, before: str = "", after: str = "") -> str:
    return snippet.replace(HIGHLIGHT_OPEN, before).replace(HIGHLIGHT_CLOSE, after)


def search(archive: Archive, query: str, filters: Filters = Filters(), *, limit: int = 20,
           spellings: Iterable[tuple[str, str]] = ()) -> list[Hit]:
    """Best matches first (bm25), newest first on ties, of ``filters``' media, stations,
    outlets, range and groups; see search/ranked.py for the ranking window. ``spellings``:
    the keyword terms as ``(term, spelling)`` pairs; a query that names one also
    finds its mentions however Whisper wrote them (radiomon/search/via_mention.py)."""
    if limit < 1 or limit > MAX_LIMIT:
        raise QueryError(f"--limit {limit}: use a number from 1 to {MAX_LIMIT}")
    if filters.since and filters.until and filters.since >= filters.until:
        raise QueryError("--since must be before --until")
    parsed = parse_query(query)
    radio = press = []
    if filters.covers("radio"):
        radio = ranked_rows(archive, parsed, filters, limit=limit, through=named_terms(parsed.words, spellings))
    if filters.covers("press"):
        press = ranked_press_rows(archive, parsed, filters, limit=limit)
    if not press:
        return _radio_hits(radio)
    if not radio:
        return _press_hits(press)
    # Merged on the unrounded scores (a hit's score is rounded), newest first on ties; each list is
    # already in that order, so a stable sort keeps radio's own tie order.
    merged = [(row["rank"], row["start"], hit) for row, hit in zip(radio, _radio_hits(radio))]
    merged += [(row["rank"], row["published"], hit) for row, hit in zip(press, _press_hits(press))]
    merged.sort(key=lambda m: m[1], reverse=True)
    merged.sort(key=lambda m: m[0])  # rank is the negated score: lowest first
    return [hit for _, _, hit in merged[:limit]]


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
