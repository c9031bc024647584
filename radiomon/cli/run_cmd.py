"""``radiomon run``: the always-on daemon (record, transcribe each segment as it closes, match, alert)."""

from __future__ import annotations

import logging
import threading

import click

from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.options import stations_option
from radiomon.cli.record_cmd import duration_value

LOCAL_ONLY = ("radiomon run transcribes locally; point `radiomon transcribe --cluster` or "
              "`radiomon nightly --cluster` at the cluster")


@main.command(name="run")
@stations_option("Only this station (repeatable; default: all configured).", metavar="ID")
@click.option("--duration", callback=duration_value, metavar="TIME",
              help="Stop recording after this long (80, 90s, 10m, 1h), transcribe what is waiting, then exit. "
                   "Default: run until SIGTERM/Ctrl-C.")
@click.option("--cluster", metavar="ADDRESS",
              help="Refused: radiomon run transcribes on this machine; use transcribe --cluster or nightly "
                   "--cluster for a Dask cluster.")
@pass_app
def run_daemon(app: AppContext, stations: tuple[str, ...], duration: float | None, cluster: str | None) -> None:
    """Run the always-on daemon: record every station, transcribe and match each segment as it closes.

    Transcription runs in worker processes at lower CPU priority than the
    recorder (daemon.worker_nice), one per transcription.workers. After a
    restart or a power cut, what was left pending or transcribing is caught
    up with by itself, in daemon.backlog order (newest-first by default).
    SIGTERM or Ctrl-C stop the workers (their recordings stay pending),
    finish and register the open segments, and exit 0. Logs go to stderr.
    """
    from radiomon import daemon
    from radiomon.pipeline.record import stop_on_signals

    # one line per event on stderr, even without -v (journald keeps them)
    for name in ("radiomon.daemon", "radiomon.pipeline.record"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    # The daemon's live transcription has no claim/lease path to a cluster yet: say so rather than
    # accept an option, or a setting, that would silently do nothing.
    if cluster is not None:
        raise click.UsageError(f"--cluster {cluster}: {LOCAL_ONLY}")
    config = app.config
    if config.transcription.cluster.enabled:
        click.echo(f"note: transcription.cluster ({config.transcription.cluster.address}) is not used here: "
                   f"{LOCAL_ONLY}", err=True)
    app.archive().close()  # only `radiomon init` makes an archive: a mistyped path is said, not recorded into
    stop = threading.Event()
    with stop_on_signals(stop):
        result = daemon.run(config, stations, stop=stop, duration=duration)
    click.echo(result.summary(), err=True)
