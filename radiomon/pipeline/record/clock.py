"""The recorder's clock (pure): segment length and whether a station should be recording now.

Segments are cut where the station's local time of day is a multiple of the
segment length (:func:`radiomon.schedule.next_boundary`), so 10-minute
segments start at :00, :10, … in the station's zone; the schedule
arithmetic itself lives in :mod:`radiomon.schedule`, which the alerts and
``radiomon status`` share.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from radiomon.config import Station
from radiomon.schedule import describe_schedule, is_scheduled, next_change


def segment_seconds(station: Station) -> float:
    return station.segment_minutes * 60.0


def station_state(station: Station, now: datetime, default_tz: ZoneInfo | None = None) -> tuple[bool, str]:
    """Should ``station`` be recording at ``now``, and why (the recorder's log and status).

    Returns ``(True, "on schedule until …")``/``(True, "24/7")`` or
    ``(False, "off-schedule until …")``; times are in the station's zone.
    """
    tz = station.timezone or default_tz or ZoneInfo("UTC")
    if not station.schedule:
        return True, "24/7"
    recording = is_scheduled(station, now, tz)
    change = next_change(station, now, tz)
    windows = describe_schedule(station)
    when = change.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z") if change else "never"
    if recording:
        return True, f"on schedule until {when} ({windows})"
    return False, f"off-schedule until {when} ({windows})"
