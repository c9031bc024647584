"""``radiomon match``, ``radiomon mentions`` and ``radiomon keywords check``."""

from __future__ import annotations

from pathlib import Path

import click

from radiomon import jobs, timeutil
from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.output import emit_records, format_option
from radiomon.filters import Filters
from radiomon.keywords import explain, load_keywords

_CONTEXT_WIDTH = 80


@main.command()
@click.option("--all", "everything", is_flag=True,
              help="Re-match every transcribed recording (after keywords.yml changed); staff reviews are kept.")
@click.option(
    "--station", "stations", multiple=True, metavar="ID", help="Only this station (repeatable; not with --all)."
)
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
    filters = Filters.parse(config, stations=stations, limit=limit)
    with app.archive() as archive:
        result = jobs.rematch(config, archive, filters, everything=everything)
    if result.recordings == 0:
        click.echo("nothing to match")
        return
    click.echo(result.summary())
    if result.events:
        click.echo(result.events_summary())


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
    filters = Filters.parse(config, stations=stations, since=since, until=until, groups=groups, limit=limit)
    with app.archive() as archive:
        rows = jobs.mentions(config, archive, filters)
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
