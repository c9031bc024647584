"""Commands over the archive itself: init, import, search, status."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from importlib import resources
from pathlib import Path

import click

from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.cli import main
from radiomon.cli.context import AppContext, check_groups, pass_app
from radiomon.cli.output import emit_records, format_option
from radiomon.config import load_config
from radiomon.errors import QueryError
from radiomon.matching import load_matcher, match_pending
from radiomon.importer import import_audio, import_transcript
from radiomon.search import plain_snippet, search
from radiomon.status import collect_status


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
@click.option("--start", help="Start of the recording (local time of the station, or ISO with offset). Default: from the file name.")
@click.option("--transcript", "as_transcript", is_flag=True, help="FILES are Whisper-style JSON transcripts, not audio.")
@pass_app
def import_cmd(app: AppContext, files: tuple[Path, ...], station: str, start: str | None, as_transcript: bool) -> None:
    """Register existing audio files (to be transcribed), or import Whisper JSON
    transcripts with --transcript. Importing the same file twice is a no-op."""
    config = app.config
    config.station(station)
    begin = timeutil.parse_user_instant(start, config.station_tz(station)) if start else None
    failures = 0
    with app.archive() as archive:
        if as_transcript:
            if begin is None:
                raise QueryError("--transcript needs --start (when the transcribed audio began)")
            if len(files) > 1:
                raise QueryError("--start names the start of one transcript; import them one at a time")
            results = [import_transcript(archive, config, files[0], station, begin)]
        else:
            results = import_audio(archive, config, list(files), station, begin)
        for result in results:
            if result.error:
                failures += 1
                click.echo(f"error: {result.error}", err=True)
            elif result.created:
                extra = f", {result.segments} segments" if as_transcript else ""
                click.echo(f"imported {result.path} as recording {result.recording_id} (start {result.start_utc}{extra})")
            else:
                click.echo(f"already imported: {result.path} (recording {result.recording_id})")
        if as_transcript and results[0].created:
            # An imported transcript is matched at once, like a transcribed recording.
            matched = match_pending(archive, load_matcher(config.keywords), station=station)
            crisis = f", {matched.events} crisis event(s) recorded" if matched.events else ""
            click.echo(f"flagged {matched.added} mention(s){crisis}")
    if failures:
        raise click.ClickException(f"{failures} file(s) could not be imported; the others were")


@main.command(name="search")
@click.argument("query")
@click.option("--station", "stations", multiple=True, help="Only this station (repeatable).")
@click.option("--since", help="From this date or time (configured time zone), e.g. 2026-11-25 or '2026-11-25 14:00'.")
@click.option("--until", help="Up to this date (whole day included) or time.")
@click.option("--group", help="Only utterances with a mention of this keyword group.")
@click.option("--limit", default=20, show_default=True, type=int, help="At most this many hits.")
@format_option
@pass_app
def search_cmd(app, query, stations, since, until, group, limit, fmt) -> None:
    """Full-text search of everything said on air; accents and case are ignored.

    QUERY: words (all must appear), "exact phrase", a OR b, -excluded, prefix*.
    Best matches first, newest first on ties.
    """
    config = app.config
    for station in stations:
        config.station(station)
    tz = config.timezone
    with app.archive(create=False) as archive:
        if group:
            check_groups(archive, config.keywords, [group])
        hits = search(
            archive,
            query,
            stations=tuple(stations),
            since=timeutil.parse_user_instant(since, tz) if since else None,
            until=timeutil.parse_user_instant(until, tz, end_of_day=True) if until else None,
            group=group,
            limit=limit,
        )
    if fmt != "table":
        emit_records([h.as_json() for h in hits], fmt, ())
        return
    if not hits:
        click.echo("no results", err=True)
        return
    rows = [
        {
            "when": timeutil.local(h.start, tz).strftime("%Y-%m-%d %H:%M:%S"),
            "station": h.station,
            "text": plain_snippet(h.snippet, click.style("", bold=True, reset=False), click.style("", reset=True)),
        }
        for h in hits
    ]
    emit_records(rows, "table", (("when", f"when ({tz.key})"), ("station", "station"), ("text", "text")))


@main.command(name="status")
@format_option
@pass_app
def status_cmd(app, fmt) -> None:
    """Stations, recordings by status, last recording per station, archive size."""
    config = app.config
    with app.archive(create=False) as archive:
        status = collect_status(archive, config)
    if fmt == "json":
        click.echo(json.dumps(asdict(status), ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        emit_records([_station_row(s, config.timezone) for s in status.stations], "csv", ())
        return
    click.echo(f"config:   {status.config}")
    click.echo(f"archive:  {status.archive} ({status.archive_bytes / 1e6:.1f} MB, schema v{status.schema_version})")
    counts = ", ".join(f"{n} {s}" for s, n in status.recordings.items() if n) or "none"
    click.echo(f"recordings: {counts}; segments: {status.segments}")
    click.echo(f"disk free: {shutil.disk_usage(Path(status.archive).parent).free / 1e9:.1f} GB")
    click.echo("")
    rows = [_station_row(s, config.timezone) for s in status.stations]
    emit_records(rows, "table", (("id", "station"), ("state", "state"), ("last", "last recording"), ("pending", "pending"),
                                 ("transcribed", "transcribed"), ("failed", "failed"), ("gaps_24h", "gaps 24h")))


def _station_row(station, tz) -> dict:
    last = station.last_recording_utc
    return {
        "id": station.id,
        "name": station.name,
        "last": timeutil.local(last, tz).strftime("%Y-%m-%d %H:%M") if last else "never",
        "pending": station.recordings.get("pending", 0),
        "transcribed": station.recordings.get("transcribed", 0),
        "failed": station.recordings.get("failed", 0),
        "segments": station.segments,
        "state": station.state,
        "gaps_24h": station.gaps_24h,
    }


