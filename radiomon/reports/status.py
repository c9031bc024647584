"""`radiomon status`: what is in the archive and whether the pipeline keeps up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.archive.recordings import STATUSES
from radiomon.config import Config, Station
from radiomon.filters import Filters
from radiomon.pipeline.record.clock import station_state


@dataclass
class StationReport:
    id: str
    name: str
    source: str
    recordings: dict[str, int] = field(default_factory=dict)
    last_recording_utc: str | None = None
    last_audio_end_utc: str | None = None
    segments: int = 0
    state: str = ""  # recording / outage since … / off-schedule until … / not recording
    gaps_24h: int = 0  # outages that touched the last 24 hours


@dataclass
class StatusReport:
    config: str
    archive: str
    archive_bytes: int
    schema_version: int
    recordings: dict[str, int]
    segments: int
    stations: list[StationReport]


def collect_status(archive: Archive, config: Config, now: datetime | None = None) -> StatusReport:
    by_station: dict[str, StationReport] = {
        s.id: StationReport(s.id, s.name, s.source) for s in config.stations
    }
    totals = {status: 0 for status in STATUSES}
    for row in archive.recording_counts():
        station = by_station.setdefault(
            row["station"], StationReport(row["station"], row["station"], "(not configured)")
        )
        station.recordings[row["status"]] = row["n"]
        totals[row["status"]] += row["n"]
        if station.last_recording_utc is None or row["last"] > station.last_recording_utc:
            station.last_recording_utc = row["last"]
    now = now or datetime.now(timeutil.UTC)
    stations = {s.id: s for s in config.stations}
    for station_id, last_end in archive.last_audio_ends().items():
        by_station[station_id].last_audio_end_utc = last_end
    recent = archive.gaps(Filters(since=now - timedelta(hours=24)))
    for status in by_station.values():
        own = [g for g in recent if g["station"] == status.id]
        status.gaps_24h = len(own)
        open_gap = next((g for g in reversed(own) if g["end_utc"] is None), None)
        status.state = station_activity(stations.get(status.id), status, open_gap, config, now)
    segment_total = 0
    for station_id, count in archive.segment_counts().items():
        by_station[station_id].segments = count
        segment_total += count
    return StatusReport(
        config=str(config.path),
        archive=str(config.archive),
        archive_bytes=_size_with_wal(Path(config.archive)),
        schema_version=archive.schema_version,
        recordings=totals,
        segments=segment_total,
        stations=list(by_station.values()),
    )


def station_activity(station: Station | None, status: StationReport, open_gap: dict | None,
                     config: Config, now: datetime) -> str:
    """One phrase for the office: is this station being recorded right now, and if not, why."""
    tz = config.timezone
    if station is None:
        return "not configured"
    if open_gap is not None:
        since = timeutil.local(open_gap["start_utc"], tz).strftime("%Y-%m-%d %H:%M")
        return f"outage since {since} ({open_gap['reason']})"
    scheduled, why = station_state(station, now, tz)
    if not scheduled:
        return why
    last_end = status.last_audio_end_utc
    # A recorder registers a file as it closes, so fresh audio is at most one
    # segment (plus a little slack) old while the station is being recorded.
    fresh = timedelta(minutes=station.segment_minutes * 2 + 1)
    if last_end and now - timeutil.parse_iso(last_end) <= fresh:
        return "recording"
    if last_end:
        return f"not recording (last audio {timeutil.local(last_end, tz).strftime('%Y-%m-%d %H:%M')})"
    return "never recorded"


def _size_with_wal(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
