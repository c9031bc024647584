"""Una mención: what was heard, in context, and its clip to preview and download.

The clip is cut by the same library function as ``radiomon clip``
(:func:`radiomon.reports.clips.cut_clip`): across file boundaries, stopping
at a gap, faded and loudness-normalized. Cut clips are kept in a cache
folder beside the archive, so the preview and the download of one window
are cut once, and the preview can seek (Range requests on a real file).
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, abort, render_template, request, send_file

from radiomon import jobs
from radiomon.reports.clips import ClipError, testigo_name
from radiomon.web.common import config, float_param, get_archive, parse_id

bp = Blueprint("mention", __name__)

DEFAULT_BEFORE = 5.0
DEFAULT_AFTER = 20.0
# A clip is a quote for the radio program or a testigo, not an hour of audio.
MAX_WINDOW = 300.0

_cutting: dict[Path, threading.Lock] = {}
_cutting_guard = threading.Lock()


def clip_cache() -> Path:
    return Path(f"{config().archive}.clips")


def _window() -> tuple[float, float]:
    before = float_param("antes", DEFAULT_BEFORE, 0, MAX_WINDOW)
    after = float_param("despues", DEFAULT_AFTER, 0, MAX_WINDOW)
    if before + after <= 0:
        abort(400, description="El clip debe durar más de 0 segundos: aumente «antes» o «después».")
    return before, after


def _mention_or_404(text: str):
    mention = get_archive().mention(parse_id(text))
    if mention is None:
        abort(404, description="No existe esa mención; puede haberse borrado al volver a analizar la grabación.")
    return mention


@bp.get("/mencion/<mention_id>")
def page(mention_id: str):
    mention = _mention_or_404(mention_id)
    before, after = _window()
    recording = get_archive().recording(mention.recording_id)
    return render_template("mention.html", m=mention, rec=recording, before=before, after=after,
                           max_window=MAX_WINDOW)


@bp.get("/mencion/<mention_id>/clip")
def clip(mention_id: str):
    mention = _mention_or_404(mention_id)
    before, after = _window()
    path = clip_cache() / f"{mention.id}_{before:g}_{after:g}.mp3"
    with _cutting_guard:
        lock = _cutting.setdefault(path, threading.Lock())
    with lock:  # two requests for one clip (preview and download) cut it once
        if not path.is_file():
            try:
                jobs.clip(config(), get_archive(), mention.id, out=path, before=before, after=after)
            except ClipError:
                abort(404, description="Ya no hay audio alrededor de esta mención (depurado o no grabado).")
    download = request.args.get("descargar") == "1"
    return send_file(path, mimetype="audio/mpeg", conditional=True, as_attachment=download,
                     download_name=testigo_name(mention, config().timezone), max_age=0)
