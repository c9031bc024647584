"""radiomon.yml: load and validate settings and stations into typed objects.

Every option lives in a frozen dataclass below with its default and a comment
that is its documentation; ``radiomon init`` writes the commented example.
Relative paths resolve against the config file's folder, not the working
directory, so cron jobs and the web server see the same deployment.
"""

from __future__ import annotations

import os
import re
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from radiomon.errors import ConfigError
from radiomon.yamlfile import KeyPath, YamlDocument

DEFAULT_CONFIG_NAME = "radiomon.yml"
CONFIG_ENV = "RADIOMON_CONFIG"

_DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class ScheduleWindow:
    """Record on ``days`` from ``start`` to ``end`` (local time of the station).

    ``end`` at or before ``start`` means the window runs past midnight.
    """

    days: frozenset[int]  # mon-fri, sat,sun, daily or a list of those (0 = Monday … 6 = Sunday inside)
    start: time  # from: local time of day the window opens, 'HH:MM'
    end: time  # to: local time it closes, 'HH:MM' ('24:00' = midnight); at or before from: past midnight


@dataclass(frozen=True)
class Station:
    id: str  # short slug, used in paths: recordings/<id>/…
    name: str = ""  # display name; defaults to the id
    url: str | None = None  # Icecast/Shoutcast/HLS/.pls/.m3u URL
    input: str | None = None  # capture device instead of a URL, e.g. alsa:hw:1
    segment_minutes: float = 10.0  # clock-aligned file length; fractions allowed
    schedule: tuple[ScheduleWindow, ...] = ()  # empty = 24/7
    timezone: ZoneInfo | None = None  # defaults to the top-level timezone
    codec: str | None = None  # re-encode with this codec instead of stream copy
    bitrate: str | None = None  # e.g. 64k, with codec

    @property
    def source(self) -> str:
        return self.url or self.input or ""


@dataclass(frozen=True)
class TranscriptionConfig:
    engine: str = "faster-whisper"  # or openai-whisper
    model: str = "base"  # a name, a CTranslate2 folder or an openai .pt file
    device: str = "auto"  # cpu | cuda | auto
    language: str = "es"  # Whisper is told the language instead of guessing it per file
    compute_type: str = "auto"  # int8 on CPU, float16 on CUDA when auto
    beam_size: int = 5  # 1 (greedy) is ~15 % faster but recalls ~7 % fewer words (benchmarks/transcribe.py)
    batch_size: int = 4  # BatchedInferencePipeline batch; 0 = sequential decoding. 8: ~300 MB more, no faster on CPU
    workers: int = 0  # parallel recordings; 0 = chosen from the CPU count
    threads: int = 0  # threads per worker; 0 = chosen from the CPU count
    vad: bool = True  # skip music beds, jingles and dead air
    word_timestamps: bool = True  # each word's time: the web UI follows the audio word by word, clips start on a word
    hotwords: bool = True  # bias the vocabulary with keywords.yml
    rescore: bool = True  # ask Whisper whether near misses of keywords.yml terms were the term (rescore.py)
    formats: tuple[str, ...] = ()  # extra transcript files: srt, vtt, txt


@dataclass(frozen=True)
class RecordConfig:
    codec: str = "libmp3lame"  # used when a station's stream cannot be copied
    bitrate: str = "64k"  # with that codec
    stall_seconds: float = 60.0  # output not growing this long = stalled stream
    silence_minutes: float = 5.0  # digital silence this long = restart the station
    min_free_mb: int = 1024  # stop writing (and record a gap) below this
    backoff_initial: float = 2.0  # seconds before the first restart
    backoff_max: float = 300.0  # cap of the exponential backoff


BACKLOG_ORDERS = ("newest-first", "oldest-first")


@dataclass(frozen=True)
class DaemonConfig:
    """``radiomon run``: how the always-on daemon schedules transcription next to the recorder."""

    # Which waiting recordings are transcribed first. newest-first: what just
    # aired is matched (and alerted on) within a segment's length even while a
    # backlog left by a power cut is caught up behind it; oldest-first: the
    # archive fills in strictly in air order, and new audio waits for the backlog.
    backlog: str = "newest-first"
    pass_seconds: float = 2.0  # how often the daemon looks for closed segments and runs its after-pass work
    worker_nice: int = 10  # CPU niceness of the transcription workers (0-19): ffmpeg and the recorder keep priority


