"""A mention as the command line and the JSON API write it, radio or press (DESIGN.md's contract).

A radio mention is :meth:`MentionRow.as_json` as it always was. A press
mention also names its article: ``article_id``, ``outlet`` (the outlet's id),
``url``, ``title``, ``published`` (ISO UTC; ``at`` is the same instant) and
``story`` (shared by every article of one story). ``radiomon mentions`` and
``/api/mentions`` both call :func:`mentions_json`, so the two never differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from radiomon.archive import Archive, ArticleRow, MentionRow


def mention_json(mention: MentionRow, article: ArticleRow | None = None) -> dict:
    """One mention's object; ``article`` is the press mention's article (None for radio, or gone)."""
    data = mention.as_json()
    if mention.medium == "press":
        data.update(article_id=mention.article_id, outlet=None, url=None, title=None, published=mention.at_utc,
                    story=None)
        if article is not None:
            data.update(outlet=article.outlet, url=article.url, title=article.title,
                        published=article.published_utc, story=article.story)
            data["at"] = article.published_utc
    return data


def mentions_json(archive: Archive, mentions: Sequence[MentionRow]) -> list[dict]:
    """Each mention's object, the press ones with their article (read in one query)."""
    articles = archive.articles_by_id(sorted({m.article_id for m in mentions if m.article_id is not None}))
    return [mention_json(m, articles.get(m.article_id)) for m in mentions]


__all__ = ["mention_json", "mentions_json"]
