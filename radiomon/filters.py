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

#: What ``Filters.medium`` can ask for: what was said on air, what the newspapers printed.
MEDIA = ("radio", "press")


@dataclass(frozen=True)
class Filters:
    """All of it, unless narrowed; instants are aware (UTC)."""

    stations: tuple[str, ...] = ()  # station ids; empty = every station
    since: datetime | None = None  # from this instant on (inclusive)
    until: datetime | None = None  # before this instant (exclusive)
    groups: tuple[str, ...] = ()  # keyword group ids; empty = every group
    limit: int | None = None  # at most this many items
    review: str | None = None  # staff's verdict on mentions: one of REVIEW_STATES; None = any
    medium: str | None = None  # one of MEDIA; None = both
    outlets: tuple[str, ...] = ()  # newspaper (outlet) ids; empty = every outlet

    def covers(self, medium: str) -> bool:
        """Whether anything of ``medium`` can pass. Naming stations is asking for radio and naming
        outlets for press: ``--station`` alone leaves the press out, ``--outlet`` alone the radio,
        both together ask for those stations and those outlets."""
        if self.medium is not None:
            return self.medium == medium
        if self.stations or self.outlets:
            return bool(self.stations if medium == "radio" else self.outlets)
        return True

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
        medium: str | None = None,
        outlets: Iterable[str] = (),
    ) -> Filters:
        """Filters from what a person typed: unknown stations or outlets, a station with the
        press alone (or an outlet with radio alone) and a range that ends before it begins are
        errors; ``until`` as a date includes that day."""
        stations, outlets = tuple(stations), tuple(outlets)
        for station in stations:
            config.station(station)  # ConfigError naming the known ones
        press = getattr(config, "press", None)
        for outlet in outlets:
            if press is not None:
                press.outlet(outlet)  # ConfigError naming the known ones
        if medium is not None and medium not in MEDIA:
            raise QueryError(f"medium {medium!r}: use one of {', '.join(MEDIA)}")
        if medium == "press" and stations:
            raise QueryError("--station is a radio station: leave it out with --medium press (--outlet picks "
                             "newspapers)")
        if medium == "radio" and outlets:
            raise QueryError("--outlet is a newspaper: leave it out with --medium radio (--station picks stations)")
        tz = config.timezone
        since_at = timeutil.parse_user_instant(since, tz) if since else None
        until_at = timeutil.parse_user_instant(until, tz, end_of_day=True) if until else None
        if since_at and until_at and since_at >= until_at:
            raise QueryError("--since must be before --until")
        if review is not None and review not in REVIEW_STATES:
            raise QueryError(f"review {review!r}: use one of {', '.join(REVIEW_STATES)}")
        return cls(stations=stations, since=since_at, until=until_at, groups=tuple(groups), review=review,
                   limit=limit, medium=medium, outlets=outlets)


__all__ = ["MEDIA", "REVIEW_STATES", "Filters"]
