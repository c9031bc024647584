"""Dates and words in Mexican Spanish for the documents, independent of the machine's locale.

The office's computers and the server may run in any locale (often C or
en_US); the documents must still read "miércoles 25 de noviembre de 2026".
"""

from __future__ import annotations

from datetime import date, datetime

from radiomon import wording

DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")
# A review state's label: the web UI's words, written once in radiomon.wording.
REVIEW = wording.REVIEW_LABELS
PRIORITY = {"crisis": "Crisis", "high": "Alta", "normal": "Normal"}


def long_date(day: date | datetime) -> str:
    """``miércoles 25 de noviembre de 2026``."""
    return f"{DAYS[day.weekday()]} {day.day} de {MONTHS[day.month - 1]} de {day.year}"


def short_date(day: date | datetime) -> str:
    """``25 de noviembre de 2026``."""
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def day_and_number(day: date) -> str:
    """``mié 25``: a column heading of the weekly table."""
    return f"{DAYS[day.weekday()][:3]} {day.day}"


review_label = wording.review_label


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
