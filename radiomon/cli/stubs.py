"""Commands of the contract whose implementation has not landed yet.

Each says so plainly and exits non-zero. When a command is built, its stub is
deleted here and the real one is registered from its own module.
"""

from __future__ import annotations

import click

from radiomon.cli import main
from radiomon.errors import NotBuiltError


def _not_built(name: str, what: str) -> None:
    raise NotBuiltError(f"`radiomon {name}` is not built yet ({what}); see the README for what works today")


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def nightly(args):
    """Batch job for cron: transcribe, match, digest (not built yet)."""
    _not_built("nightly", "the nightly job")


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def prune(args):
    """Delete audio past retention.audio_days (not built yet)."""
    _not_built("prune", "retention")
