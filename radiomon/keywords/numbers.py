"""Spanish number words to digits: "veintiuno" → 21, "dos mil veinticinco" → 2025.

Whisper writes numbers either way ("Colonia 20 de Noviembre" / "veinte de
noviembre"), and so do the people writing keywords.yml, so both sides are
brought to digits before matching. Covers 0 to 999 999 999, which includes
every street, colony, year and phone-sized group said on air.
(num2words is not available here; this is the inverse direction anyway.)
"""

from __future__ import annotations

from collections.abc import Sequence

_UNITS = {
    "cero": 0, "uno": 1, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
}
_TEENS_AND_TWENTIES = {
    "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
    "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiuno": 21, "veintiun": 21, "veintiuna": 21, "veintidos": 22, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29,
}
_TENS = {
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
    "ochenta": 80, "noventa": 90,
}
_HUNDREDS = {
    "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
    "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500,
    "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
    "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900,
    "novecientas": 900,
}
_SCALES = ("mil", "millon", "millones")
# "un"/"una" are articles far more often than numbers ("un hangado" is how
# Whisper heard Uriangato): they count as 1 only inside a longer number
# ("treinta y un", "un millón"), never alone.
_ARTICLES = {"un", "una"}

NUMBER_WORDS = (
    frozenset(_UNITS) | frozenset(_TEENS_AND_TWENTIES) | frozenset(_TENS) | frozenset(_HUNDREDS) | frozenset(_SCALES)
)


def parse_number(words: Sequence[str], start: int) -> tuple[int, int] | None:
    """Read a number spelled in folded Spanish words from ``words[start:]``.

    Returns ``(value, how many words it used)``, or None when no number starts
    there. Greedy: "dos mil veinticinco" is one number, 2025.
    """
    result, group, i = 0, 0, start
    seen_thousand = seen_million = False
    while True:
        value, used = _below_thousand(words, i)
        after = i + used
        scale = words[after] if after < len(words) else None
        if scale in ("millon", "millones") and not seen_million and (used or group):
            result += (group + value) * 1_000_000  # "dos mil millones" counts too
            group, i, seen_million, seen_thousand = 0, after + 1, True, False
            continue
        if scale == "mil" and not seen_thousand:
            group += (value or 1) * 1_000  # "mil" alone is 1000
            i, seen_thousand = after + 1, True
            continue
        group += value
        i = after
        break
    total = result + group
    used_total = i - start
    if used_total == 0:
        return None
    if used_total == 1 and words[start] in _ARTICLES:
        return None
    return total, used_total


def _below_thousand(words: Sequence[str], i: int) -> tuple[int, int]:
    """(value, words used) of a number below 1000 at ``words[i]``; (0, 0) if none."""
    n, start, value = len(words), i, 0
    if i < n and words[i] in _HUNDREDS:
        value += _HUNDREDS[words[i]]
        i += 1
        if words[i - 1] == "cien":  # "cien" stands alone; 101 is "ciento uno"
            return value, i - start
    if i < n and words[i] in _TENS:
        value += _TENS[words[i]]
        i += 1
        if i + 1 < n and words[i] == "y" and words[i + 1] in _UNITS and words[i + 1] != "cero":
            value += _UNITS[words[i + 1]]
            i += 2
    elif i < n and words[i] in _TEENS_AND_TWENTIES:
        value += _TEENS_AND_TWENTIES[words[i]]
        i += 1
    elif i < n and words[i] in _UNITS and not (words[i] == "cero" and i > start):
        value += _UNITS[words[i]]
        i += 1
    return value, i - start
