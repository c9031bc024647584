"""A clip's own page: what a colleague opens from a link (``/clip/<mención>?antes=5&despues=20``).

The address names the mention and the window in whole seconds, so it plays
the same clip whenever it is opened (while its audio is kept): the player
and the MP3 are the mention's clip route (radiomon/web/views/mention.py,
cut once and kept in the clip cache). «Copiar enlace» copies the page's
address as the colleague will open it (:func:`radiomon.web.share.base_url`).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for

from radiomon.reports.clip_cache import DEFAULT_AFTER, DEFAULT_BEFORE, MAX_AFTER, MAX_BEFORE
from radiomon.web import share
from radiomon.web.common import get_archive, parse_id, seconds_param, station_name

bp = Blueprint("clip", __name__)


@bp.get("/clip/<mention_id>")
def page(mention_id: str):
    archive = get_archive()
    mention = archive.mention(parse_id(mention_id, "mención"))
    if mention is None:
        abort(404, description="No existe esa mención; puede haberse borrado al volver a analizar la grabación.")
    if mention.medium == "press":
        abort(404, description="Una mención de prensa no tiene clip de audio; lea la nota.")
    before = seconds_param("antes", DEFAULT_BEFORE, MAX_BEFORE)
    after = seconds_param("despues", DEFAULT_AFTER, MAX_AFTER)
    if before + after <= 0:
        abort(400, description="El clip debe durar más de 0 segundos: aumente «antes» o «después».")
    recording = archive.recording(mention.recording_id)
    window = {"mention_id": mention.id, "antes": before, "despues": after}
    return render_template(
        "clip.html", m=mention, source=station_name(mention.station), before=before, after=after,
        has_audio=recording is not None and recording.status != "pruned",
        audio=url_for("mention.clip", **window), download=url_for("mention.clip", **window, descargar=1),
        link=share.base_url() + url_for("clip.page", **window))
