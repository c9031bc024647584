"""The one WHERE builder: stations and outlets, a time range and groups as SQL conditions.

Every reader that filters (search, mentions, recordings, gaps, now playing)
builds its conditions here, so "since" means the same thing everywhere:
an instant at or after it; "until": before it. Times are compared as the
archive's fixed-width UTC strings, or as epoch milliseconds where a table
stores those (``segments.epoch_ms``). Where a table holds both media (the
mentions), "a station" means radio and "an outlet" press
(:meth:`Filters.covers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from radiomon import timeutil
from radiomon.filters import Filters


class Where:
    """Conditions joined with AND, and their parameters, in order."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list = []

    @classmethod
    def of(cls, filters: Filters, *, at: str | None = None, station: str | None = None,
           group: str | None = None, review: str | None = None, epoch_ms: bool = False,
           article: str | None = None) -> Where:
        """``filters`` on these columns: ``at`` a point in time, ``station``
        the station id, ``group`` the keyword group id, ``review`` a
        mention's verdict, ``article`` the article id of a table holding both
        media (NULL for radio: then the medium and the outlets apply too);
        the columns a table lacks are passed as None and those filters left
        to the caller."""
        where = cls()
        if article is not None:
            where.media(filters, article=article, station=station)
        elif station is not None:
            where.among(station, filters.stations)
        if group is not None:
            where.among(group, filters.groups)
        if review is not None:
            where.reviewed(review, filters.review)
        if at is not None:
            where.between(at, filters.since, filters.until, epoch_ms=epoch_ms)
        return where

    def add(self, condition: str, *params) -> Where:
        self.conditions.append(condition)
        self.params.extend(params)
        return self

    def among(self, column: str, values: Sequence) -> Where:
        """``column`` is one of ``values``; no condition when there are none."""
        if values:
            self.add(f"{column} IN ({', '.join('?' * len(values))})", *values)
        return self

    def media(self, filters: Filters, *, article: str, station: str | None = None) -> Where:
        """Rows of the media and sources ``filters`` covers, in a table whose ``article`` column
        is NULL for radio rows and names the article for press rows (``station``: radio's station)."""
        radio = Where().add(f"{article} IS NULL")
        if station is not None:
            radio.among(station, filters.stations)
        press = Where().add(f"{article} IS NOT NULL")
        if filters.outlets:
            outlets = ", ".join("?" * len(filters.outlets))
            press.add(f"{article} IN (SELECT id FROM articles WHERE outlet IN ({outlets}))", *filters.outlets)
        chosen = [w for medium, w in (("radio", radio), ("press", press)) if filters.covers(medium)]
        if len(chosen) == 1:
            return self.add(" AND ".join(chosen[0].conditions), *chosen[0].params)
        if not chosen:
            return self.add("0")
        if len(radio.conditions) == 1 and len(press.conditions) == 1:
            return self  # both media, every source
        either = " OR ".join(f"({' AND '.join(w.conditions)})" for w in chosen)
        return self.add(f"({either})", *radio.params, *press.params)

    def reviewed(self, column: str, review: str | None) -> Where:
        """Staff's verdict in ``column`` is ``review`` ("pending": none yet); no condition for None."""
        if review == "pending":
            self.add(f"{column} IS NULL")
        elif review is not None:
            self.add(f"{column} = ?", review)
        return self

    def between(self, column: str, since: datetime | None, until: datetime | None, *,
                epoch_ms: bool = False) -> Where:
        """``since <= column < until``, either bound optional."""
        if since is not None:
            self.add(f"{column} >= ?", _value(since, epoch_ms))
        if until is not None:
            self.add(f"{column} < ?", _value(until, epoch_ms))
        return self

    def overlapping(self, start: str, end: str, since: datetime | None, until: datetime | None) -> Where:
        """The stretch ``start``–``end`` (``end`` NULL: still going on) overlaps ``[since, until)``."""
        if since is not None:
            self.add(f"({end} IS NULL OR {end} >= ?)", timeutil.to_iso(since))
        if until is not None:
            self.add(f"{start} < ?", timeutil.to_iso(until))
        return self

    def sql(self) -> str:
        """``WHERE …`` (with a leading space), or nothing when there is no condition."""
        return f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""

    def also(self) -> str:
        """`` AND …`` for a query that has a WHERE of its own, or nothing."""
        return "".join(f" AND {c}" for c in self.conditions)


def _value(instant: datetime, epoch_ms: bool):
    return round(instant.timestamp() * 1000) if epoch_ms else timeutil.to_iso(instant)


__all__ = ["Where"]
