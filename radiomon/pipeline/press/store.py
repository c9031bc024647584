"""The press stage: one polite pass over the configured outlets, into the archive, then matched.

The collector (:mod:`.collect`) owns no state; this stage hands it the
archive's (each feed's conditional-GET validators, which article keys are
stored) and stores what comes back, in this order::

    outlets synced → collect() → per outlet: each article stored under its URL's and canonical
    link's keys, in its story (stories.find_story over the last days' signatures) → aliases
    recorded → feed state saved (validators, checked/ok/new times, error, failures, retry) →
    the new articles matched (radiomon/pipeline/match/press.py; crisis/high events)

Idempotent: a second pass stores nothing the first stored (the keys), asks
the feeds conditionally and fetches no page again. A crash between storing
and matching leaves articles with ``matched_utc`` NULL, which the next pass
(and ``radiomon match``) matches. One outlet's trouble is a line in the
result and the feeds' ``error``, never an exception.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from radiomon import timeutil
from radiomon.archive import Archive, ArticleRow, FeedState
from radiomon.config import Config
from radiomon.keywords import Matcher
from radiomon.pipeline.match.incremental import load_matcher
from radiomon.pipeline.match.press import match_articles
from radiomon.pipeline.match.result import MatchResult
from radiomon.pipeline.press.collect import CollectedArticle, CollectOptions, Outlet, OutletResult, collect
from radiomon.pipeline.press.fetch import OK, UNCHANGED, FetchOptions, PoliteClient, Validators, user_agent
from radiomon.pipeline.press.stories import WINDOW, StorySignature, find_story

log = logging.getLogger(__name__)

# A feed that failed this many passes in a row is left alone for a while (doubling, up to
# MAX_BACKOFF) by the daemon's polls: a site that is down is not asked every poll_minutes.
# `radiomon press fetch` and the nightly job ask anyway (a person, or once a day).
BACKOFF_AFTER = 3
MAX_BACKOFF = timedelta(hours=6)
# A sitemap index's children of passes older than this are not asked again when the index is
# unchanged (collect re-asks last pass's children): news sitemaps roll over daily.
CHILD_STATE_DAYS = 3


@dataclass(frozen=True)
class OutletPass:
    """What one pass did for one outlet."""

    id: str
    status: str  # "new" | "unchanged" | "failed" | "waiting" (every feed in backoff)
    stored: int = 0  # articles stored
    line: str = ""  # one line for `radiomon press fetch`
    error: str | None = None  # the outlet-level failure


@dataclass
class PressPass:
    """What :func:`press_pass` did."""

    outlets: list[OutletPass] = field(default_factory=list)
    matched: MatchResult = field(default_factory=MatchResult)

    @property
    def stored(self) -> int:
        return sum(o.stored for o in self.outlets)

    @property
    def failed(self) -> list[OutletPass]:
        return [o for o in self.outlets if o.status == "failed"]

    def summary(self) -> str:
        """One line for the nightly job's step and the daemon's log."""
        parts = [f"{len(self.outlets)} outlet(s)", f"{self.stored} new article(s)"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed ({', '.join(o.id for o in self.failed)})")
        if self.matched.added:
            parts.append(f"{self.matched.added} new mention(s)")
        return ", ".join(parts)


def contact_of(config: Config) -> str:
    """Whom a webmaster can write to: press.contact, else the web UI's address, else the office's name."""
    office = config.office
    return (config.press.contact or office.base_url
            or f"{office.office}, {office.municipality}".strip(", "))


def fetch_options(config: Config) -> FetchOptions:
    """The polite client's options from radiomon.yml's press section."""
    press = config.press
    return FetchOptions(
        user_agent=_ascii(press.user_agent or user_agent(contact_of(config))),
        polite_delay=press.delay_seconds,
        max_bytes=int(press.max_page_mb * 1_000_000),
    )


def _ascii(text: str) -> str:
    """HTTP header values are ASCII: "Comunicación, Moroleón" goes as "Comunicacion, Moroleon"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def collect_options(config: Config) -> CollectOptions:
    press = config.press
    # A feed or sitemap may be larger than a page (a month of entries): twice the page cap.
    return CollectOptions(deadline=press.deadline_seconds, max_feed_bytes=int(2 * press.max_page_mb * 1_000_000),
                          max_age=timedelta(days=press.max_age_days))


