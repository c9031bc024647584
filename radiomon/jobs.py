"""The job layer: what the command line, the web UI, the nightly job and the daemon call.

Each job is one call with the deployment's config, its open archive and a
:class:`~radiomon.filters.Filters` built by the caller from its own inputs;
the job chains the stages (transcribe, then match) so no caller does, and
returns what happened for the caller to show. A job raises
:class:`~radiomon.errors.RadiomonError` for what a person can fix and
never prints. The daemon's :class:`LiveTranscription` lives with the
transcription stage (:mod:`radiomon.pipeline.transcribe.live`) and is
handed out here with the other jobs.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from radiomon import alerts, events, outputs, retention, timeutil
from radiomon.archive import Archive, ArticleRow, Delivery, MentionRow
from radiomon.config import Config, PressOutlet
from radiomon.config_edit import append_outlet
from radiomon.errors import ArchiveError, ConfigError, QueryError
from radiomon.filters import Filters
from radiomon.keywords import KeywordSet, current_keywords, load_keywords
from radiomon.keywords.edit import SpellingEdit, add_spelling
from radiomon.keywords.near_misses import SUGGEST_REACH as NEAR_MISS_REACH
from radiomon.keywords.suggest import Suggestion, rank
from radiomon.pipeline.ingest import ImportResult, import_audio, import_transcript, stored_whole
from radiomon.pipeline.match import MatchResult, load_matcher, match_pending, rematch_all
from radiomon.pipeline.match.near_misses import Found as NearMissesFound
from radiomon.pipeline.match.near_misses import find_near_misses
from radiomon.pipeline.match.press import match_articles
from radiomon.pipeline.press.discover import Discovered, discover_feeds, outlet_id_for
from radiomon.pipeline.press.fetch import PoliteClient
from radiomon.pipeline.press.store import PressPass, fetch_options, press_pass
from radiomon.pipeline.transcribe.batch import BatchResult, Progress, transcribe_batch
from radiomon.pipeline.transcribe.live import Finished, LiveTranscription
from radiomon.reports import clips, weekly
from radiomon.reports import digest as digests
from radiomon.reports.status import StatusReport, collect_status
from radiomon.reports.testigos import TestigosResult, write_testigos
from radiomon.reports.writers import render_digest, render_weekly, write_atomic
from radiomon.search import SearchHit, SearchResults
from radiomon.search import search as search_archive
from radiomon.search import search_results as search_archive_results

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Transcribed:
    """What :func:`transcribe_and_match` did."""

    batch: BatchResult
    matched: MatchResult | None  # None when nothing was transcribed


@dataclass(frozen=True)
class Imported:
    """What :func:`import_and_match` did."""

    results: tuple[ImportResult, ...]  # one per file, in order
    matched: MatchResult | None  # transcripts imported are matched at once; None otherwise

    @property
    def failures(self) -> int:
        return sum(1 for r in self.results if r.error)


def transcribe_and_match(config: Config, archive: Archive, filters: Filters = Filters(), *,
                         engine: str | None = None, model: str | None = None, retranscribe: bool = False,
                         formats: Sequence[str] | None = None, progress: Progress | None = None,
                         executor: Executor | None = None) -> Transcribed:
    """Transcribe the pending recordings ``filters`` selects, then flag the
    mentions in what was stored (and in any transcribed recording of those
    stations not matched yet: a run killed between storing and matching
    leaves some, and its rerun may have nothing left to transcribe)."""
    batch = transcribe_batch(config, archive, filters, engine=engine, model=model, retranscribe=retranscribe,
                             formats=formats, progress=progress, executor=executor)
    stations = Filters(stations=filters.stations)
    if not batch.transcribed and not archive.recordings(Filters(stations=filters.stations, limit=1), unmatched=True):
        return Transcribed(batch, None)
    matched = match_pending(archive, load_matcher(config.keywords), stations)
    return Transcribed(batch, matched)


def import_and_match(config: Config, archive: Archive, paths: Sequence[Path], *, station: str,
                     start: datetime | None = None, transcript: bool = False) -> Imported:
    """Register audio files (to be transcribed), or store a Whisper JSON
    transcript as a transcribed recording and flag its mentions at once."""
    config.station(station)
    if not transcript:
        return Imported(tuple(import_audio(archive, config, list(paths), station, start)), None)
    if start is None:
        raise QueryError("--transcript needs --start (when the transcribed audio began)")
    if len(paths) != 1:
        raise QueryError("--start names the start of one transcript; import them one at a time")
    result = import_transcript(archive, config, paths[0], station, start)
    matched = None
    if result.created:
        # Stored whole already; a disk that fills up now leaves the mentions to `radiomon match`.
        with stored_whole(archive, f"{result.path} was imported as recording {result.recording_id}, its mentions "
                                   "not flagged yet: free some space and run `radiomon match`"):
            matched = match_pending(archive, load_matcher(config.keywords), Filters(stations=(station,)))
    return Imported((result,), matched)


def rematch(config: Config, archive: Archive, filters: Filters = Filters(), *, everything: bool = False) -> MatchResult:
    """Flag mentions in the transcribed recordings not matched yet (those
    ``filters`` selects); with ``everything``, bring every mention of the
    archive up to date with keywords.yml (staff reviews are kept)."""
    matcher = load_matcher(config.keywords)
    if everything:
        result = rematch_all(archive, matcher)
        result.merge(match_articles(archive, matcher, everything=True, event_hours=events.REMATCH_EVENT_HOURS))
        return result
    result = match_pending(archive, matcher, filters)
    if not filters.stations:  # a station picks radio alone
        result.merge(match_articles(archive, matcher))
    return result


def search(config: Config, archive: Archive, query: str, filters: Filters = Filters(), *,
           limit: int = 20) -> list[SearchHit]:
    """Search everything said on air (see radiomon.search)."""
    check_groups(config, archive, filters.groups)
    return search_archive(archive, query, filters, limit=limit, spellings=keyword_spellings(config))


def search_results(config: Config, archive: Archive, query: str, filters: Filters = Filters(), *, limit: int = 20,
                   approx: bool | None = False, order: str = "relevance") -> SearchResults:
    """:func:`search` with the count, approximate search and «¿Quiso decir …?» (see radiomon.search)."""
    check_groups(config, archive, filters.groups)
    return search_archive_results(archive, query, filters, limit=limit, spellings=keyword_spellings(config),
                                  approx=approx, order=order)


def keyword_spellings(config: Config) -> tuple[tuple[str, str], ...]:
    """``(term, spelling)`` of every term and alias in keywords.yml; none when
    it cannot be read (search then finds what the text says)."""
    keywords = current_keywords(config.keywords)
    if keywords is None:
        return ()
    return tuple((t.term, spelling) for g in keywords.groups for t in g.terms for spelling in t.spellings)


@dataclass(frozen=True)
class KeywordSuggestions:
    """What :func:`suggest_keywords` found."""

    suggestions: tuple[Suggestion, ...]  # by term in keywords.yml's order, the most frequent first
    found: NearMissesFound  # every sighting, and what was read
    keywords: KeywordSet  # the terms looked at (thresholds, order)


def suggest_keywords(config: Config, archive: Archive, filters: Filters = Filters(), *, limit: int | None = None,
                     reach: float = NEAR_MISS_REACH) -> KeywordSuggestions:
    """The near misses of keywords.yml's terms (of ``filters``' groups,
    within ``reach`` points of each threshold) said in ``filters``' stations
    and range, and the mentions keyword rescoring wrote there, ranked (at
    most ``limit`` spellings of each kind per term)."""
    keywords = load_keywords(config.keywords)
    known = [g.id for g in keywords.groups]
    for group in filters.groups:
        if group not in known:
            raise QueryError(f"--group {group}: no such group in {config.keywords} (known: {', '.join(known)})")
    if filters.groups:
        keywords = replace(keywords, groups=tuple(g for g in keywords.groups if g.id in filters.groups))
    found = find_near_misses(archive, keywords, filters, reach=reach)
    ranked = rank([*found.near_misses, *found.rewrites], limit=limit,
                  terms=[(g.id, t.term) for g, t in keywords.terms])
    return KeywordSuggestions(tuple(ranked), found, keywords)


def add_keyword_spelling(config: Config, term: str, spelling: str, *, kind: str,
                         group: str | None = None) -> SpellingEdit:
    """Add ``spelling`` to the ``kind`` list (``aliases`` or ``exclude``) of
    ``term`` in keywords.yml, in place: comments and layout kept, the result
    checked by loading it, the file replaced atomically (its permissions
    kept). ConfigError, and the file untouched, when the term is unknown or
    the spelling already there."""
    path = Path(config.keywords).resolve()
    try:
        # Bytes, not read_text: universal newlines would turn a CRLF file into LF.
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found; create it with `radiomon init` or fix 'keywords' "
                          f"in {config.path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read it ({err}); check the file and its permissions") from None
    edit = add_spelling(text, term, spelling, kind, group=group, source=str(config.keywords))
    partial = path.with_name(f".{path.name}.part")
    try:
        partial.write_bytes(edit.text.encode("utf-8"))
        shutil.copymode(path, partial)
        os.replace(partial, path)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write it ({err.strerror or err}); check the folder's permissions") from None
    return edit


def mentions(config: Config, archive: Archive, filters: Filters = Filters()) -> list[MentionRow]:
    """The mentions ``filters`` selects, oldest first."""
    check_groups(config, archive, filters.groups)
    return archive.list_mentions(filters)


def status(config: Config, archive: Archive, now: datetime | None = None) -> StatusReport:
    """Stations, recordings by status, what each station is doing now, and whether all is well
    (the archive's own soundness included: see radiomon/health.py)."""
    try:
        return collect_status(archive, config, now)
    except sqlite3.DatabaseError as err:  # damage where the counts themselves read
        damage = archive.quick_check()
        found = f"; PRAGMA quick_check: {damage[0]}" if damage else ""
        raise ArchiveError(f"{config.archive}: cannot read the archive ({err}){found}; restore the newest backup "
                           "(see the README)") from None


@dataclass(frozen=True)
class AlertsPass:
    """What :func:`send_alerts` did."""

    health: alerts.HealthCheck | None  # None when the health check was left out
    delivery: alerts.DeliveryReport


def send_alerts(config: Config, archive: Archive, *, health: bool = True, now: datetime | None = None) -> AlertsPass:
    """Announce new and ended health problems, then deliver every alert that is due (one pass)."""
    checked = alerts.check_health(config, archive, now) if health else None
    return AlertsPass(checked, alerts.deliver_due(config, archive, now))


def send_test_alerts(config: Config) -> list[alerts.ChannelResult]:
    """A test message to every channel of radiomon.yml; one result per channel."""
    if not config.alerts.channels:
        raise ConfigError(f"{config.path}: no alert channels (alerts.channels); add one, e.g. "
                          "alerts: {channels: [{url: 'mailtos://user:password@example.org?to=coordinacion@example.org'}]}")
    return alerts.send_test(config)


def undelivered_alerts(archive: Archive, *, include_sent: bool = False, limit: int | None = None) -> list[Delivery]:
    """Deliveries not sent yet (waiting, being sent, given up), oldest event first."""
    states = () if include_sent else ("pending", "sending", "failed")
    return archive.deliveries(states=states, limit=limit)


def clip(config: Config, archive: Archive, mention_id: int, *, out: Path, before: float = 5.0, after: float = 20.0,
         fmt: str = "mp3") -> clips.ClipResult:
    """The audio around a mention, across files, normalized and tagged (see radiomon.reports.clips);
    ``out`` may not be one of the deployment's own files (radiomon.outputs)."""
    target = outputs.check_target(config, out)
    result = clips.cut_clip(config, archive, mention_id, before=before, after=after, fmt=fmt, out=target)
    return replace(result, path=Path(out))


def testigos(config: Config, archive: Archive, filters: Filters, folder: Path, *, before: float = 5.0,
             after: float = 20.0) -> TestigosResult:
    """A clip of every mention ``filters`` selects that staff did not reject, and the cue sheet."""
    check_groups(config, archive, filters.groups)
    outputs.check_folder(config, folder)
    keywords = digests.load_keyword_set(config)
    labels = {g.id: g.title for g in keywords.groups} if keywords else {}
    return write_testigos(config, archive, filters, folder, before=before, after=after, group_labels=labels)


def digest(config: Config, archive: Archive, *, day: date, out: Path, fmt: str = "docx", since: str | None = None,
           until: str | None = None, reviewed_only: bool = False) -> digests.Digest:
    """Write the síntesis informativa of a local day (or part of it) to ``out``; returns its model."""
    target = outputs.check_target(config, out)
    model = digests.collect_digest(config, archive, day=day, since=since, until=until, reviewed_only=reviewed_only)
    write_atomic(target, render_digest(model, fmt))
    return model


def weekly_report(config: Config, archive: Archive, *, out: Path, week: str | None = None,
                  fmt: str = "docx") -> weekly.WeeklyReport:
    """Write the weekly report by department of an ISO week to ``out``; returns its model."""
    target = outputs.check_target(config, out)
    model = weekly.collect_weekly(config, archive, week=week)
    write_atomic(target, render_weekly(model, fmt))
    return model


def prune(config: Config, archive: Archive, *, dry_run: bool = False, vacuum: bool = False) -> retention.PruneResult:
    """Apply retention: audio past ``retention.audio_days`` goes, its text and mentions stay (radiomon.retention);
    ``vacuum`` switches an older archive of any size to incremental auto-vacuum (one VACUUM)."""
    return retention.prune(config, archive, dry_run=dry_run, vacuum=vacuum)


def backup(config: Config, archive: Archive, target: Path) -> Path:
    """An online copy of the archive into ``target`` while others keep writing (atomic: a whole copy or none).

    ``target`` may not be one of the deployment's own files (radiomon.outputs): a copy written over the
    archive's live -wal destroys what only the WAL holds yet."""
    target = Path(target)
    outputs.check_target(config, target)
    return archive.backup_to(target)


def check_groups(config: Config, archive: Archive, groups: Sequence[str]) -> None:
    """An unknown group is a typo, not "nothing found": say which groups exist.

    Known groups are those of keywords.yml and those that still have mentions
    in the archive (a group removed from keywords.yml keeps its history).
    """
    if not groups:
        return
    known = archive.mention_groups()
    if Path(config.keywords).exists():
        known |= {g.id for g in load_keywords(config.keywords).groups}
    for group in groups:
        if group not in known:
            raise QueryError(f"--group {group}: no such keyword group (known: {', '.join(sorted(known)) or 'none'})")


__all__ = ["AlertsPass", "Finished", "Imported", "KeywordSuggestions", "LiveTranscription", "Transcribed",
           "add_keyword_spelling", "backup", "check_groups", "clip", "digest", "import_and_match", "mentions", "prune",
           "rematch", "search", "search_results", "send_alerts", "send_test_alerts", "status", "suggest_keywords",
           "testigos", "transcribe_and_match", "undelivered_alerts", "weekly_report"]


# -- the press ---------------------------------------------------------------------


def press_fetch(config: Config, archive: Archive, outlets: Sequence[str] = (), *,
                respect_backoff: bool = False) -> PressPass:
    """One polite pass over the outlets (all, or those named): new articles stored, in their stories,
    and matched. ConfigError for an unknown outlet or a bad keywords.yml; an outlet's trouble is a
    line of the result (and its feeds' error in the archive), never an exception."""
    return press_pass(config, archive, outlets, respect_backoff=respect_backoff)


def press_articles(config: Config, archive: Archive, filters: Filters = Filters()) -> list[ArticleRow]:
    """Articles of ``filters``' outlets published in its range, newest first."""
    return archive.list_articles(outlets=filters.outlets,
                                 since_utc=filters.since and timeutil.to_iso(filters.since),
                                 until_utc=filters.until and timeutil.to_iso(filters.until), limit=filters.limit)


@dataclass(frozen=True)
class AddedOutlet:
    """What :func:`press_add` did."""

    outlet: PressOutlet
    discovered: Discovered


def press_add(config: Config, url: str, *, outlet_id: str | None = None, name: str | None = None,
              scope: str = "regional") -> AddedOutlet:
    """Find the feeds of the site at ``url`` and append it to radiomon.yml's press.outlets, in place
    (comments and layout kept, checked by loading, replaced atomically). PressError/ConfigError, the
    file untouched, when no feed is found or the id is taken."""
    with PoliteClient(fetch_options(config)) as client:
        found = discover_feeds(url, client)
    outlet = PressOutlet(id=outlet_id or outlet_id_for(url), name=name or found.name or "", feeds=found.feeds,
                         scope=scope)
    path = Path(config.path)
    text = _read_config_text(path)
    _replace_text(path, append_outlet(text, outlet, path))
    return AddedOutlet(replace(outlet, name=outlet.name or outlet.id), found)


def _read_config_text(path: Path) -> str:
    try:
        # Bytes, not read_text: universal newlines would turn a CRLF file into LF.
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read it ({err}); check the file and its permissions") from None


def _replace_text(path: Path, text: str) -> None:
    try:
        outputs.replace_text(path, text)
    except OSError as err:
        raise ConfigError(f"{path}: cannot write it ({err.strerror or err}); check the folder's permissions") from None
