"""``radiomon nightly``, ``prune`` and ``backup``: running unattended for months."""

from __future__ import annotations

from pathlib import Path

import click

from radiomon import jobs, nightly, timeutil
from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.transcribe_cmd import cluster_option, use_cluster
from radiomon.reports.digest import parse_day


def _mb(count: int) -> str:
    return f"{count / 1e6:.1f} MB"


@main.command(name="nightly")
@click.option("--date", "day", help="Local day of the síntesis (default: yesterday), e.g. 2026-11-25 or ayer.")
@cluster_option
@pass_app
def nightly_cmd(app: AppContext, day: str | None, cluster: str | None) -> None:
    """The batch job for cron or a systemd timer: transcribe what is pending
    and flag its mentions, deliver due alerts, write yesterday's síntesis
    (nightly.formats, into nightly.reports_dir) and apply retention.

    A step that fails is reported and the others still run; the exit status
    is non-zero when any failed. Each run is a row of the archive's runs
    table. A second copy exits at once while one runs.
    """
    use_cluster(app, cluster)
    config = app.config
    digest_day = parse_day(day, config.timezone) if day else None
    with app.archive(create=False) as archive:
        result = nightly.run_nightly(config, archive, day=digest_day)
    click.echo(f"nightly run {result.run_id}: síntesis of {result.day.isoformat()} ({config.timezone.key})")
    for earlier in result.interrupted:
        started = timeutil.local(earlier["started_utc"], config.timezone).strftime("%Y-%m-%d %H:%M")
        click.echo(f"  note: nightly run {earlier['id']} (started {started}) did not finish; "
                   "this run went on from where it stopped")
    for step in result.steps:
        click.echo(f"  {step.status.upper():<8} {step.name:<11} {step.summary}")
        for error in step.errors:  # on stdout with the rest: the summary reads in order in the journal
            click.echo(f"  {'':<8} {'':<11} error: {error}")
        for note in step.notes:
            click.echo(f"  {'':<8} {'':<11} note: {note}")
    if not result.ok:
        names = ", ".join(s.name for s in result.failed)
        raise click.ClickException(f"nightly run {result.run_id}: {len(result.failed)} step(s) failed ({names}); "
                                   "the other steps ran")


@main.command()
@click.option("--dry-run", is_flag=True, help="List what would be deleted and the space it would free; change nothing.")
@click.option("--vacuum", is_flag=True,
              help="Rewrite an archive made by an older radiomon once (VACUUM) so it can hand free space back, "
                   "however big it is; other writers wait meanwhile, so stop the recorder first.")
@pass_app
def prune(app: AppContext, dry_run: bool, vacuum: bool) -> None:
    """Delete audio older than retention.audio_days; transcripts, mentions and
    the clips of confirmed mentions are kept.

    Only transcribed, matched recordings under recordings_dir go; each is
    marked pruned before its file is deleted. The clip of every confirmed
    mention is cut into retention.kept_clips_dir first. The archive's free
    pages are handed back to the disk.
    """
    config = app.config
    with app.archive(create=False) as archive:
        result = jobs.prune(config, archive, dry_run=dry_run, vacuum=vacuum)
    plan = result.plan
    if plan.cutoff is None:
        click.echo("retention is off (retention.audio_days: 0): no audio is deleted")
    cutoff = timeutil.local(plan.cutoff, config.timezone).strftime("%Y-%m-%d %H:%M") if plan.cutoff else None
    if dry_run:
        _show_plan(result, cutoff)
    else:
        if cutoff:
            click.echo(f"pruned {result.pruned} recording(s) that ended before {cutoff} "
                       f"({plan.audio_days} days): {_mb(result.audio_bytes)} of audio deleted, "
                       f"{result.clips_kept} clip(s) of confirmed mentions kept in {result.kept_clips_dir}")
        if result.already_missing:
            click.echo(f"{result.already_missing} of them had lost their file already")
        if result.leftovers_removed:
            click.echo(f"deleted {result.leftovers_removed} file(s) of recordings a stopped prune had marked")
        if result.vacuum_switched:
            click.echo("the archive was switched to incremental auto-vacuum (one VACUUM, done once)")
        click.echo(f"archive: {_mb(result.archive_bytes)} of free pages returned to the disk")
    for note in result.notes:
        click.echo(f"note: {note}")
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if result.errors:
        raise click.ClickException(f"{len(result.errors)} problem(s); the recordings concerned keep their audio")


def _show_plan(result, cutoff: str | None) -> None:
    plan = result.plan
    if cutoff:
        listed = ":" if plan.doomed else ""
        click.echo(f"would prune {len(plan.doomed)} recording(s) that ended before {cutoff} "
                   f"({plan.audio_days} days), {_mb(sum(d.size for d in plan.doomed))} of audio{listed}")
    for item in plan.doomed:
        missing = "" if item.exists else "  (file already missing)"
        click.echo(f"  recording {item.recording.id}  {item.recording.station}  {item.recording.start_utc}  "
                   f"{item.recording.path}  {_mb(item.size)}{missing}")
    if plan.leftovers:
        click.echo(f"would delete {len(plan.leftovers)} file(s) of recordings already marked pruned:")
        for item in plan.leftovers:
            click.echo(f"  recording {item.recording.id}  {item.recording.path}  {_mb(item.size)}")
    if plan.clips:
        click.echo(f"would first keep {len(plan.clips)} clip(s) of confirmed mentions in {result.kept_clips_dir}")
    pages = "after its one-time VACUUM" if plan.vacuum_switch else "to the disk"
    click.echo(f"would free {_mb(plan.audio_bytes)} of audio and return {_mb(plan.free_bytes)} of archive "
               f"pages {pages}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def backup(app: AppContext, file: Path) -> None:
    """Copy the archive to FILE while radiomon keeps running (SQLite online backup).

    The copy is written under a temporary name and renamed when complete and
    checked, so FILE is always a whole archive: the previous backup or the
    new one. Restore by stopping radiomon and putting the copy in place of
    the archive (see the README).
    """
    config = app.config
    with app.archive(create=False) as archive:
        written = jobs.backup(config, archive, file)
    click.echo(f"backed up {config.archive} to {written} ({_mb(written.stat().st_size)})")
