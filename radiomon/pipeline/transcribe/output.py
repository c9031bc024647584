"""Per-recording transcript files: JSON always, SRT/VTT/TXT on request.

``transcripts/<station>/<YYYY-MM-DD>/<HHMMSS>.json`` (the recording's local
start in the station's time zone, like the audio's own path). The JSON is
Whisper-shaped (``segments`` with ``start``/``end``/``text``/``words``) so
``radiomon import --transcript`` and other tools read it, plus UTC instants.
Every file is written under a temporary name and renamed, so a reader never
sees half a transcript.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from radiomon import config, timeutil
from radiomon.transcript import Segment

FORMATS = config.TRANSCRIPT_FORMATS  # the list transcription.formats is checked against


def transcript_path(transcripts_dir: Path, station: str, start: datetime, tz: ZoneInfo, ext: str = "json") -> Path:
    """``transcripts/<station>/<YYYY-MM-DD>/<HHMMSS>.json``: the recording's start to the nearest second,
    as the recorder names the audio (a file cut at 10:00 whose chained start is 09:59:59.98 is
    ``100000.mp3``, and its transcript ``100000.json``, not ``095959.json``)."""
    local = (start + timedelta(microseconds=500_000)).astimezone(tz).replace(microsecond=0)
    return Path(transcripts_dir) / station / local.strftime("%Y-%m-%d") / f"{local.strftime('%H%M%S')}.{ext}"


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(segments: Sequence[Segment], *, start: datetime, meta: dict) -> str:
    def instant(offset: float) -> str:
        return timeutil.to_iso(start + timedelta(seconds=offset))

    doc = {
        **meta,
        "start_utc": timeutil.to_iso(start),
        "text": " ".join(s.text for s in segments),
        "segments": [
            {
                "id": i,
                "start": round(s.start, 2),
                "end": round(s.end, 2),
                "start_utc": instant(s.start),
                "end_utc": instant(s.end),
                "text": s.text,
                "avg_logprob": None if s.avg_logprob is None else round(s.avg_logprob, 4),
                "no_speech_prob": None if s.no_speech_prob is None else round(s.no_speech_prob, 4),
                "words": [
                    {"word": w.text, "start": round(w.start, 2), "end": round(w.end, 2),
                     "probability": None if w.probability is None else round(w.probability, 3)}
                    for w in s.words
                ],
            }
            for i, s in enumerate(segments)
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _clock(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(segments: Sequence[Segment]) -> str:
    return "".join(
        f"{i}\n{_clock(s.start, ',')} --> {_clock(s.end, ',')}\n{s.text}\n\n" for i, s in enumerate(segments, 1)
    )


def to_vtt(segments: Sequence[Segment]) -> str:
    return "WEBVTT\n\n" + "".join(f"{_clock(s.start, '.')} --> {_clock(s.end, '.')}\n{s.text}\n\n" for s in segments)


def to_txt(segments: Sequence[Segment]) -> str:
    return "".join(f"[{_clock(s.start, '.')[:-4]}] {s.text}\n" for s in segments)


def write_transcripts(
    segments: Sequence[Segment],
    *,
    json_path: Path,
    start: datetime,
    meta: dict,
    formats: Sequence[str] = (),
) -> list[Path]:
    """Write the JSON and the extra ``formats`` beside it; returns the paths written."""
    written = [json_path]
    write_atomic(json_path, to_json(segments, start=start, meta=meta))
    renderers = {"srt": to_srt, "vtt": to_vtt, "txt": to_txt}
    for fmt in formats:
        if fmt == "json":
            continue
        path = json_path.with_suffix(f".{fmt}")
        write_atomic(path, renderers[fmt](segments))
        written.append(path)
    return written
