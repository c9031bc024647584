"""Una mención: what was heard, in context, and its clip to preview and download.

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

from radiomon.reports.clip_cache import DEFAULT_AFTER, DEFAULT_BEFORE, MAX_AFTER, MAX_BEFORE, cached_clip
from radiomon.reports.clips import ClipError
from radiomon.reports.testigos import testigo_name
from radiomon.web.common import config, get_archive, parse_id, seconds_param

bp = Blueprint("mention", __name__)

_NO_AUDIO = "Ya no hay audio alrededor de esta mención (depurado o no grabado)."


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
    before, after = _window()
    recording = get_archive().recording(mention.recording_id)
    return render_template("mention.html", m=mention, rec=recording, before=before, after=after,
                           max_before=MAX_BEFORE, max_after=MAX_AFTER)


@bp.get("/mencion/<mention_id>/clip")
def clip(mention_id: str):
    mention = _mention_or_404(mention_id)
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
