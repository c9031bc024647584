"""Una mención: what was heard, in context, and its clip to preview and download; a press
mention shows its article (headline, outlet, time, the sentence, the links) and has no clip.

The clip is cut by the same library function as ``radiomon clip``
(:func:`radiomon.reports.clips.cut_clip`): across file boundaries, stopping
at a gap, faded and loudness-normalized. Cut clips are kept in a cache
folder beside the archive (:mod:`radiomon.reports.clip_cache`: whole-second
windows, a size cap, dropped with their audio), so the preview and the
download of one window are cut once, and the preview can seek (Range
requests on a real file).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file
from markupsafe import Markup

from radiomon import timeutil
from radiomon.archive.mentions import MentionRow
from radiomon.reports.clip_cache import DEFAULT_AFTER, DEFAULT_BEFORE, MAX_AFTER, MAX_BEFORE, cached_clip
from radiomon.reports.clips import ClipError
from radiomon.reports.spanish import DAYS
from radiomon.reports.testigos import testigo_name
from radiomon.web.common import config, get_archive, parse_id, seconds_param, station_name
from radiomon.web.share import base_url, share_text
from radiomon.web.views.article import marked, mention_spans, web_link

bp = Blueprint("mention", __name__)

_NO_AUDIO = "Ya no hay audio alrededor de esta mención (depurado o no grabado)."


def share_of(mention: MentionRow, where: str | None = None) -> str:
    """The «Copiar para WhatsApp» text of a mention: station (or ``where``, the outlet), local time, the
    sentence, and the link to the recording at that second (the article, for the press)."""
    at = timeutil.local(mention.at_utc, config().timezone)
    when = f"{DAYS[at.weekday()][:3]} {at:%d/%m/%Y %H:%M}"
    if mention.article_id is None:
        link = f"{base_url()}/grabacion/{mention.recording_id}?t={int(mention.offset)}#s{mention.segment_id}"
    else:
        link = f"{base_url()}/articulo/{mention.article_id}#marca-{mention.id}"
    return share_text(where=where or station_name(mention.station), when=when,
                      sentence=mention.context or mention.matched, link=link)


def _window() -> tuple[int, int]:
    """Whole seconds before and after, bounded: each distinct window is a file in the cache."""
    before = seconds_param("antes", DEFAULT_BEFORE, MAX_BEFORE)
    after = seconds_param("despues", DEFAULT_AFTER, MAX_AFTER)
    if before + after <= 0:
        abort(400, description="El clip debe durar más de 0 segundos: aumente «antes» o «después».")
    return before, after


def _mention_or_404(text: str):
    mention = get_archive().mention(parse_id(text, "mención"))
    if mention is None:
        abort(404, description="No existe esa mención; puede haberse borrado al volver a analizar la grabación.")
    return mention


@bp.get("/mencion/<mention_id>")
def page(mention_id: str):
    mention = _mention_or_404(mention_id)
    archive = get_archive()
    if mention.medium == "press":
        found = archive.article(mention.article_id)
        context = mention.context or ""
        outlet = archive.outlet_names().get(found.outlet, found.outlet) if found else "Prensa"
        return render_template("mention.html", m=mention, article=found, source=outlet,
                               share=share_of(mention, outlet),
                               original=web_link(found.url) if found else None,
                               context_html=Markup(" ").join(marked(context, mention_spans(context, [mention], (0,)))))
    before, after = _window()
    recording = archive.recording(mention.recording_id)
    return render_template("mention.html", m=mention, source=station_name(mention.station), rec=recording,
                           before=before, after=after, share=share_of(mention),
                           max_before=MAX_BEFORE, max_after=MAX_AFTER)


@bp.get("/mencion/<mention_id>/panel")
def panel(mention_id: str):
    """The mention in a panel of the Grabación page (htmx): opened without leaving the page or stopping
    the audio; its verdict is given there too."""
    mention = _mention_or_404(mention_id)
    found = None
    if request.args.get("revisada") == "1" and mention.medium == "radio":
        # Back from a verdict given here: the line's badges go out of band with their new state.
        found = [m for m in get_archive().mentions_of(mention.recording_id) if m.segment_id == mention.segment_id]
    return render_template("mention_panel.html", m=mention, source=station_name(mention.station),
                           share=share_of(mention), found=found)


@bp.get("/mencion/<mention_id>/clip")
def clip(mention_id: str):
    mention = _mention_or_404(mention_id)
    if mention.medium == "press":
        abort(404, description="Una mención de prensa no tiene audio; lea la nota.")
    before, after = _window()
    try:
        path = cached_clip(config(), get_archive(), mention, before, after)
    except ClipError:
        abort(404, description=_NO_AUDIO)
    download = request.args.get("descargar") == "1"
    try:
        return send_file(path, mimetype="audio/mpeg", conditional=True, as_attachment=download,
                         download_name=testigo_name(mention, config().timezone), max_age=0)
    except FileNotFoundError:  # pruned between the cut and the answer
        abort(404, description=_NO_AUDIO)
