"""The alerts' words (pure): events of the outbox → Spanish plain-text messages.

What Whisper heard is untrusted text: a transcript may hold anything a
caller said on air, or a mangled control character. Every piece of it is
flattened to one line of printable characters, cut to a length, and quoted;
the body is sent as plain text (Apprise escapes it for channels that want
HTML or Markdown), so a quote can neither break a channel's formatting nor
pass for a line of the message ("Escuchar: http://…").

A press mention (issue 27; the payload's ``medium`` is ``press``) is told
as "Prensa — <outlet>", with the article's published time, its headline,
the sentence, "Leer: <the article's URL>" and the web UI's article page.
A headline and a URL come from an outlet's feed and page: as untrusted as
a transcript, and a link is only given when it is http(s).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from radiomon import events as events_mod
from radiomon import timeutil
from radiomon.alerts.channels import Message
from radiomon.reports.spanish import long_date, plural

QUOTE_CHARS = 400  # a mention's sentence, at most (the recording holds the rest)
FIELD_CHARS = 120  # a station or group name, a keyword, an error line
HEADLINE_CHARS = 240  # an article's headline
URL_CHARS = 600  # an article's address (longer ones are left out rather than cut into a wrong link)
# A mention is matched once its segment closes (10 min by default) and is
# transcribed, a few minutes more: an alert up to this long after the
# broadcast is on time; a later one says how late it is ("con 25 min de
# retraso"), so nobody takes this morning's news for what is on air now.
LATE_MINUTES = 20.0

# Why a station is not recorded, as the recorder reports it (gaps.reason).
REASONS = {
    "network": "sin conexión con el stream",
    "stall": "el stream dejó de avanzar",
    "silence": "silencio digital prolongado",
    "error": "error del grabador",
    "disk": "disco sin espacio",
    "stopped": "el grabador está detenido",
    "off-schedule": "fuera de horario",
    "no-audio": "no llega audio nuevo (¿está corriendo radiomon record?)",
}


@dataclass(frozen=True)
class Context:
    """What a message needs beyond its event: the office's clock and names."""

    tz: ZoneInfo
    base_url: str = ""  # the web UI; empty: no links
    station_names: dict[str, str] = field(default_factory=dict)
    outlet_names: dict[str, str] = field(default_factory=dict)  # press outlets' names by id
    office: str = ""  # who sends it, for the test message
    now: datetime | None = None  # when it is sent; None: no lateness is said
    batch_minutes: float = 0.0  # how long a batch of high mentions waits by design (not lateness)

    def station(self, station_id: str) -> str:
        return plain(self.station_names.get(station_id) or station_id, FIELD_CHARS)

    def outlet(self, payload: dict) -> str:
        """A press mention's outlet: its configured name, the name the event carries, or its id."""
        outlet_id = payload.get("outlet")
        return plain(self.outlet_names.get(outlet_id) or payload.get("outlet_name") or outlet_id, FIELD_CHARS)


