"""What importing one file did."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportResult:
    path: str
    recording_id: int | None = None
    created: bool = False
    segments: int = 0
    start_utc: str | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()  # what was corrected on the way in, one line each
    same_audio_as: str | None = None  # the path already imported with this content, when not this one
