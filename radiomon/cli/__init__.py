"""The ``radiomon`` command line: a click group of thin commands.

Each command family lives in its own module and registers itself on
:data:`main`; a command parses options, calls one library function and
prints. Domain errors (:class:`RadiomonError`) become one clean line and a
non-zero exit here, never a traceback.
"""

from __future__ import annotations

import logging
import sys

import click

from radiomon import __version__
from radiomon.cli.context import AppContext
from radiomon.errors import RadiomonError


class RadiomonGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RadiomonError as err:
            raise click.ClickException(str(err)) from None


@click.group(cls=RadiomonGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="RADIOMON_CONFIG",
    help="radiomon.yml to use (default: $RADIOMON_CONFIG, else ./radiomon.yml).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug, e.g. ffmpeg commands).")
@click.version_option(__version__, prog_name="radiomon")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """Radio monitoring: record stations, transcribe them with Whisper, flag
    mentions of the municipality, and search the archive."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    ctx.obj = AppContext(config_path=config_path, verbose=verbose)


# Command modules register themselves on `main` when imported.
from radiomon.cli import (  # noqa: E402,F401
    alert_cmds,
    archive_cmds,
    match_cmds,
    ops_cmds,
    press_cmds,
    record_cmd,
    report_cmds,
    run_cmd,
    transcribe_cmd,
    web_cmds,
    worker_cmd,
)

__all__ = ["main"]
