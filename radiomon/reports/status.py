"""`radiomon status`: what is in the archive, whether the pipeline keeps up, and whether all is well.

:func:`gather_facts` reads what the health evaluation needs (archive,
disks, schedules) with cheap indexed queries; :func:`collect_status` adds
the counts a person reads and hands the facts to
:func:`radiomon.health.evaluate`, the evaluation the health alerts use too
(radiomon/alerts/health.py calls :func:`gather_facts` every few seconds);
the report carries its problems and ``healthy``.

What each station is doing now is an :class:`Activity` (kind, since/until,
reason) that each reader words: :func:`describe` gives the English phrase of
the terminal and of the JSON's ``state`` (:func:`as_json`, shared by
``radiomon status --format json`` and ``/api/status``); the web page words
it in Spanish.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from radiomon import health, timeutil
from radiomon.archive import Archive
from radiomon.archive.recordings import STATUSES
from radiomon.config import Config, Station
from radiomon.filters import Filters
from radiomon.schedule import describe_schedule, is_scheduled, next_change, previous_change

# The backlog's speed is measured over this window: long enough to take in a
# nightly run, short enough to follow a change of machine or model.
FLOW_HOURS = 24

# What a station can be doing now (Activity.kind).
RECORDING, OUTAGE, OFF_SCHEDULE = "recording", "outage", "off-schedule"
NOT_RECORDING, NEVER_RECORDED, NOT_CONFIGURED = "not-recording", "never-recorded", "not-configured"


@dataclass(frozen=True)
class Activity:
    """Is a station being recorded right now, and if not, why; for each reader to word."""

    kind: str  # RECORDING, OUTAGE, OFF_SCHEDULE, NOT_RECORDING, NEVER_RECORDED or NOT_CONFIGURED
    # OUTAGE: when the open gap began; NOT_RECORDING: the newest audio's end (both in the office's zone)
    since: datetime | None = None
    until: datetime | None = None  # OFF_SCHEDULE: when its next window opens, in the station's zone (None: never)
    reason: str = ""  # OUTAGE: the gap's reason; OFF_SCHEDULE: the station's windows (mon,tue 06:00-14:00)


@dataclass
class StationReport:
    id: str
    name: str
    source: str
    recordings: dict[str, int] = field(default_factory=dict)
    last_recording_utc: str | None = None
    last_audio_end_utc: str | None = None
    segments: int = 0
    state: Activity = Activity(NEVER_RECORDED)  # what it is doing now (JSON: describe()'s phrase)
    gaps_24h: int = 0  # outages that touched the last 24 hours
    gaps_today: int = 0  # outages that touched today (office time zone)
    last_segment_utc: str | None = None  # end of the newest utterance transcribed
    monitored: bool = False  # `radiomon record` has run for it (only then can it be "down")
    down_since_utc: str | None = None  # set while the station counts as down (see radiomon/health.py)


@dataclass
class OutletReport:
    """A newspaper as `radiomon status` shows it (JSON: the contract's id, last_fetch, last_new, error)."""

    id: str
    name: str
    scope: str
    feeds: int  # feed URLs configured
    last_fetch: str | None = None  # ISO UTC: its newest successful feed read
    last_new: str | None = None  # ISO UTC: the newest pass that stored an article of it
    last_checked: str | None = None  # ISO UTC: its newest pass, read well or not
    error: str | None = None  # why its newest pass could not read it (one line); None when it was fine
    trouble: str | None = None  # "failing" or "quiet" while it counts as unwell (radiomon/health.py)


@dataclass
class StatusReport:
    config: str
    archive: str
    archive_bytes: int
    schema_version: int
    recordings: dict[str, int]
    segments: int
    stations: list[StationReport]
    healthy: bool = True
    problems: list[health.Problem] = field(default_factory=list)
    backlog: dict = field(default_factory=dict)  # pending audio and how fast it shrinks
    disks: list[dict] = field(default_factory=list)  # the archive's and recordings_dir's file systems
    alerts: dict = field(default_factory=dict)  # channels configured, alerts waiting or given up per channel
    nightly: dict | None = None  # the newest `radiomon nightly` run
    outlets: list[OutletReport] = field(default_factory=list)  # the newspapers (press.outlets)


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
    today_start = datetime.combine(now.astimezone(config.timezone).date(), time(0), tzinfo=config.timezone)
    today = [g for g in recent if g["end_utc"] is None or g["end_utc"] >= timeutil.to_iso(today_start)]
    facts = gather_facts(archive, config, now, check_archive=True)
    by_id = {f.id: f for f in facts.stations}
    for status in by_station.values():
        own = [g for g in recent if g["station"] == status.id]
        status.gaps_24h = len(own)
        status.gaps_today = sum(1 for g in today if g["station"] == status.id)
        open_gap = next((g for g in reversed(own) if g["end_utc"] is None), None)
        status.state = station_activity(stations.get(status.id), status, open_gap, config, now)
        status.last_segment_utc = archive.last_segment_end(status.id)
        if status.id in by_id:
            status.monitored = by_id[status.id].watched
            outage = health.station_outage(by_id[status.id], config.health, now)
            status.down_since_utc = timeutil.to_iso(outage[0]) if outage else None
    segment_total = 0
    for station_id, count in archive.segment_counts().items():
        by_station[station_id].segments = count
        segment_total += count
    report = StatusReport(
        config=str(config.path),
        archive=str(config.archive),
        archive_bytes=_size_with_wal(Path(config.archive)),
        schema_version=archive.schema_version,
        recordings=totals,
        segments=segment_total,
        stations=list(by_station.values()),
    )
    report.backlog = _backlog(archive, archive.pending_audio(), now)
    report.disks = [{"path": d.path, "used_bytes": d.used_bytes, "free_bytes": d.free_bytes,
                     "used_percent": round(d.used_percent, 1)} for d in facts.disks]
    waiting = archive.undelivered_by_channel()
    report.alerts = {"channels": [c.name for c in config.alerts.channels],
                     "waiting": sum(r["waiting"] for r in waiting), "failed": sum(r["failed"] for r in waiting),
                     "by_channel": waiting}
    nightly = archive.last_run("nightly")
    report.nightly = nightly and {"started_utc": nightly["started_utc"], "finished_utc": nightly["finished_utc"],
                                  "counts": nightly["counts"], "errors": nightly["errors"]}
    for outlet, facts_of in zip(config.press.outlets, facts.outlets):
        trouble = health.outlet_trouble(facts_of, config.health, now)
        report.outlets.append(OutletReport(
            outlet.id, outlet.name, outlet.scope, len(outlet.feeds), _iso(facts_of.last_fetch),
            _iso(facts_of.last_new), _iso(facts_of.last_checked), facts_of.error, trouble and trouble[1]))
    report.problems = health.evaluate(facts, config.health)
    report.healthy = not report.problems
    return report


def gather_facts(archive: Archive, config: Config, now: datetime, *, check_archive: bool = False) -> health.Facts:
    """What :func:`radiomon.health.evaluate` judges, read from the archive, the disks and the schedules;
    ``check_archive`` adds the archive's own soundness (PRAGMA quick_check reads the whole file, so the
    health alerts, every few seconds, leave it to `radiomon status`)."""
    pending = archive.pending_audio()
    nightly = archive.last_run("nightly")
    waiting = archive.undelivered_by_channel()
    return health.Facts(
        now=now, tz=config.timezone, stations=tuple(_station_facts(archive, config, s, now) for s in config.stations),
        pending_seconds=pending["seconds"], oldest_pending=_instant(pending["oldest_utc"]),
        disks=tuple(_disks(config)),
        nightly=nightly and health.RunFacts(timeutil.parse_iso(nightly["started_utc"]),
                                            _instant(nightly["finished_utc"]), tuple(nightly["errors"])),
        channels=tuple(health.ChannelFacts(r["channel"], r["waiting"], _instant(r["oldest_utc"]),
                                           archive.last_error_of(r["channel"]) if r["waiting"] else None)
                       for r in waiting),
        archive=health.ArchiveFacts(str(config.archive), tuple(archive.quick_check()), archive.writable)
        if check_archive else None,
        outlets=tuple(_outlet_facts(archive, config)),
    )


def _outlet_facts(archive: Archive, config: Config) -> list[health.OutletFacts]:
    outlets = config.press.outlets
    activity = archive.outlet_activity([o.id for o in outlets])
    facts = []
    for outlet in outlets:
        seen = activity[outlet.id]
        error = "; ".join(f"{url}: {why}" if len(seen["errors"]) > 1 else why for url, why in seen["errors"])
        facts.append(health.OutletFacts(outlet.id, outlet.name, _instant(seen["last_fetch"]),
                                        _instant(seen["last_checked"]), _instant(seen["last_new"]), error or None))
    return facts


def _station_facts(archive: Archive, config: Config, station: Station, now: datetime) -> health.StationFacts:
    tz = config.station_tz(station.id)
    gaps = archive.open_gaps(station.id)
    return health.StationFacts(
        id=station.id, name=station.name, watched=archive.recorder_has_run(station.id, str(config.recordings_dir)),
        scheduled=is_scheduled(station, now, tz), scheduled_since=previous_change(station, now, tz),
        segment_minutes=station.segment_minutes, last_audio_end=archive.last_audio_end(station.id),
        open_gap=(timeutil.parse_iso(gaps[-1]["start_utc"]), gaps[-1]["reason"]) if gaps else None,
        last_gap_end=_instant(archive.last_gap_end(station.id)),
    )


def _backlog(archive: Archive, pending: dict, now: datetime) -> dict:
    """Pending audio, and how fast it shrinks: hours of audio transcribed minus hours
    recorded, per hour, over the last FLOW_HOURS (negative: it grows)."""
    flow = archive.audio_flow(timeutil.to_iso(now - timedelta(hours=FLOW_HOURS)))
    transcribed, arrived = flow["transcribed_seconds"] / 3600, flow["arrived_seconds"] / 3600
    shrinking = (transcribed - arrived) / FLOW_HOURS
    hours = pending["seconds"] / 3600
    return {"recordings": pending["recordings"], "hours": round(hours, 2), "oldest_utc": pending["oldest_utc"],
            f"transcribed_hours_{FLOW_HOURS}h": round(transcribed, 2),
            f"recorded_hours_{FLOW_HOURS}h": round(arrived, 2),
            "shrinking_hours_per_hour": round(shrinking, 3) + 0.0,  # never -0.0
            "hours_to_clear": round(hours / shrinking, 1) if shrinking > 0 and hours else None}


def _disks(config: Config) -> list[health.DiskFacts]:
    """The file systems of the archive and of recordings_dir, each once."""
    seen, out = set(), []
    for folder in (Path(config.archive).parent, Path(config.recordings_dir)):
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent  # not created yet: it will land on its parent's disk
        device = os.stat(existing).st_dev
        if device in seen:
            continue
        seen.add(device)
        usage = shutil.disk_usage(existing)
        out.append(health.DiskFacts(str(folder), usage.used, usage.free))
    return out


def _iso(instant: datetime | None) -> str | None:
    return timeutil.to_iso(instant) if instant else None


def _instant(text: str | None) -> datetime | None:
    return timeutil.parse_iso(text) if text else None


def station_activity(station: Station | None, status: StationReport, open_gap: dict | None,
                     config: Config, now: datetime) -> Activity:
    """Is this station being recorded right now, and if not, why."""
    tz = config.timezone
    if station is None:
        return Activity(NOT_CONFIGURED)
    if open_gap is not None:
        return Activity(OUTAGE, since=timeutil.local(open_gap["start_utc"], tz), reason=open_gap["reason"])
    station_tz = config.station_tz(station.id)
    if not is_scheduled(station, now, station_tz):
        change = next_change(station, now, station_tz)
        return Activity(OFF_SCHEDULE, until=change and change.astimezone(station_tz), reason=describe_schedule(station))
    last_end = status.last_audio_end_utc
    # A recorder registers a file as it closes, so fresh audio is at most one
    # segment (plus a little slack) old while the station is being recorded.
    fresh = timedelta(minutes=station.segment_minutes * 2 + 1)
    if last_end and now - timeutil.parse_iso(last_end) <= fresh:
        return Activity(RECORDING)
    if last_end:
        return Activity(NOT_RECORDING, since=timeutil.local(last_end, tz))
    return Activity(NEVER_RECORDED)


def in_words(activity: Activity, phrases: dict[str, str]) -> str:
    """``activity`` in a reader's words: ``phrases`` maps each kind to a template with ``{since}``,
    ``{until}`` and ``{reason}``, and ``"never"`` to what an ``until`` that never comes is called."""
    since = f"{activity.since:%Y-%m-%d %H:%M}" if activity.since else ""
    until = activity.until.strftime("%a %Y-%m-%d %H:%M %Z") if activity.until else phrases["never"]
    return phrases[activity.kind].format(since=since, until=until, reason=activity.reason)


# The terminal's words: `radiomon status` prints them, and the JSON's ``state`` carries them.
TERMINAL_PHRASES = {
    RECORDING: "recording",
    OUTAGE: "outage since {since} ({reason})",
    OFF_SCHEDULE: "off-schedule until {until} ({reason})",
    NOT_RECORDING: "not recording (last audio {since})",
    NEVER_RECORDED: "never recorded",
    NOT_CONFIGURED: "not configured",
    "never": "never",
}


def describe(activity: Activity) -> str:
    """The English phrase `radiomon status` prints, and the JSON's ``state``."""
    return in_words(activity, TERMINAL_PHRASES)


def as_json(report: StatusReport) -> dict:
    """The report as JSON data (the command line's and the API's), each station's state as :func:`describe` words it."""
    data = asdict(report)
    for station, out in zip(report.stations, data["stations"]):
        out["state"] = describe(station.state)
    return data


def _size_with_wal(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