def press_pass(
    config: Config,
    archive: Archive,
    outlet_ids: Sequence[str] = (),
    *,
    client: PoliteClient | None = None,
    options: CollectOptions | None = None,
    matcher: Matcher | None = None,
    respect_backoff: bool = False,
    now: datetime | None = None,
) -> PressPass:
    """One pass over ``outlet_ids`` (default: every configured outlet): collect, store, match.

    ConfigError (before any request) for an unknown outlet id or an unreadable keywords.yml; an
    outlet's trouble is in its :class:`OutletPass`. ``respect_backoff``: skip feeds failing for
    several passes until their ``retry_utc`` (the daemon's polls)."""
    press = config.press
    chosen = [press.outlet(i) for i in dict.fromkeys(outlet_ids)] if outlet_ids else list(press.outlets)
    matcher = matcher or load_matcher(config.keywords)
    result = PressPass()
    if not chosen:
        return result
    archive.sync_outlets(press.outlets)
    now = now or datetime.now(timeutil.UTC)
    at = timeutil.to_iso(now)
    states = {s.url: s for s in archive.feed_states()}
    outlets, waiting = [], []
    for configured in chosen:
        feeds = configured.feeds
        if respect_backoff:
            feeds = tuple(u for u in feeds if not (u in states and states[u].retry_utc and states[u].retry_utc > at))
        if not feeds:
            waiting.append(configured.id)
            continue
        child_since = timeutil.to_iso(now - timedelta(days=CHILD_STATE_DAYS))
        state = {url: Validators(s.etag, s.last_modified, s.body_sha256) for url, s in states.items()
                 if s.outlet == configured.id and (url in feeds or (url not in configured.feeds
                                                                    and (s.checked_utc or "") >= child_since))}
        outlets.append(Outlet(configured.id, feeds, state, naive_tz=config.timezone))

    lock = threading.Lock()  # collect asks from its worker threads; the archive's connection is shared

    def is_stored(key: str) -> bool:
        with lock:
            return bool(archive.known_keys([key]))

    own_client = client is None
    client = client or PoliteClient(fetch_options(config))
    try:
        collected = collect(outlets, client=client, is_stored=is_stored,
                            options=options or collect_options(config))
    finally:
        if own_client:
            client.close()

    new_ids: list[int] = []
    by_id = {r.outlet: r for r in collected}
    for configured in chosen:
        if configured.id in waiting:
            retry = min((states[u].retry_utc for u in configured.feeds if states[u].retry_utc), default="")
            result.outlets.append(OutletPass(configured.id, "waiting",
                                             line=f"{configured.id}: failing, not asked again before {retry}"))
            continue
        outcome = by_id[configured.id]
        with lock:
            ids = _store(archive, outcome)
            _save_feeds(archive, configured.feeds, outcome, states, ids, at, now, press.poll_minutes)
        new_ids.extend(i for i, _ in ids)
        line = outcome.summary()
        if len(ids) != len(outcome.articles) and not outcome.error:
            line += f" ({len(outcome.articles) - len(ids)} already stored)"
        result.outlets.append(OutletPass(configured.id, outcome.status, len(ids), line, outcome.error))
        log.info("press: %s", line)
    if new_ids:
        result.matched = match_articles(archive, matcher, new_ids)
    # Articles left unmatched by a pass that died between storing and matching.
    leftover = [a.id for a in archive.unmatched_articles(limit=1000)]
    if leftover:
        result.matched.merge(match_articles(archive, matcher, leftover))
    return result


def signature_text(fingerprint: int | None) -> str | None:
    """How a SimHash is stored (``articles.signature``): 16 hex digits."""
    return None if fingerprint is None else f"{fingerprint:016x}"


def _store(archive: Archive, outcome: OutletResult) -> list[tuple[int, CollectedArticle]]:
    """Store the outlet's new articles (earliest published first, so a story starts with its first
    article) and its aliases; their ids."""
    stored = []
    articles = sorted(outcome.articles, key=lambda a: a.published)
    recent: list[StorySignature] = []
    if articles:
        since = timeutil.to_iso(articles[0].published - WINDOW)
        recent = [StorySignature(story, int(signature, 16), timeutil.parse_iso(published))
                  for _, story, signature, published in archive.recent_signatures(since)]
    for article in articles:
        story = find_story(article.simhash, article.published, recent)
        row = ArticleRow(
            outlet=article.outlet, url=article.url, title=article.title,
            published_utc=timeutil.to_iso(article.published), fetched_utc=timeutil.to_iso(article.fetched),
            text=article.text, content_sha256=article.content_hash,
            canonical_url=article.canonical_url if article.canonical_url != article.url else None,
            author=article.author, section=article.section, signature=signature_text(article.simhash),
            story=story,
        )
        article_id = archive.add_article(row, [article.key, article.canonical_key])
        if article_id is None:
            continue  # stored meanwhile under one of its keys (another process's pass)
        stored.append((article_id, article))
        if article.simhash is not None:
            recent.append(StorySignature(story if story is not None else article_id, article.simhash,
                                         article.published))
    for key, canonical_key in outcome.aliases:
        known = archive.article_for_key(canonical_key)
        if known is not None:
            archive.add_article_keys(known, [key])
    return stored


def _save_feeds(archive: Archive, configured: Sequence[str], outcome: OutletResult, states: dict[str, FeedState],
                stored: list[tuple[int, CollectedArticle]], at: str, now: datetime, poll_minutes: float) -> None:
    reports = {r.url: r for r in outcome.feeds}
    new_from = {article.feed_url for _, article in stored}
    urls = dict.fromkeys([*configured, *reports, *outcome.state])
    for url in urls:
        previous = states.get(url) or FeedState(url, outcome.outlet)
        report = reports.get(url)
        validators = outcome.state.get(url)
        if report is None and not (outcome.error and url in configured):
            if validators is None or previous.checked_utc is not None:
                continue  # not asked this pass (a child of an unchanged index, a feed in backoff)
        error = report.error if report is not None else (outcome.error if url in configured else None)
        failures = previous.failures + 1 if error else 0
        retry = None
        if failures >= BACKOFF_AFTER:
            wait = min(timedelta(minutes=poll_minutes) * 2 ** (failures - BACKOFF_AFTER), MAX_BACKOFF)
            retry = timeutil.to_iso(now + wait)
        ok = report is not None and report.outcome in (OK, UNCHANGED) and not report.error
        archive.save_feed_state(replace(
            previous,
            etag=validators.etag if validators else None,
            last_modified=validators.last_modified if validators else None,
            body_sha256=validators.body_hash if validators else None,
            checked_utc=at,
            ok_utc=at if ok else previous.ok_utc,
            new_utc=at if url in new_from else previous.new_utc,
            error=error,
            failures=failures,
            retry_utc=retry,
        ))


__all__ = ["OutletPass", "PressPass", "collect_options", "contact_of", "fetch_options", "press_pass",
           "signature_text"]
