"""radiomon.yml parsed and checked into the dataclasses of :mod:`radiomon.config`.

Each key is checked for its type and range and each mistake is one
:class:`~radiomon.errors.ConfigError` naming the file, line and key with what
to write instead. Relative paths resolve against the config file's folder,
not the working directory, so cron jobs and the web server see the same
deployment.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import MISSING, fields, replace
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from radiomon.config import (
    ALERT_PRIORITIES,
    BACKLOG_ORDERS,
    CLUSTER_LOCAL,
    DEVICES,
    DIGEST_FORMATS,
    ENGINES,
    HIGH_MODES,
    PRESS_SCOPES,
    SINTESIS_FORMATS,
    TRANSCRIPT_FORMATS,
    AlertChannel,
    AlertsConfig,
    ClusterConfig,
    Config,
    DaemonConfig,
    HealthConfig,
    NightlyConfig,
    OfficeConfig,
    PressConfig,
    PressOutlet,
    RecordConfig,
    RetentionConfig,
    ScheduleWindow,
    SintesisConfig,
    SintesisRecipient,
    Station,
    TranscriptionConfig,
    WebConfig,
)
from radiomon.yamlfile import KeyPath, YamlDocument

_DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


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
    values["transcription"] = _transcription(doc, data.get("transcription"), base)
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
    values["press"] = _press(doc, data.get("press"))
    values["sintesis"] = _sintesis(doc, data.get("sintesis"), values["keywords"])
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
        if fmt not in DIGEST_FORMATS:
            raise doc.error(("nightly", "formats"), f"unknown format {fmt!r}; use {_choices(DIGEST_FORMATS)}")


def _check_transcription(doc: YamlDocument, options: TranscriptionConfig) -> None:
    if options.engine not in ENGINES:
        raise doc.error(("transcription", "engine"), f"unknown engine {options.engine!r}; use {_choices(ENGINES)}")
    if options.device not in DEVICES:
        raise doc.error(("transcription", "device"), f"unknown device {options.device!r}; use {_choices(DEVICES)}")
    for fmt in options.formats:
        if fmt not in TRANSCRIPT_FORMATS:
            raise doc.error(("transcription", "formats"), f"unknown format {fmt!r}; use {_choices(TRANSCRIPT_FORMATS)}")


def _transcription(doc: YamlDocument, raw: typing.Any, base: Path) -> TranscriptionConfig:
    if not isinstance(raw, dict):
        return _options(doc, ("transcription",), raw, TranscriptionConfig)
    raw = dict(raw)
    cluster_raw = raw.pop("cluster", None)
    options = _options(doc, ("transcription",), raw, TranscriptionConfig)
    return replace(options, cluster=_cluster(doc, cluster_raw, base))


def _cluster(doc: YamlDocument, raw: typing.Any, base: Path) -> ClusterConfig:
    where = ("transcription", "cluster")
    if raw is None:
        return ClusterConfig()
    if isinstance(raw, str):  # transcription.cluster: tls://host:8786
        raw, where_address = {"address": raw}, where
    else:
        where_address = where + ("address",)
    options = _options(doc, where, raw, ClusterConfig)
    problem = cluster_address_problem(options.address, insecure=options.insecure)
    if problem:
        raise doc.error(where_address, problem)
    for key in ("ca", "cert", "key"):
        value = getattr(options, key)
        if value:
            if not (base / value).is_file():
                raise doc.error(where + (key,), f"no file {base / value}; give the PEM file's path")
            options = replace(options, **{key: str(base / value)})
    if options.address.startswith("tls://") and not (options.ca and options.cert):
        raise doc.error(where, "a tls:// scheduler needs ca: and cert: (PEM files; key: too unless in cert)")
    if options.audio_root:
        options = replace(options, audio_root=str(base / options.audio_root))
    if options.audio_url and not re.match(r"^https?://[^/\s]+", options.audio_url):
        raise doc.error(where + ("audio_url",), f"{options.audio_url!r} is not a web address; use http://host:port")
    if options.max_kills < 1:
        raise doc.error(where + ("max_kills",), "must be 1 or more")
    for key in ("lease_minutes", "connect_seconds"):
        if getattr(options, key) <= 0:
            raise doc.error(where + (key,), "must be more than 0")
    return options


_LOOPBACK = re.compile(r"^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$")


def cluster_address_problem(address: str, *, insecure: bool) -> str | None:
    """What is wrong with a ``transcription.cluster`` address (the config's or ``--cluster``'s), or None."""
    if not address or address == CLUSTER_LOCAL:
        return None
    match = re.fullmatch(r"(tls|tcp)://(\[[0-9a-fA-F:]+\]|[^:/\s\[\]]+)(:\d{1,5})?", address)
    if match is None:
        return (f"{address!r} is not a scheduler address; use local, tls://host:8786 "
                "or tcp://127.0.0.1:8786")
    if match.group(1) == "tcp" and not insecure and not _LOOPBACK.match(match.group(2)):
        return (f"{address} is plain tcp:// to another machine (audio and transcripts unencrypted); "
                "use tls:// with ca/cert/key, or set transcription.cluster.insecure: true")
    return None


def _alerts(doc: YamlDocument, raw: typing.Any) -> AlertsConfig:
    if raw is not None and not isinstance(raw, dict):
        raise doc.error(("alerts",), "expected a mapping of settings (channels:, high:, …)")
    raw = dict(raw or {})
    channels_raw = raw.pop("channels", None)
    options = _options(doc, ("alerts",), raw, AlertsConfig)
    if options.high not in HIGH_MODES:
        raise doc.error(("alerts", "high"), f"unknown mode {options.high!r}; use {_choices(HIGH_MODES)}")
    _check_positive(doc, ("alerts",), options)
    if options.high == "batch" and options.max_age_minutes <= options.batch_minutes:
        raise doc.error(("alerts", "max_age_minutes"), "must be more than batch_minutes (a batch waits that long)")
    if options.retry_max_seconds < options.retry_initial_seconds:
        raise doc.error(("alerts", "retry_max_seconds"), "must be at least retry_initial_seconds")
    if options.base_url and not re.match(r"^https?://[^/\s]+", options.base_url):
        raise doc.error(("alerts", "base_url"), f"{options.base_url!r} is not a web address; use http://host:port")
    return replace(options, channels=_channels(doc, channels_raw))


def _channels(doc: YamlDocument, raw: typing.Any) -> tuple[AlertChannel, ...]:
    from radiomon.apprise_urls import channel_name, check_url  # imports Apprise: only when channels are set

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


def _press(doc: YamlDocument, raw: typing.Any) -> PressConfig:
    if raw is not None and not isinstance(raw, dict):
        raise doc.error(("press",), "expected a mapping of settings (poll_minutes:, outlets:, …)")
    raw = dict(raw or {})
    outlets_raw = raw.pop("outlets", None)
    options = _options(doc, ("press",), raw, PressConfig)
    if options.delay_seconds < 0:
        raise doc.error(("press", "delay_seconds"), "must be 0 (no delay) or a number of seconds")
    _check_positive(doc, ("press",), replace(options, delay_seconds=1.0))
    return replace(options, outlets=_outlets(doc, outlets_raw))


def _outlets(doc: YamlDocument, raw: typing.Any) -> tuple[PressOutlet, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise doc.error(("press", "outlets"), "expected a list of outlets (- id: …, name: …, feeds: [URL])")
    outlets: list[PressOutlet] = []
    for index, item in enumerate(raw):
        where: KeyPath = ("press", "outlets", index)
        if not isinstance(item, dict):
            raise doc.error(where, "expected a mapping with id, name, feeds and scope")
        _reject_unknown(doc, where, item, {f.name for f in fields(PressOutlet)})
        if "id" not in item:
            raise doc.error(where, "missing id; give the outlet a short slug like diario-sur")
        outlet = _options(doc, where, item, PressOutlet)
        if not _SLUG.match(outlet.id):
            raise doc.error(where + ("id",), f"{outlet.id!r} is not a slug; use lowercase letters, digits, - and _")
        if any(o.id == outlet.id for o in outlets):
            raise doc.error(where + ("id",), f"duplicate outlet id {outlet.id!r}; ids must be unique")
        if not outlet.feeds:
            raise doc.error(where, f"outlet {outlet.id!r} has no feeds; list its RSS, Atom or sitemap URLs "
                                   "(`radiomon press add URL` finds them)")
        for position, url in enumerate(outlet.feeds):
            if not re.match(r"^https?://[^/\s]+", url) or any(c.isspace() for c in url):
                raise doc.error(where + ("feeds", position),
                                f"{url!r} is not a web address; use an http:// or https:// URL of a feed or sitemap")
        if outlet.scope not in PRESS_SCOPES:
            raise doc.error(where + ("scope",), f"unknown scope {outlet.scope!r}; use {_choices(PRESS_SCOPES)}")
        outlets.append(replace(outlet, name=outlet.name or outlet.id))
    return tuple(outlets)


def _sintesis(doc: YamlDocument, raw: typing.Any, keywords_path: Path) -> SintesisConfig:
    if raw is not None and not isinstance(raw, dict):
        raise doc.error(("sintesis",), "expected a mapping of settings (send_at:, recipients:, …)")
    raw = dict(raw or {})
    recipients_raw = raw.pop("recipients", None)
    send_at_raw = raw.pop("send_at", None)
    options = _options(doc, ("sintesis",), raw, SintesisConfig)
    _check_positive(doc, ("sintesis",), options)
    if send_at_raw is not None:
        at = _clock(doc, ("sintesis", "send_at"), send_at_raw)
        if at == time.max:
            raise doc.error(("sintesis", "send_at"), "24:00 is not a time of the morning; use HH:MM like '07:30'")
        options = replace(options, send_at=at.strftime("%H:%M"))
    for fmt in options.formats:
        if fmt not in SINTESIS_FORMATS:
            raise doc.error(("sintesis", "formats"), f"unknown format {fmt!r}; use {_choices(SINTESIS_FORMATS)}")
    return replace(options, recipients=_recipients(doc, recipients_raw, keywords_path))


def _recipients(doc: YamlDocument, raw: typing.Any, keywords_path: Path) -> tuple[SintesisRecipient, ...]:
    from radiomon.apprise_urls import check_url  # imports Apprise: only when recipients are set
    from radiomon.keywords import current_keywords

    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise doc.error(("sintesis", "recipients"),
                        "expected a list like - {name: Presidencia, url: 'mailtos://…', groups: [dependencias]}")
    # Checked against keywords.yml when it can be read (a broken one is reported by the commands that use it):
    # a misspelt group would otherwise leave its reader without their síntesis, silently.
    keywords = current_keywords(keywords_path)
    groups = {g.id: g for g in keywords.groups} if keywords else None
    terms = {t.term.casefold() for g in keywords.groups for t in g.terms} if keywords else None
    recipients: list[SintesisRecipient] = []
    for index, item in enumerate(raw):
        where: KeyPath = ("sintesis", "recipients", index)
        if not isinstance(item, dict):
            raise doc.error(where, "expected {name: …, url: …, groups: […], terms: […]}")
        for key in ("name", "url"):
            if key not in item:
                raise doc.error(where, f"missing {key}; give each recipient a name and an Apprise url")
        recipient = _options(doc, where, item, SintesisRecipient)
        name = " ".join(recipient.name.split())
        if not name or ":" in name:
            raise doc.error(where + ("name",), f"{recipient.name!r} cannot be a recipient's name; "
                                               "give a name without ':' such as Presidencia")
        if any(r.name.casefold() == name.casefold() for r in recipients):
            raise doc.error(where + ("name",), f"two recipients are called {name!r}; give each a different name")
        problem = check_url(recipient.url)
        if problem:
            raise doc.error(where + ("url",), problem)
        for position, group in enumerate(recipient.groups):
            if groups is not None and group not in groups:
                raise doc.error(where + ("groups", position),
                                f"unknown group {group!r} (groups in {keywords_path.name}: "
                                f"{', '.join(groups) or 'none'})")
        for position, term in enumerate(recipient.terms):
            if terms is not None and term.casefold() not in terms:
                raise doc.error(where + ("terms", position),
                                f"unknown term {term!r}; use a term as {keywords_path.name} spells it")
        recipients.append(replace(recipient, name=name))
    return tuple(recipients)


def _choices(values: tuple[str, ...]) -> str:
    """``("a", "b", "c")`` → ``a, b or c``."""
    return f"{', '.join(values[:-1])} or {values[-1]}" if len(values) > 1 else values[0]


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
    for key in ("worker_max_recordings", "worker_max_memory_mb"):
        if getattr(options, key) < 0:
            raise doc.error(("daemon", key), f"{getattr(options, key)} is negative; use 0 (never) or more")


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


__all__ = ["cluster_address_problem", "parse_config", "parse_days"]
