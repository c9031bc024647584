"""Schedule arithmetic (pure): clock-aligned instants and a station's on-air windows.

A recorder cuts its files, and the alerts close their batches, where local
time of day is a multiple of a length (ffmpeg's ``-segment_atclocktime``
counts from local midnight), so 10-minute steps fall at :00, :10, … in the
zone given. A station with ``schedule`` windows is on the air inside them
only; :func:`next_change` and :func:`previous_change` say when that flips.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from radiomon.config import ScheduleWindow, Station

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _since_midnight(local: datetime) -> float:
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (local.replace(tzinfo=None) - midnight.replace(tzinfo=None)).total_seconds()


def next_boundary(now: datetime, seconds: float, tz: ZoneInfo) -> datetime:
    """The first clock-aligned cut strictly after ``now`` (aware) in zone ``tz``."""
    local = now.astimezone(tz)
    into = _since_midnight(local)
    step = (into // seconds + 1) * seconds
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    candidate = midnight + timedelta(seconds=step)
    next_midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)
    return min(candidate, next_midnight)


def boundary_error(instant: datetime, seconds: float, tz: ZoneInfo) -> float:
    """Signed seconds from the nearest clock-aligned cut to ``instant`` (benchmarks, tests)."""
    into = _since_midnight(instant.astimezone(tz))
    off = into % seconds
    return off if off <= seconds / 2 else off - seconds


def in_window(window: ScheduleWindow, local: datetime) -> bool:
    """Whether local wall time ``local`` falls inside ``window`` (which may run past midnight)."""
    now_t = local.time().replace(tzinfo=None)
    day = local.weekday()
    if window.end > window.start:
        return day in window.days and window.start <= now_t < window.end
    # runs past midnight: belongs to the day it starts on
    return (day in window.days and now_t >= window.start) or (
        (day - 1) % 7 in window.days and now_t < window.end
    )


def describe_window(window: ScheduleWindow) -> str:
    days = ",".join(_DAYS[d] for d in sorted(window.days))
    end = "24:00" if window.end == time.max else window.end.strftime("%H:%M")
    return f"{days} {window.start.strftime('%H:%M')}-{end}"


def describe_schedule(station: Station) -> str:
    """The station's windows in one line (``mon,tue 06:00-14:00; sat 08:00-12:00``)."""
    return "; ".join(describe_window(w) for w in station.schedule)


def is_scheduled(station: Station, now: datetime, tz: ZoneInfo) -> bool:
    if not station.schedule:
        return True
    local = now.astimezone(tz)
    return any(in_window(w, local) for w in station.schedule)


def _window_edges(station: Station, local_day: date, offsets: range, tz: ZoneInfo) -> Iterator[datetime]:
    """Every start and end of the station's schedule windows on the local days ``local_day + offsets``."""
    for offset in offsets:
        day = local_day + timedelta(days=offset)
        for window in station.schedule:
            for moment in (window.start, window.end):
                if moment == time.max:  # "until 24:00": the next day's midnight
                    yield datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
                else:
                    yield datetime.combine(day, moment, tzinfo=tz)


def next_change(station: Station, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The next instant the station goes on or off schedule; None when it never changes (24/7)."""
    if not station.schedule:
        return None
    current = is_scheduled(station, now, tz)
    later = {at for at in _window_edges(station, now.astimezone(tz).date(), range(-1, 9), tz) if at > now}
    for at in sorted(later):
        if is_scheduled(station, at, tz) != current:
            return at
    return None


def previous_change(station: Station, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The last instant at or before ``now`` the station went on or off schedule; None for 24/7."""
    if not station.schedule:
        return None
    current = is_scheduled(station, now, tz)
    earlier = {at for at in _window_edges(station, now.astimezone(tz).date(), range(-8, 2), tz) if at <= now}
    for at in sorted(earlier, reverse=True):
        if is_scheduled(station, at, tz) == current and is_scheduled(station, at - timedelta(seconds=1), tz) != current:
            return at
    return None
