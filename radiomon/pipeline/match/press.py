"""Matching newspaper articles: the same matcher as the radio, over an article's headline and text.

An article is read as :func:`reading_text` gives it, the headline, a blank
line, then the extracted text; each line (a paragraph) is matched on its own,
as a segment is, so a name never runs from the headline into the first
paragraph. A word's "time" is its character offset in the reading text, so a
mention's ``offset`` is where its first word starts there (the article page
highlights ``reading_text[offset:offset + len(matched)]``, words ending in
punctuation aside), ``at_utc`` is the article's published time and the
context is the sentence around it.

Writing is one transaction per article
(:meth:`~radiomon.archive.articles.ArticlesMixin.replace_article_mentions`):
still-found mentions keep their id and review; new mentions of a ``crisis``
or ``high`` group become events carrying the article's ``medium``,
``article_id``, ``url``, ``title`` and ``outlet``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from radiomon import events as events_mod
from radiomon import timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.archive.articles import ArticleRow
from radiomon.keywords import Matcher, tokenize_words
from radiomon.pipeline.match.core import sentence_around
from radiomon.pipeline.match.crisis import mention_events
from radiomon.pipeline.match.result import MatchResult
from radiomon.transcript import Word

_WORD = re.compile(r"\S+")
_LINE = re.compile(r"[^\n]+")
# Articles read per step of `radiomon match --all` (the rows are held in memory meanwhile).
BATCH_ARTICLES = 500


def reading_text(title: str, text: str) -> str:
    """The text the matcher reads, which a press mention's ``offset`` counts characters into."""
    return f"{title}\n\n{text}" if title else text


def article_paragraphs(title: str, text: str) -> list[list[Word]]:
    """The reading text's lines as words, each word's ``start``/``end`` its character offsets."""
    reading = reading_text(title, text)
    paragraphs = []
    for line in _LINE.finditer(reading):
        words = [Word(m.group(), float(line.start() + m.start()), float(line.start() + m.end()))
                 for m in _WORD.finditer(line.group())]
        if words:
            paragraphs.append(words)
    return paragraphs


def find_in_article(matcher: Matcher, article: ArticleRow) -> list[MentionRow]:
    """The article's mentions (not stored), in order of appearance."""
    rows = []
    for words in article_paragraphs(article.title, article.text):
        # The common paragraph has nothing like a keyword: a dictionary lookup per word.
        if not any(matcher.anchors(t.text) for t in tokenize_words([w.text for w in words])):
            continue
        for mention in matcher.find_mentions(words):
            rows.append(MentionRow(
                segment_id=None, recording_id=None, station=None,
                group_id=mention.group_id, keyword=mention.keyword, matched=mention.matched,
                score=float(mention.score), at_utc=article.published_utc, offset=float(int(mention.start)),
                context=sentence_around(words, mention.first_word_index, mention.last_word_index),
                article_id=article.id,
            ))
    return rows


def press_event_fields(article: ArticleRow, outlet_name: str | None) -> dict:
    """What a press mention's event carries besides the mention (radiomon/events.py MentionEvent)."""
    return {"medium": "press", "article_id": article.id, "url": article.url, "title": article.title,
            "outlet": article.outlet, "outlet_name": outlet_name or article.outlet}


def match_article(archive: Archive, matcher: Matcher, article: ArticleRow, result: MatchResult, *,
                  since: str | None = None, outlet_name: str | None = None) -> None:
    """Match one stored article and replace its mentions; crisis/high events for its new mentions
    (those published at or after ``since`` when given), written with them and published after."""
    rows = find_in_article(matcher, article)
    fields = press_event_fields(article, outlet_name)

    def write(conn, added):
        found = mention_events(matcher.keywords, added, since, press=fields)
        for kind in (events_mod.CRISIS_MENTION, events_mod.HIGH_MENTION):
            of_kind = [e for e in found if e.kind == kind]
            archive.add_events(conn, kind, [(e.mention_id, e.as_json()) for e in of_kind])
            result.count_events(kind, len(of_kind))

    changes = archive.replace_article_mentions(article.id, rows, on_added=write)
    result.articles += 1
    result.add(changes)
    if changes.added:
        events_mod.publish(mention_events(matcher.keywords, changes.added, since, press=fields))


def match_articles(archive: Archive, matcher: Matcher, article_ids: Sequence[int] | None = None, *,
                   everything: bool = False, event_hours: float | None = None,
                   progress: Callable[[int, int], None] | None = None) -> MatchResult:
    """Match the articles ``article_ids`` (default: every article not matched yet; with ``everything``,
    every article of the archive, after keywords.yml changed). ``event_hours``: events only for
    mentions published within that many hours (``radiomon match --all`` must not alert on last year)."""
    started = time.perf_counter()
    result = MatchResult()
    since = None
    if event_hours is not None:
        since = timeutil.to_iso(datetime.now(timeutil.UTC) - timedelta(hours=event_hours))
    names = archive.outlet_names()
    if article_ids is None:
        article_ids = archive.article_ids() if everything else [a.id for a in archive.unmatched_articles()]
    ids = list(article_ids)
    for start in range(0, len(ids), BATCH_ARTICLES):
        batch = archive.articles_by_id(ids[start:start + BATCH_ARTICLES])
        for article_id in ids[start:start + BATCH_ARTICLES]:
            article = batch.get(article_id)
            if article is not None:
                match_article(archive, matcher, article, result, since=since, outlet_name=names.get(article.outlet))
        if progress:
            progress(min(start + BATCH_ARTICLES, len(ids)), len(ids))
    result.seconds = time.perf_counter() - started
    return result


__all__ = ["article_paragraphs", "find_in_article", "match_article", "match_articles", "press_event_fields",
           "reading_text"]
