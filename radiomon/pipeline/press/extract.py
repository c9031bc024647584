"""An article page's text and metadata, from the bytes a fetch returned (pure but for the parsing work).

Text: trafilatura (the best measured extractor for news pages), asked for
precision and no comments, so navigation, "lo más leído" lists, ads,
comment threads and footers stay out. Decoding comes first and is ours: the
HTTP charset, then the page's ``<meta charset>``, then detection — each
tried strictly, so a page that says UTF-8 but is ISO-8859-1 (it happens on
older regional sites) falls through instead of turning "Moroleón" into
"Morole�n".

Published time: ``article:published_time``, then JSON-LD ``datePublished``,
then ``<time datetime>`` — with its offset, in UTC; a time later than the
fetch is ``None`` (the feed's or the fetch time is used instead).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from urllib.parse import urljoin

import charset_normalizer
import lxml.html
import lxml_html_clean  # noqa: F401 - trafilatura needs it with lxml 6: a missing install fails here, by name
import trafilatura
from lxml import etree

from radiomon.pipeline.press.feeds import parse_datetime

UTC = timezone.utc
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_DETECTABLE = ["utf_8", "cp1252", "latin_1", "iso8859_15", "utf_16", "mac_roman"]
# Fewer words than this is a teaser, a paywall or an error page, not an article.
MIN_WORDS = 20


@dataclass(frozen=True)
class ExtractedArticle:
    url: str  # the page's final URL
    text: str  # paragraphs separated by "\n"; "" when ``error``
    title: str | None = None
    author: str | None = None
    section: str | None = None
    canonical: str | None = None  # <link rel=canonical>, absolute; not yet normalized
    published: datetime | None = None  # UTC, never later than the fetch; None when the page does not say
    language: str | None = None
    encoding: str = "utf-8"  # how the bytes were decoded
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _try_decode(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(text, encoding)``: the HTTP charset, the meta charset, UTF-8, detection, then windows-1252."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:8192])
    candidates = [
        header.group(1) if header else None,
        meta.group(1).decode("ascii", errors="ignore") if meta else None,
        "utf-8",  # the web's default; strict decoding rejects other encodings' accented letters
    ]
    for candidate in candidates:
        text = _try_decode(body, candidate)
        if text is not None:
            return text, _canonical_codec(candidate)
    # Detection among what the Spanish-language web uses: left free, charset_normalizer calls some
    # ISO-8859-1 pages ISO-8859-13 ("trįnsito" for "tránsito").
    best = charset_normalizer.from_bytes(body[:200_000], cp_isolation=_DETECTABLE).best()
    if best is not None and (text := _try_decode(body, best.encoding)) is not None:
        return text, _canonical_codec(best.encoding)
    # windows-1252 decodes ISO-8859-1 pages as their authors meant (curly quotes included).
    return body.decode("cp1252", errors="replace"), "cp1252"


def _canonical_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def extract_article(
    body: bytes,
    *,
    url: str,
    fetched_at: datetime,
    headers: Mapping[str, str] | None = None,
    naive_tz: tzinfo = UTC,
) -> ExtractedArticle:
    """The article in ``body`` (an HTML page fetched from ``url`` at ``fetched_at``). Never raises."""
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware")
    content_type = {k.lower(): v for k, v in (headers or {}).items()}.get("content-type", "")
    if content_type and not re.search(r"html|xml|text/plain", content_type, re.IGNORECASE):
        return ExtractedArticle(url=url, text="", error=f"not a web page ({content_type.split(';')[0]})")
    html, encoding = decode_html(body, content_type)
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as err:
        return ExtractedArticle(url=url, text="", encoding=encoding, error=f"unreadable HTML: {err}")
    meta = _metadata(tree, url, fetched_at, naive_tz)
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, favor_precision=True,
    )
    text = (document.text or "").strip() if document is not None else ""
    common = dict(
        url=url,
        title=meta.get("title") or _clean(getattr(document, "title", None)),
        author=meta.get("author") or _clean(getattr(document, "author", None)),
        section=meta.get("section") or _first(getattr(document, "categories", None)),
        canonical=meta.get("canonical"),
        published=meta.get("published"),
        language=meta.get("language") or _clean(getattr(document, "language", None)),
        encoding=encoding,
    )
    if len(text.split()) < MIN_WORDS:
        return ExtractedArticle(text="", error=f"no article text found ({len(text.split())} words)", **common)
    return ExtractedArticle(text=text, **common)


def _clean(value) -> str | None:
    if not value:
        return None
    text = " ".join(str(value).split())
    return text or None


def _first(values) -> str | None:
    return _clean(values[0]) if values else None


def _metadata(tree, url: str, fetched_at: datetime, naive_tz: tzinfo) -> dict:
    """Title, author, section, canonical link, published time and language from the page's head."""
    found: dict = {}

    def meta(*names: str) -> str | None:
        for name in names:
            for node in tree.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]", n=name):
                if value := _clean(node.get("content")):
                    return value
        return None

    ld = list(_json_ld_articles(tree))
    found["title"] = meta("og:title", "twitter:title") or _first([a.get("headline") for a in ld if a.get("headline")])
    if found["title"] is None:
        titles = tree.xpath("//h1")
        found["title"] = _clean(titles[0].text_content()) if titles else None
    author = meta("author", "article:author")
    # article:author is often the author's profile URL, not a name.
    found["author"] = None if author and author.startswith("http") else author
    if not found["author"]:
        found["author"] = _first([_ld_name(a.get("author")) for a in ld if _ld_name(a.get("author"))])
    found["section"] = meta("article:section") or _first([a.get("articleSection") for a in ld
                                                          if isinstance(a.get("articleSection"), str)])
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    if canonical and canonical[0].strip():
        found["canonical"] = urljoin(url, canonical[0].strip())
    lang = tree.xpath("/html/@lang")
    found["language"] = _clean(lang[0].split("-")[0].lower()) if lang else None

    # Published: the first readable candidate that is not after the fetch.
    candidates = [meta("article:published_time", "datePublished", "pubdate", "publishdate", "date")]
    candidates += [a.get("datePublished") for a in ld]
    candidates += tree.xpath("//article//time/@datetime") + tree.xpath("//time/@datetime")
    for candidate in candidates:
        if isinstance(candidate, str) and (value := parse_datetime(candidate, fetched_at, naive_tz)):
            found["published"] = value
            break
    return found


def _ld_name(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return _clean(value) if isinstance(value, str) else None


def _json_ld_articles(tree) -> Iterator[dict]:
    """The JSON-LD objects that describe an article (NewsArticle, Article, …), @graph included."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content(), strict=False)
        except (ValueError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and k.endswith("Article") for k in kinds) or "datePublished" in item:
                    yield item
                if "@graph" in item:
                    stack.append(item["@graph"])
