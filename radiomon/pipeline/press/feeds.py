"""RSS, Atom, sitemaps and Google News sitemaps, parsed from the bytes a fetch returned (pure).

feedparser has no timeout and would fetch a URL (or open a file) given a
string, so it only ever sees bytes that :mod:`~radiomon.pipeline.press.fetch`
already bounded, wrapped in a stream. Sitemaps are read with lxml, entities
and DTDs refused (a sitemap never needs one, and "billion laughs" needs one).

Dates: a feed or sitemap date later than the fetch, or one that cannot be
read, is ``None``: the article page or the fetch time decides later.
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from urllib.parse import urljoin

import feedparser
from lxml import etree

UTC = timezone.utc

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
# How far into the document the root element is looked for (past an XML declaration, comments, a BOM).
_SNIFF_BYTES = 4096
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>])", re.IGNORECASE | re.DOTALL)
_ROOT_ELEMENT = re.compile(rb"<(?![?!])(?:[\w.-]+:)?([\w.-]+)")


@dataclass(frozen=True)
class FeedEntry:
    """One article a feed or sitemap lists."""

    url: str  # absolute, as listed (not yet normalized: see urls.normalize_url)
    title: str | None = None
    published: datetime | None = None  # UTC; None when missing, unreadable or later than the fetch
    updated: datetime | None = None  # UTC; Atom <updated> or a sitemap's <lastmod> (same rules)
    author: str | None = None
    section: str | None = None  # the entry's first category / a news sitemap's keywords' first one


@dataclass(frozen=True)
class ParsedFeed:
    """What one feed body holds; ``error`` set (and nothing else) when it is not a feed."""

    kind: str  # "rss" | "atom" | "sitemap" | "news-sitemap" | "sitemap-index" | "error"
    title: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    sitemaps: tuple[tuple[str, datetime | None], ...] = ()  # a sitemap index's children: (url, lastmod)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _failed(message: str) -> ParsedFeed:
    return ParsedFeed(kind="error", error=message)


def _not_after(value: datetime | None, fetched_at: datetime) -> datetime | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    return None if value > fetched_at else value


def parse_datetime(text: str | None, fetched_at: datetime, naive_tz: tzinfo = UTC) -> datetime | None:
    """A W3C/ISO 8601 date-time as UTC; ``None`` when unreadable or later than ``fetched_at``.

    A bare date (``2026-05-04``) says nothing about the hour, so it is ``None`` too; a date-time
    without an offset is read in ``naive_tz`` (the outlet's own zone, when the caller knows it).
    """
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive_tz)
    return _not_after(value, fetched_at)


def sniff(body: bytes) -> str:
    """``"html"``, ``"urlset"``, ``"sitemapindex"`` or ``"feed"`` (anything else: feedparser decides)."""
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_START.match(head):
        return "html"
    # Skip the XML declaration, processing instructions, comments and a DOCTYPE to the root element.
    root = _ROOT_ELEMENT.search(re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", head, flags=re.DOTALL))
    name = root.group(1).lower() if root else b""
    if name == b"urlset":
        return "urlset"
    if name == b"sitemapindex":
        return "sitemapindex"
    if name == b"html":
        return "html"
    return "feed"


def parse_feed(
    body: bytes,
    *,
    url: str,
    fetched_at: datetime,
    headers: Mapping[str, str] | None = None,
    naive_tz: tzinfo = UTC,
) -> ParsedFeed:
    """Parse one fetched feed/sitemap body. Never raises: a non-feed is ``ParsedFeed(kind="error")``.

    ``url`` is where the body came from (the final URL after redirects): relative links resolve
    against it. ``headers`` are the HTTP response headers (their charset counts for RSS/Atom).
    """
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware")
    if not body.strip():
        return _failed("empty body: not a feed")
    kind = sniff(body)
    if kind == "html":
        return _failed("an HTML page, not a feed: check the outlet's feed URL (WordPress sites have /feed/)")
    if kind in ("urlset", "sitemapindex"):
        return _parse_sitemap(body, url=url, fetched_at=fetched_at, naive_tz=naive_tz)
    return _parse_syndication(body, url=url, fetched_at=fetched_at, headers=headers)


def _struct_to_utc(value, fetched_at: datetime) -> datetime | None:
    # feedparser hands every date as a UTC struct_time (offsets applied), or None when unreadable.
    if not value:
        return None
    try:
        return _not_after(datetime.fromtimestamp(calendar.timegm(value), UTC), fetched_at)
    except (OverflowError, ValueError, OSError):
        return None


def _parse_syndication(body: bytes, *, url: str, fetched_at: datetime, headers) -> ParsedFeed:
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    # A stream, never bytes or str: feedparser would open a str that looks like a URL or a path.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers, resolve_relative_uris=False,
                              sanitize_html=False)
    version = parsed.get("version") or ""
    if not version:
        reason = parsed.get("bozo_exception")
        return _failed(f"malformed feed: {reason}" if reason else "not an RSS or Atom feed")
    entries = []
    for item in parsed.entries:
        link = item.get("link") or ""
        if not link:
            continue
        tags = item.get("tags") or []
        entries.append(
            FeedEntry(
                url=_absolute(link, url),
                title=_clean(item.get("title")),
                published=_struct_to_utc(item.get("published_parsed"), fetched_at),
                # Asked only when present: feedparser otherwise maps updated_parsed to published_parsed.
                updated=_struct_to_utc(item.get("updated_parsed"), fetched_at) if "updated" in item else None,
                author=_clean(item.get("author")),
                section=_clean(tags[0].get("term")) if tags else None,
            )
        )
    if parsed.get("bozo") and not entries:
        # A feed so broken that nothing usable came out (feedparser's loose parser still names a version).
        return _failed(f"malformed feed: {parsed.get('bozo_exception')}")
    return ParsedFeed(
        kind="atom" if version.startswith("atom") else "rss",
        title=_clean(parsed.feed.get("title")),
        entries=tuple(entries),
    )


def _absolute(link: str, base: str) -> str:
    return urljoin(base, link.strip())


def _clean(value) -> str | None:
    if not value:
        return None
    text = " ".join(str(value).split())
    return text or None


# No entities, no DTD, no network: a sitemap is plain elements.
_XML_PARSER_ARGS = dict(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, recover=False)


def _parse_sitemap(body: bytes, *, url: str, fetched_at: datetime, naive_tz: tzinfo) -> ParsedFeed:
    if b"<!ENTITY" in body[:_SNIFF_BYTES * 4]:
        return _failed("malformed sitemap: it declares XML entities, which a sitemap never needs")
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(**_XML_PARSER_ARGS))
    except etree.XMLSyntaxError as err:
        return _failed(f"malformed sitemap: {err}")

    def local(element) -> str:
        return etree.QName(element).localname if isinstance(element.tag, str) else ""

    def child_text(element, name: str) -> str | None:
        for child in element:
            if local(child) == name:
                return _clean(child.text)
        return None

    if local(root) == "sitemapindex":
        children = []
        for node in root:
            if local(node) == "sitemap" and (loc := child_text(node, "loc")):
                lastmod = parse_datetime(child_text(node, "lastmod"), fetched_at, naive_tz)
                children.append((_absolute(loc, url), lastmod))
        return ParsedFeed(kind="sitemap-index", sitemaps=tuple(children))

    entries = []
    news_seen = False
    for node in root:
        if local(node) != "url" or not (loc := child_text(node, "loc")):
            continue
        title = published = section = None
        for child in node:
            if local(child) == "news":
                news_seen = True
                title = child_text(child, "title")
                published = parse_datetime(child_text(child, "publication_date"), fetched_at, naive_tz)
                keywords = child_text(child, "keywords")
                section = _clean(keywords.split(",")[0]) if keywords else None
        entries.append(
            FeedEntry(
                url=_absolute(loc, url),
                title=title,
                published=published,
                updated=parse_datetime(child_text(node, "lastmod"), fetched_at, naive_tz),
                section=section,
            )
        )
    return ParsedFeed(kind="news-sitemap" if news_seen else "sitemap", entries=tuple(entries))
