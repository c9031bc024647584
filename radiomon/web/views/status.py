"""Estado: each station now, today's gaps, the transcription backlog (as `radiomon status`), in the staff's words.

The headline agrees with the rows below it: a station whose row is red is
named in it ("No se graba Radio Uno desde 08:12") whether or not the health
check counts it yet (the check waits for a recorder that has run and for its
grace minutes; a row is red as soon as the audio is late). Paths, commands
and the archive's own words ("segments") stay in `radiomon status`, for
whoever runs the machine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from flask import Blueprint, render_template

from radiomon import events, jobs
from radiomon.alerts import messages
from radiomon.reports.spanish import DAYS
from radiomon.reports.status import (
    NEVER_RECORDED,
    NOT_CONFIGURED,
    NOT_RECORDING,
    OFF_SCHEDULE,
    OUTAGE,
    RECORDING,
    Activity,
    StatusReport,
)
from radiomon.web.common import config, day_filters, get_archive, station_name
from radiomon.web.fetch_reasons import fetch_reason

bp = Blueprint("status", __name__)

# Why a gap opened, in the office's words (the recorder's reasons: network, stall, …).
REASONS = {**messages.REASONS, "off-schedule": "fuera de horario"}
ASK = "Si no se resuelve en unos minutos, avise a quien administra el sistema."


@dataclass(frozen=True)
class Notice:
    """One line of the headline: ``level`` ok, warn or bad (its colour), what, and a detail."""

    level: str
    title: str
    body: str = ""


def reason_in_words(reason: str) -> str:
    return REASONS.get(reason, reason)


def when_in_words(at: datetime | None, today: date | None = None) -> str:
    """``08:12`` today, ``24/11/2026 08:12`` another day (``at`` already in the office's zone)."""
    if at is None:
        return ""
    return f"{at:%H:%M}" if today is not None and at.date() == today else f"{at:%d/%m/%Y %H:%M}"


def spanish_state(state: Activity, today: date | None = None) -> str:
    """What the station is doing, in the office's words (the terminal's are reports.status.TERMINAL_PHRASES)."""
    if state.kind == RECORDING:
        return "grabando"
    if state.kind == OUTAGE:
        reason = f" ({reason_in_words(state.reason)})" if state.reason else ""
        return f"sin señal desde {when_in_words(state.since, today)}{reason}"
    if state.kind == OFF_SCHEDULE:
        if state.until is None:
            return "fuera de horario"
        return f"fuera de horario hasta el {DAYS[state.until.weekday()]} {state.until:%d/%m/%Y %H:%M}"
    if state.kind == NOT_RECORDING:
        return f"sin grabar desde {when_in_words(state.since, today)}"
    if state.kind == NEVER_RECORDED:
        return "nunca grabada"
    if state.kind == NOT_CONFIGURED:
        return "no configurada"
    return state.kind


def state_kind(state: Activity) -> str:
    """A CSS class: ok, warn or bad."""
    if state.kind == RECORDING:
        return "ok"
    if state.kind in (OUTAGE, NOT_RECORDING):
        return "bad"
    return "warn"


def problems_in_spanish(report) -> list:
    """The health check's problems as the alerts word them (title and body)."""
    context = messages.Context(tz=config().timezone, station_names={s.id: s.name or s.id for s in config().stations})
    return [messages.health_message(events.HEALTH_PROBLEM, asdict(problem), context) for problem in report.problems]


def disk_label(folder: str, archive_folder: str, recordings_folder: str) -> str:
    """Which disk, as staff know it: the archive's or the recordings' (never its path)."""
    if folder == recordings_folder and folder != archive_folder:
        return "el disco de las grabaciones"
    return "el disco del archivo"


def headline(report: StatusReport, alerts: list, *, today: date, archive_folder: str,
             recordings_folder: str) -> list[Notice]:
    """What the page says first (pure): each problem, and each red row the problems do not name yet;
    ``[Notice("ok", "Todo en orden.")]`` only when nothing is wrong below. ``alerts``: the problems
    as :func:`problems_in_spanish` words them, in the order of ``report.problems``."""
    notices: list[Notice] = []
    named: set[str] = set()
    stations = {s.id: s for s in report.stations}
    outlets = {o.id: o for o in report.outlets}
    for problem, message in zip(report.problems, alerts):
        if problem.kind == "station":
            named.add(problem.subject)
            station = stations.get(problem.subject)
            if station is not None and station.state.kind in (OUTAGE, NOT_RECORDING):
                notices.append(_station_notice(station, today))
                continue
            notices.append(Notice("bad", message.title, _staff_lines(message.body)))
        elif problem.kind == "disk":
            which = disk_label(problem.subject, archive_folder, recordings_folder)
            used = problem.details.get("used_percent", 0)
            free = problem.details.get("free_bytes", 0) / 1e9
            notices.append(Notice("bad", f"Casi no queda espacio en {which}",
                                  f"Está al {used:.0f} % ({free:.1f} GB libres); al llenarse deja de grabar. {ASK}"))
        elif problem.kind == "archive":
            damaged = bool(problem.details.get("damage"))
            notices.append(Notice("bad", "El archivo está dañado" if damaged else "No se puede guardar nada nuevo",
                                  "Las búsquedas pueden fallar; hay que restaurar la copia de seguridad más reciente. "
                                  + ASK if damaged else f"El archivo no admite escritura. {ASK}"))
        elif problem.kind == "outlet":
            named.add(f"outlet:{problem.subject}")
            outlet = outlets.get(problem.subject)
            notices.append(Notice("bad", message.title,
                                  _staff_lines(message.body, outlet.error if outlet is not None else None)))
        else:
            notices.append(Notice("bad", message.title, _staff_lines(message.body)))
    for station in report.stations:
        if station.id in named:
            continue
        if station.state.kind in (OUTAGE, NOT_RECORDING):
            notices.append(_station_notice(station, today))
        elif station.state.kind == NEVER_RECORDED:
            notices.append(Notice("warn", f"{station.name or station.id} aún no tiene grabaciones"))
    for outlet in outlets.values():
        if f"outlet:{outlet.id}" not in named and (outlet.error or outlet.trouble):
            notices.append(Notice("bad", f"No se pudo leer {outlet.name}" if outlet.error
                                  else f"{outlet.name} no tiene notas nuevas", fetch_reason(outlet.error)))
    return notices or [Notice("ok", "Todo en orden.")]


def _station_notice(station, today: date) -> Notice:
    name, state = station.name or station.id, station.state
    if state.kind == OUTAGE:
        why = f" ({reason_in_words(state.reason)})" if state.reason else ""
        return Notice("bad", f"No se graba {name} desde {when_in_words(state.since, today)}",
                      f"Sin señal{why}. {ASK}")
    return Notice("bad", f"No se graba {name} desde {when_in_words(state.since, today)}",
                  f"No llega audio nuevo de la estación. {ASK}")


def _staff_lines(body: str, read_error: str | None = None) -> str:
    """An alert's body without the lines meant for whoever runs the machine (they name commands); an
    outlet's "Último error: <the fetcher's English, with the feed's address>" becomes the staff's reason
    (``read_error``: the outlet's stored error)."""
    kept = [line for line in body.splitlines() if "`" not in line and "radiomon.yml" not in line]
    kept = [f"Motivo: {fetch_reason(read_error) or fetch_reason(line.removeprefix('Último error: '))}."
            if line.startswith("Último error: ") else line for line in kept]
    if len(kept) < len(body.splitlines()):
        kept.append(ASK)
    return "\n".join(kept)


@bp.get("/estado")
def page():
    report = jobs.status(config(), get_archive())
    today = datetime.now(config().timezone).date()
    gaps = get_archive().gaps(day_filters(today))
    backlog = {k: report.recordings.get(k, 0) for k in ("pending", "transcribing", "failed")}
    archive_folder, recordings_folder = str(Path(config().archive).parent), str(Path(config().recordings_dir))
    notices = headline(report, problems_in_spanish(report), today=today, archive_folder=archive_folder,
                       recordings_folder=recordings_folder)
    disks = [{**disk, "label": disk_label(disk["path"], archive_folder, recordings_folder)} for disk in report.disks]
    return render_template("status.html", report=report, gaps=gaps, backlog=backlog, today=today, notices=notices,
                           disks=disks, spanish_state=lambda state: spanish_state(state, today),
                           state_kind=state_kind, reason_in_words=reason_in_words, station_name=station_name,
                           fetch_reason=fetch_reason)
