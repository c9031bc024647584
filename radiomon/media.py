"""Audio files through ffprobe/ffmpeg: what radiomon measures from a file.

A recording's duration is always measured from the file, never assumed from
the segment length: a segment cut short by an outage is shorter. And not
only from its header: an mp3's header (its Xing/Info frame count) still says
30 s after all but its first 5 KB were lost, so :func:`measured_duration`
also reads the packets the file really holds.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from dataclasses import dataclass
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


# Containers and codecs disagree with their own header by some tens of
# milliseconds (encoder delay, priming samples, a last partial frame): more
# than this is a header that describes audio the file no longer holds.
HEADER_TOLERANCE = 1.0


@dataclass(frozen=True)
class Duration:
    """A file's seconds of audio, and what its header said when that was wrong."""

    seconds: float
    header: float | None = None  # set only when the header disagreed and was not believed


def packets_command(path: str | Path) -> list[str]:
    """The ffmpeg argument list (pure) that reads every audio packet without decoding
    it and reports how far they reach (``out_time_us`` on stdout)."""
    return [
        "ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-c", "copy",
        "-f", "null", "-", "-progress", "pipe:1", "-nostats",
    ]


def packets_duration(path: str | Path) -> float | None:
    """Seconds up to the end of the last audio packet the file holds; None when ffmpeg cannot tell."""
    require_tool("ffmpeg")
    command = packets_command(path)
    log.debug("running %s", command)
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    reached = None
    for line in result.stdout.splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            reached = int(value) / 1e6
    return reached if reached is not None and reached >= 0 else None


def measured_duration(path: str | Path) -> Duration:
    """Seconds of audio in the file: the header's figure (ffprobe), unless the
    packets the file holds say otherwise by more than :data:`HEADER_TOLERANCE`."""
    header = probe_duration(path)
    packets = packets_duration(path)
    if packets is None or abs(packets - header) <= HEADER_TOLERANCE:
        return Duration(header)
    if packets <= 0:
        raise AudioError(f"{path}: contains no audio (its header says {header:.2f} s; the file may be truncated)")
    return Duration(packets, header)


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