@dataclass(frozen=True)
class RetentionConfig:
    audio_days: int = 90  # audio older than this is pruned; text and mentions are kept; 0 keeps audio forever
    kept_clips_dir: str = ""  # clips of confirmed mentions, cut before their audio goes; "" = kept-clips/ by archive
    clip_before: float = 5.0  # seconds of audio kept before a confirmed mention
    clip_after: float = 20.0  # and after it


@dataclass(frozen=True)
class NightlyConfig:
    """What ``radiomon nightly`` does besides transcribing and matching."""

    reports_dir: str = ""  # where the day's síntesis is written; "" = reports/ beside the archive
    formats: tuple[str, ...] = ("docx", "html")  # the síntesis' formats: docx, html, md, json
    prune: bool = True  # apply retention (radiomon prune) every night


@dataclass(frozen=True)
class OfficeConfig:
    """Who the documents are from: the header of the síntesis and the weekly report."""

    municipality: str = "Moroleón, Guanajuato"  # first line of every document's header
    office: str = "Coordinación de Comunicación Social"  # the area that signs the documents
    coordinator: str = ""  # name under "Atentamente" in the weekly report; empty leaves a line to sign
    base_url: str = ""  # the web UI's address (https://radiomon.local); documents then link each mention


ALERT_PRIORITIES = ("crisis", "high", "health")


@dataclass(frozen=True)
class AlertChannel:
    """One place alerts go: an Apprise URL (mailtos://…, json://…, tgram://…, …)."""

    url: str  # https://github.com/caronc/apprise/wiki lists every service and its URL
    priorities: tuple[str, ...] = ALERT_PRIORITIES  # what it is sent: crisis, high (mentions), health (station down…)
    # What the archive and `radiomon alerts list` call it; default: the URL's scheme and a hash of the URL.
    # Alerts are tracked per name: renaming a channel (or editing an unnamed one's URL) makes it a new channel.
    name: str = ""


@dataclass(frozen=True)
class AlertsConfig:
    """Who is told, and how, when a crisis topic is on air or the system is unwell (radiomon/alerts/)."""

    channels: tuple[AlertChannel, ...] = ()  # none: events wait in the archive's outbox, nothing is sent
    high: str = "batch"  # high-priority mentions: immediate (one message each) or batch (one every batch_minutes)
    batch_minutes: float = 30.0  # the batch of high mentions is sent at :00, :30, … (office time)
    retry_initial_seconds: float = 30.0  # wait after a channel's first failure; doubles on each failure
    retry_max_seconds: float = 1800.0  # cap of that exponential backoff
    give_up_hours: float = 48.0  # an alert not delivered after this long is marked failed (`alerts list` shows it)
    # A mention aired longer ago than this when it could be sent is listed as expired, not sent (an archive
    # matched late, a channel added later); health alerts never expire. Raise it where only `radiomon nightly` runs.
    max_age_minutes: float = 120.0
    timeout_seconds: float = 30.0  # one message to one channel may take this long before it counts as failed
    base_url: str = ""  # the web UI's address for links to the recording; default: office.base_url


@dataclass(frozen=True)
class HealthConfig:
    """When `radiomon status` says unhealthy (non-zero exit) and the health alerts fire."""

    # A scheduled station whose recorder reports an outage this long, or whose
    # newest audio is this much older than one segment, is down.
    station_down_minutes: float = 15.0
    backlog_hours: float = 24.0  # more audio than this waiting to be transcribed (raise it for nightly-only setups)
    disk_max_used_percent: float = 90.0  # the disk of the archive or of recordings_dir fuller than this
    nightly_max_hours: float = 12.0  # a `radiomon nightly` run still unfinished after this long has died
    alert_max_minutes: float = 30.0  # an alert still not delivered to a channel after this long


