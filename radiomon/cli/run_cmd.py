"""``radiomon run``: the always-on daemon (record, transcribe each segment as it closes, match, alert)."""

from __future__ import annotations

import logging
import threading

import click

from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.options import stations_option
from radiomon.cli.record_cmd import duration_value
from radiomon.cli.transcribe_cmd import cluster_option, use_cluster


@main.command(name="run")
@stations_option("Only this station (repeatable; default: all configured).", metavar="ID")
@click.option("--duration", callback=duration_value, metavar="TIME",
              help="Stop recording after this long (80, 90s, 10m, 1h), transcribe what is waiting, then exit. "
                   "Default: run until SIGTERM/Ctrl-C.")
@cluster_option
@pass_app
def run_daemon(app: AppContext, stations: tuple[str, ...], duration: float | None, cluster: str | None) -> None:
    """Run the always-on daemon: record every station, transcribe and match each segment as it closes.

    Transcription runs in worker processes at lower CPU priority than the
    recorder (daemon.worker_nice), one per transcription.workers. After a
    restart or a power cut, what was left pending or transcribing is caught
    up with by itself, in daemon.backlog order (newest-first by default).
    SIGTERM or Ctrl-C stop the workers (their recordings stay pending),
    finish and register the open segments, and exit 0. Logs go to stderr.

    On a Dask cluster (--cluster or transcription.cluster) each closed
    recording is leased in the archive and transcribed by the cluster's
    workers, as transcribe --cluster does; recording and matching stay here.
    While the scheduler is away the daemon records on and connects again.
    """
    from radiomon import daemon
    from radiomon.pipeline.record import stop_on_signals

    # one line per event on stderr, even without -v (journald keeps them)
    for name in ("radiomon.daemon", "radiomon.pipeline.record", "radiomon.pipeline.transcribe.live_cluster"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    use_cluster(app, cluster)  # checked as transcribe --cluster checks it
    config = app.config
    app.archive().close()  # only `radiomon init` makes an archive: a mistyped path is said, not recorded into
    stop = threading.Event()
    with stop_on_signals(stop):
        result = daemon.run(config, stations, stop=stop, duration=duration)
    click.echo(result.summary(), err=True)
