"""``radiomon match``, ``radiomon mentions`` and ``radiomon keywords`` (check, suggest, add-alias, add-exclude)."""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from radiomon import jobs, timeutil
from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.options import groups_option, since_option, stations_option, until_option
from radiomon.cli.output import emit_records, format_option
from radiomon.filters import Filters
from radiomon.keywords import explain, load_keywords
from radiomon.keywords.near_misses import SUGGEST_REACH as NEAR_MISS_REACH
from radiomon.mention_json import mentions_json

_CONTEXT_WIDTH = 80
# Days `keywords suggest` reads when --since is not given.
SUGGEST_DAYS = 30


@main.command()
@click.option("--all", "everything", is_flag=True,
              help="Re-match every transcribed recording (after keywords.yml changed); staff reviews are kept.")
@stations_option("Only this station (repeatable; not with --all).", metavar="ID")
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
    if result.recordings == 0 and result.articles == 0:
        click.echo("nothing to match")
        return
    click.echo(result.summary())
    if result.events:
        click.echo(result.events_summary())


@main.command()
@since_option()
@until_option()
@groups_option("Only this keyword group (repeatable), e.g. municipio.")
@stations_option()
@click.option("--limit", type=click.IntRange(min=1), help="At most this many mentions (oldest first).")
@format_option
@pass_app
def mentions(app: AppContext, since, until, groups, stations, limit, fmt) -> None:
    """References to the municipality found on air and in the newspapers, oldest first.

    JSON and CSV carry every field: medium (radio or press), id, station, group,
    keyword, matched (the words heard or printed), score, at (UTC), offset
    (seconds into the recording; characters into an article), recording_id,
    segment_id, context, review; a press mention also article_id, outlet, url,
    title, published and story. --station lists radio only.
    """
    config = app.config
    tz = config.timezone
    filters = Filters.parse(config, stations=stations, since=since, until=until, groups=groups, limit=limit)
    with app.archive() as archive:
        rows = jobs.mentions(config, archive, filters)
        records = mentions_json(archive, rows)
    if fmt != "table":
        emit_records(records, fmt, ())
        return
    if not rows:
        click.echo("no mentions", err=True)
        return
    table = [
        {
            "id": r.id,
            "when": timeutil.local(r.at_utc, tz).strftime("%Y-%m-%d %H:%M:%S"),
            "station": r.station if r.medium == "radio" else record["outlet"],  # a press mention: its outlet
            "group": r.group_id,
            "keyword": r.keyword,
            "matched": r.matched,
            "score": f"{r.score:.0f}",
            "context": _shorten(r.context or ""),
        }
        for r, record in zip(rows, records)
    ]
    emit_records(table, "table", (("id", "id"), ("when", f"when ({tz.key})"), ("station", "station"),
                                  ("group", "group"), ("keyword", "keyword"), ("matched", "heard"),
                                  ("score", "score"), ("context", "context")))


