"""Whether the deployment is well (pure): the one evaluation behind `radiomon status`
and the health alerts.

:func:`evaluate` turns :class:`Facts` (gathered by radiomon/reports/status.py)
into :class:`Problem` s; `radiomon status` exits non-zero when there is one,
and the health check (radiomon/alerts/health.py) opens an episode, with one
alert, for each problem key it has not seen yet and closes it, with a
second alert, when the key is gone. What counts as a problem
(radiomon.yml ``health:``):

* a scheduled station is down: its recorder reports an outage (an open gap)
  for longer than ``station_down_minutes``, or its newest audio is older than
  one segment (the file being written) plus ``station_down_minutes``. A
  station counts from the first time `radiomon record` ran for it (a gap row
  or a file under recordings_dir): a station only ever imported, or not
  started yet, is shown as it is but is not "down". A schedule window that
  has just begun is counted from its start, not from yesterday's last audio;
* the transcription backlog holds more than ``backlog_hours`` of audio;
* the disk of the archive or of recordings_dir is fuller than
  ``disk_max_used_percent``;
* the newest `radiomon nightly` run ended with errors, or is still
  unfinished after ``nightly_max_hours``;
* a channel has had an alert waiting for longer than ``alert_max_minutes``;
* a newspaper (press.outlets) fails: its newest pass could not read its
  feeds and it has not been read well for ``outlet_quiet_hours`` (one never
  read well at all counts at once: a wrong feed URL shows the first day),
  or it is quiet: no new article for ``outlet_quiet_hours``;
* the archive is damaged (``PRAGMA quick_check`` finds a problem) or this
  user cannot write it (a read-only file, folder or disk). `radiomon
  status` checks it on every call; the health alerts, which run every few
  seconds, leave it out (:attr:`Facts.archive` is None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from radiomon import timeutil
from radiomon.config import HealthConfig

NO_AUDIO = "no-audio"  # the reason of a station that is silent without an open gap


@dataclass(frozen=True)
class StationFacts:
    id: str
    name: str
    watched: bool  # `radiomon record` has run for it
    scheduled: bool  # it should be recorded now
    scheduled_since: datetime | None  # when the current schedule window began; None for 24/7
    segment_minutes: float
    last_audio_end: datetime | None = None
    open_gap: tuple[datetime, str] | None = None  # (start, reason) of the outage the recorder reports
    last_gap_end: datetime | None = None


@dataclass(frozen=True)
class DiskFacts:
    path: str  # the folder measured (the archive's, recordings_dir)
    used_bytes: int
    free_bytes: int  # what radiomon may still write (blocks reserved for root not counted)

    @property
    def used_percent(self) -> float:
        """As ``df`` shows it: used out of used plus available."""
        room = self.used_bytes + self.free_bytes
        return 100.0 * self.used_bytes / room if room else 0.0


@dataclass(frozen=True)
class RunFacts:
    started: datetime
    finished: datetime | None
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChannelFacts:
    channel: str
    waiting: int  # alerts not delivered yet
    oldest: datetime | None  # when the oldest of them was made
    last_error: str | None = None


@dataclass(frozen=True)
class OutletFacts:
    id: str
    name: str
    last_fetch: datetime | None = None  # its newest successful feed read
    last_checked: datetime | None = None  # its newest pass
    last_new: datetime | None = None  # the newest pass that stored an article of it
    error: str | None = None  # why its newest pass could not read it; None when it could


def outlet_trouble(outlet: OutletFacts, options: HealthConfig, now: datetime) -> tuple[datetime, str] | None:
    """``(since, "failing" | "quiet")`` when the outlet is unwell at ``now``; None when it is well or not
    read yet (a pass has never run for it)."""
    quiet = timedelta(hours=options.outlet_quiet_hours)
    if outlet.last_checked is None:
        return None
    if outlet.error:
        if outlet.last_fetch is None:
            return outlet.last_checked, "failing"
        if now - outlet.last_fetch > quiet:
            return outlet.last_fetch, "failing"
        return None
    if outlet.last_new is not None and now - outlet.last_new > quiet:
        return outlet.last_new, "quiet"
    return None


@dataclass(frozen=True)
class ArchiveFacts:
    path: str
    damage: tuple[str, ...] = ()  # what PRAGMA quick_check found; empty when sound
    writable: bool = True  # this user can write the file and its folder


@dataclass(frozen=True)
class Facts:
    now: datetime
    tz: ZoneInfo  # for the times in the summaries
    stations: tuple[StationFacts, ...] = ()
    pending_seconds: float = 0.0
    oldest_pending: datetime | None = None
    disks: tuple[DiskFacts, ...] = ()
    nightly: RunFacts | None = None
    channels: tuple[ChannelFacts, ...] = ()
    archive: ArchiveFacts | None = None  # None: not checked
    outlets: tuple[OutletFacts, ...] = ()


@dataclass(frozen=True)
class Problem:
    # one per thing that can be unwell: station:<id>, backlog, disk:<path>, nightly, alerts:<channel>, archive,
    # outlet:<id>
    key: str
    kind: str  # station, backlog, disk, nightly, alerts, archive, outlet
    subject: str  # the station id, the folder, the channel…
    since: str  # ISO UTC: when it began, as far as the facts tell (else when it was seen)
    summary: str  # one line in English, for the terminal
    details: dict = field(default_factory=dict)  # the figures, for the Spanish alert (JSON)


def station_outage(station: StationFacts, options: HealthConfig, now: datetime) -> tuple[datetime, str] | None:
    """``(since, reason)`` when the station is down at ``now``; None when it is well or not watched."""
    if not station.watched or not station.scheduled:
        return None
    if station.open_gap is not None and station.open_gap[1] != "off-schedule":
        since, reason = station.open_gap
        grace = timedelta(0)  # the recorder itself says it is down
    else:
        since = station.last_audio_end or station.last_gap_end or (station.open_gap and station.open_gap[0])
        reason = NO_AUDIO
        # The newest file registers when it closes: one segment of silence in the archive is normal.
        grace = timedelta(minutes=station.segment_minutes)
        if since is None:
            return None
    if station.scheduled_since is not None and since < station.scheduled_since:
        since = station.scheduled_since
        grace = timedelta(minutes=station.segment_minutes)  # the window's first file is still being written
    if now - since > grace + timedelta(minutes=options.station_down_minutes):
        return since, reason
    return None


def evaluate(facts: Facts, options: HealthConfig) -> list[Problem]:
    """Every problem the facts show, the archive's first, then the stations'; empty when all is well."""
    now, problems = facts.now, []
    archive = facts.archive
    if archive is not None and archive.damage:
        problems.append(Problem(
            "archive", "archive", archive.path, timeutil.to_iso(now),
            f"the archive {archive.path} is damaged (PRAGMA quick_check: {archive.damage[0]}); "
            "restore the newest backup (see the README)", {"damage": list(archive.damage)}))
    elif archive is not None and not archive.writable:
        problems.append(Problem(
            "archive", "archive", archive.path, timeutil.to_iso(now),
            f"the archive {archive.path} cannot be written by this user (a read-only file, folder or disk): "
            "nothing new can be stored", {"writable": False}))
    for station in facts.stations:
        outage = station_outage(station, options, now)
        if outage:
            since, reason = outage
            down = timeutil.minutes_in_words(int((now - since).total_seconds() // 60))
            problems.append(Problem(
                f"station:{station.id}", "station", station.id, timeutil.to_iso(since),
                f"{station.id} not recorded since {_local(since, facts.tz)} ({reason}, {down})",
                {"name": station.name, "reason": reason, "minutes": round((now - since).total_seconds() / 60)}))
    for outlet in facts.outlets:
        trouble = outlet_trouble(outlet, options, now)
        if trouble:
            since, reason = trouble
            if reason == "failing":
                last = f"last read {_local(outlet.last_fetch, facts.tz)}" if outlet.last_fetch else "never read"
                summary = f"newspaper {outlet.id} cannot be read ({last}): {outlet.error}"
            else:
                summary = (f"newspaper {outlet.id} has published nothing new since {_local(since, facts.tz)} "
                           f"(limit {options.outlet_quiet_hours:g} h)")
            problems.append(Problem(
                f"outlet:{outlet.id}", "outlet", outlet.id, timeutil.to_iso(since), summary,
                {"name": outlet.name, "reason": reason, "error": outlet.error,
                 "hours": round((now - since).total_seconds() / 3600, 1)}))
    hours = facts.pending_seconds / 3600
    if hours > options.backlog_hours:
        problems.append(Problem(
            "backlog", "backlog", "transcription", timeutil.to_iso(facts.oldest_pending or now),
            f"transcription backlog of {hours:.1f} h of audio (limit {options.backlog_hours:g} h)",
            {"hours": round(hours, 1), "limit_hours": options.backlog_hours}))
    for disk in facts.disks:
        if disk.used_percent > options.disk_max_used_percent:
            problems.append(Problem(
                f"disk:{disk.path}", "disk", disk.path, timeutil.to_iso(now),
                f"disk of {disk.path} {disk.used_percent:.0f}% full, {_size(disk.free_bytes)} free "
                f"(limit {options.disk_max_used_percent:g}%)",
                {"used_percent": round(disk.used_percent, 1), "free_bytes": disk.free_bytes,
                 "limit_percent": options.disk_max_used_percent}))
    run = facts.nightly
    if run is not None and run.finished is not None and run.errors:
        problems.append(Problem(
            "nightly", "nightly", "nightly", timeutil.to_iso(run.started),
            f"the nightly run of {_local(run.started, facts.tz)} ended with {len(run.errors)} error(s): "
            f"{run.errors[0]}", {"errors": len(run.errors), "first_error": run.errors[0]}))
    elif run is not None and run.finished is None and now - run.started > timedelta(hours=options.nightly_max_hours):
        problems.append(Problem(
            "nightly", "nightly", "nightly", timeutil.to_iso(run.started),
            f"the nightly run of {_local(run.started, facts.tz)} never finished", {"unfinished": True}))
    for channel in facts.channels:
        if channel.waiting and channel.oldest is not None \
                and now - channel.oldest > timedelta(minutes=options.alert_max_minutes):
            why = f": {channel.last_error}" if channel.last_error else ""
            problems.append(Problem(
                f"alerts:{channel.channel}", "alerts", channel.channel, timeutil.to_iso(channel.oldest),
                f"{channel.waiting} alert(s) not delivered to {channel.channel} since "
                f"{_local(channel.oldest, facts.tz)}{why}", {"waiting": channel.waiting, "error": channel.last_error}))
    return problems


def _local(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _size(count: int) -> str:
    return f"{count / 1e9:.1f} GB" if count >= 1e9 else f"{count / 1e6:.1f} MB"
