"""The day's digest as candidate items of an edition (pure).

Radio: one candidate per digest item (a sentence or adjacent sentences of
one station, a spot repeated counted as airings); its default headline is
the sentence heard, cut at a word near :data:`HEADLINE_WORDS`, and its
summary the whole quote. Press: one candidate per story, whatever groups
its articles were matched for; the headline is the first article's title
and the summary its lede (the first paragraph, at most
:data:`LEDE_SENTENCES` sentences). Nothing is invented: every word of a
default comes from what was aired or printed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from radiomon.archive import ArticleRow, MentionRow
from radiomon.reports.digest_model import Digest, DigestItem, PressItem
from radiomon.sintesis.model import Candidate

HEADLINE_WORDS = 14
LEDE_SENTENCES = 2
LEDE_CHARACTERS = 400
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def headline_of(sentence: str, words: int = HEADLINE_WORDS) -> str:
    """The sentence's first ``words`` words, with "…" when it goes on."""
    parts = sentence.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(",;:") + "…"


def lede_of(text: str, sentences: int = LEDE_SENTENCES, limit: int = LEDE_CHARACTERS, *, title: str = "") -> str:
    """The article's first paragraph (not its title again, as extracted text often starts with it),
    its first ``sentences`` sentences, at most ``limit`` characters."""
    same = _folded(title)
    paragraph = next((p for p in re.split(r"\n\s*\n|\n", text or "") if p.strip() and _folded(p) != same), "")
    kept = " ".join(_SENTENCE_END.split(" ".join(paragraph.split()))[:sentences])
    if len(kept) > limit:
        kept = kept[:limit].rsplit(" ", 1)[0] + "…"
    return kept


def _folded(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .")


def _radio_path(mention: MentionRow | None) -> str:
    if mention is None or mention.recording_id is None:
        return ""
    return f"/grabacion/{mention.recording_id}?t={int(mention.offset)}"


def radio_candidate(item: DigestItem, rank: int, mentions: Mapping[int, MentionRow]) -> Candidate:
    quote = " ".join(item.quote_text.split())
    groups = item.groups or (item.group_id,)
    terms = item.terms or (item.keyword,)
    first = mentions.get(item.mention_ids[0]) if item.mention_ids else None
    return Candidate(
        key=f"radio:{item.mention_ids[0] if item.mention_ids else item.at_utc}",
        # A sentence short enough to be the whole headline needs no summary repeating it.
        kind="radio", section=groups[0], headline=headline_of(quote),
        summary=quote if headline_of(quote) != quote else "",
        mention_ids=tuple(item.mention_ids), groups=groups, terms=terms,
        source={"time": item.time, "at_utc": item.at_utc, "where": item.station, "station_id": item.station_id,
                "program": item.program or "", "quote": quote, "path": _radio_path(first),
                "testigo": item.testigo or "", "airings": item.aired_text},
        order=(rank, item.at_utc),
    )


def press_candidates(sections, rank_of: Mapping[str, int], articles: Mapping[int, ArticleRow]) -> list[Candidate]:
    """One candidate per story across every group it was matched for (its first group decides the section)."""
    by_story: dict[int, list[PressItem]] = {}
    for section in sections:
        for item in section.items:
            by_story.setdefault(item.story, []).append(item)
    out = []
    for story, items in by_story.items():
        first = min(items, key=lambda i: (rank_of.get(i.group_id, 99), i.at_utc))
        article = articles.get(first.article_id)
        groups = tuple(dict.fromkeys(i.group_id for i in sorted(items, key=lambda i: rank_of.get(i.group_id, 99))))
        mention_ids = tuple(sorted({m for i in items for m in i.mention_ids}))
        lede = lede_of(article.text, title=first.title) if article is not None else ""
        out.append(Candidate(
            key=f"press:{story}", kind="press", section=groups[0], headline=" ".join(first.title.split()),
            summary=lede or " ".join(first.quote_text.split()), mention_ids=mention_ids, groups=groups,
            terms=tuple(dict.fromkeys(i.keyword for i in items)),
            source={"time": first.time, "at_utc": first.at_utc, "where": first.outlet, "outlet_id": first.outlet_id,
                    "url": first.url, "path": f"/articulo/{first.article_id}", "also_in": first.also_in_text,
                    "quote": " ".join(first.quote_text.split()), "article_id": first.article_id, "story": story},
            order=(rank_of.get(groups[0], 99), first.at_utc),
        ))
    return out


def candidates(digest: Digest, *, mentions: Mapping[int, MentionRow] = {},
               articles: Mapping[int, ArticleRow] = {}) -> list[Candidate]:
    """Every candidate of the digest, in the document's order: by section (the groups' priority), then time."""
    rank_of = {s.group_id: rank for rank, s in enumerate(digest.sections)}
    for section in digest.press:
        rank_of.setdefault(section.group_id, len(rank_of))
    radio = [radio_candidate(item, rank_of[section.group_id], mentions)
             for section in digest.sections for item in section.items]
    return sorted([*radio, *press_candidates(digest.press, rank_of, articles)], key=lambda c: c.order)