def _shorten(text: str, width: int = _CONTEXT_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@main.group()
def keywords() -> None:
    """Inspect keywords.yml and tune it from what the stations said."""


@keywords.command(name="check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@format_option
@pass_app
def keywords_check(app: AppContext, path: Path | None, fmt: str) -> None:
    """Validate keywords.yml (default: the one in radiomon.yml) and explain each
    term: its normalized and phonetic forms, its threshold, and the other terms
    or common words that would be reported as it.

    A term without a threshold of its own gets one derived from it: just
    above the closest frequent Spanish word (or its own exclude look-alikes),
    never below what its length allows nor above defaults.threshold; the
    line says which word decided. defaults.derive_thresholds: false turns
    this off."""
    source = path or app.config.keywords
    keyword_set = load_keywords(source)
    reports = explain(keyword_set)
    if fmt != "table":
        emit_records([
            {"group": r.group_id, "keyword": r.keyword, "spelling": r.spelling, "normalized": r.normalized,
             "phonetic": r.phonetic, "threshold": r.threshold, "threshold_source": r.threshold_source,
             "threshold_reason": r.threshold_reason, "exact_only": r.exact_only,
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
        if r.threshold_source == "derived" and not r.exact_only:
            mode += f" ({r.threshold_reason})"
        click.echo(f"  {r.spelling}{alias}: normalized '{r.normalized}', sounds '{r.phonetic}', {mode}")
        for c in r.confusions:
            other = f"{c.keyword} in {c.group_id}" if c.kind == "term" else "common word"
            click.echo(f"    ! '{c.text}' ({other}) would count as {r.keyword} (score {c.score:.0f})")


@keywords.command(name="suggest")
@since_option(f"From this date or time (configured time zone); default: {SUGGEST_DAYS} days before --until.")
@until_option("Up to this date (whole day included) or time; default: now.")
@groups_option("Only this keyword group's terms (repeatable).")
@stations_option()
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="At most this many spellings per term.")
@click.option("--reach", type=click.FloatRange(0, 50), default=NEAR_MISS_REACH, show_default=True,
              help="Points below each term's threshold that still make a near miss (keyword rescoring asks "
                   "Whisper about those within 20).")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help="Output format.")
@pass_app
def keywords_suggest(app: AppContext, since, until, groups, stations, limit, reach, fmt) -> None:
    """Near misses heard on air, to accept as aliases or exclusions.

    Reads what the stations said (the last 30 days unless --since says
    otherwise) with the matcher itself, its thresholds lowered by --reach
    points, and lists for each term the spellings that came close to it
    without counting, most frequent first: how often, the best score, and a
    sample (station, local time, the sentence). Each comes with the two
    commands that accept it: add-alias when it was the term misheard,
    add-exclude when it is another word (an excluded word is never a near
    miss, so keyword rescoring stops asking Whisper about it). Mentions that
    rescoring wrote in are listed too; what Whisper had written there is
    not kept.

    JSON: an array of objects with kind (near_miss or rewritten), group,
    keyword, threshold, heard, normalized, count, best_score, sample
    (station, at in UTC, recording_id, segment_id, offset, context,
    mention_id), add_alias and add_exclude (the commands, or null).
    """
    config = app.config
    filters = Filters.parse(config, stations=stations, since=since, until=until, groups=groups)
    if since is None:  # a month of every station is read in minutes; years of them are not
        filters = replace(filters, since=(filters.until or datetime.now(timezone.utc)) - timedelta(days=SUGGEST_DAYS))
    with app.archive(create=False) as archive:
        result = jobs.suggest_keywords(config, archive, filters, limit=limit, reach=reach)
    prefix = ["radiomon", *(["--config", app.config_path] if app.config_path else []), "keywords"]

    def command(name: str, s) -> str | None:
        return None if s.kind != "near_miss" else " ".join(map(_quote, [*prefix, name, s.keyword, s.heard]))

    thresholds = {(g.id, t.term): result.keywords.threshold_for(t) for g, t in result.keywords.terms}
    tz = config.timezone
    if fmt == "json":
        emit_records([
            {"kind": s.kind, "group": s.group_id, "keyword": s.keyword,
             "threshold": thresholds.get((s.group_id, s.keyword)), "heard": s.heard, "normalized": s.normalized,
             "count": s.count, "best_score": s.best_score,
             "sample": {"station": s.sample.station, "at": s.sample.at_utc, "recording_id": s.sample.recording_id,
                        "segment_id": s.sample.segment_id, "offset": s.sample.offset, "context": s.sample.context,
                        "mention_id": s.sample.mention_id},
             "add_alias": command("add-alias", s), "add_exclude": command("add-exclude", s)}
            for s in result.suggestions
        ], "json", ())
        return
    found = result.found
    near = [s for s in result.suggestions if s.kind == "near_miss"]
    period = " to ".join(timeutil.local(t, tz).strftime("%Y-%m-%d %H:%M") for t in (filters.since, filters.until) if t)
    click.echo(f"read {period}{'' if filters.until else ' to now'} ({tz.key}): {found.recordings} recording(s), "
               f"{found.segments} segment(s)")
    click.echo(f"{len(found.near_misses)} near miss(es) of {len({(s.group_id, s.keyword) for s in near})} term(s) "
               f"within {reach:g} points of the threshold; {len(found.rewrites)} mention(s) written by keyword "
               "rescoring")
    current = None
    for s in result.suggestions:
        if (s.group_id, s.keyword) != current:
            current = (s.group_id, s.keyword)
            click.echo(f"\n{s.keyword} ({s.group_id}, threshold {thresholds[current]:.0f})")
        when = timeutil.local(s.sample.at_utc, tz).strftime("%Y-%m-%d %H:%M:%S")
        times = f"{s.count} time{'s' if s.count != 1 else ''}"
        if s.kind == "near_miss":
            click.echo(f'  "{s.heard}": {times}, best score {s.best_score:.1f}')
            click.echo(f"      {s.sample.station} {when}: {_shorten(s.sample.context)}")
            click.echo(f"      if it was {s.keyword}: {command('add-alias', s)}")
            click.echo(f"      if it is another word: {command('add-exclude', s)}")
        else:
            click.echo(f'  written "{s.heard}" by keyword rescoring: {times} (what Whisper had written is not kept)')
            click.echo(f"      {s.sample.station} {when}: {_shorten(s.sample.context)} (mention {s.sample.mention_id})")


def _quote(word: str) -> str:
    """``word`` for a shell: bare when it is letters (accented ones too) and the like, else quoted."""
    return word if re.fullmatch(r"[\w@%+=:,./-]+", word) else shlex.quote(word)


def _add_spelling(app: AppContext, term: str, spelling: str, kind: str, group: str | None) -> None:
    edit = jobs.add_keyword_spelling(app.config, term, spelling, kind=kind, group=group)
    what = "aliases" if kind == "aliases" else "exclusions"
    after = "count it in" if kind == "aliases" else "drop what it matched from"
    click.echo(f'{app.config.keywords}:{edit.line}: added "{edit.spelling}" to the {what} of {edit.term} '
               f"({edit.group_id}); run `radiomon match --all` to {after} the mentions stored")


_GROUP_HELP = "The term's group, when terms of several groups are written alike."


@keywords.command(name="add-alias")
@click.argument("term")
@click.argument("spelling")
@click.option("--group", help=_GROUP_HELP)
@pass_app
def keywords_add_alias(app: AppContext, term: str, spelling: str, group: str | None) -> None:
    """Count SPELLING as TERM: add it to the term's aliases in keywords.yml.

    For a near miss that was the term misheard (see `radiomon keywords
    suggest`), e.g. radiomon keywords add-alias Moroleón Morreón. The file
    is edited in place, its comments and layout kept, and checked by loading
    it; an unknown term, or a spelling the term already has, changes nothing.
    """
    _add_spelling(app, term, spelling, "aliases", group)


@keywords.command(name="add-exclude")
@click.argument("term")
@click.argument("spelling")
@click.option("--group", help=_GROUP_HELP)
@pass_app
def keywords_add_exclude(app: AppContext, term: str, spelling: str, group: str | None) -> None:
    """Never count SPELLING as TERM: add it to the term's exclude list in keywords.yml.

    For a near miss that is another word (see `radiomon keywords suggest`),
    e.g. radiomon keywords add-exclude Moroleón Morelos: it will not count
    even if the threshold is lowered, and keyword rescoring no longer asks
    Whisper whether it was the term. The file is edited in place, its
    comments and layout kept, and checked by loading it; an unknown term,
    or a spelling already there, changes nothing.
    """
    _add_spelling(app, term, spelling, "exclude", group)
