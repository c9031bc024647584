"""Estado: each station now, today's gaps, the transcription backlog (as `radiomon status`)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from flask import Blueprint, render_template

from radiomon import events, jobs
from radiomon.alerts import messages
from radiomon.reports.status import (
    NEVER_RECORDED,
    NOT_CONFIGURED,
    NOT_RECORDING,
    OFF_SCHEDULE,
    OUTAGE,
    RECORDING,
    Activity,
    in_words,
)
from radiomon.web.common import config, day_filters, get_archive

bp = Blueprint("status", __name__)

# `radiomon status` words a station's state for the terminal (reports.status.TERMINAL_PHRASES); the office reads
# Spanish. An off-schedule station that never comes back on says "never", as the page always has.
_PHRASES = {
    RECORDING: "grabando",
    OUTAGE: "sin señal desde {since} ({reason})",
    OFF_SCHEDULE: "fuera de horario hasta {until} ({reason})",
    NOT_RECORDING: "sin grabar (último audio {since})",
    NEVER_RECORDED: "nunca grabada",
    NOT_CONFIGURED: "no configurada",
    "never": "never",
}


def spanish_state(state: Activity) -> str:
    """What the station is doing, in the office's words."""
    return in_words(state, _PHRASES)


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


@bp.get("/estado")
def page():
    report = jobs.status(config(), get_archive())
    today = datetime.now(config().timezone).date()
    gaps = get_archive().gaps(day_filters(today))
    backlog = {k: report.recordings.get(k, 0) for k in ("pending", "transcribing", "failed")}
    return render_template("status.html", report=report, gaps=gaps, backlog=backlog, today=today,
                           problems=problems_in_spanish(report), spanish_state=spanish_state, state_kind=state_kind)
