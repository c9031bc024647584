"""Time arithmetic (pure): the archive's UTC strings, local dates, durations.

Every instant is stored as UTC ISO 8601 with millisecond precision and a
``Z`` (``2026-11-25T20:00:00.000Z``). The fixed width matters: it makes the
strings sort and compare like the instants they name, so SQL range filters
work on plain text columns.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from radiomon.errors import QueryError

UTC = timezone.utc
# The years a person may name in --since/--until/--start and the web UI's dates.
# Year 1 or 9999 overflows datetime when a time zone or the next day is applied
# (``--until 9999-12-31`` asks for 10000-01-01), and no recording is that old or new.
MIN_YEAR = 1970
MAX_YEAR = 2200


def to_iso(instant: datetime) -> str:
    """A timezone-aware datetime as the archive's UTC string."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every instant must carry a time zone")
    utc = instant.astimezone(UTC)
    # Not strftime: its %Y drops leading zeros before year 1000, breaking the fixed width.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def parse_iso(text: str) -> datetime:
    """The archive's UTC string (or any ISO 8601 instant with an offset) as an aware datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return value.astimezone(UTC)


def shift(instant_iso: str, seconds: float) -> str:
    """``instant_iso`` moved by ``seconds`` (used for recording start + offset)."""
    return to_iso(parse_iso(instant_iso) + timedelta(seconds=seconds))


def local(instant: datetime | str, tz: ZoneInfo) -> datetime:
    """An instant in the station's or office's time zone, for display."""
    if isinstance(instant, str):
        instant = parse_iso(instant)
    return instant.astimezone(tz)


def parse_user_instant(text: str, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """A ``--since``/``--until``/``--start`` value read in the configured time zone.

    Accepts a date (``2026-11-25``: the start of that local day, or the start
    of the next one with ``end_of_day`` so ``--until 2026-11-25`` includes the
    whole day), a local date-time (``2026-11-25 14:30``, ``2026-11-25T14:30:00``)
    or an instant with an offset or ``Z``, and the words ``today``/``yesterday``.
    """
    raw = text.strip()
    lowered = raw.lower()
    if lowered in ("today", "hoy", "yesterday", "ayer"):
        today = datetime.now(tz).date()
        day = today if lowered in ("today", "hoy") else today - timedelta(days=1)
        return _day_bound(day, tz, end_of_day)
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            day = date.fromisoformat(raw)
            _check_year(text, day.year)
            return _day_bound(day, tz, end_of_day)
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(
            f"{text!r} is not a date or time; use 2026-11-25, '2026-11-25 14:30' "
            "or 2026-11-25T20:30:00Z"
        ) from None
    _check_year(text, value.year)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def _check_year(text: str, year: int) -> None:
    # The bounds are a year inside datetime's range, so the shifts that follow cannot overflow.
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise QueryError(f"{text!r} is out of range; use a date between {MIN_YEAR} and {MAX_YEAR}")


def _day_bound(day: date, tz: ZoneInfo, next_day: bool) -> datetime:
    if next_day:
        day = day + timedelta(days=1)
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


# Start instants written into file names by recorders and other loggers, e.g.
# 20261125T140000, 2026-11-25_14-00-00, estacion-20261125-1400, 2026-11-25 14.00.
_NAME_PATTERNS = [
    re.compile(
        r"(?<!\d)(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})[T_ \-.]?"
        r"(?P<H>\d{2})[-:.h]?(?P<M>\d{2})(?:[-:.m]?(?P<S>\d{2}))?(?!\d)"
    ),
]


def start_from_filename(name: str, tz: ZoneInfo) -> datetime | None:
    """The start instant encoded in a file name, read in the station's time zone.

    Returns None when the name holds no plausible date and time, so the caller
    can ask for ``--start``. A folder path ``…/2026-11-25/140000.mp3`` (the
    recorder's own layout) is understood too.
    """
    # The file's own name first: a date-like folder it was copied into
    # (backup-2025-01-01_12-00/) must not win over it.
    candidates = [re.split(r"[/\\]", name)[-1], name]
    folder_layout = re.search(r"(\d{4}-\d{2}-\d{2})[/\\](\d{6})\.\w+$", name)
    if folder_layout:
        candidates.insert(0, f"{folder_layout.group(1)}T{folder_layout.group(2)}")
    for candidate in candidates:
        for pattern in _NAME_PATTERNS:
            for found in pattern.finditer(candidate):
                parts = {k: int(v) if v else 0 for k, v in found.groupdict().items()}
                try:
                    value = datetime(
                        parts["y"], parts["m"], parts["d"], parts["H"], parts["M"], parts["S"]
                    )
                except ValueError:
                    continue
                if 1990 <= value.year <= 2200:
                    return value.replace(tzinfo=tz).astimezone(UTC)
    return None


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """``80`` (seconds), ``90s``, ``10m``, ``1.5h``, ``1d`` as seconds."""
    found = _DURATION.match(text)
    if not found or float(found.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration; use e.g. 90s, 10m or 1h")
    return float(found.group(1)) * _UNIT_SECONDS[found.group(2).lower()]


def minutes_in_words(minutes: int, days: str = "days") -> str:
    """A span read at a glance: ``45 min``, ``3 h 5 min`` up to two days, then whole days
    (``days`` is the word in the reader's language: the health check's summaries say days, the alerts días)."""
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // 1440} {days}"