@dataclass(frozen=True)
class WebConfig:
    """``radiomon serve``: how long a sign-in lasts, which Host names the no-login mode answers, cookies."""

    session_idle_hours: float = 12.0  # a session unused this long ends (sign in again)
    session_max_days: float = 31.0  # a session ends this long after sign-in, used or not
    # Host names (besides localhost, 127.0.0.1, ::1 and the listening address) the web UI answers when it
    # runs without login on this machine; any other Host is refused, so a web page cannot reach it by DNS rebinding.
    allowed_hosts: tuple[str, ...] = ()
    # Send the session cookie over HTTPS only. Default: on when office.base_url starts with https://
    # (TLS at a reverse proxy); set false to sign in over plain http anyway.
    secure_cookie: bool | None = None
    # The Mención page's cut clips (<archive>.clips/) stay within this; least recently used go first.
    clip_cache_mb: float = 200.0


@dataclass(frozen=True)
class Config:
    path: Path  # the config file; relative paths below are resolved against its folder
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Mexico_City"))  # IANA zone dates are shown in
    archive: Path = Path("radiomon.db")  # the SQLite archive (WAL; readable with sqlite3 and Datasette)
    recordings_dir: Path = Path("recordings")  # audio: recordings/<station>/<YYYY-MM-DD>/<HHMMSS>.<ext>
    transcripts_dir: Path = Path("transcripts")  # transcripts/<station>/<YYYY-MM-DD>/<HHMMSS>.json
    keywords: Path = Path("keywords.yml")  # what counts as a reference to the municipality
    transcription: TranscriptionConfig = TranscriptionConfig()
    record: RecordConfig = RecordConfig()
    daemon: DaemonConfig = DaemonConfig()
    retention: RetentionConfig = RetentionConfig()
    nightly: NightlyConfig = NightlyConfig()
    office: OfficeConfig = OfficeConfig()
    alerts: AlertsConfig = AlertsConfig()
    health: HealthConfig = HealthConfig()
    web: WebConfig = WebConfig()
    stations: tuple[Station, ...] = ()  # the stations to record (the one key without a default)

    @property
    def reports_dir(self) -> Path:
        """The nightly síntesis' folder, resolved (see :class:`NightlyConfig`)."""
        return self._beside_archive(self.nightly.reports_dir, "reports")

    @property
    def kept_clips_dir(self) -> Path:
        """The clips of confirmed mentions kept when their audio is pruned, resolved."""
        return self._beside_archive(self.retention.kept_clips_dir, "kept-clips")

    def _beside_archive(self, configured: str, default: str) -> Path:
        # The documents and kept clips belong with the archive (one data
        # folder to back up and to allow writing in), wherever the config lives.
        if not configured:
            return self.archive.parent / default
        return self.path.parent / configured

    def station(self, station_id: str) -> Station:
        for station in self.stations:
            if station.id == station_id:
                return station
        known = ", ".join(s.id for s in self.stations) or "none"
        raise ConfigError(
            f"unknown station {station_id!r} (configured in {self.path}: {known})"
        )

    def station_tz(self, station_id: str) -> ZoneInfo:
        return self.station(station_id).timezone or self.timezone


