"""The library's error lines in the office's Spanish, for the web's pages and JSON.

A :class:`~radiomon.errors.RadiomonError` says what to do in the command
line's words ("--since must be before --until", "OR needs a word on each
side in 'OR mercado'"). The CLI prints that line as it is; the web UI, where
nobody typed an option, shows it here translated: one pattern per message the
library raises, its values kept («OR mercado»), the option named as the page
or the API names the field. A message with no pattern (a new one) becomes a
general Spanish line and is logged, so a missing translation shows in the log,
never as English on a page.
"""

from __future__ import annotations

import ast
import logging
import re
from typing import Callable, Mapping

from radiomon.errors import RadiomonError

log = logging.getLogger(__name__)

#: What the pages call the command line's options (their form labels).
PAGE_NAMES: Mapping[str, str] = {
    "since": "«Desde»", "until": "«Hasta»", "station": "«Estación»", "outlet": "«Periódico»",
    "medium": "«Medio»", "group": "«Grupo»", "review": "«Revisión»", "limit": "«límite»",
    "date": "«Día»", "week": "«Semana»", "before": "«Segundos antes»", "after": "«Segundos después»",
    "media": "radio o prensa",
}
#: What the JSON API calls them (its query parameters).
API_NAMES: Mapping[str, str] = {
    "since": "since", "until": "until", "station": "station", "outlet": "outlet", "medium": "medium",
    "group": "group", "review": "review", "limit": "limit", "date": "date", "week": "week",
    "before": "before", "after": "after", "media": "radio o press",
}

FALLBACK = "No se pudo atender la solicitud con esos datos; revise la búsqueda y los filtros e intente de nuevo."

_REPR = r"(?P<q>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"  # a Python repr of a str: what the message quotes


def _quoted(found: re.Match, group: str = "q") -> str:
    """The value a message quoted with repr(), between Spanish quotes."""
    text = found.group(group)
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = text.strip("'\"")
    return f"«{value}»"


def _plain(found: re.Match, group: str) -> str:
    return f"«{found.group(group)}»"


