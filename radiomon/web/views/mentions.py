"""Menciones: a day's flagged references, on air and in the press, counted, and reviewed by staff."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for

from radiomon import jobs, wording
from radiomon.archive.mentions import REVIEWS
from radiomon.errors import RadiomonError
from radiomon.web.common import (
    bad_request,
    config,
    date_param,
    day_filters,
    get_archive,
    local_path,
    parse_id,
    review_param,
    user_name,
)

bp = Blueprint("mentions", __name__)

def day_mentions(day, *, groups=(), stations=()):
    """The day's mentions, the articles of the press ones (by id), and the counts by group, by station
    and by outlet; false positives are not counted."""
    archive = get_archive()
    rows = jobs.mentions(config(), archive, day_filters(day, groups=tuple(groups), stations=tuple(stations)))
    articles = archive.articles_by_id(sorted({m.article_id for m in rows if m.article_id is not None}))
    counted = [m for m in rows if m.review != "rejected"]
    by_station = Counter(m.station for m in counted if m.medium == "radio")
    by_outlet = Counter(articles[m.article_id].outlet for m in counted if m.article_id in articles)
    return rows, articles, Counter(m.group_id for m in counted), by_station, by_outlet


@bp.get("/menciones")
def page():
    today = datetime.now(config().timezone).date()
    day = date_param("dia", words=True) or today
    review = review_param("estado")
    group = request.args.get("grupo", "").strip()
    error = None
    try:
        rows, articles, by_group, by_station, by_outlet = day_mentions(day, groups=[group] if group else ())
    except RadiomonError as err:
        rows, articles, by_group, by_station, by_outlet, error = [], {}, Counter(), Counter(), Counter(), str(err)
    # Counts are of the whole day; the list shows the review state asked for.
    shown = [m for m in rows if review is None or (m.review or "pending") == review]
    return render_template(
        "mentions.html", day=day, today=today, is_today=day == today, rows=shown, total=len(rows),
        by_group=by_group.most_common(), by_station=by_station.most_common(), by_outlet=by_outlet.most_common(),
        articles=articles, outlets=get_archive().outlet_names() if articles else {},
        review_state=wording.canonical_review_word(request.args.get("estado", "").strip()), group=group, error=error,
        previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
    )


@bp.post("/menciones/<mention_id>/revision")
def review(mention_id: str):
    mention_id = parse_id(mention_id, "mención")
    verdict = request.form.get("revision", "")
    if verdict not in (*REVIEWS, ""):
        bad_request(f"revision={verdict!r}: use confirmed, rejected o vacío para deshacer.")
    if not get_archive().set_review(mention_id, verdict or None, by=user_name()):
        abort(404)
    back = local_path(request.form.get("volver"), url_for("mentions.page"))
    return redirect(f"{back.split('#')[0]}#m{mention_id}", code=303)
