"""Síntesis: the daily digest of a local day, on screen and as the documents the office hands on.

The same model and writers as ``radiomon digest``
(:func:`radiomon.reports.digest.collect_digest`, ``render_digest``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, make_response, render_template, request

from radiomon.reports import digest as digests
from radiomon.reports.writers import render_digest
from radiomon.web.common import bad_request, config, date_param, get_archive

bp = Blueprint("digest", __name__)

_DOCUMENTS = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
# The HTML document carries its own print styles and no script at all.
_DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _digest():
    today = datetime.now(config().timezone).date()
    day = date_param("dia", words=True) or today - timedelta(days=1)
    reviewed_only = request.args.get("confirmadas") == "1"
    return day, today, digests.collect_digest(config(), get_archive(), day=day, reviewed_only=reviewed_only)


@bp.get("/sintesis")
def page():
    day, today, model = _digest()
    return render_template("digest.html", d=model, day=day, today=today,
                           reviewed_only=model.reviewed_only, previous_day=day - timedelta(days=1),
                           next_day=day + timedelta(days=1))


@bp.get("/sintesis/documento")
def document():
    fmt = request.args.get("formato", "html")
    if fmt not in _DOCUMENTS:
        bad_request(f"formato={fmt!r}: use {', '.join(_DOCUMENTS)}.")
    day, _, model = _digest()
    response = make_response(render_digest(model, fmt))
    response.content_type = _DOCUMENTS[fmt]
    if fmt == "html":
        response.headers["Content-Security-Policy"] = _DOCUMENT_CSP
    else:
        response.headers["Content-Disposition"] = f'attachment; filename="sintesis-{day.isoformat()}.{fmt}"'
    return response
