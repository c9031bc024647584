"""Commands over the archive itself: init, import, search, status."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import click

from radiomon import jobs, timeutil
from radiomon.archive import Archive
from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.options import since_option, stations_option, until_option
from radiomon.cli.output import Styled, emit_records, format_option, highlighted, terminal_text
from radiomon.config import load_config
from radiomon.filters import MEDIA, Filters
from radiomon.reports.status import as_json, describe


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite radiomon.yml and keywords.yml if they exist.")
def init(directory: str, force: bool) -> None:
    """Create a deployment in DIRECTORY: example radiomon.yml and keywords.yml,
    the recordings/ and transcripts/ folders and an empty archive."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("radiomon.yml", "keywords.yml"):
        destination = target / name
        if destination.exists() and not force:
            click.echo(f"kept existing {destination} (use --force to overwrite)")
            continue
        template = resources.files("radiomon") / "data" / name
        destination.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
        click.echo(f"wrote {destination}")
    config = load_config(target / "radiomon.yml")
    for folder in (config.recordings_dir, config.transcripts_dir):
        folder.mkdir(parents=True, exist_ok=True)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
    click.echo(f"archive ready: {config.archive}")


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--station", required=True, help="Station id (from radiomon.yml) the files belong to.")
@click.option(
    "--start",
    help="Start of the recording (local time of the station, or ISO with offset). Default: from the file name.",
)
@click.option(
    "--transcript", "as_transcript", is_flag=True, help="FILES are Whisper-style JSON transcripts, not audio."
)
@pass_app
def import_cmd(app: AppContext, files: tuple[Path, ...], station: str, start: str | None, as_transcript: bool) -> None:
    """Register existing audio files (to be transcribed), or import Whisper JSON
    transcripts with --transcript. Importing the same file twice is a no-op."""
    config = app.config
    config.station(station)
    begin = timeutil.parse_user_instant(start, config.station_tz(station)) if start else None
    with app.archive() as archive:
        imported = jobs.import_and_match(config, archive, files, station=station, start=begin, transcript=as_transcript)
    results = imported.results
    for result in results:
        if result.error:
            if len(results) > 1:  # a lone file's error is the command's own, below
                click.echo(f"error: {result.error}", err=True)
        elif result.created:
            extra = f", {result.segments} segments" if as_transcript else ""
            click.echo(f"imported {result.path} as recording {result.recording_id} (start {result.start_utc}{extra})")
        elif result.same_audio_as:
            click.echo(f"{result.path}: already imported as recording {result.recording_id} "
                       f"(same audio as {result.same_audio_as})")
        else:
            click.echo(f"already imported: {result.path} (recording {result.recording_id})")
        for note in result.notes:
            click.echo(f"corrected: {note}", err=True)
    if imported.matched is not None:
        events = f", {imported.matched.events_summary()}" if imported.matched.events else ""
        click.echo(f"flagged {imported.matched.added} mention(s){events}")
    if imported.failures:
        raise click.ClickException(_failures_line(results, imported.failures))


def _failures_line(results, failures: int) -> str:
    if len(results) == 1:
        return results[0].error
    if failures == len(results):
        return f"none of the {failures} files could be imported"
    return f"{failures} of {len(results)} files could not be imported; the others were"


@main.command(name="search")
@click.argument("query")
@stations_option("Only this station (repeatable); radio only, unless --outlet names newspapers too.")
@click.option("--outlet", "outlets", multiple=True, metavar="ID",
              help="Only this newspaper (repeatable, an id of press.outlets); press only, unless --station too.")
@click.option("--medium", type=click.Choice(MEDIA), help="Only what was said on air (radio) or printed (press).")
@since_option()
@until_option()
@click.option("--group", help="Only utterances and articles with a mention of this keyword group.")
@click.option("--approx", is_flag=True,
              help="Also find the words that sound like the query's (Whisper's misspellings: \"calmesa\" for "
                   "alcaldesa), ranked after the exact hits; radio only.")
@click.option("--limit", default=20, show_default=True, type=int, help="At most this many hits.")
@format_option
@pass_app
def search_cmd(app, query, stations, outlets, medium, since, until, group, approx, limit, fmt) -> None:
    """Full-text search of everything said on air and printed in the newspapers; accents and case are ignored.

    QUERY: words (all must appear), "exact phrase", a OR b, -excluded, prefix*.
    Best matches first, newest first on ties. An article's time is when it was published.
    With --approx, a hit found by a word that sounds like the query's has "approximate" set
    (the query's words) and "heard" (the words written); the table marks it with ≈.
    """
    config = app.config
    filters = Filters.parse(config, stations=stations, since=since, until=until, groups=[group] if group else (),
                            medium=medium, outlets=outlets)
    with app.archive(create=False) as archive:
        found = jobs.search_results(config, archive, query, filters, limit=limit, approx=approx)
    hits = found.hits
    if found.did_you_mean:
        click.echo(f"did you mean: {terminal_text(found.did_you_mean)}? (radiomon search --approx also finds "
                   "words that sound alike)", err=True)
    tz = config.timezone
    if fmt != "table":
        emit_records([h.as_json() for h in hits], fmt, ())
        return
    if not hits:
        click.echo("no results", err=True)
        return
    rows = [
        {
            "when": timeutil.local(h.start, tz).strftime("%Y-%m-%d %H:%M:%S"),
            "station": h.station if h.medium == "radio" else h.outlet,
            # stored text may hold control characters: see cli/output.py
            "text": highlighted(h.snippet if h.medium == "radio" else f"{h.title} | {h.snippet}"),
        }
        for h in hits
    ]
    for row, hit in zip(rows, hits):
        if getattr(hit, "approximate", None):
            row["text"] = Styled(f"≈ {terminal_text(hit.approximate)}: {row['text']}")
    emit_records(rows, "table", (("when", f"when ({tz.key})"), ("station", "station"), ("text", "text")))
    if approx:
        more = "more than " if found.more else ""
        click.echo(f"{more}{found.total} result(s), {found.approximate} approximate", err=True)


