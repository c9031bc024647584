"""Audio files through ffprobe/ffmpeg: what radiomon measures from a file.

A recording's duration is always measured from the file, never assumed from
the segment length: a segment cut short by an outage is shorter.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from pathlib import Path

from radiomon.errors import AudioError, ToolMissingError

log = logging.getLogger(__name__)


def require_tool(name: str) -> str:
    """The path of ffmpeg/ffprobe, or a fatal error saying how to install it."""
    found = shutil.which(name)
    if not found:
        raise ToolMissingError(
            f"{name} not found on PATH; install FFmpeg (Debian: apt-get install ffmpeg) and try again"
        )
    return found


def probe_command(path: str | Path) -> list[str]:
    """The ffprobe argument list (pure): duration and first audio stream."""
    return [
        "ffprobe", "-v", "error", "-print_format", "json",
        "-show_entries", "format=duration,format_name:stream=codec_type,codec_name,sample_rate,channels",
        str(path),
    ]


def probe(path: str | Path) -> dict:
    """ffprobe's view of a file; raises AudioError if it is not readable audio."""
    require_tool("ffprobe")
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    command = probe_command(path)
    log.debug("running %s", command)
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["ffprobe failed"])[-1]
        reason = reason.removeprefix(f"{path}: ")  # ffprobe names the file too; say it once
        raise AudioError(f"{path}: not readable audio ({reason})")
    info = json.loads(result.stdout or "{}")
    if not any(s.get("codec_type") == "audio" for s in info.get("streams", [])):
        raise AudioError(f"{path}: has no audio stream")
    return info


def probe_duration(path: str | Path) -> float:
    """Seconds of audio in the file, measured by ffprobe."""
    info = probe(path)
    try:
        duration = float(info["format"]["duration"])
    except (KeyError, TypeError, ValueError):
        raise AudioError(f"{path}: ffprobe reports no duration; the file may be truncated") from None
    if duration <= 0:
        raise AudioError(f"{path}: contains no audio (duration 0)")
    return duration
