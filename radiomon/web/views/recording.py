"""Grabación: a recording's transcript beside its audio, mentions and the day's gaps.

A mention's badge opens it in a panel (htmx, radiomon/web/views/mention.py)
without leaving the page or stopping the audio; from any line, or words
selected in it, staff add the mention the matcher missed
(:func:`radiomon.hand_mentions.add_hand_mention`).
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for

from radiomon import timeutil
from radiomon.archive.segments import word_starts
from radiomon.errors import QueryError, RadiomonError
from radiomon.filters import Filters
from radiomon.hand_mentions import MAX_WORDS, add_hand_mention, find_term
from radiomon.keywords import current_keywords
from radiomon.web.common import bad_request, config, day_range, float_param, get_archive, parse_id, user_name
from radiomon.web.views.audio import recording_audio

bp = Blueprint("recording", __name__)


def recording_data(recording_id: int, *, decode_words: bool = True) -> dict | None:
    """The recording, its segments (words decoded, or as stored) and its
    mentions by segment; shared with the API."""
    archive = get_archive()
    recording = archive.recording(recording_id)
    if recording is None:
        return None
    segments = archive.transcript_rows(recording_id)
    if decode_words:
        for segment in segments:
            segment["words"] = json.loads(segment["words"]) if segment["words"] else []
    by_segment: dict[int, list] = {}
    for mention in archive.mentions_of(recording_id):
        by_segment.setdefault(mention.segment_id, []).append(mention)
    return {"recording": recording, "segments": segments, "mentions": by_segment}


def line_of(stored_words: str | None, text: str) -> tuple[str, str]:
    """A segment's words as one line of text and the marks that find each
    word in it again (``start:length``, space-separated); its text when it
    has no word times. The browser wraps only the line being heard into word
    spans, so an hour-long transcript is not tens of thousands of elements."""
    words = word_starts(stored_words)
    if not words:
        return text, ""
    texts = [word.strip() for word, _ in words]
    return " ".join(texts), " ".join(f"{start}:{len(word)}" for (_, start), word in zip(words, texts))


def with_gaps(segments: list[dict], gaps: list[dict], rec) -> list[tuple[str, dict]]:
    """The transcript's lines with the gaps inside this recording where they
    fall: ``("segment", row)`` and ``("gap", row)`` in time order."""
    start = timeutil.parse_iso(rec.start_utc)
    inside = sorted(((max(0.0, (timeutil.parse_iso(g["start_utc"]) - start).total_seconds()), g)
                     for g in gaps if g["here"]), key=lambda pair: pair[0])
    lines: list[tuple[str, dict]] = []
    for segment in segments:
        while inside and inside[0][0] <= segment["start"]:
            lines.append(("gap", inside.pop(0)[1]))
        lines.append(("segment", segment))
    lines.extend(("gap", gap) for _, gap in inside)
    return lines


@bp.get("/grabacion/<recording_id>")
def recording(recording_id: str):
    data = recording_data(parse_id(recording_id), decode_words=False)
    if data is None:
        abort(404)
    rec = data["recording"]
    start_at = float_param("t", None, 0, 7 * 86400)
    local_day = timeutil.local(rec.start_utc, config().timezone).date()
    since, until = day_range(local_day)
    gaps = get_archive().gaps(Filters(stations=(rec.station,), since=since, until=until))
    for gap in gaps:
        # Inside this recording's stretch: a hole in what is heard here.
        gap["here"] = bool(rec.end_utc and gap["start_utc"] < rec.end_utc
                           and (gap["end_utc"] is None or gap["end_utc"] > rec.start_utc))
    began = timeutil.local(rec.start_utc, config().timezone)
    for segment in data["segments"]:
        segment["line"], segment["marks"] = line_of(segment["words"], segment["text"])
        segment["clock"] = (began + timedelta(seconds=segment["start"])).strftime("%H:%M:%S")
    previous, following = get_archive().neighbours(rec)
    return render_template(
        "recording.html", rec=rec, lines=with_gaps(data["segments"], gaps, rec), mentions=data["mentions"],
        gaps=gaps,
        previous=previous, following=following, start_at=start_at, day=local_day,
        has_audio=recording_audio(rec.id) is not None,
    )


def _line(recording_id: int, segment_text: str) -> dict:
    """The segment (a line of this recording) a hand-added mention is for; a 404 page when it is not one."""
    segment_id = parse_id(segment_text or "", "línea")
    segment = next(iter(get_archive().segments_by_id([segment_id])), None)
    if segment is None or segment["recording_id"] != recording_id:
        abort(404, description="Esa línea no es de esta grabación; vuelva a abrir la grabación.")
    return segment


def _keywords():
    keywords = current_keywords(config().keywords)
    if keywords is None or not keywords.groups:
        abort(409, description="No se pueden leer las palabras clave (keywords.yml); avise al administrador.")
    return keywords


def _marked_words(segment: dict, words: str) -> str:
    words = " ".join(words.split())
    if len(words) > MAX_WORDS or words.casefold() not in " ".join(segment["text"].split()).casefold():
        bad_request("Las palabras marcadas no están en esa línea; seleccione palabras de la misma línea.")
    return words


@bp.get("/grabacion/<recording_id>/mencion-nueva")
def hand_form(recording_id: str):
    """The form that adds a mention to a line: a panel of the page (htmx), or a page of its own."""
    rec_id = parse_id(recording_id)
    segment = _line(rec_id, request.args.get("segmento", ""))
    words = _marked_words(segment, request.args.get("palabras", ""))
    offset = float_param("desde", segment["start"], 0, 7 * 86400)
    return render_template("hand_mention.html", rec_id=rec_id, segment=segment, words=words,
                           offset=min(max(offset, segment["start"]), segment["end"]),
                           groups=_keywords().groups, full=not request.headers.get("HX-Request"))


@bp.post("/grabacion/<recording_id>/menciones")
def add_by_hand(recording_id: str):
    """Store the mention a person marked (prensa and coordinador alike): confirmed, with who and when."""
    rec_id = parse_id(recording_id)
    form = request.form
    segment = _line(rec_id, form.get("segmento", ""))
    words = _marked_words(segment, form.get("palabras", ""))
    offset = None
    if form.get("desde", "").strip():
        try:
            offset = float(form["desde"])
        except ValueError:
            bad_request(f"desde={form['desde']!r}: debe ser un número de segundos.")
    group, term = form.get("grupo", "").strip(), form.get("termino", "").strip()
    try:
        find_term(_keywords(), group, term)
    except QueryError:
        bad_request(f"El término «{term}» no está en el grupo «{group}» de las palabras clave; "
                    "elija un grupo y uno de sus términos de la lista.")
    try:
        mention = add_hand_mention(config(), get_archive(), segment_id=segment["id"], group=group, term=term,
                                   by=user_name(), offset=offset, words=words or None)
    except RadiomonError:
        abort(409, description="No se pudo añadir la mención (las palabras clave o la línea cambiaron); "
                               "recargue la página e intente de nuevo.")
    if not request.headers.get("HX-Request"):
        return redirect(url_for("recording.recording", recording_id=rec_id, t=f"{mention.offset:.1f}")
                        + f"#s{segment['id']}", code=303)
    found = [m for m in get_archive().mentions_of(rec_id) if m.segment_id == segment["id"]]
    return render_template("hand_mention_added.html", m=mention, seg_id=segment["id"], found=found)
