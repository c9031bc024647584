"""What the recording ffmpeg says on stderr, as events (pure parser).

ffmpeg runs at ``-loglevel verbose``; only a few lines matter to the
supervisor, everything else is kept as the last error for the log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENED = re.compile(r"\[segment @ [^\]]+\] Opening '(?P<path>.+)' for writing")
_ENDED = re.compile(r"\[segment @ [^\]]+\] segment:'(?P<path>.+)' count:\d+ ended")
_TITLE = re.compile(r"Metadata update for StreamTitle: ?(?P<title>.*)$")
_SILENCE = re.compile(r"silence_start: ?(?P<at>-?[\d.]+)")
_SILENCE_END = re.compile(r"silence_end: ?(?P<at>-?[\d.]+)")
# lines that explain why ffmpeg gave up
_ERROR_HINTS = (
    "Connection refused", "timed out", "Connection reset", "Server returned", "Invalid data",
    "No such file", "Error", "error", "failed", "Failed", "Input/output error", "End of file",
    "not found", "Cannot", "Unknown",
)


@dataclass(frozen=True)
class Event:
    kind: str  # opened | ended | title | silence | silence_end | error
    value: str = ""


def parse_line(line: str, *, segment_ext: str | None = None) -> Event | None:
    line = line.rstrip()
    if not line:
        return None
    found = _OPENED.search(line)
    if found:
        path = found.group("path")
        # the segment muxer also "opens" its list file; only audio segments count
        if segment_ext is None or path.endswith("." + segment_ext):
            return Event("opened", path)
        return None
    found = _ENDED.search(line)
    if found:
        return Event("ended", found.group("path"))
    found = _TITLE.search(line)
    if found:
        return Event("title", found.group("title").strip())
    found = _SILENCE.search(line)
    if found:
        return Event("silence", found.group("at"))
    found = _SILENCE_END.search(line)
    if found:
        return Event("silence_end", found.group("at"))
    if any(hint in line for hint in _ERROR_HINTS) and "Statistics" not in line:
        return Event("error", line)
    return None


def classify_exit(last_error: str) -> str:
    """The gap reason for an ffmpeg that exited by itself: a read timeout is a stall, anything else network."""
    text = last_error.lower()
    if "timed out" in text or "timeout" in text:
        return "stall"
    return "network"
