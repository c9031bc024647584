"""Estado: each station now, today's gaps, the transcription backlog (as `radiomon status`)."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime

from flask import Blueprint, render_template

from radiomon import events, jobs
from radiomon.alerts import messages
from radiomon.web.common import config, day_filters, get_archive

bp = Blueprint("status", __name__)

# `radiomon status` words its states in English for the terminal; the office reads Spanish.
_STATES = [
    (re.compile(r"^recording$"), "grabando"),
    (re.compile(r"^outage since (.*) \((.*)\)$"), r"sin señal desde \1 (\2)"),
    (re.compile(r"^off-schedule until (.*)$"), r"fuera de horario hasta \1"),
    (re.compile(r"^not recording \(last audio (.*)\)$"), r"sin grabar (último audio \1)"),
    (re.compile(r"^never recorded$"), "nunca grabada"),
    (re.compile(r"^not configured$"), "no configurada"),
]


def spanish_state(state: str) -> str:
    for pattern, replacement in _STATES:
        if pattern.match(state):
            return pattern.sub(replacement, state)
    return state


def state_kind(state: str) -> str:
    """A CSS class: ok, warn or bad."""
    if state == "recording":
        return "ok"
    if state.startswith(("outage", "not recording")):
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
