"""``radiomon clip``, ``clips``, ``digest`` and ``report weekly``: the documents the office hands on."""

from __future__ import annotations

from pathlib import Path

import click

from radiomon import jobs, timeutil
from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.options import groups_option, since_option, stations_option, until_option
from radiomon.cli.output import emit_records, format_option
from radiomon.cli.sintesis_cmds import send as sintesis_send
from radiomon.filters import Filters
from radiomon.reports.clips import FORMATS as CLIP_FORMATS
from radiomon.reports.digest import parse_day
from radiomon.reports.writers import DIGEST_FORMATS, WEEKLY_FORMATS

_out_file = click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                         help="File to write.")
_before = click.option("--before", default=5.0, show_default=True, type=click.FloatRange(min=0),
                       help="Seconds of audio before the mention.")
_after = click.option("--after", default=20.0, show_default=True, type=click.FloatRange(min=0),
                      help="Seconds of audio after the mention.")


def _format_for(out: Path, fmt: str | None, formats: tuple[str, ...], default: str) -> str:
    """--format, else the output file's extension, else ``default``."""
    if fmt:
        return fmt
    suffix = out.suffix.lower().lstrip(".")
    return suffix if suffix in formats else default


@main.command()
@click.argument("mention_id", type=int)
@_before
@_after
@click.option("--format", "fmt", type=click.Choice(CLIP_FORMATS), help="Audio format (default: from -o, else mp3).")
@_out_file
@pass_app
def clip(app: AppContext, mention_id: int, before: float, after: float, fmt: str | None, out: Path) -> None:
    """Cut the audio around a mention into a file, across recording files.

    The clip stops early where the recording has a gap, and says so. It is
    faded in and out, normalized to -16 LUFS (EBU R128) and tagged with the
    station, local date and time, keyword and quote.
    """
    config = app.config
    with app.archive(create=False) as archive:
        result = jobs.clip(config, archive, mention_id, out=out, before=before, after=after,
                           fmt=_format_for(out, fmt, CLIP_FORMATS, "mp3"))
    tz = config.timezone
    start = timeutil.local(result.start_utc, tz).strftime("%Y-%m-%d %H:%M:%S")
    end = timeutil.local(result.end_utc, tz).strftime("%H:%M:%S")
    files = "1 file" if result.pieces == 1 else f"{result.pieces} files"
    click.echo(f"wrote {result.path}: {result.duration:.1f} s, {start}–{end} ({tz.key}), from {files}")
    if result.stopped_at_gap:
        sides = [side for side, stopped in (("start", result.stopped_before), ("end", result.stopped_after)) if stopped]
        click.echo(f"note: the recording has a gap; the clip was cut short at the {' and '.join(sides)}", err=True)


