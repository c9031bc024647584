"""One bounded pass over the outlets: feeds → new article candidates → pages fetched once → extracted.

The caller owns all state: it passes each feed's :class:`Validators` in and
keeps the ones returned, and says which article keys are already stored
(``is_stored``, given :func:`~radiomon.pipeline.press.urls.url_key` keys), so
a second pass asks the feeds conditionally and fetches no page again.
Per-outlet trouble is a value in :class:`OutletResult` — never an exception,
never holding the other outlets: outlets run side by side (the client keeps
one request at a time per host), and every request ends by the pass's
deadline (plus at most one read timeout, see :mod:`.fetch`).

Stages, per outlet::

    feeds (conditional GET) → parse → sitemap index children → candidates (normalized, deduped,
    not stored, not too old) → robots.txt → page → extract → canonical dedupe → CollectedArticle
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo

from radiomon.pipeline.press import PressError
from radiomon.pipeline.press.extract import extract_article
from radiomon.pipeline.press.feeds import FeedEntry, parse_feed
from radiomon.pipeline.press.fetch import DISALLOWED, FEED_ACCEPT, GONE, OK, UNCHANGED, PoliteClient, Validators
from radiomon.pipeline.press.stories import simhash
from radiomon.pipeline.press.urls import normalize_url, url_key

log = logging.getLogger(__name__)
UTC = timezone.utc


@dataclass(frozen=True)
class Outlet:
    id: str  # the config's slug
    feeds: tuple[str, ...]  # RSS, Atom, sitemap or sitemap index URLs
    state: Mapping[str, Validators] = field(default_factory=dict)  # per feed URL (children too), from last pass
    naive_tz: tzinfo = UTC  # how a date without an offset is read (the outlet's zone when known)


@dataclass(frozen=True)
class CollectOptions:
    deadline: float = 600.0  # seconds for the whole pass
    workers: int = 4  # outlets fetched side by side (same-host requests still go one at a time)
    max_articles: int = 50  # pages fetched per outlet per pass; the rest wait for the next pass
    max_age: timedelta = timedelta(days=3)  # entries dated older than this are not fetched (sitemaps list years)
    max_child_sitemaps: int = 3  # of a sitemap index, the newest (by lastmod) are read
    max_feed_bytes: int = 10_000_000  # a feed or sitemap may be larger than an article page


@dataclass(frozen=True)
class Candidate:
    """A new article a feed listed, not yet fetched."""

    url: str  # normalized (tracking parameters dropped), what is fetched
    key: str  # url_key(url): what "already stored" means
    feed_url: str
    entry: FeedEntry  # the feed's own metadata (title, published, author, section)


@dataclass(frozen=True)
class CollectedArticle:
    """An article fetched and extracted: what the archive stores."""

    outlet: str
    url: str  # normalized
    key: str  # url_key(url)
    canonical_url: str  # the page's canonical link normalized (url when it has none)
    canonical_key: str
    final_url: str  # where the fetch ended after redirects
    feed_url: str
    title: str
    author: str | None
    section: str | None
    published: datetime  # UTC, never after fetched: the feed's date, else the page's, else fetched
    published_source: str  # "feed" | "page" | "fetched"
    fetched: datetime  # UTC
    text: str
    content_hash: str  # sha256 of the text
    simhash: int | None  # stories.simhash(text); None for a text too short to group
    encoding: str


@dataclass(frozen=True)
class Problem:
    """One URL that gave nothing this pass, and why (one line)."""

    url: str
    reason: str  # "gone" | "disallowed" | "error" | "no-text" | "deadline"
    error: str


@dataclass(frozen=True)
class FeedReport:
    url: str
    outcome: str  # "ok" | "unchanged" | "error" (and the fetch's other outcomes)
    entries: int = 0
    error: str | None = None


@dataclass(frozen=True)
class OutletResult:
    outlet: str
    articles: tuple[CollectedArticle, ...] = ()
    feeds: tuple[FeedReport, ...] = ()
    problems: tuple[Problem, ...] = ()  # article pages that gave nothing (robots-disallowed ones included)
    aliases: tuple[tuple[str, str], ...] = ()  # (key, canonical_key) of pages whose canonical is already known
    state: Mapping[str, Validators] = field(default_factory=dict)  # keep this for the next pass
    left: int = 0  # candidates not fetched (max_articles or the deadline): the next pass takes them
    error: str | None = None  # the outlet-level failure (every feed failed, the deadline, a bug)

    @property
    def status(self) -> str:
        """``failed`` (no feed could be read), ``new`` (articles collected) or ``unchanged``."""
        if self.error:
            return "failed"
        return "new" if self.articles else "unchanged"

    def summary(self) -> str:
        """One line for ``radiomon press fetch``."""
        if self.error:
            return f"{self.outlet}: failed: {self.error}"
        parts = [f"{len(self.articles)} new" if self.articles else "unchanged"]
        if self.problems:
            parts.append(f"{len(self.problems)} not fetched ({'; '.join(sorted({p.reason for p in self.problems}))})")
        if self.left:
            parts.append(f"{self.left} left for the next pass")
        failed = [f for f in self.feeds if f.error]
        if failed:
            parts.append(f"feed {failed[0].url}: {failed[0].error}")
        return f"{self.outlet}: " + ", ".join(parts)


def collect(
    outlets: Sequence[Outlet],
    *,
    client: PoliteClient,
    is_stored: Callable[[str], bool],
    options: CollectOptions = CollectOptions(),
    clock: Callable[[], float] = time.monotonic,
) -> list[OutletResult]:
    """One pass; results in the order of ``outlets``. ``is_stored(key)`` says whether the archive
    already has an article under that :func:`url_key` (checked for the page's canonical key too).
    Never raises for an outlet's trouble; returns by ``options.deadline`` plus one read timeout."""
    deadline = clock() + options.deadline
    claimed: set[str] = set()  # keys taken by this pass, across outlets (a wire story's URL is per outlet)
    claimed_lock = threading.Lock()

    def claim(key: str) -> bool:
        with claimed_lock:
            if key in claimed:
                return False
            claimed.add(key)
            return True

    def run(outlet: Outlet) -> OutletResult:
        try:
            return _collect_outlet(outlet, client, is_stored, claim, options, deadline, clock)
        except Exception as err:  # noqa: BLE001 - one outlet's bug must not end the pass
            log.exception("press: outlet %s failed", outlet.id)
            return OutletResult(outlet=outlet.id, state=dict(outlet.state), error=f"{type(err).__name__}: {err}")

    if not outlets:
        return []
    pool = ThreadPoolExecutor(max_workers=max(1, min(options.workers, len(outlets))), thread_name_prefix="press")
    try:
        futures = [pool.submit(run, outlet) for outlet in outlets]
        # Every request is bounded by the deadline plus one read timeout; the margin is for the extraction.
        grace = client.options.read_timeout + client.options.connect_timeout + 30.0
        results = []
        for outlet, future in zip(outlets, futures):
            try:
                results.append(future.result(timeout=max(0.0, deadline + grace - clock())))
            except TimeoutError:
                results.append(OutletResult(outlet=outlet.id, state=dict(outlet.state),
                                            error="the pass's deadline passed before this outlet finished"))
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _collect_outlet(outlet, client, is_stored, claim, options, deadline, clock) -> OutletResult:
    state = dict(outlet.state)
    reports: list[FeedReport] = []
    entries: list[tuple[str, FeedEntry]] = []

    read: set[str] = set()

    def read_feed(url: str, depth: int) -> None:
        if url in read or clock() >= deadline:
            return
        read.add(url)
        result = client.get(url, validators=state.get(url), deadline=deadline, accept=FEED_ACCEPT,
                            max_bytes=options.max_feed_bytes)
        if result.outcome in (OK, UNCHANGED):
            state[url] = result.validators
        if result.outcome != OK:
            reports.append(FeedReport(url, result.outcome, error=result.error))
            if result.outcome == UNCHANGED and depth == 0:
                # An unchanged index says nothing of its children (a news sitemap changes hourly,
                # its index's <lastmod> often never): ask last pass's children again, conditionally.
                for child in [u for u in outlet.state if u not in outlet.feeds]:
                    read_feed(child, depth + 1)
            return
        parsed = parse_feed(result.body, url=result.final_url, headers=result.headers,
                            fetched_at=result.fetched_at, naive_tz=outlet.naive_tz)
        if not parsed.ok:
            # Forget the validators: the next pass must read it again, not call it unchanged.
            state.pop(url, None)
            reports.append(FeedReport(url, "error", error=parsed.error))
            return
        reports.append(FeedReport(url, OK, entries=len(parsed.entries)))
        entries.extend((url, entry) for entry in parsed.entries)
        if parsed.sitemaps and depth == 0:
            newest = sorted(parsed.sitemaps, key=lambda child: child[1] or datetime.min.replace(tzinfo=UTC),
                            reverse=True)
            for child, _ in newest[: options.max_child_sitemaps]:
                read_feed(child, depth + 1)

    for feed in outlet.feeds:
        if clock() >= deadline:
            reports.append(FeedReport(feed, "error", error="the pass's deadline passed before this feed"))
            continue
        read_feed(feed, 0)

    if reports and all(r.error for r in reports):
        return OutletResult(outlet=outlet.id, feeds=tuple(reports), state=state,
                            error="; ".join(f"{r.url}: {r.error}" for r in reports))

    candidates = _candidates(entries, is_stored, claim, options)
    articles, problems, aliases = [], [], []
    todo = candidates[: options.max_articles]
    left = len(candidates) - len(todo)
    for index, candidate in enumerate(todo):
        if clock() >= deadline:
            left += len(todo) - index
            break
        outcome = _fetch_article(outlet, candidate, client, deadline, is_stored, claim)
        if isinstance(outcome, CollectedArticle):
            articles.append(outcome)
        elif isinstance(outcome, Problem):
            problems.append(outcome)
        else:
            aliases.append(outcome)
    return OutletResult(outlet=outlet.id, articles=tuple(articles), feeds=tuple(reports), problems=tuple(problems),
                        aliases=tuple(aliases), state=state, left=left)


def _candidates(entries, is_stored, claim, options) -> list[Candidate]:
    """New articles, each once: normalized, not stored, not claimed by another feed, not too old."""
    now = datetime.now(UTC)
    found = []
    for feed_url, entry in entries:
        try:
            url = normalize_url(entry.url)
        except PressError:
            continue
        dated = entry.published or entry.updated
        if dated is not None and now - dated > options.max_age:
            continue
        key = url_key(url)
        if is_stored(key) or not claim(key):
            continue
        found.append(Candidate(url=url, key=key, feed_url=feed_url, entry=entry))
    return found


def _fetch_article(outlet, candidate, client, deadline, is_stored, claim):
    result = client.get(candidate.url, deadline=deadline)
    if result.outcome != OK:
        reason = {GONE: "gone", DISALLOWED: "disallowed"}.get(result.outcome, "error")
        return Problem(candidate.url, reason, result.error or result.outcome)
    page = extract_article(result.body, url=result.final_url, headers=result.headers,
                           fetched_at=result.fetched_at, naive_tz=outlet.naive_tz)
    if not page.ok:
        return Problem(candidate.url, "no-text", page.error)
    canonical_url = candidate.url
    if page.canonical:
        try:
            canonical_url = normalize_url(page.canonical)
        except PressError:
            pass
    canonical_key = url_key(canonical_url)
    if canonical_key != candidate.key and (is_stored(canonical_key) or not claim(canonical_key)):
        # A re-post or another URL of an article already stored or collected in this pass.
        return (candidate.key, canonical_key)
    entry = candidate.entry
    if entry.published is not None:
        published, source = entry.published, "feed"
    elif page.published is not None:
        published, source = page.published, "page"
    else:
        published, source = result.fetched_at, "fetched"
    return CollectedArticle(
        outlet=outlet.id,
        url=candidate.url,
        key=candidate.key,
        canonical_url=canonical_url,
        canonical_key=canonical_key,
        final_url=result.final_url,
        feed_url=candidate.feed_url,
        title=entry.title or page.title or "",
        author=entry.author or page.author,
        section=entry.section or page.section,
        published=min(published, result.fetched_at),
        published_source=source,
        fetched=result.fetched_at,
        text=page.text,
        content_hash=hashlib.sha256(page.text.encode("utf-8")).hexdigest(),
        simhash=simhash(page.text, titles=(entry.title, page.title)),
        encoding=page.encoding,
    )
