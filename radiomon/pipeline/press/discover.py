"""Finding a news site's feeds (``radiomon press add URL``): what a person would look for, checked.

Candidates, in the order a pass is best served by them:

1. the page's ``<link rel="alternate" type="application/rss+xml|atom+xml">`` (the page itself when
   it is a feed or a sitemap);
2. WordPress's ``/feed/`` at the site's root (most regional papers in Mexico run WordPress and
   say so nowhere in the page);
3. the sitemaps the site's robots.txt names (``Sitemap:`` lines), news sitemaps first.

Each is fetched with the polite client (robots.txt honoured) and kept only if it parses as a
feed or sitemap with entries (comment feeds left out), so what is written into radiomon.yml
works at the next pass. Modelled on trafilatura's ``feeds.py`` discovery.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html

from radiomon.pipeline.press import PressError
from radiomon.pipeline.press.feeds import parse_feed
from radiomon.pipeline.press.fetch import FEED_ACCEPT, OK, PoliteClient
from radiomon.pipeline.press.urls import url_key

log = logging.getLogger(__name__)

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
MAX_CANDIDATES = 8  # requests a discovery may make after the page (each one polite)
MAX_FEEDS = 4  # feeds kept: the site's main feed and a sitemap are usually enough
_COMMENTS = re.compile(r"/comments?/feed|comentarios", re.IGNORECASE)
_SLUG_PART = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Discovered:
    """What :func:`discover_feeds` found on a site."""

    url: str  # the page asked for
    name: str | None  # the site's name (og:site_name, else the page's <title>)
    feeds: tuple[str, ...]  # checked: each parses as a feed or sitemap with entries
    rejected: tuple[tuple[str, str], ...] = ()  # (candidate, why not), for the person to read


def discover_feeds(url: str, client: PoliteClient) -> Discovered:
    """The feeds of the site at ``url`` (PressError, one line, when none can be found)."""
    if not re.match(r"^https?://[^/\s]+", url):
        raise PressError(f"{url!r} is not a web address; give the site's http:// or https:// URL")
    candidates: list[str] = []
    name = None
    page = client.get(url)
    if page.outcome == OK:
        parsed = parse_feed(page.body, url=page.final_url, headers=page.headers, fetched_at=page.fetched_at)
        if parsed.ok:
            candidates.append(page.final_url)  # the URL given is a feed or a sitemap itself
        else:
            name, links = _page_links(page.body, page.final_url)
            candidates += links
    elif page.outcome != OK and not page.status:
        raise PressError(f"{url}: {page.error or page.outcome}; check the address (and that this machine "
                         "can reach the site)")
    root = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    candidates.append(root + "/feed/")
    sitemaps = client.sitemaps(url)
    candidates += sorted(sitemaps, key=lambda s: "news" not in s.lower())
    feeds: list[str] = []
    rejected: list[tuple[str, str]] = []
    seen: set[str] = set()
    for candidate in candidates:
        key = url_key(candidate)
        if key in seen or len(feeds) >= MAX_FEEDS:
            continue
        seen.add(key)
        if _COMMENTS.search(candidate):
            rejected.append((candidate, "a comments feed"))
            continue
        if len(seen) > MAX_CANDIDATES:
            break
        why = _check(candidate, client)
        if why is None:
            feeds.append(candidate)
        else:
            rejected.append((candidate, why))
    if not feeds:
        tried = "; ".join(f"{c}: {why}" for c, why in rejected) or "nothing to try"
        raise PressError(f"{url}: no RSS, Atom or sitemap found ({tried}); add the outlet under press.outlets "
                         "in radiomon.yml with the feed URL the site gives")
    return Discovered(url=url, name=name, feeds=tuple(feeds), rejected=tuple(rejected))


def _check(candidate: str, client: PoliteClient) -> str | None:
    """Why ``candidate`` is no feed to keep, or None."""
    result = client.get(candidate, accept=FEED_ACCEPT)
    if result.outcome != OK:
        return result.error or result.outcome
    parsed = parse_feed(result.body, url=result.final_url, headers=result.headers, fetched_at=result.fetched_at)
    if not parsed.ok:
        return parsed.error
    if not parsed.entries and not parsed.sitemaps:
        return "a feed with no entries"
    return None


def _page_links(body: bytes, base: str) -> tuple[str | None, list[str]]:
    """The site's name and the feeds a page links to as alternates."""
    try:
        tree = lxml.html.fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return None, []
    links = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            links.append(urljoin(base, href))
    name = None
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:site_name" and meta.get("content"):
            name = meta.get("content").strip()
            break
    if not name:
        title = tree.findtext(".//title")
        name = " ".join(title.split()) if title and title.strip() else None
    return name, links


def outlet_id_for(url: str) -> str:
    """A slug for the site at ``url``: its host without ``www.`` and the top-level domain
    (``https://www.diariodelsur.com.mx/`` → ``diariodelsur``)."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    parts = host.split(".")
    if not re.fullmatch(r"[\d.]+", host):
        while len(parts) > 1 and (len(parts[-1]) <= 3 or parts[-1] in ("example", "local", "info", "news")):
            parts.pop()
    slug = _SLUG_PART.sub("-", "-".join(parts)).strip("-")[:64]
    return slug or "periodico"


__all__ = ["Discovered", "discover_feeds", "outlet_id_for"]