def find_config_path(explicit: str | os.PathLike | None) -> Path:
    """``--config``, else ``RADIOMON_CONFIG``, else ./radiomon.yml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return Path(DEFAULT_CONFIG_NAME)


def load_config(path: str | os.PathLike) -> Config:
    doc = YamlDocument.read(Path(path))
    return parse_config(doc, Path(path))


def parse_config(doc: YamlDocument, path: Path) -> Config:
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise doc.error((), "expected a mapping of settings (timezone:, stations:, …)")
    base = path.resolve().parent
    _reject_unknown(doc, (), data, {f.name for f in fields(Config)} - {"path"})

    tz = _timezone(doc, ("timezone",), data.get("timezone", "America/Mexico_City"))
    values: dict[str, typing.Any] = {"path": path.resolve(), "timezone": tz}
    for key in ("archive", "recordings_dir", "transcripts_dir", "keywords"):
        if key in data:
            values[key] = base / _typed(doc, (key,), data[key], str)
        else:
            values[key] = base / getattr(Config, key)
    values["transcription"] = _options(doc, ("transcription",), data.get("transcription"), TranscriptionConfig)
    values["record"] = _options(doc, ("record",), data.get("record"), RecordConfig)
    values["daemon"] = _options(doc, ("daemon",), data.get("daemon"), DaemonConfig)
    values["retention"] = _options(doc, ("retention",), data.get("retention"), RetentionConfig)
    values["nightly"] = _options(doc, ("nightly",), data.get("nightly"), NightlyConfig)
    values["office"] = _options(doc, ("office",), data.get("office"), OfficeConfig)
    values["alerts"] = _alerts(doc, data.get("alerts"))
    values["health"] = _options(doc, ("health",), data.get("health"), HealthConfig)
    _check_positive(doc, ("health",), values["health"])
    values["web"] = _options(doc, ("web",), data.get("web"), WebConfig)
    _check_positive(doc, ("web",), values["web"])
    values["stations"] = _stations(doc, data.get("stations"))
    _check_transcription(doc, values["transcription"])
    _check_retention(doc, values["retention"], values["nightly"])
    _check_daemon(doc, values["daemon"])
    return Config(**values)


def _check_retention(doc: YamlDocument, retention: RetentionConfig, nightly: NightlyConfig) -> None:
    if retention.audio_days < 0:
        raise doc.error(("retention", "audio_days"), "must be 0 (keep audio forever) or a number of days")
    for key in ("clip_before", "clip_after"):
        if getattr(retention, key) < 0:
            raise doc.error(("retention", key), "must be 0 or more seconds")
    for fmt in nightly.formats:
        if fmt not in ("docx", "html", "md", "json"):
            raise doc.error(("nightly", "formats"), f"unknown format {fmt!r}; use docx, html, md or json")


def _check_transcription(doc: YamlDocument, options: TranscriptionConfig) -> None:
    if options.engine not in ("faster-whisper", "openai-whisper"):
        raise doc.error(
            ("transcription", "engine"), f"unknown engine {options.engine!r}; use faster-whisper or openai-whisper"
        )
    if options.device not in ("cpu", "cuda", "auto"):
        raise doc.error(("transcription", "device"), f"unknown device {options.device!r}; use cpu, cuda or auto")
    for fmt in options.formats:
        if fmt not in ("srt", "vtt", "txt", "json"):
            raise doc.error(("transcription", "formats"), f"unknown format {fmt!r}; use srt, vtt, txt or json")


def _alerts(doc: YamlDocument, raw: typing.Any) -> AlertsConfig:
    if raw is not None and not isinstance(raw, dict):
        raise doc.error(("alerts",), "expected a mapping of settings (channels:, high:, …)")
    raw = dict(raw or {})
    channels_raw = raw.pop("channels", None)
    options = _options(doc, ("alerts",), raw, AlertsConfig)
    if options.high not in ("immediate", "batch"):
        raise doc.error(("alerts", "high"), f"unknown mode {options.high!r}; use immediate or batch")
    _check_positive(doc, ("alerts",), options)
    if options.high == "batch" and options.max_age_minutes <= options.batch_minutes:
        raise doc.error(("alerts", "max_age_minutes"), "must be more than batch_minutes (a batch waits that long)")
    if options.retry_max_seconds < options.retry_initial_seconds:
        raise doc.error(("alerts", "retry_max_seconds"), "must be at least retry_initial_seconds")
    if options.base_url and not re.match(r"^https?://[^/\s]+", options.base_url):
        raise doc.error(("alerts", "base_url"), f"{options.base_url!r} is not a web address; use http://host:port")
    return replace(options, channels=_channels(doc, channels_raw))


def _channels(doc: YamlDocument, raw: typing.Any) -> tuple[AlertChannel, ...]:
    from radiomon.alerts.channels import channel_name, check_url  # imports Apprise: only when channels are set

    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise doc.error(("alerts", "channels"), "expected a list like - {url: 'mailtos://…', priorities: [crisis]}")
    channels: list[AlertChannel] = []
    for index, item in enumerate(raw):
        where: KeyPath = ("alerts", "channels", index)
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            raise doc.error(where, "expected {url: …, priorities: [crisis, high, health]}")
        channel = _options(doc, where, item, AlertChannel)
        problem = check_url(channel.url)
        if problem:
            raise doc.error(where + ("url",), problem)
        for priority in channel.priorities:
            if priority not in ALERT_PRIORITIES:
                raise doc.error(where + ("priorities",),
                                f"unknown priority {priority!r}; use {', '.join(ALERT_PRIORITIES)}")
        if channel.name and not _SLUG.match(channel.name):
            raise doc.error(where + ("name",),
                            f"{channel.name!r} is not a slug; use lowercase letters, digits, - and _")
        channel = replace(channel, name=channel.name or channel_name(channel.url))
        if any(c.name == channel.name for c in channels):
            raise doc.error(where + ("name",) if "name" in item else where,
                            f"two channels are called {channel.name!r}; give each a different name")
        channels.append(channel)
    return tuple(channels)


def _check_positive(doc: YamlDocument, where: KeyPath, options: typing.Any) -> None:
    for f in fields(options):
        value = getattr(options, f.name)
        if isinstance(value, float) and value <= 0:
            raise doc.error(where + (f.name,), f"must be a positive number, got {value:g}")


def _check_daemon(doc: YamlDocument, options: DaemonConfig) -> None:
    if options.backlog not in BACKLOG_ORDERS:
        raise doc.error(("daemon", "backlog"), f"unknown order {options.backlog!r}; use newest-first or oldest-first")
    if options.pass_seconds <= 0:
        raise doc.error(("daemon", "pass_seconds"), "must be a positive number of seconds")
    if not 0 <= options.worker_nice <= 19:
        raise doc.error(("daemon", "worker_nice"), f"{options.worker_nice} is out of range; use 0 (none) to 19")


def _stations(doc: YamlDocument, raw: typing.Any) -> tuple[Station, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise doc.error(("stations",), "expected a list of stations (- id: …, url: …)")
    stations: list[Station] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where: KeyPath = ("stations", index)
        if not isinstance(item, dict):
            raise doc.error(where, "expected a mapping with id, name and url or input")
        schedule_raw = item.get("schedule")
        tz_raw = item.get("timezone")
        plain = {k: v for k, v in item.items() if k not in ("schedule", "timezone")}
        _reject_unknown(doc, where, item, {f.name for f in fields(Station)})
        if "id" not in item:
            raise doc.error(where, "missing id; give the station a short slug like radio-moroleon")
        station = _options(doc, where, plain, Station)
        if not _SLUG.match(station.id):
            raise doc.error(where + ("id",), f"{station.id!r} is not a slug; use lowercase letters, digits, - and _")
        if station.id in seen:
            raise doc.error(where + ("id",), f"duplicate station id {station.id!r}; ids must be unique")
        seen.add(station.id)
        if not station.url and not station.input:
            raise doc.error(where, f"station {station.id!r} has neither url nor input; give one of them")
        if station.url and station.input:
            raise doc.error(where, f"station {station.id!r} has both url and input; keep one")
        if station.segment_minutes <= 0:
            raise doc.error(where + ("segment_minutes",), "must be a positive number of minutes")
        stations.append(
            replace(
                station,
                name=station.name or station.id,
                timezone=_timezone(doc, where + ("timezone",), tz_raw) if tz_raw is not None else None,
                schedule=_schedule(doc, where + ("schedule",), schedule_raw),
            )
        )
    return tuple(stations)


def _schedule(doc: YamlDocument, where: KeyPath, raw: typing.Any) -> tuple[ScheduleWindow, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise doc.error(where, "expected a list like - {days: mon-fri, from: '06:00', to: '14:00'}")
    windows = []
    for index, item in enumerate(raw):
        at = where + (index,)
        if not isinstance(item, dict):
            raise doc.error(at, "expected {days: mon-fri, from: '06:00', to: '14:00'}")
        _reject_unknown(doc, at, item, {"days", "from", "to"})
        windows.append(
            ScheduleWindow(
                days=parse_days(doc, at + ("days",), item.get("days", "mon-sun")),
                start=_clock(doc, at + ("from",), item.get("from", "00:00")),
                end=_clock(doc, at + ("to",), item.get("to", "24:00")),
            )
        )
    return tuple(windows)


def parse_days(doc: YamlDocument, where: KeyPath, raw: typing.Any) -> frozenset[int]:
    """``mon-fri``, ``sat,sun``, ``daily`` or a list of those."""
    parts = raw if isinstance(raw, list) else str(raw).split(",")
    days: set[int] = set()
    for part in parts:
        text = str(part).strip().lower()[:7]
        if text in ("daily", "all", "*"):
            return frozenset(range(7))
        ends = [p.strip()[:3] for p in text.split("-")]
        if len(ends) > 2 or any(e not in _DAY_NAMES for e in ends):
            raise doc.error(where, f"{raw!r} is not a set of days; use e.g. mon-fri, sat,sun or daily")
        first, last = _DAY_NAMES.index(ends[0]), _DAY_NAMES.index(ends[-1])
        day = first
        while True:
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    return frozenset(days)


def _clock(doc: YamlDocument, where: KeyPath, raw: typing.Any) -> time:
    # YAML 1.1 reads an unquoted 06:00 as the sexagesimal integer 360.
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = f"{raw // 60:02d}:{raw % 60:02d}"
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", str(raw).strip())
    if not found or int(found.group(1)) > 24 or int(found.group(2)) > 59:
        raise doc.error(where, f"{raw!r} is not a time of day; use HH:MM like '06:00'")
    hour, minute = int(found.group(1)), int(found.group(2))
    return time.max if hour == 24 else time(hour, minute)


def _timezone(doc: YamlDocument, where: KeyPath, raw: typing.Any) -> ZoneInfo:
    try:
        return ZoneInfo(str(raw))
    except (ZoneInfoNotFoundError, ValueError):
        raise doc.error(where, f"unknown time zone {raw!r}; use an IANA name like America/Mexico_City") from None


def _reject_unknown(doc: YamlDocument, where: KeyPath, data: dict, known: set[str]) -> None:
    for key in data:
        if key not in known:
            raise doc.error(where + (str(key),), f"unknown key; expected one of: {', '.join(sorted(known))}")


_Options = typing.TypeVar("_Options")


def _options(doc: YamlDocument, where: KeyPath, raw: typing.Any, cls: type[_Options]) -> _Options:
    """Build an options dataclass from a mapping, checking keys and types."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise doc.error(where, f"expected a mapping of settings (key: value), got {raw!r}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    _reject_unknown(doc, where, raw, known)
    values = {}
    for f in fields(cls):
        if f.name not in raw:
            if f.default is MISSING and f.default_factory is MISSING:
                raise doc.error(where + (f.name,), "required key is missing")
            continue
        values[f.name] = _typed(doc, where + (f.name,), raw[f.name], hints[f.name])
    return cls(**values)


def _typed(doc: YamlDocument, where: KeyPath, value: typing.Any, expected: typing.Any) -> typing.Any:
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(expected)
        if value is None and type(None) in options:
            return None
        inner = [o for o in options if o is not type(None)]
        return _typed(doc, where, value, inner[0])
    if origin is tuple:
        item_type = typing.get_args(expected)[0]
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise doc.error(where, f"expected a list, got {value!r}")
        return tuple(_typed(doc, where + (i,), v, item_type) for i, v in enumerate(value))
    if expected is bool:
        if isinstance(value, bool):
            return value
        raise doc.error(where, f"expected true or false, got {value!r}")
    if expected is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise doc.error(where, f"expected a whole number, got {value!r}")
    if expected is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise doc.error(where, f"expected a number, got {value!r}")
    if expected is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise doc.error(where, f"expected text, got {value!r}")
    raise TypeError(f"unsupported option type {expected!r}")  # a programming error