@main.command(name="status")
@format_option
@pass_app
def status_cmd(app, fmt) -> None:
    """Stations, recordings by status, last recording per station, archive size;
    the backlog, undelivered alerts, disks and the last nightly run. The health
    check: exits 1 when something is wrong, saying what on stderr."""
    config = app.config
    with app.archive(create=False) as archive:
        status = jobs.status(config, archive)
    if fmt == "json":
        click.echo(json.dumps(as_json(status), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        emit_records([_station_row(s, config.timezone) for s in status.stations], "csv", ())
    else:
        _status_table(status, config)
    if not status.healthy:
        click.echo("unhealthy: " + "; ".join(p.summary for p in status.problems), err=True)
        raise SystemExit(1)


def _status_table(status, config) -> None:
    tz = config.timezone
    click.echo(f"config:   {status.config}")
    click.echo(f"archive:  {status.archive} ({status.archive_bytes / 1e6:.1f} MB, schema v{status.schema_version})")
    counts = ", ".join(f"{n} {s}" for s, n in status.recordings.items() if n) or "none"
    click.echo(f"recordings: {counts}; segments: {status.segments}")
    click.echo(f"disk free: {shutil.disk_usage(Path(status.archive).parent).free / 1e9:.1f} GB")
    click.echo("")
    rows = [_station_row(s, tz) for s in status.stations]
    emit_records(
        rows,
        "table",
        (
            ("id", "station"),
            ("state", "state"),
            ("last", "last recording"),
            ("pending", "pending"),
            ("transcribed", "transcribed"),
            ("failed", "failed"),
            ("gaps_24h", "gaps 24h"),
            ("gaps_today", "gaps today"),
            ("last_segment", "last segment"),
        ),
    )
    if status.outlets:
        click.echo("")
        emit_records([_outlet_row(o, tz) for o in status.outlets], "table",
                     (("id", "outlet"), ("state", "state"), ("last_fetch", "last fetch"), ("last_new", "last new")))
    click.echo("")
    for line in _health_lines(status, tz):
        click.echo(line)


def _outlet_row(outlet, tz) -> dict:
    def when(iso):
        return timeutil.local(iso, tz).strftime("%Y-%m-%d %H:%M") if iso else "never"

    if outlet.error:
        state = f"failed: {outlet.error}"
    elif outlet.last_checked is None:
        state = "not fetched yet"
    else:
        state = "quiet" if outlet.trouble == "quiet" else "ok"
    return {"id": outlet.id, "state": state, "last_fetch": when(outlet.last_fetch), "last_new": when(outlet.last_new)}


def _health_lines(status, tz) -> list[str]:
    backlog = status.backlog
    speed = backlog["shrinking_hours_per_hour"]
    trend = f"shrinking {speed:.2f} h/h" if speed > 0 else (f"growing {-speed:.2f} h/h" if speed < 0 else "steady")
    clear = f", clear in {backlog['hours_to_clear']:.1f} h" if backlog["hours_to_clear"] else ""
    lines = [f"backlog:  {backlog['hours']:.1f} h of audio in {backlog['recordings']} recording(s); last 24 h "
             f"{backlog['transcribed_hours_24h']:.1f} h transcribed, {backlog['recorded_hours_24h']:.1f} h recorded "
             f"({trend}{clear})"]
    alerts = status.alerts
    if alerts["channels"]:
        lines.append(f"alerts:   {len(alerts['channels'])} channel(s); {alerts['waiting']} waiting, "
                     f"{alerts['failed']} given up (radiomon alerts list)")
    else:
        lines.append(f"alerts:   no channels configured; {alerts['waiting']} waiting")
    for disk in status.disks:
        lines.append(f"disk:     {disk['path']} {disk['used_percent']:.0f}% used, "
                     f"{disk['free_bytes'] / 1e9:.1f} GB free")
    run = status.nightly
    if run is None:
        lines.append("nightly:  never run")
    else:
        began = _local(run["started_utc"], tz)
        if run["finished_utc"] is None:
            outcome = "not finished"
        elif run["errors"]:
            outcome = f"finished {_local(run['finished_utc'], tz)} with {len(run['errors'])} error(s)"
        else:
            outcome = f"finished {_local(run['finished_utc'], tz)}, ok"
        lines.append(f"nightly:  last run {began}, {outcome}")
    lines.append("health:   ok" if status.healthy else f"health:   {len(status.problems)} problem(s)")
    lines += [f"  - {p.summary}" for p in status.problems]
    return lines


def _local(instant: str | None, tz) -> str:
    return timeutil.local(instant, tz).strftime("%Y-%m-%d %H:%M") if instant else "never"


def _station_row(station, tz) -> dict:
    return {
        "id": station.id,
        "name": station.name,
        "last": _local(station.last_recording_utc, tz),
        "pending": station.recordings.get("pending", 0),
        "transcribed": station.recordings.get("transcribed", 0),
        "failed": station.recordings.get("failed", 0),
        "segments": station.segments,
        "state": describe(station.state),
        "gaps_24h": station.gaps_24h,
        "gaps_today": station.gaps_today,
        "last_segment": _local(station.last_segment_utc, tz),
        "down_since": _local(station.down_since_utc, tz) if station.down_since_utc else "",
    }


