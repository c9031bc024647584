"""Grabación: a recording's transcript beside its audio, mentions and the day's gaps."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint, abort, render_template

from radiomon import timeutil
from radiomon.archive.segments import word_starts
from radiomon.filters import Filters
from radiomon.web.common import config, day_range, float_param, get_archive, parse_id
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
