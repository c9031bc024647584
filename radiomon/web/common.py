"""What every page shares: the deployment, the open archive, parameters read
strictly (a bad one is a 400 page in Spanish), local times and snippets."""

from __future__ import annotations

import math
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import abort, current_app, g, request, session
from markupsafe import Markup, escape

from radiomon import timeutil, wording
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.keywords import current_keywords
from radiomon.search import plain_snippet
from radiomon.web import dates, errors_es
from radiomon.web.throttle import LoginThrottle


@dataclass
class WebState:
    config: Config
    require_login: bool
    throttle: LoginThrottle

    def group_labels(self) -> dict[str, str]:
        """Group id → label from keywords.yml (none while it cannot be read)."""
        keywords = current_keywords(self.config.keywords)
        return {group.id: group.title for group in keywords.groups} if keywords else {}


def state() -> WebState:
    return current_app.extensions["radiomon"]


def config() -> Config:
    return state().config


# One connection per server thread and archive, kept between requests:
# SQLite connections are not shared across threads, and a kept one keeps
# its page cache warm (a search reads the same index pages again and
# again) and saves opening and closing the file on every request.
_connections = threading.local()


def get_archive() -> Archive:
    """This thread's connection to the deployment's archive."""
    kept = _connections.__dict__.setdefault("archives", {})
    path = config().archive
    if path not in kept:
        kept[path] = Archive(path, create=False)
        kept[path].read_through_memory_map()
    g.archive = kept[path]
    return g.archive


def end_request(_exc=None) -> None:
    """A request never leaves a transaction open on its thread's connection."""
    archive = g.pop("archive", None)
    if archive is not None and archive.conn.in_transaction:
        archive.conn.rollback()


def is_api() -> bool:
    return request.path.startswith("/api/")


def user_name() -> str:
    """Who is acting: the signed-in user, or "local" on a loopback-only server without accounts."""
    return g.get("user") or "local"


COORDINATOR = "coordinador"


def user_role() -> str:
    """``coordinador`` or ``prensa``. A loopback server without accounts serves the one person at
    this machine, who may do everything; a signed-in user has the role ``radiomon users`` gave them."""
    if not g.get("user"):
        return COORDINATOR
    if "role" not in g:
        found = get_archive().user(g.user)
        g.role = found["role"] if found else "prensa"
    return g.role


def is_coordinator() -> bool:
    return user_role() == COORDINATOR


def require_coordinator(what: str) -> None:
    """A 403 (a Spanish page, or ``{"error"}`` for the API) unless the user is a coordinator.
    ``what``: the action refused, e.g. "aprobar la síntesis"."""
    if not is_coordinator():
        abort(403, description=f"Solo un usuario coordinador puede {what}; "
                               f"pida a un coordinador que lo haga o que cambie su rol.")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path of this site, else ``default``: a form or a
    link can never send a person elsewhere (the rules: :func:`radiomon.web.redirects.site_path`)."""
    from radiomon.web.redirects import site_path

    return site_path(target, default)


def bad_request(message: str):
    abort(400, description=message)


# SQLite's INTEGER is a signed 64-bit number: a bigger id cannot name a row,
# and handing it to the driver raises OverflowError (a 500), so it is a 400 here.
MAX_ID = 2**63 - 1
# ASCII digits only: str.isdigit() and int() also take "²", "١٢" and "1_000".
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def parse_id(text: str, what: str = "grabación") -> int:
    """A row id from the URL: ASCII digits, within SQLite's integer range; else a 400."""
    if not _DIGITS.fullmatch(text) or len(text) > 19 or int(text) > MAX_ID:
        bad_request(f"«{text}» no es un número de {what}; use solo dígitos (0-9), p. ej. 12.")
    return int(text)


def int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    # The length check first: int() of a huge string is slow, and past 4300 digits a ValueError.
    if not _DIGITS.fullmatch(raw) or len(raw) > len(str(high)) or not low <= int(raw) <= high:
        bad_request(f"El parámetro {name}={raw!r} debe ser un número entre {low} y {high} (solo dígitos 0-9).")
    return int(raw)


def float_param(name: str, default: float | None, low: float, high: float) -> float | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    # Plain decimals only: float() also reads "nan", "inf", "1e400", "1_0" and other scripts' digits.
    value = float(raw) if _DECIMAL.fullmatch(raw) and len(raw) <= 32 else float("nan")
    if not low <= value <= high:  # NaN fails too
        bad_request(f"El parámetro {name}={raw!r} debe ser un número de segundos entre {low:g} y {high:g}.")
    return value


def seconds_param(name: str, default: int, high: int) -> int:
    """Whole seconds from 0 to ``high``; a decimal is rounded (``2.5`` → 3), so each
    window is one of a bounded set (what the clip cache keys on)."""
    value = float_param(name, None, 0, high)
    if value is None:
        return default
    return min(high, math.floor(value + 0.5))


def json_body() -> dict:
    """The request's JSON object; a 400 when it is missing, not an object, or nested too deep to read."""
    try:
        # silent=True turns malformed JSON into None, but not a RecursionError:
        # a body of 50 000 "[" passes MAX_CONTENT_LENGTH and exhausts the parser's stack.
        body = request.get_json(silent=True)
    except RecursionError:
        bad_request("El cuerpo JSON está anidado demasiado hondo; envíe un objeto JSON sencillo.")
    if not isinstance(body, dict):
        bad_request("Envíe un objeto JSON ({…}) con Content-Type: application/json.")
    return body


