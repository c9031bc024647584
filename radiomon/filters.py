"""Which part of the archive a job, a search or a listing is about.

:class:`Filters` is what the command line, the web UI, the nightly job and
the daemon build from their own inputs (options, query strings, a schedule)
and hand to the job layer; :func:`Filters.parse` reads what a person types
(station ids, ``2026-11-25``, ``ayer``, ``'2026-11-25 14:00'``) in the
configured time zone. The archive turns a Filters into SQL in one place
(:mod:`radiomon.archive.where`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from radiomon import timeutil
from radiomon.errors import QueryError

if TYPE_CHECKING:
    from radiomon.config import Config


#: What ``Filters.review`` can ask for: mentions nobody reviewed yet, confirmed ones, false positives.
REVIEW_STATES = ("pending", "confirmed", "rejected")


@dataclass(frozen=True)
class Filters:
    """All of it, unless narrowed; instants are aware (UTC)."""

    stations: tuple[str, ...] = ()  # station ids; empty = every station
    since: datetime | None = None  # from this instant on (inclusive)
    until: datetime | None = None  # before this instant (exclusive)
    groups: tuple[str, ...] = ()  # keyword group ids; empty = every group
    limit: int | None = None  # at most this many items
    review: str | None = None  # staff's verdict on mentions: one of REVIEW_STATES; None = any

    @classmethod
    def parse(
        cls,
        config: Config,
        *,
        stations: Iterable[str] = (),
        since: str | None = None,
        until: str | None = None,
        groups: Iterable[str] = (),
        review: str | None = None,
        limit: int | None = None,
    ) -> Filters:
        """Filters from what a person typed: unknown stations and a range that
        ends before it begins are errors; ``until`` as a date includes that day."""
        stations = tuple(stations)
        for station in stations:
            config.station(station)  # ConfigError naming the known ones
        tz = config.timezone
        since_at = timeutil.parse_user_instant(since, tz) if since else None
        until_at = timeutil.parse_user_instant(until, tz, end_of_day=True) if until else None
        if since_at and until_at and since_at >= until_at:
            raise QueryError("--since must be before --until")
        if review is not None and review not in REVIEW_STATES:
            raise QueryError(f"review {review!r}: use one of {', '.join(REVIEW_STATES)}")
        return cls(stations=stations, since=since_at, until=until_at, groups=tuple(groups), review=review,
                   limit=limit)


__all__ = ["REVIEW_STATES", "Filters"]
