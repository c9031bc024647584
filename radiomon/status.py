"""`radiomon status`: what is in the archive and whether the pipeline keeps up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from radiomon.archive import Archive
from radiomon.archive.recordings import STATUSES
from radiomon.config import Config


@dataclass
class StationStatus:
    id: str
    name: str
    source: str
    recordings: dict[str, int] = field(default_factory=dict)
    last_recording_utc: str | None = None
    segments: int = 0


@dataclass
class Status:
    config: str
    archive: str
    archive_bytes: int
    schema_version: int
    recordings: dict[str, int]
    segments: int
    stations: list[StationStatus]


def collect_status(archive: Archive, config: Config) -> Status:
    by_station: dict[str, StationStatus] = {
        s.id: StationStatus(s.id, s.name, s.source) for s in config.stations
    }
    totals = {status: 0 for status in STATUSES}
    for row in archive.query("SELECT station, status, count(*) AS n, max(start_utc) AS last FROM recordings GROUP BY station, status"):
        station = by_station.setdefault(row["station"], StationStatus(row["station"], row["station"], "(not configured)"))
        station.recordings[row["status"]] = row["n"]
        totals[row["status"]] += row["n"]
        if station.last_recording_utc is None or row["last"] > station.last_recording_utc:
            station.last_recording_utc = row["last"]
    segment_total = 0
    for row in archive.query(
        "SELECT r.station, count(*) AS n FROM segments s JOIN recordings r ON r.id = s.recording_id GROUP BY r.station"
    ):
        by_station[row["station"]].segments = row["n"]
        segment_total += row["n"]
    return Status(
        config=str(config.path),
        archive=str(config.archive),
        archive_bytes=_size_with_wal(Path(config.archive)),
        schema_version=archive.schema_version,
        recordings=totals,
        segments=segment_total,
        stations=list(by_station.values()),
    )


def _size_with_wal(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
