"""Why a newspaper could not be read, in one Spanish line for the staff (pure).

The collector stores each feed's failure as the fetcher words it, for whoever
runs the machine: "HTTP 403 Forbidden", "ConnectError: [Errno 111] Connection
refused", "an HTML page, not a feed: check the outlet's feed URL …", and
`radiomon status` joins several as "https://…/feed/: HTTP 404 Not Found;
https://…/rss/: …". Estado shows the press staff what happened instead
(«El sitio rechazó la lectura (403)»), never an address or the library's
English; the CLI keeps the raw line.
"""

from __future__ import annotations

import re

# A part of `radiomon status`'s joined error may start with the feed's address: "https://…/feed/: HTTP 404 …".
_URL_PREFIX = re.compile(r"^\s*https?://\S+?:\s+")
_HTTP = re.compile(r"\bHTTP (\d{3})\b")

#: What an unknown failure reads as (a new message of the fetcher, a bug in a pass).
UNKNOWN = "No se pudo leer el sitio"

# (what the fetcher's line holds, lower case → the staff's words), first match wins. The fetcher's lines are
# in radiomon/pipeline/press/fetch.py (_Failure, the HTTP statuses, robots.txt), feeds.py (_failed) and
# collect.py (the pass's deadline).
# "robots.txt unreachable (ConnectError: [Errno 111] Connection refused): nothing fetched from this host": the
# reason in parentheses is why the site could not be read (a site that does not answer is the usual one).
_ROBOTS_UNREACHABLE = re.compile(r"robots\.txt unreachable \((?P<why>.*)\):[^()]*$")
ROBOTS_UNREACHABLE = "No se pudo consultar qué permite leer el sitio (robots.txt); se reintentará"
_ROBOTS: tuple[tuple[tuple[str, ...], str], ...] = (  # before the HTTP status
    (("robots.txt unreachable",), ROBOTS_UNREACHABLE),
    (("disallowed by",), "El sitio no permite la lectura automática (robots.txt)"),
)
_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("redirect loop", "redirects (last:"), "El sitio redirige sin fin a otras direcciones"),
    (("refused: the cap", "past the cap"), "El contenido es demasiado grande para leerlo"),
    (("certificate", "ssl"), "El certificado de seguridad del sitio no es válido"),
    (("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution",
      "no address associated"), "No se encontró el sitio (la dirección no existe en internet)"),
    (("timed out", "timeout", "deadline", "connection refused", "connecterror", "remoteprotocolerror",
      "readerror", "connection reset", "network is unreachable"), "El sitio no respondió"),
    (("not a feed", "malformed feed", "not an rss or atom feed", "malformed sitemap", "empty body"),
     "El contenido no es un feed válido"),
)


def _http_words(status: int) -> str:
    if status in (404, 410):
        return f"La dirección ya no existe ({status})"
    if status in (401, 403, 451):
        return f"El sitio rechazó la lectura ({status})"
    if status == 429:
        return "El sitio pidió esperar (429); se reintentará más tarde"
    if status >= 500:
        return f"El sitio tuvo una falla ({status}); se reintentará más tarde"
    return f"El sitio respondió con un error ({status})"


def _matching(text: str, table: tuple[tuple[tuple[str, ...], str], ...]) -> str | None:
    lowered = text.lower()
    return next((words for needles, words in table if any(needle in lowered for needle in needles)), None)


def _one(part: str) -> str:
    text = _URL_PREFIX.sub("", part, count=1)
    unreachable = _ROBOTS_UNREACHABLE.search(text)
    if unreachable:
        inner = _one(unreachable.group("why"))
        return ROBOTS_UNREACHABLE if inner == UNKNOWN else inner
    robots = _matching(text, _ROBOTS)
    if robots:
        return robots
    status = _HTTP.search(text)
    if status:
        return _http_words(int(status.group(1)))
    return _matching(text, _WORDS) or UNKNOWN


def fetch_reason(error: str | None) -> str:
    """The staff's one line for an outlet's stored read error (``""`` for none). Several feeds that failed
    alike read as one reason; different reasons are joined with «; »."""
    if not error or not error.strip():
        return ""
    reasons = dict.fromkeys(_one(part) for part in error.split("; ") if part.strip())
    return "; ".join(reasons) or UNKNOWN


__all__ = ["ROBOTS_UNREACHABLE", "UNKNOWN", "fetch_reason"]
