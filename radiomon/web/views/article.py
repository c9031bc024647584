"""Una nota de prensa: headline, outlet, local time, the text with its mentions marked, its story.

A press mention's ``offset`` counts characters into the article as the
matcher read it (:func:`radiomon.pipeline.match.press.reading_text`: the
headline, a blank line, the text). A mention before the text's start is in
the headline. Rather than trust the characters alone (an article re-extracted
since, a layout changed), each mention's printed words (``matched``) are
looked for, accents and case aside, and the occurrence nearest its offset is
marked; one the headline lacks is looked for in the text.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, abort, render_template
from markupsafe import Markup, escape

from radiomon.archive import MentionRow
from radiomon.search.ranking import tokens, word_spans
from radiomon.web.common import get_archive, parse_id

bp = Blueprint("article", __name__)

Span = tuple[int, int, int]  # start, end (characters into the text), mention id


@bp.get("/articulo/<article_id>")
def page(article_id: str):
    archive = get_archive()
    article = archive.article(parse_id(article_id, "nota"))
    if article is None:
        abort(404, description="No existe esa nota de prensa.")
    mentions = archive.article_mentions(article.id)
    text_start = text_bases(article.title)[-1]
    title_spans = mention_spans(article.title, [m for m in mentions if m.offset < text_start], (0,))
    in_title = {s[2] for s in title_spans}
    text_spans = mention_spans(article.text, [m for m in mentions if m.id not in in_title],
                               text_bases(article.title))
    others = archive.story_articles(article.story) if article.story is not None else []
    return render_template(
        "article.html", a=article, mentions=mentions, outlets=archive.outlet_names(), original=web_link(article.url),
        title_html=Markup(" ").join(marked(article.title, title_spans)),
        paragraphs=marked(article.text, text_spans), others=[o for o in others if o.id != article.id],
    )


def web_link(url: str) -> str | None:
    """``url`` when it leads to a web page (http or https): never a ``javascript:`` link from a feed."""
    return url if url.lower().startswith(("http://", "https://")) else None


def text_bases(title: str) -> tuple[int, ...]:
    """Where the text may begin in what the matcher read (alone, after the headline and a line break),
    the matcher's own layout last: after the headline and a blank line."""
    return (0, len(title) + 1, len(title) + 2) if title else (0,)


def mention_spans(text: str, mentions: Sequence[MentionRow], bases: Sequence[int]) -> list[Span]:
    """For each mention, its words in ``text`` (folded as the index folds them) nearest its offset,
    as if ``text`` began at one of ``bases``; overlapping ones keep the first. None where absent."""
    words = word_spans(text)
    folded = [w for w, _, _ in words]
    spans: list[Span] = []
    for mention in mentions:
        wanted = tokens(mention.matched)
        if not wanted or mention.id is None:
            continue
        found = [(words[i][1], words[i + len(wanted) - 1][2]) for i in range(len(words) - len(wanted) + 1)
                 if folded[i:i + len(wanted)] == wanted]
        if not found:
            continue
        start, end = min(found, key=lambda s: min(abs(s[0] + base - mention.offset) for base in bases))
        if "\n" in text[start:end] or any(start < e and s < end for s, e, _ in spans):
            continue
        spans.append((start, end, mention.id))
    return sorted(spans)


def marked(text: str, spans: Sequence[Span]) -> list[Markup]:
    """``text`` escaped, each span in ``<mark id="marca-ID">``, one item per paragraph (line)."""
    pieces, at = [], 0
    for start, end, mention_id in spans:
        pieces.append(str(escape(text[at:start])))
        pieces.append(f'<mark class="mention" id="marca-{mention_id}">{escape(text[start:end])}</mark>')
        at = end
    pieces.append(str(escape(text[at:])))
    return [Markup(line) for line in "".join(pieces).split("\n") if line.strip()]


__all__ = ["bp", "marked", "mention_spans", "text_bases", "web_link"]