# (pattern of the English line, its Spanish as a function of the match and the field names)
_Rule = tuple[re.Pattern, Callable[[re.Match, Mapping[str, str]], str]]
_RULES: list[_Rule] = [(re.compile(pattern + r"\Z", re.DOTALL), spanish) for pattern, spanish in [
    # search/query.py: the search language
    (r"unclosed quote in " + _REPR + r"; close the phrase with another \"",
     lambda m, n: f"Faltan comillas de cierre en {_quoted(m)}; cierre la frase con otras comillas (\")."),
    (r"OR needs a word on each side in " + _REPR,
     lambda m, n: f"OR necesita una palabra a cada lado en {_quoted(m)}; p. ej. mercado OR tianguis."),
    (r"OR cannot join an exclusion \(-word\) in " + _REPR,
     lambda m, n: f"OR no puede unir una exclusión (-palabra) en {_quoted(m)}; escriba la exclusión aparte."),
    (_REPR + r" only excludes words; add at least one word to look for",
     lambda m, n: f"{_quoted(m)} solo excluye palabras; agregue al menos una palabra que buscar."),
    (r"empty search; type at least one word",
     lambda m, n: "La búsqueda está vacía; escriba al menos una palabra."),
    (_REPR + r": put at least one letter before \* \(e\.g\. moro\*\)",
     lambda m, n: f"{_quoted(m)}: escriba al menos una letra antes de * (p. ej. moro*)."),
    (_REPR + r": \* only goes at the end of a word \(e\.g\. moro\*\)",
     lambda m, n: f"{_quoted(m)}: el * solo va al final de una palabra (p. ej. moro*)."),
    (r"cannot search for that \(.*\); simplify the query or put it in quotes",
     lambda m, n: "No se puede buscar eso; simplifique la búsqueda o póngala entre comillas."),
    # filters.py, search/service.py, reports/digest.py: the range and the filters
    (r"--since must be before --until",
     lambda m, n: f"La fecha {n['since']} debe ser anterior a {n['until']}; corrija una de las dos."),
    (r"medium " + _REPR + r": use one of .*",
     lambda m, n: f"{_quoted(m)} no es un valor de {n['medium']}; use {n['media']}."),
    (r"--station is a radio station: .*",
     lambda m, n: f"{n['station']} es de radio: quítela para buscar solo en la prensa "
                  f"(los periódicos se eligen con {n['outlet']})."),
    (r"--outlet is a newspaper: .*",
     lambda m, n: f"{n['outlet']} es de la prensa: quítelo para buscar solo en la radio "
                  f"(las estaciones se eligen con {n['station']})."),
    (r"review " + _REPR + r": use one of (?P<known>.*)",
     lambda m, n: f"{_quoted(m)} no es un valor de {n['review']}; use {m.group('known')}."),
    (r"--limit (?P<v>\S+): use a number from 1 to (?P<max>\d+)",
     lambda m, n: f"{n['limit']} {_plain(m, 'v')} debe ser un número de 1 a {m.group('max')}."),
    (r"--group (?P<v>.+?): no such (?:keyword )?group(?: in .+)? \(known: (?P<known>.*)\)",
     lambda m, n: f"El grupo {_plain(m, 'v')} no existe en las palabras clave; "
                  f"los grupos son: {m.group('known').replace('none', 'ninguno')}."),
    # config.py: names that are not configured (the message's radiomon.yml path is not for the page)
    (r"unknown station " + _REPR + r" \(configured in .*: (?P<known>[^:]*)\)",
     lambda m, n: f"La estación {_quoted(m)} no existe; las configuradas son: "
                  f"{m.group('known').replace('none', 'ninguna')}."),
    (r"unknown outlet " + _REPR + r" \(configured under press\.outlets: (?P<known>.*)\)",
     lambda m, n: f"El periódico {_quoted(m)} no existe; los configurados son: "
                  f"{m.group('known').replace('none', 'ninguno')}."),
    # timeutil.py: dates and times
    (_REPR + r" is not a date or time; use .*",
     lambda m, n: f"{_quoted(m)} no es una fecha ni una hora; use dd/mm/aaaa (p. ej. 25/11/2026), "
                  f"AAAA-MM-DD o 'AAAA-MM-DD HH:MM'."),
    (_REPR + r" is out of range; use a date between (?P<lo>\d+) and (?P<hi>\d+)",
     lambda m, n: f"{_quoted(m)} está fuera de rango; use una fecha entre {m.group('lo')} y {m.group('hi')}."),
    (r"--date (?P<v>.*): not a date; use .*",
     lambda m, n: f"{n['date']} {_plain(m, 'v')} no es una fecha; use dd/mm/aaaa (p. ej. 25/11/2026), hoy o ayer."),
    (r"--(?:since|until) (?P<v>.*): not a time of day; use HH:MM like 10:00",
     lambda m, n: f"{_plain(m, 'v')} no es una hora del día; use HH:MM, p. ej. 10:00."),
    (r"--since 24:00: the day is over by then; .*",
     lambda m, n: "A las 24:00 el día ya terminó; use una hora anterior a 24:00."),
    (r"--week (?P<v>.*): not an ISO week; .*",
     lambda m, n: f"{n['week']} {_plain(m, 'v')} no es una semana; use p. ej. 2026-W47."),
    # reports/clips.py: a clip's window
    (r"--before \S+ / --after \S+: give a number of seconds \(not nan or inf\)",
     lambda m, n: f"{n['before']} y {n['after']} deben ser números de segundos."),
    (r"--before and --after are at most (?P<max>\S+) seconds \(a day\) each",
     lambda m, n: f"{n['before']} y {n['after']} son como mucho {m.group('max')} segundos (un día) cada uno."),
    (r"--before and --after are seconds and cannot be negative",
     lambda m, n: f"{n['before']} y {n['after']} no pueden ser negativos."),
    (r"--before and --after together must be more than 0 seconds",
     lambda m, n: f"El clip debe durar más de 0 segundos: aumente {n['before']} o {n['after']}."),
]]


def spanish(err: RadiomonError | str, names: Mapping[str, str] = PAGE_NAMES) -> str:
    """``err``'s line in Spanish, its options called by ``names`` (:data:`PAGE_NAMES` for a page,
    :data:`API_NAMES` for the JSON API); a line without a translation becomes :data:`FALLBACK`."""
    text = str(err).strip()
    for pattern, translate in _RULES:
        found = pattern.match(text)
        if found:
            return translate(found, names)
    log.warning("no Spanish for the error %r; the page shows a general message", text)
    return FALLBACK


def is_translated(err: RadiomonError | str) -> bool:
    """Whether :func:`spanish` has a pattern for ``err`` (for tests of new messages)."""
    text = str(err).strip()
    return any(pattern.match(text) for pattern, _ in _RULES)


__all__ = ["API_NAMES", "FALLBACK", "PAGE_NAMES", "is_translated", "spanish"]
