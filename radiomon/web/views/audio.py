"""Audio of a recording, by id only, with HTTP Range (hour-long files must seek)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, abort, send_file

from radiomon.web.common import get_archive, parse_id

bp = Blueprint("audio", __name__)

_TYPES = {".mp3": "audio/mpeg", ".aac": "audio/aac", ".m4a": "audio/mp4", ".ogg": "audio/ogg",
          ".opus": "audio/ogg", ".wav": "audio/wav", ".flac": "audio/flac", ".ts": "video/mp2t"}


def recording_audio(recording_id: int) -> Path | None:
    """The registered audio file of a recording, if it is still on disk."""
    recording = get_archive().recording(recording_id)
    if recording is None or not recording.path or recording.status == "pruned":
        return None
    path = Path(recording.path)
    return path if path.is_file() else None


@bp.get("/audio/<recording_id>")
def audio(recording_id: str):
    # The path comes from the archive, never from the request: anything but a
    # number (../../etc/passwd, -1) names no audio; a number too big for the archive is a 400.
    if not recording_id.isascii() or not recording_id.isdigit():
        abort(404)
    path = recording_audio(parse_id(recording_id))
    if path is None:
        abort(404)
    mimetype = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    # conditional=True answers Range requests with 206 Partial Content.
    return send_file(path, mimetype=mimetype, conditional=True, max_age=3600)
