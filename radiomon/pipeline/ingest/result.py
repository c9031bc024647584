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