def review_param(name: str = "revision") -> str | None:
    """The review filter of a page URL as a :attr:`Filters.review` (None: any)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    review = wording.review_word(raw)
    if review is None:
        bad_request(f"{name}={raw!r}: use {', '.join(wording.REVIEW_WORDS)}.")
    return review


def _years() -> str:
    return f"entre {timeutil.MIN_YEAR} y {timeutil.MAX_YEAR}"


# What a date's parameter is called on the page, for its error line.
DATE_LABELS = {"desde": "Desde", "hasta": "Hasta", "dia": "Día", "fecha": "Fecha"}


def date_param(name: str, *, words: bool = False, label: str | None = None) -> date | None:
    """A date typed as dd/mm/aaaa (``25/11/2026``, ``5/3/2026``, also with - or .), or the
    ``AAAA-MM-DD`` of links (and ``hoy``/``ayer`` with ``words``), in the office's time zone,
    within :data:`timeutil.MIN_YEAR`–:data:`timeutil.MAX_YEAR` (year 1 or 9999 overflows the
    day's UTC bounds and the previous/next-day links). A bad one is a 400 naming the field
    (``label``, else :data:`DATE_LABELS`) and the form expected."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    today = datetime.now(config().timezone).date()
    if words and raw.lower() in ("hoy", "ayer"):
        return today if raw.lower() == "hoy" else today - timedelta(days=1)
    field = label or DATE_LABELS.get(name, name)
    extra = ", hoy o ayer" if words else ""
    try:
        day = dates.parse_day(raw)
    except ValueError:
        bad_request(f"La fecha «{field}» no es válida ({name}={raw!r}); escríbala como dd/mm/aaaa "
                    f"(p. ej. {dates.fecha(today)}) o AAAA-MM-DD{extra}.")
    if not timeutil.MIN_YEAR <= day.year <= timeutil.MAX_YEAR:
        bad_request(f"La fecha «{field}» está fuera de rango ({name}={raw!r}); use una fecha dd/mm/aaaa "
                    f"o AAAA-MM-DD {_years()}{extra}.")
    return day


def fecha(value) -> str:
    """A date, datetime or ISO instant as dd/mm/aaaa, in the office's time zone (templates: ``|fecha``)."""
    return dates.fecha(value, config().timezone)


def error_text(err) -> str:
    """A library error (English, in the command line's words) as this page or the JSON API says it:
    Spanish, each option called as the page's form or the API's parameters call it."""
    return errors_es.spanish(err, errors_es.API_NAMES if is_api() else errors_es.PAGE_NAMES)


def instant_param(name: str, *, end_of_day: bool = False) -> None:
    """Check a ``since``/``until`` of the JSON API (a date, a local date-time, an
    ISO instant, today/yesterday) as :meth:`Filters.parse` will read it; a 400 in Spanish."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return
    try:
        timeutil.parse_user_instant(raw, config().timezone, end_of_day=end_of_day)
    except QueryError:
        bad_request(f"La fecha {name}={raw!r} no es válida; use AAAA-MM-DD, 'AAAA-MM-DD HH:MM' o un instante "
                    f"ISO 8601 con zona (2026-11-25T20:30:00Z), {_years()}, o today/yesterday.")


def day_range(day: date) -> tuple[datetime, datetime]:
    """The local day as UTC instants ``[start, end)`` (23 or 25 hours on a DST change)."""
    tz = config().timezone
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(timeutil.UTC), end.astimezone(timeutil.UTC)


def default_day(now: datetime | None = None) -> date:
    """The day Menciones and Síntesis open on: the day whose síntesis the office is working on.

    Before ``sintesis.send_at``, while yesterday's edition is not approved yet, that is yesterday (the
    coordinator at 7:00 finishes the edition that goes out at 7:30); otherwise today. Either way, a day
    with no mention yet gives way to the latest day that has any (a quiet weekend shows the Friday)."""
    tz = config().timezone
    now = (now or datetime.now(timeutil.UTC)).astimezone(tz)
    day = now.date()
    yesterday = day - timedelta(days=1)
    if now.time() < config().sintesis.send_time:
        edition = get_archive().latest_edition(yesterday.isoformat())
        if edition is None or not edition.approved:
            day = yesterday
    latest = get_archive().latest_mention_utc(timeutil.to_iso(day_range(day)[1]))
    return timeutil.local(latest, tz).date() if latest else day


def day_filters(day: date, **kwargs) -> Filters:
    since, until = day_range(day)
    return Filters(since=since, until=until, **kwargs)


def local_time(instant: str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    if not instant:
        return ""
    return timeutil.local(instant, config().timezone).strftime(fmt)


def snippet_html(snippet: str) -> Markup:
    """The text escaped first, then the highlight markers turned into <mark>:
    nothing a transcript says can become markup."""
    return Markup(plain_snippet(str(escape(snippet)), "<mark>", "</mark>"))


def clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole % 3600 // 60:02d}:{whole % 60:02d}" if whole >= 3600 else \
        f"{whole // 60:d}:{whole % 60:02d}"


def template_helpers() -> dict:
    return {
        "csrf_token": csrf_token,
        "local_time": local_time,
        "snippet_html": snippet_html,
        "group_label": group_label,
        "station_name": station_name,
        "review_label": wording.review_label,
        "gap_reason": wording.gap_reason,
        "wording": wording,
        "clock": clock,
        "fecha": fecha,
        "current_user": g.get("user"),
        "is_coordinator": is_coordinator,
        "timezone": config().timezone.key,
    }


def group_label(group_id: str) -> str:
    """The group's title from keywords.yml (read once per request, again when the file changes)."""
    if "group_labels" not in g:
        g.group_labels = state().group_labels()
    return g.group_labels.get(group_id, group_id)


def station_name(station_id: str) -> str:
    for station in config().stations:
        if station.id == station_id:
            return station.name or station.id
    return station_id
