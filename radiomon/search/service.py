"""Search the archive: a user query and filters in, plain hits out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.search.query import parse_query
from radiomon.search.ranked import ranked_rows
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

    def as_json(self) -> dict:
        data = asdict(self)
        data["snippet"] = plain_snippet(self.snippet)
        data["medium"] = "radio"
        return data


def plain_snippet(snippet: str, before: str = "", after: str = "") -> str:
    return snippet.replace(HIGHLIGHT_OPEN, before).replace(HIGHLIGHT_CLOSE, after)


def search(archive: Archive, query: str, filters: Filters = Filters(), *, limit: int = 20,
           spellings: Iterable[tuple[str, str]] = ()) -> list[SearchHit]:
    """Best matches first (bm25), newest first on ties, of ``filters``' stations,
    range and groups; see search/ranked.py for the ranking window. ``spellings``:
    the keyword terms as ``(term, spelling)`` pairs; a query that names one also
    finds its mentions however Whisper wrote them (radiomon/search/via_mention.py)."""
    if limit < 1 or limit > MAX_LIMIT:
        raise QueryError(f"--limit {limit}: use a number from 1 to {MAX_LIMIT}")
    if filters.since and filters.until and filters.since >= filters.until:
        raise QueryError("--since must be before --until")
    parsed = parse_query(query)
    rows = ranked_rows(archive, parsed, filters, limit=limit, through=named_terms(parsed.words, spellings))
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