@main.command()
@click.option("--date", "day", required=True, help="Local day, e.g. 2026-11-25, hoy or ayer.")
@groups_option()
@stations_option()
@_before
@_after
@click.option("-o", "--output", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the clips and cue-sheet.csv.")
@pass_app
def clips(app: AppContext, day: str, groups, stations, before: float, after: float, folder: Path) -> None:
    """Write the clip of every mention of a day (testigos) plus cue-sheet.csv.

    One clip per síntesis item as aired: a sentence (or adjacent ones) with
    all its mentions, cut to cover it. Files are named
    YYYYMMDD_HHMMSS_<station>_<term>.mp3 (local time; the term of the
    item's section); mentions rejected in review are left out, and clips
    already in the folder are kept, so a rerun adds only what is new.
    """
    config = app.config
    date = parse_day(day, config.timezone).isoformat()
    filters = Filters.parse(config, stations=stations, since=date, until=date, groups=groups)
    with app.archive(create=False) as archive:
        result = jobs.testigos(config, archive, filters, folder, before=before, after=after)
    for row in result.failed:
        click.echo(f"error: {row.error}", err=True)
    click.echo(f"{result.written} clip(s) written, {result.kept} already there; cue sheet: {result.cue_sheet}")
    if result.failed:
        raise click.ClickException(f"{len(result.failed)} clip(s) could not be cut; the others were")


@main.group(invoke_without_command=True)
@click.option("--date", "day", help="Local day (default: today), e.g. 2026-11-25, hoy or ayer.")
@since_option("Only from this local time of the day, e.g. 10:00.", metavar="HH:MM")
@until_option("Only up to this local time, e.g. 16:00.", metavar="HH:MM")
@click.option("--format", "fmt", type=click.Choice(DIGEST_FORMATS),
              help="Document format (default: from -o, else docx).")
@click.option("--reviewed-only", is_flag=True, help="Only mentions confirmed in review.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (required without a subcommand).")
@click.pass_context
def digest(ctx: click.Context, day: str | None, since: str | None, until: str | None, fmt: str | None,
           reviewed_only: bool, out: Path | None) -> None:
    """Write the daily síntesis informativa (radio and press) of a local day, as the machine sees it;
    the subcommands approve and send the edition staff curated in the web UI.

    Sections per keyword group (crisis first), one item per story with
    station, quote and testigo; mentions rejected in review are left out;
    a summary table and the stretches not recorded open it.
    """
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        raise click.UsageError("Missing option '-o' / '--output'.")
    app = ctx.ensure_object(AppContext)
    config = app.config
    with app.archive(create=False) as archive:
        model = jobs.digest(config, archive, day=parse_day(day, config.timezone), since=since, until=until,
                            reviewed_only=reviewed_only, out=out, fmt=_format_for(out, fmt, DIGEST_FORMATS, "docx"))
    click.echo(f"wrote {out}: {model.total} mention(s) in {len(model.sections)} section(s), {model.date_text}")


_edition_date = click.option("--date", "day", required=True, help="Local day of the edition, e.g. 2026-11-25 or ayer.")
_cut = click.option("--cut", metavar="HH:MM", help="An intraday cut (\"Corte de las 14:00\") instead of the whole day.")


@digest.command(name="approve")
@_edition_date
@_cut
@click.option("--by", "by", metavar="NAME",
              help="The coordinator approving (a web UI account with the coordinador role; "
                   "default: office.coordinator).")
@pass_app
def digest_approve(app: AppContext, day: str, cut: str | None, by: str | None) -> None:
    """Approve the newest version of a day's edition as it stands: it is frozen as it will be sent
    (at sintesis.send_at, or at once when that time has passed)."""
    from radiomon.sintesis import editions

    config = app.config
    with app.archive(create=False) as archive:
        approver = editions.approver(config, archive, by)
        edition = editions.day_edition(config, archive, parse_day(day, config.timezone), editions.parse_cut(cut))
        approved = editions.approve(config, archive, edition, by=approver)
    included = sum(1 for i in approved.items if i.included)
    click.echo(f"approved {approved.day}{' ' + approved.cut if approved.cut else ''} version {approved.version}: "
               f"{included} item(s), by {approver}")


digest.add_command(sintesis_send)


@digest.command(name="document")
@_edition_date
@_cut
@click.option("--version", type=click.IntRange(min=1), help="This version (default: the newest).")
@click.option("--format", "fmt", type=click.Choice(("pdf", "docx", "html")),
              help="Document format (default: from -o, else pdf).")
@_out_file
@pass_app
def digest_document(app: AppContext, day: str, cut: str | None, version: int | None, fmt: str | None,
                    out: Path) -> None:
    """Write a day's edition as its readers get it (letterhead, index, the items staff chose and wrote):
    an approved version exactly as sent, a draft as it stands now."""
    from radiomon.sintesis import editions

    config = app.config
    with app.archive(create=False) as archive:
        edition = editions.write_document(config, archive, day=parse_day(day, config.timezone),
                                          cut=editions.parse_cut(cut), version=version, out=out,
                                          fmt=_format_for(out, fmt, editions.DOCUMENT_FORMATS, "pdf"))
    state = "approved" if edition.approved else "draft"
    click.echo(f"wrote {out}: síntesis of {edition.day}{' ' + edition.cut if edition.cut else ''}, "
               f"version {edition.version} ({state}), {sum(1 for i in edition.items if i.included)} item(s)")


@digest.command(name="editions")
@click.option("--date", "day", help="Only this local day, e.g. 2026-11-25 or ayer.")
@format_option
@pass_app
def digest_editions(app: AppContext, day: str | None, fmt: str) -> None:
    """The síntesis editions, newest first: day, cut, version, state, items, who approved them and when."""
    from radiomon.sintesis import editions

    config = app.config
    with app.archive(create=False) as archive:
        records = editions.edition_records(config, archive, parse_day(day, config.timezone) if day else None)
    emit_records(records, fmt, (("day", "day"), ("cut", "cut"), ("version", "version"), ("state", "state"),
                                ("items", "items"), ("approved_by", "approved by"),
                                ("approved", f"approved ({config.timezone.key})")))


@main.group()
def report() -> None:
    """Periodic reports: the weekly report by department."""


@report.command(name="weekly")
@click.option("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W47 (default: the last complete week).")
@click.option("--format", "fmt", type=click.Choice(WEEKLY_FORMATS),
              help="Document format (default: from -o, else docx).")
@_out_file
@pass_app
def report_weekly(app: AppContext, week: str | None, fmt: str | None, out: Path) -> None:
    """Write the weekly report by department: mentions per day and station,
    a chart, top quotes and the comparison with the week before."""
    config = app.config
    with app.archive(create=False) as archive:
        model = jobs.weekly_report(config, archive, out=out, week=week,
                                   fmt=_format_for(out, fmt, WEEKLY_FORMATS, "docx"))
    click.echo(f"wrote {out}: {model.week}, {model.total} mention(s) in {len(model.departments)} department(s)")
