"""Buscar (home): the CLI's search language, filters, highlighted hits of radio and press, paging.

A radio hit plays from just before it; a press hit shows its headline and
outlet and leads to the article page (radiomon/web/views/article.py)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from radiomon import jobs, wording
from radiomon.errors import RadiomonError
from radiomon.filters import Filters
from radiomon.search import MAX_LIMIT
from radiomon.web.common import bad_request, config, date_param, error_text, get_archive, int_param, review_param, state

bp = Blueprint("search", __name__)

PER_PAGE = 20
# The page's word for a medium (``medio=``) and the Filters' one.
MEDIA = {"radio": "radio", "prensa": "press"}
# Playing a hit starts a little before it, so the sentence is heard from its beginning.
LEAD_SECONDS = 2.0


@bp.get("/")
def index():
    args = request.args
    form = {
        "q": args.get("q", "").strip(),
        "estacion": args.get("estacion", "").strip(),
        "medio": args.get("medio", "").strip(),
        "periodico": args.get("periodico", "").strip(),
        "grupo": args.get("grupo", "").strip(),
        "desde": args.get("desde", "").strip(),
        "hasta": args.get("hasta", "").strip(),
        # An old link's review word shown as the filter lists it now.
        "revision": wording.canonical_review_word(args.get("revision", "").strip()),
    }
    since, until, review = date_param("desde"), date_param("hasta"), review_param()
    page = int_param("pagina", 1, 1, MAX_LIMIT // PER_PAGE - 1)
    if form["medio"] and form["medio"] not in MEDIA:
        bad_request(f"medio={form['medio']!r}: use radio o prensa (o nada para ambos).")
    hits, error, more, badges = [], None, False, {}
    if form["q"]:
        archive = get_archive()
        try:
            filters = Filters.parse(
                config(), stations=[form["estacion"]] if form["estacion"] else (),
                since=since.isoformat() if since else None, until=until.isoformat() if until else None,
                groups=[form["grupo"]] if form["grupo"] else (), review=review,
                medium=MEDIA.get(form["medio"]), outlets=[form["periodico"]] if form["periodico"] else ())
            found = jobs.search(config(), archive, form["q"], filters, limit=page * PER_PAGE + 1)
        except RadiomonError as err:
            error = error_text(err)  # Spanish, the fields as this form names them
        else:
            more = len(found) > page * PER_PAGE
            hits = found[(page - 1) * PER_PAGE: page * PER_PAGE]
            on_air = [h.segment_id for h in hits if h.medium == "radio"]
            badges = {segment: [m for m in found_mentions if m.review != "rejected"]
                      for segment, found_mentions in archive.mentions_of_segments(on_air).items()}
    return render_template(
        "search.html", form=form, hits=hits, error=error, page=page, more=more, badges=badges,
        stations=config().stations, outlets=config().press.outlets, groups=state().group_labels(), lead=LEAD_SECONDS,
        page_args={k: v for k, v in form.items() if v},
    )
