"""Clock arithmetic for the recorder (pure): aligned boundaries and schedules.

Segments are cut where the station's local time of day is a multiple of the
segment length (ffmpeg's ``-segment_atclocktime`` counts from local midnight),
so 10-minute segments start at :00, :10, … in the station's zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from radiomon.config import ScheduleWindow, Station

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def segment_seconds(station: Station) -> float:
    return station.segment_minutes * 60.0


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


def station_state(station: Station, now: datetime, default_tz: ZoneInfo | None = None) -> tuple[bool, str]:
    """Should ``station`` be recording at ``now``, and why (for ``radiomon status``).

    Returns ``(True, "on schedule until …")``/``(True, "24/7")`` or
    ``(False, "off-schedule until …")``; times are in the station's zone.
    """
    tz = station.timezone or default_tz or ZoneInfo("UTC")
    if not station.schedule:
        return True, "24/7"
    recording = is_scheduled(station, now, tz)
    change = next_change(station, now, tz)
    windows = "; ".join(describe_window(w) for w in station.schedule)
    when = change.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z") if change else "never"
    if recording:
        return True, f"on schedule until {when} ({windows})"
    return False, f"off-schedule until {when} ({windows})"
