"""``radiomon record``: record the stations until stopped or for a duration."""

from __future__ import annotations

import logging
import threading

import click

from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.options import stations_option
from radiomon.timeutil import parse_duration


def duration_value(ctx, param, value):
    """click callback: ``--duration`` text → seconds (None when absent)."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


@main.command()
@stations_option("Record only this station (repeatable; default: all configured).", metavar="ID")
@click.option("--duration", callback=duration_value, metavar="TIME",
              help="Stop after this long: 80 (seconds), 90s, 10m, 1h. Default: until SIGTERM/Ctrl-C.")
@pass_app
def record(app: AppContext, stations: tuple[str, ...], duration: float | None) -> None:
    """Record the stations in clock-aligned segments, registering each as it closes.

    One ffmpeg per station, restarted by a watchdog when the stream drops,
    stalls or goes silent; every outage is stored as a gap. SIGTERM or
    Ctrl-C finish the open segments and exit 0.
    """
    from radiomon.pipeline.record import record as run_recorder
    from radiomon.pipeline.record import stop_on_signals

    # one line per event on stderr, even without -v
    logger = logging.getLogger("radiomon.pipeline.record")
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    config = app.config
    app.archive().close()  # only `radiomon init` makes an archive: a mistyped path is said, not recorded into
    stop = threading.Event()
    with stop_on_signals(stop):
        statuses = run_recorder(config, stations, duration=duration, stop=stop)
    total = sum(s.segments for s in statuses)
    click.echo(f"recorded {total} segment(s) from {len(statuses)} station(s)", err=True)
