"""Informe semanal: the weekly report by department (`radiomon report weekly`) as a page.

A thin caller of :mod:`radiomon.reports.weekly`: the page, its charts and
its documents are all made from the one :class:`~radiomon.reports.weekly.WeeklyReport`
that :func:`~radiomon.reports.weekly.collect_weekly` builds for the CLI, so
the page never says something the document does not. The week is an ISO
week (``?semana=2026-W47``, what ``<input type="week">`` sends); without
one, the last complete week, as the CLI. The charts are the writers' own
PNGs (:mod:`radiomon.reports.writers.chart`), served by a route of their
own so the page draws at once and each image loads as it scrolls into view;
the documents are the writers' bytes (:func:`~radiomon.reports.writers.render_weekly`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, abort, make_response, render_template, request

from radiomon import timeutil
from radiomon.errors import QueryError
from radiomon.reports import spanish, weekly
from radiomon.reports.writers import WEEKLY_FORMATS, render_weekly
from radiomon.web.common import bad_request, config, error_text, get_archive

bp = Blueprint("weekly", __name__)

# What each format is called on the page, and how it is served.
FORMAT_LABELS = {"docx": "Word (.docx)", "html": "Página HTML (para imprimir)", "md": "Texto (Markdown)"}
_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
# The HTML document carries its charts as data: URIs and its own styles, and no script at all.
_DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
# The chart of the week's tone, beside the departments' (whose keys are group ids or "dependencias:Term").
TONE_CHART = "tono"


def _today() -> date:
    return timeutil.local(datetime.now(timeutil.UTC), config().timezone).date()


def _week() -> tuple[str | None, date]:
    """The ``semana`` asked for (None: the default) and its Monday; a bad one is a 400 in Spanish."""
    raw = request.args.get("semana", "").strip() or None
    try:
        monday = weekly.parse_week(raw, today=_today())
    except QueryError as err:
        bad_request(error_text(err))
    # The previous and next weeks' links, and the week's UTC bounds, must exist too.
    if not timeutil.MIN_YEAR <= monday.year < timeutil.MAX_YEAR:
        bad_request(f"«Semana» «{raw}» está fuera de rango; elija una semana entre {timeutil.MIN_YEAR} "
                    f"y {timeutil.MAX_YEAR - 1}, p. ej. 2026-W47.")
    return raw, monday


def week_id(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _report() -> weekly.WeeklyReport:
    _, monday = _week()
    try:
        return weekly.collect_weekly(config(), get_archive(), week=week_id(monday))
    except QueryError as err:
        bad_request(error_text(err))


@bp.get("/informe-semanal")
def page():
    report = _report()
    monday = date.fromisoformat(report.days[0])
    this_monday = _today() - timedelta(days=_today().weekday())
    previous, following = monday - timedelta(days=7), monday + timedelta(days=7)
    charted = [d for d in report.departments if d.total and d.has_chart]
    return render_template(
        "weekly.html", r=report, week=report.week, previous=week_id(previous),
        following=week_id(following) if following <= this_monday else None,
        latest=week_id(this_monday - timedelta(days=7)), in_progress=monday == this_monday,
        previous_text=_short_period(previous), following_text=_short_period(following),
        charted={d.key for d in charted}, formats=[(f, FORMAT_LABELS.get(f, f)) for f in WEEKLY_FORMATS],
        tone_chart=TONE_CHART,
    )


def _short_period(monday: date) -> str:
    """``16–22 nov`` (or ``29 dic–4 ene``): a week said briefly, for the previous/next links."""
    sunday = monday + timedelta(days=6)
    first = f"{monday.day}" if monday.month == sunday.month else \
        f"{monday.day} {spanish.MONTHS[monday.month - 1][:3]}"
    return f"{first}–{sunday.day} {spanish.MONTHS[sunday.month - 1][:3]}"


@bp.get("/informe-semanal/grafica.png")
def chart():
    """One chart of the report, as the documents draw it: ``de`` a department's key, or ``tono``."""
    from radiomon.reports.writers import chart as charts  # matplotlib: only when a chart is asked for

    report = _report()
    key = request.args.get("de", "")
    if key == TONE_CHART:
        if not report.has_tone_chart:
            abort(404, description="Esta semana no tiene gráfica de tono: se dio un solo tono, o ninguno.")
        body = charts.tone_chart(report)
    else:
        department = next((d for d in report.departments if d.key == key), None)
        if department is None or not department.total or not department.has_chart:
            abort(404, description="Esa dependencia no tiene gráfica esta semana: sus menciones caen en un solo "
                                   "día, o no tiene menciones.")
        body = charts.department_chart(report, department)
    response = make_response(body)
    response.content_type = "image/png"
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.get("/informe-semanal/documento")
def document():
    """The report as `radiomon report weekly --format …` writes it (``formato`` docx, html or md)."""
    fmt = request.args.get("formato", "docx")
    if fmt not in WEEKLY_FORMATS:
        bad_request(f"El formato «{fmt}» no existe; use {', '.join(WEEKLY_FORMATS)}.")
    report = _report()
    response = make_response(render_weekly(report, fmt))
    response.content_type = _TYPES.get(fmt, "application/octet-stream")
    if fmt == "html":
        response.headers["Content-Security-Policy"] = _DOCUMENT_CSP
    else:
        response.headers["Content-Disposition"] = f'attachment; filename="informe-semanal-{report.week}.{fmt}"'
    return response
