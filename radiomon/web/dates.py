"""Dates as the office writes them: dd/mm/aaaa on screen and in forms (pure).

Chromium's ``<input type="date">`` shows the computer's locale, which in an
office set up in English reads mm/dd/yyyy: 03/11/2026 is then the 11th of
March to the browser and the 3rd of November to the reader. The pages show
and take dates as text, day first (:data:`PATTERN` for the form's own check),
and still take the ISO dates of links and bookmarks (``2026-11-25``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

# Day first with /, - or . between (a phone's numeric keypad may lack the slash), or ISO.
_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: The form's ``pattern`` (Chromium compiles it with the ``v`` flag: / and - escaped in a class).
PATTERN = r"[0-9]{1,2}[\/.\-][0-9]{1,2}[\/.\-][0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: The same with the words hoy and ayer (any case).
PATTERN_WORDS = PATTERN + r"|[Hh][Oo][Yy]|[Aa][Yy][Ee][Rr]"
PLACEHOLDER = "dd/mm/aaaa"


def parse_day(text: str) -> date:
    """``25/11/2026``, ``5/3/2026``, ``25-11-2026``, ``25.11.2026`` (day first) or ``2026-11-25``;
    ValueError for anything else, a day that does not exist (30/02/2026) included."""
    raw = text.strip()
    found = _DAY_FIRST.fullmatch(raw)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return date(year, month, day)
    if _ISO.fullmatch(raw):
        return date.fromisoformat(raw)
    raise ValueError(raw)


def fecha(value: date | datetime | str | None, tz: ZoneInfo | None = None) -> str:
    """``value`` as dd/mm/aaaa: a date; a datetime (an aware one in ``tz``); an ISO date or
    instant (``…Z`` is UTC, shown as the day in ``tz``); a date already typed day first.
    Empty for None or ""; text that is no date comes back as it was (what the person typed)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value.strip()
        try:
            return fecha(parse_day(text))
        except ValueError:
            pass
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None and tz is not None:
            value = value.astimezone(tz)
        value = value.date()
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


__all__ = ["PATTERN", "PATTERN_WORDS", "PLACEHOLDER", "fecha", "parse_day"]