def plain(text: object, limit: int) -> str:
    """One line of printable text, at most ``limit`` characters.

    Control and format characters (newlines, escapes, bidi overrides,
    zero-width joiners) become spaces, runs of space become one.
    """
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in str(text or ""))
    flat = " ".join(cleaned.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def recording_link(base_url: str, payload: dict) -> str | None:
    """The web UI's recording page at the mention's second, or None without a base_url."""
    if not base_url:
        return None
    return (f"{base_url.rstrip('/')}/grabacion/{int(payload['recording_id'])}"
            f"?t={float(payload['offset']):.1f}#s{int(payload['segment_id'])}")


def is_press(payload: dict) -> bool:
    """A mention printed in an article (payloads written before the press have no ``medium``: radio)."""
    return payload.get("medium") == "press"


def article_link(base_url: str, payload: dict) -> str | None:
    """The web UI's article page, or None without a base_url."""
    if not base_url or payload.get("article_id") is None:
        return None
    return f"{base_url.rstrip('/')}/articulo/{int(payload['article_id'])}"


def article_url(payload: dict) -> str | None:
    """The article on the outlet's site, when it is an http(s) address of one line."""
    url = plain(payload.get("url"), URL_CHARS + 1)
    if " " in url or len(url) > URL_CHARS or not url.lower().startswith(("http://", "https://")):
        return None
    return url


def local_time(instant: str | datetime, tz: ZoneInfo, *, seconds: bool = True) -> str:
    """``miércoles 25 de noviembre de 2026, 14:00:05`` in the office's time zone."""
    at = timeutil.local(instant, tz)
    return f"{long_date(at)}, {at.strftime('%H:%M:%S' if seconds else '%H:%M')}"


def lateness(payload: dict, context: Context, grace_minutes: float = LATE_MINUTES) -> str:
    """`` (con 25 min de retraso)`` when a mention is sent more than ``grace_minutes`` after it aired, else ''."""
    if context.now is None:
        return ""
    minutes = (context.now - timeutil.parse_iso(payload["at_utc"])).total_seconds() / 60
    return f" (con {timeutil.minutes_in_words(round(minutes), 'días')} de retraso)" if minutes > grace_minutes else ""


def mention_message(payload: dict, context: Context) -> Message:
    """One crisis or high-priority mention."""
    if is_press(payload):
        return press_message(payload, context)
    crisis = payload.get("priority") == "crisis"
    station, group = context.station(payload["station"]), plain(payload.get("group_label"), FIELD_CHARS)
    late = lateness(payload, context)
    title = f"{'ALERTA DE CRISIS' if crisis else 'Mención de prioridad alta'}: {group} en {station}"
    lines = [
        f"Estación: {station}",
        f"Hora: {local_time(payload['at_utc'], context.tz)} ({context.tz.key}){late}",  # some channels drop titles
        f"Grupo: {group} (prioridad {'crisis' if crisis else 'alta'})",
        f"Palabra clave: {_heard(payload)}",
        f"Cita: «{plain(payload.get('context') or payload.get('matched'), QUOTE_CHARS)}»",
    ]
    link = recording_link(context.base_url, payload)
    if link:
        lines.append(f"Escuchar: {link}")
    return Message(plain(title, 2 * FIELD_CHARS - len(late)) + late,  # the names are cut, never the lateness
                   "\n".join(lines), "crisis" if crisis else "high")


def press_message(payload: dict, context: Context) -> Message:
    """One crisis or high-priority mention in a newspaper's article.

    No lateness is said: the time given is when the outlet published it
    ("Publicada"), which a reader does not take for something on air now,
    and a poll every ``press.poll_minutes`` makes every article a little late.
    """
    crisis = payload.get("priority") == "crisis"
    outlet, group = context.outlet(payload), plain(payload.get("group_label"), FIELD_CHARS)
    title = f"{'ALERTA DE CRISIS' if crisis else 'Mención de prioridad alta'}: {group} en {outlet}"
    lines = [
        f"Prensa — {outlet}",
        f"Publicada: {local_time(payload['at_utc'], context.tz)} ({context.tz.key})",
        f"Grupo: {group} (prioridad {'crisis' if crisis else 'alta'})",
        f"Palabra clave: {_heard(payload)}",
    ]
    if payload.get("title"):
        lines.append(f"Titular: «{plain(payload['title'], HEADLINE_CHARS)}»")
    lines.append(f"Cita: «{plain(payload.get('context') or payload.get('matched'), QUOTE_CHARS)}»")
    lines += _press_links(payload, context)
    return Message(plain(title, 2 * FIELD_CHARS), "\n".join(lines), "crisis" if crisis else "high")


def _press_links(payload: dict, context: Context, indent: str = "") -> list[str]:
    url, page = article_url(payload), article_link(context.base_url, payload)
    return [*([f"{indent}Leer: {url}"] if url else []), *([f"{indent}Ver en radiomon: {page}"] if page else [])]


def batch_message(payloads: Sequence[dict], context: Context) -> Message:
    """Several high-priority mentions in one message, oldest first."""
    if len(payloads) == 1:
        return mention_message(payloads[0], context)
    ordered = sorted(payloads, key=lambda p: p["at_utc"])
    first, last = (timeutil.local(ordered[i]["at_utc"], context.tz) for i in (0, -1))
    span = f"{first:%H:%M}–{last:%H:%M}" if first.date() == last.date() else f"{first:%d/%m %H:%M}–{last:%d/%m %H:%M}"
    title = f"{plural(len(ordered), 'mención', 'menciones')} de prioridad alta ({span})"
    lines = [f"{long_date(first)}, hora de {context.tz.key}:", ""]
    for n, payload in enumerate(ordered, 1):
        at = timeutil.local(payload["at_utc"], context.tz)
        if is_press(payload):
            lines.append(f"{n}. {at:%H:%M:%S} · Prensa — {context.outlet(payload)} · "
                         f"{plain(payload.get('group_label'), FIELD_CHARS)} · {_heard(payload)}")
            if payload.get("title"):
                lines.append(f"   {plain(payload['title'], HEADLINE_CHARS)}")
            lines.append(f"   «{plain(payload.get('context') or payload.get('matched'), QUOTE_CHARS)}»")
            lines += _press_links(payload, context, "   ")
            continue
        lines.append(f"{n}. {at:%H:%M:%S} · {context.station(payload['station'])} · "
                     f"{plain(payload.get('group_label'), FIELD_CHARS)} · {_heard(payload)}"
                     f"{lateness(payload, context, LATE_MINUTES + context.batch_minutes)}")
        lines.append(f"   «{plain(payload.get('context') or payload.get('matched'), QUOTE_CHARS)}»")
        link = recording_link(context.base_url, payload)
        if link:
            lines.append(f"   Escuchar: {link}")
    return Message(title, "\n".join(lines), "high")


def health_message(kind: str, payload: dict, context: Context) -> Message:
    """A problem begun (HEALTH_PROBLEM) or over (HEALTH_RECOVERED)."""
    what = _problem_title(payload, context)
    if kind == events_mod.HEALTH_RECOVERED:
        began, ended = payload["started_utc"], payload["ended_utc"]
        minutes = max(0, round((timeutil.parse_iso(ended) - timeutil.parse_iso(began)).total_seconds() / 60))
        body = (f"Resuelto: {what}.\nNormal de nuevo desde {local_time(ended, context.tz, seconds=False)}, "
                f"tras {timeutil.minutes_in_words(minutes, 'días')} "
                f"(desde {local_time(began, context.tz, seconds=False)}).")
        return Message(f"Resuelto: {what}", body, "recovered")
    return Message(what, _problem_body(payload, context), "health")


def test_message(context: Context, now: datetime) -> Message:
    sender = f" de {plain(context.office, FIELD_CHARS)}" if context.office else ""
    return Message("Prueba de alertas de radiomon",
                   f"Mensaje de prueba del monitoreo de radio{sender}, enviado el {local_time(now, context.tz)}.\n"
                   "Si lo recibe, este canal recibirá las alertas.", "test")


def _heard(payload: dict) -> str:
    keyword, matched = plain(payload.get("keyword"), FIELD_CHARS), plain(payload.get("matched"), FIELD_CHARS)
    verb = "se leyó" if is_press(payload) else "se escuchó"
    return keyword if not matched or matched.lower() == keyword.lower() else f"{keyword} ({verb} «{matched}»)"


def _problem_title(payload: dict, context: Context) -> str:
    kind, subject = payload.get("kind"), payload.get("subject", "")
    if kind == "station":
        return f"Estación sin grabar: {context.station(subject)}"
    if kind == "backlog":
        return "Transcripción atrasada"
    if kind == "disk":
        return f"Disco casi lleno: {plain(subject, FIELD_CHARS)}"
    if kind == "nightly":
        return "El proceso nocturno falló"
    if kind == "alerts":
        return f"Alertas sin entregar por el canal {plain(subject, FIELD_CHARS)}"
    if kind == "outlet":
        name = _outlet_name(payload, context)
        quiet = (payload.get("details") or {}).get("reason") == "quiet"
        return f"Periódico sin notas nuevas: {name}" if quiet else f"Periódico sin leer: {name}"
    return plain(payload.get("summary"), FIELD_CHARS)


def _outlet_name(payload: dict, context: Context) -> str:
    details = payload.get("details") or {}
    return context.outlet({"outlet": payload.get("subject"), "outlet_name": details.get("name")})


def _problem_body(payload: dict, context: Context) -> str:
    kind, details, since = payload.get("kind"), payload.get("details") or {}, payload["since"]
    if kind == "station":
        reason = REASONS.get(details.get("reason"), plain(details.get("reason"), FIELD_CHARS))
        down = timeutil.minutes_in_words(details.get("minutes", 0), "días")
        return (f"No se graba {context.station(payload['subject'])} desde "
                f"{local_time(since, context.tz, seconds=False)} ({down}).\n"
                f"Motivo: {reason}.\nRevise el stream o el receptor y que `radiomon record` esté corriendo.")
    if kind == "backlog":
        return (f"Hay {details['hours']:.1f} h de audio esperando transcripción "
                f"(umbral {details['limit_hours']:g} h).\n"
                "Revise que `radiomon nightly` o `radiomon run` estén transcribiendo.")
    if kind == "disk":
        return (f"El disco de {plain(payload['subject'], FIELD_CHARS)} está al {details['used_percent']:.0f} % "
                f"({details['free_bytes'] / 1e9:.1f} GB libres; umbral {details['limit_percent']:g} %).\n"
                "Libere espacio o revise `retention.audio_days` y `radiomon prune`.")
    if kind == "nightly":
        if details.get("unfinished"):
            return f"La ejecución nocturna del {local_time(since, context.tz, seconds=False)} no terminó."
        return (f"La ejecución nocturna del {local_time(since, context.tz, seconds=False)} terminó con "
                f"{plural(details['errors'], 'error', 'errores')}: {plain(details.get('first_error'), FIELD_CHARS)}")
    if kind == "outlet":
        name, when = _outlet_name(payload, context), local_time(since, context.tz, seconds=False)
        hours = timeutil.minutes_in_words(round(60 * details.get("hours", 0)), "días")
        if details.get("reason") == "quiet":
            return (f"{name} no ha publicado notas nuevas desde {when} ({hours}).\n"
                    "Revise que su sitio siga publicando y que sus feeds en radiomon.yml sigan vigentes.")
        why = f"\nÚltimo error: {plain(details.get('error'), FIELD_CHARS)}" if details.get("error") else ""
        return (f"No se pudo leer {name} desde {when} ({hours}).{why}\n"
                "Revise la dirección de sus feeds (`radiomon press fetch --outlet …` dice qué falla).")
    if kind == "alerts":
        why = f"\nÚltimo error: {plain(details.get('error'), FIELD_CHARS)}" if details.get("error") else ""
        return (f"{plural(details.get('waiting', 0), 'alerta espera', 'alertas esperan')} desde "
                f"{local_time(since, context.tz, seconds=False)}.{why}")
    return plain(payload.get("summary"), QUOTE_CHARS)
