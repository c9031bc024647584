"""What every page shares: the deployment, the open archive, parameters read
strictly (a bad one is a 400 page in Spanish), local times and snippets."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import abort, current_app, g, request, session
from markupsafe import Markup, escape

from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.filters import Filters
from radiomon.keywords import current_keywords
from radiomon.search import plain_snippet
from radiomon.web.throttle import LoginThrottle

REVIEW_LABELS = {"confirmed": "Confirmada", "rejected": "Falso positivo", None: "Sin revisar"}
# The review filter in page URLs, in the Spanish staff read, and the Filters.review each means.
REVIEW_WORDS = {"pendientes": "pending", "confirmadas": "confirmed", "descartadas": "rejected"}


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


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path of this site, else ``default``: a form or a
    link can never send a person elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def bad_request(message: str):
    abort(400, description=message)


def parse_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        bad_request(f"«{text}» no es un número de grabación; use solo dígitos, p. ej. /grabacion/12.")
    return int(text)


def int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        bad_request(f"El parámetro {name}={raw!r} debe ser un número entre {low} y {high}.")
    return int(raw)


def float_param(name: str, default: float | None, low: float, high: float) -> float | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN fails too
        bad_request(f"El parámetro {name}={raw!r} debe ser un número de segundos entre {low:g} y {high:g}.")
    return value


def review_param(name: str = "revision") -> str | None:
    """The review filter of a page URL as a :attr:`Filters.review` (None: any)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if raw not in REVIEW_WORDS:
        bad_request(f"{name}={raw!r}: use {', '.join(REVIEW_WORDS)}.")
    return REVIEW_WORDS[raw]


def date_param(name: str, *, words: bool = False) -> date | None:
    """``AAAA-MM-DD`` (and ``hoy``/``ayer`` with ``words``) in the office's time zone."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    today = datetime.now(config().timezone).date()
    if words and raw.lower() in ("hoy", "ayer"):
        return today if raw.lower() == "hoy" else today - timedelta(days=1)
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        extra = ", hoy o ayer" if words else ""
        bad_request(f"La fecha {name}={raw!r} no es válida; use AAAA-MM-DD (p. ej. {today.isoformat()}){extra}.")


def day_range(day: date) -> tuple[datetime, datetime]:
    """The local day as UTC instants ``[start, end)`` (23 or 25 hours on a DST change)."""
    tz = config().timezone
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(timeutil.UTC), end.astimezone(timeutil.UTC)


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
        "review_label": lambda review: REVIEW_LABELS.get(review, review),
        "clock": clock,
        "current_user": g.get("user"),
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
