"""The JSON API: the CLI's field names (``radiomon search/mentions/status --format json``).

Reading: ``GET /api/search``, ``/api/mentions``, ``/api/recordings/<id>``,
``/api/status``; search and mentions take ``station``, ``outlet`` (repeatable),
``medium`` (radio or press), ``since``, ``until``, ``group``, ``review``; search also ``approx=1``
(the words that sound alike too, as ``radiomon search --approx``).
Writing: ``POST /api/mentions/<id>/review``. With accounts, send
``Authorization: Bearer <token>`` (or use the signed-in session plus the
``X-CSRF-Token`` header). Errors are ``{"error": "…"}`` with a 4xx status.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, jsonify, request

from radiomon import jobs
from radiomon.archive.mentions import REVIEWS
from radiomon.errors import RadiomonError
from radiomon.filters import Filters
from radiomon.mention_json import mentions_json
from radiomon.reports.status import as_json
from radiomon.search import MAX_LIMIT
from radiomon.web.common import (
    bad_request,
    config,
    error_text,
    get_archive,
    instant_param,
    int_param,
    json_body,
    parse_id,
    user_name,
)
from radiomon.web.views.recording import recording_data

bp = Blueprint("api", __name__, url_prefix="/api")


def _filters(limit: int | None = None) -> Filters:
    args = request.args
    instant_param("since")
    instant_param("until", end_of_day=True)
    try:
        return Filters.parse(config(), stations=args.getlist("station"), since=args.get("since") or None,
                             until=args.get("until") or None, groups=args.getlist("group"),
                             review=args.get("review") or None, limit=limit, medium=args.get("medium") or None,
                             outlets=args.getlist("outlet"))
    except RadiomonError as err:
        bad_request(error_text(err))


@bp.get("/search")
def search():
    query = request.args.get("q", "")
    limit = int_param("limit", 20, 1, MAX_LIMIT)
    approx = int_param("approx", 0, 0, 1) == 1  # also the words that sound alike, as `radiomon search --approx`
    try:
        hits = jobs.search_results(config(), get_archive(), query, _filters(), limit=limit, approx=approx).hits
    except RadiomonError as err:
        bad_request(error_text(err))
    return jsonify([h.as_json() for h in hits])


@bp.get("/mentions")
def mentions():
    limit = int_param("limit", 0, 0, 1_000_000) or None
    try:
        rows = jobs.mentions(config(), get_archive(), _filters(limit))
    except RadiomonError as err:
        bad_request(error_text(err))
    return jsonify(mentions_json(get_archive(), rows))


@bp.get("/recordings/<recording_id>")
def recording(recording_id: str):
    data = recording_data(parse_id(recording_id))
    if data is None:
        abort(404)
    mentions = [m.as_json() for found in data["mentions"].values() for m in found]
    return jsonify({**asdict(data["recording"]), "segments": data["segments"],
                    "mentions": sorted(mentions, key=lambda m: (m["offset"], m["id"]))})


@bp.get("/status")
def status():
    return jsonify(as_json(jobs.status(config(), get_archive())))


@bp.post("/mentions/<mention_id>/review")
def review(mention_id: str):
    mention_id = parse_id(mention_id, "mención")
    body = json_body()
    if "review" not in body:
        bad_request('Envíe JSON {"review": "confirmed" | "rejected" | null}.')
    verdict = body["review"]
    if verdict is not None and verdict not in REVIEWS:
        bad_request(f"review {verdict!r} no es válido; use confirmed, rejected o null (deshacer).")
    archive = get_archive()
    if not archive.set_review(mention_id, verdict, by=user_name()):
        abort(404)
    return jsonify(mentions_json(archive, [archive.mention(mention_id)])[0])
