"""The options several commands share, declared once: which stations, which time span, which keyword groups.

Each is a function returning the click decorator, so a command whose option
means something more (``--since`` as a time of day in ``digest``) passes
its own help and metavar while the name and the parameter stay the same.
"""

from __future__ import annotations

import click

STATION_HELP = "Only this station (repeatable)."
SINCE_HELP = "From this date or time (configured time zone), e.g. 2026-11-25 or '2026-11-25 14:00'."
UNTIL_HELP = "Up to this date (whole day included) or time."
GROUPS_HELP = "Only this keyword group (repeatable)."


def stations_option(help: str = STATION_HELP, metavar: str | None = None):
    """``--station ID``, repeatable, as the tuple ``stations``."""
    return click.option("--station", "stations", multiple=True, metavar=metavar, help=help)


def since_option(help: str = SINCE_HELP, metavar: str | None = None):
    return click.option("--since", metavar=metavar, help=help)


def until_option(help: str = UNTIL_HELP, metavar: str | None = None):
    return click.option("--until", metavar=metavar, help=help)


def groups_option(help: str = GROUPS_HELP):
    """``--group NAME``, repeatable, as the tuple ``groups``."""
    return click.option("--group", "groups", multiple=True, help=help)
