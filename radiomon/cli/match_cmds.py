"""``radiomon match``, ``radiomon mentions`` and ``radiomon keywords check``."""

from __future__ import annotations

from pathlib import Path

import click

from radiomon import timeutil
from radiomon.cli import main
from radiomon.cli.context import AppContext, check_groups, pass_app
from radiomon.cli.output import emit_records, format_option
from radiomon.errors import QueryError
from radiomon.keywords import explain, load_keywords
from radiomon.matching import load_matcher, match_pending
from radiomon.rematch import rematch_all

_CONTEXT_WIDTH = 80


@main.command()
@click.option("--all", "everything", is_flag=True,
              help="Re-match every transcribed recording (after keywords.yml changed); staff reviews are kept.")
@click.option("--station", "stations", multiple=True, metavar="ID", help="Only this station (repeatable; not with --all).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many recordings (not with --all).")
@pass_app
def match(app: AppContext, everything: bool, stations, limit) -> None:
    """Flag mentions of keywords.yml in transcribed recordings not matched yet.

    Transcription matches each recording as it is stored; this catches up on
    the rest. With --all, every mention is brought up to date with the
    current keywords.yml: removed terms' mentions go, new ones appear.
    Running it twice changes nothing.
    """
    config = app.config
    if everything and (stations or limit):
        raise click.UsageError("--all re-matches the whole archive; leave out --station and --limit")
    for station in stations:
        config.station(station)
    matcher = load_matcher(config.keywords)
    with app.archive() as archive:
        if everything:
            result = rematch_all(archive, matcher)
        else:
            result = match_pending(archive, matcher, station=tuple(stations) or None, limit=limit)
    if result.recordings == 0:
        click.echo("nothing to match")
        return
    click.echo(result.summary())
    if result.events:
        click.echo(f"{result.events} crisis event(s) recorded")


@main.command()
@click.option("--since", help="From this date or time (configured time zone), e.g. 2026-11-25 or '2026-11-25 14:00'.")
@click.option("--until", help="Up to this date (whole day included) or time.")
@click.option("--group", "groups", multiple=True, help="Only this keyword group (repeatable), e.g. municipio.")
@click.option("--station", "stations", multiple=True, help="Only this station (repeatable).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many mentions (oldest first).")
@format_option
@pass_app
def mentions(app: AppContext, since, until, groups, stations, limit, fmt) -> None:
    """References to the municipality found on air, oldest first.

    JSON and CSV carry every field: id, station, group, keyword, matched (the
    words heard), score, at (UTC), offset (seconds into the recording),
    recording_id, segment_id, context, review.
    """
    config = app.config
    tz = config.timezone
    for station in stations:
        config.station(station)
    since_at = timeutil.parse_user_instant(since, tz) if since else None
    until_at = timeutil.parse_user_instant(until, tz, end_of_day=True) if until else None
    if since_at and until_at and since_at >= until_at:
        raise QueryError("--since must be before --until")
    with app.archive() as archive:
        if groups:
            check_groups(archive, config.keywords, groups)
        rows = archive.list_mentions(since=since_at, until=until_at, groups=groups, stations=stations, limit=limit)
    if fmt != "table":
        emit_records([r.as_json() for r in rows], fmt, ())
        return
    if not rows:
        click.echo("no mentions", err=True)
        return
    table = [
        {
            "id": r.id,
            "when": timeutil.local(r.at_utc, tz).strftime("%Y-%m-%d %H:%M:%S"),
            "station": r.station,
            "group": r.group_id,
            "keyword": r.keyword,
            "matched": r.matched,
            "score": f"{r.score:.0f}",
            "context": _shorten(r.context or ""),
        }
        for r in rows
    ]
    emit_records(table, "table", (("id", "id"), ("when", f"when ({tz.key})"), ("station", "station"),
                                  ("group", "group"), ("keyword", "keyword"), ("matched", "heard"),
                                  ("score", "score"), ("context", "context")))


def _shorten(text: str, width: int = _CONTEXT_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@main.group()
def keywords() -> None:
    """Inspect keywords.yml."""


@keywords.command(name="check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@format_option
@pass_app
def keywords_check(app: AppContext, path: Path | None, fmt: str) -> None:
    """Validate keywords.yml (default: the one in radiomon.yml) and explain each
    term: its normalized and phonetic forms, its threshold, and the other terms
    or common words that would be reported as it."""
    source = path or app.config.keywords
    keyword_set = load_keywords(source)
    reports = explain(keyword_set)
    if fmt != "table":
        emit_records([
            {"group": r.group_id, "keyword": r.keyword, "spelling": r.spelling, "normalized": r.normalized,
             "phonetic": r.phonetic, "threshold": r.threshold, "exact_only": r.exact_only,
             "confusions": "; ".join(f"{c.text} ({c.score:.0f})" for c in r.confusions)
             if fmt == "csv" else [{"text": c.text, "kind": c.kind, "score": c.score, "group": c.group_id,
                                     "keyword": c.keyword} for c in r.confusions]}
            for r in reports
        ], fmt, ())
        return
    click.echo(f"{source}: {len(keyword_set.groups)} groups, {len(keyword_set.terms)} terms, "
               f"{len(reports)} spellings — OK")
    current = None
    for r in reports:
        if r.group_id != current:
            current = r.group_id
            group = keyword_set.group(current)
            click.echo(f"\n[{group.id}] {group.title} (priority {group.priority})")
        alias = "" if r.spelling == r.keyword else f" (alias of {r.keyword})"
        mode = "exact only" if r.exact_only else f"threshold {r.threshold:.0f}"
        click.echo(f"  {r.spelling}{alias}: normalized '{r.normalized}', sounds '{r.phonetic}', {mode}")
        for c in r.confusions:
            other = f"{c.keyword} in {c.group_id}" if c.kind == "term" else "common word"
            click.echo(f"    ! '{c.text}' ({other}) would count as {r.keyword} (score {c.score:.0f})")
