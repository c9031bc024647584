"""Buscar (home): the CLI's search language, filters, highlighted hits of radio and press, paging.

A radio hit plays from just before it; a press hit shows its headline and
outlet and leads to the article page (radiomon/web/views/article.py).
When the exact search finds little (or with «Búsqueda aproximada» ticked)
the words that sound like the query's are looked for too
(radiomon/search/approximate.py); such hits come last, marked. Every hit
has its «Copiar para WhatsApp» text (radiomon/web/share.py)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from radiomon import jobs, timeutil, wording
from radiomon.errors import RadiomonError
from radiomon.filters import Filters
from radiomon.reports.spanish import DAYS
from radiomon.search import MAX_LIMIT, Hit
from radiomon.web.common import (
    bad_request,
    config,
    date_param,
    error_text,
    get_archive,
    int_param,
    review_param,
    state,
    station_name,
)
from radiomon.web.share import base_url, share_text

bp = Blueprint("search", __name__)

PER_PAGE = 20
# The page's word for a medium (``medio=``) and the Filters' one.
MEDIA = {"radio": "radio", "prensa": "press"}
# Playing a hit starts a little before it, so the sentence is heard from its beginning.
LEAD_SECONDS = 2.0
# The page's words for the order (``orden=``) and the search's.
ORDERS = {"relevancia": "relevance", "recientes": "time"}


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
        "aprox": args.get("aprox", "").strip(),
        "orden": args.get("orden", "").strip(),
    }
    since, until, review = date_param("desde"), date_param("hasta"), review_param()
    page = int_param("pagina", 1, 1, MAX_LIMIT // PER_PAGE - 1)
    if form["medio"] and form["medio"] not in MEDIA:
        bad_request(f"medio={form['medio']!r}: use radio o prensa (o nada para ambos).")
    if form["orden"] and form["orden"] not in ORDERS:
        bad_request(f"orden={form['orden']!r}: use relevancia o recientes.")
    if form["aprox"] not in ("", "1"):
        bad_request(f"aprox={form['aprox']!r}: use 1 (búsqueda aproximada) o nada.")
    hits, error, more, badges, found, shares = [], None, False, {}, None, []
    if form["q"]:
        archive = get_archive()
        try:
            filters = Filters.parse(
                config(), stations=[form["estacion"]] if form["estacion"] else (),
                since=since.isoformat() if since else None, until=until.isoformat() if until else None,
                groups=[form["grupo"]] if form["grupo"] else (), review=review,
                medium=MEDIA.get(form["medio"]), outlets=[form["periodico"]] if form["periodico"] else ())
            # Approximate search on demand, or by itself when the exact one finds little.
            found = jobs.search_results(config(), archive, form["q"], filters, limit=page * PER_PAGE + 1,
                                        approx=True if form["aprox"] else None,
                                        order=ORDERS.get(form["orden"], "relevance"))
        except RadiomonError as err:
            error = error_text(err)  # Spanish, the fields as this form names them
        else:
            more = len(found.hits) > page * PER_PAGE
            hits = found.hits[(page - 1) * PER_PAGE: page * PER_PAGE]
            on_air = [h.segment_id for h in hits if h.medium == "radio"]
            badges = {segment: [m for m in found_mentions if m.review != "rejected"]
                      for segment, found_mentions in archive.mentions_of_segments(on_air).items()}
            shares = [share_of(hit) for hit in hits]
    return render_template(
        "search.html", form=form, hits=hits, error=error, page=page, more=more, badges=badges, found=found,
        shares=shares, stations=config().stations, outlets=config().press.outlets, groups=state().group_labels(),
        lead=LEAD_SECONDS, page_args={k: v for k, v in form.items() if v},
        filtered=any(form[k] for k in ("estacion", "medio", "periodico", "grupo", "desde", "hasta", "revision")),
    )


def share_of(hit: Hit) -> str:
    """The «Copiar para WhatsApp» text of a hit: station (or newspaper), local time, the sentence (or
    headline), and the link to the recording at that second (or the newspaper's own page)."""
    at = timeutil.local(hit.start, config().timezone)
    when = f"{DAYS[at.weekday()][:3]} {at:%d/%m/%Y %H:%M}"
    if hit.medium == "press":
        return share_text(where=hit.outlet_name, when=when, sentence=hit.title, link=hit.url)
    link = f"{base_url()}/grabacion/{hit.recording_id}?t={int(hit.offset)}#s{hit.segment_id}"
    return share_text(where=station_name(hit.station), when=when, sentence=hit.text, link=link)
