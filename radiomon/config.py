"""radiomon.yml: the settings and stations as typed objects, and where the file is found.

Every option lives in a frozen dataclass below with its default and a comment
that is its documentation (docs/reference.py turns those comments into
docs/configuration.md); ``radiomon init`` writes the commented example. The
parser that checks a file and builds these objects is
:mod:`radiomon.config_parse`; :func:`load_config` is its entry point.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from radiomon.errors import ConfigError
from radiomon.yamlfile import YamlDocument

DEFAULT_CONFIG_NAME = "radiomon.yml"
CONFIG_ENV = "RADIOMON_CONFIG"

# The values a setting may take, owned here (the bottom of the house) and
# imported by what implements them: the engines, the transcript files, the
# document writers.
ENGINES = ("faster-whisper", "openai-whisper")  # radiomon.pipeline.transcribe.engines
DEVICES = ("cpu", "cuda", "auto")
TRANSCRIPT_FORMATS = ("json", "srt", "vtt", "txt")  # radiomon.pipeline.transcribe.output
DIGEST_FORMATS = ("docx", "html", "md", "json")  # radiomon.reports.writers
HIGH_MODES = ("immediate", "batch")  # how high-priority mentions are sent (radiomon.alerts)
PRESS_SCOPES = ("local", "regional", "estatal", "nacional")  # an outlet's reach, a label for the documents


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


CLUSTER_LOCAL = "local"  # transcription.cluster: a LocalCluster on this machine


@dataclass(frozen=True)
class ClusterConfig:
    """``transcription.cluster``: transcription on a Dask cluster (radiomon/pipeline/transcribe/cluster.py).

    ``transcription.cluster: ADDRESS`` alone is short for ``{address: ADDRESS}``.
    """

    # "" = no cluster: transcribe on this machine (dask is never imported); local = a Dask LocalCluster sized for
    # this machine; or the scheduler's address, tls://host:8786 (tcp://… only on loopback or with insecure).
    address: str = ""
    ca: str = ""  # TLS: the CA certificate (PEM) that signed the scheduler's and the workers' certificates
    cert: str = ""  # TLS: this coordinator's certificate (PEM)
    key: str = ""  # TLS: its private key (PEM); "" = in the cert file
    require_encryption: bool = True  # with TLS, refuse any connection that is not encrypted
    insecure: bool = False  # allow a plain tcp:// scheduler on another machine (paths and transcripts unencrypted)
    # The folder of audio every worker can read (NFS, SMB); a worker that mounts it elsewhere maps it with
    # `radiomon worker --audio-root`. "" = recordings_dir. Recordings outside it go by audio_url.
    audio_root: str = ""
    # No shared storage: workers fetch each recording from the web UI at this address (GET /audio/<id>, with the
    # API token in the worker's $RADIOMON_TOKEN). "" = shared storage only.
    audio_url: str = ""
    max_kills: int = 3  # a recording whose task killed its worker this many times is marked failed (no poison loop)
    lease_minutes: float = 30.0  # a claim its coordinator stopped renewing (killed) goes back to pending after this
    connect_seconds: float = 30.0  # how long to wait for the scheduler and its first transcription worker

    @property
    def enabled(self) -> bool:
        return bool(self.address)


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
    cluster: ClusterConfig = ClusterConfig()  # spread transcription over a Dask cluster (`--cluster` overrides)


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
    # A transcription worker's memory grows over hours (CTranslate2's and the
    # allocator's caches: see benchmarks/NOTES.md, "worker memory"). A worker
    # is replaced by a fresh one after this many recordings (0: never) …
    worker_max_recordings: int = 200
    # … and the workers are drained and started again once one holds more than
    # this resident memory (MB; 0: never). No recording is lost or done twice:
    # a worker ends only between recordings.
    worker_max_memory_mb: int = 1500


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
    outlet_quiet_hours: float = 24.0  # a newspaper whose feeds fail, or that publishes nothing new, this long


@dataclass(frozen=True)
class PressOutlet:
    """One newspaper's website: where its new notes are listed (radiomon/pipeline/press/)."""

    id: str  # short slug: the `outlet` of its articles and mentions
    name: str = ""  # display name (Diario del Sur); defaults to the id
    feeds: tuple[str, ...] = ()  # RSS, Atom or (news) sitemap / sitemap index URLs; `radiomon press add` finds them
    scope: str = "regional"  # local | regional | estatal | nacional: a label for the documents


@dataclass(frozen=True)
class PressConfig:
    """``radiomon press fetch``, the daemon's poll and the nightly job: the newspapers' web notes."""

    poll_minutes: float = 30.0  # how often `radiomon run` polls every outlet (one polite pass)
    # Whom a newspaper's webmaster can write to about radiomon's requests (an e-mail or a web page); it goes
    # in the User-Agent. Default: office.base_url, else the office and municipality's names.
    contact: str = ""
    user_agent: str = ""  # the whole User-Agent instead; default: radiomon/<version> (…; +<contact>)
    delay_seconds: float = 1.0  # between two requests to one site (0: none); a longer robots.txt Crawl-delay wins
    deadline_seconds: float = 600.0  # one pass over every outlet ends by then; what is left waits for the next
    max_page_mb: float = 5.0  # an article page larger than this is refused (read as a stream); a feed: twice this
    max_age_days: float = 3.0  # feed and sitemap entries dated older than this are not fetched (sitemaps list years)
    outlets: tuple[PressOutlet, ...] = ()  # the newspapers; none: the press is not monitored

    def outlet(self, outlet_id: str) -> PressOutlet:
        for outlet in self.outlets:
            if outlet.id == outlet_id:
                return outlet
        known = ", ".join(o.id for o in self.outlets) or "none"
        raise ConfigError(f"unknown outlet {outlet_id!r} (configured under press.outlets: {known})")


SINTESIS_FORMATS = ("pdf", "docx")  # the síntesis' attachments (radiomon/sintesis/pdf.py, docx.py)


@dataclass(frozen=True)
class SintesisRecipient:
    """One reader of the approved síntesis: where it goes and which of its items concern them."""

    name: str  # how the archive and `radiomon digest send --again NAME` call them: Presidencia, Obras Públicas
    # An Apprise URL: mailtos://…?to=… gets an HTML e-mail with the attachments; a service that takes no
    # attachment (e.g. a chat webhook) gets the text and a link to the web UI.
    url: str
    groups: tuple[str, ...] = ()  # keywords.yml groups whose items they get; none here nor in terms: everything
    terms: tuple[str, ...] = ()  # keywords.yml terms whose items they get (besides those of groups)
    send_empty: bool = False  # send even when no item of the edition concerns them (else nothing is sent)


@dataclass(frozen=True)
class SintesisConfig:
    """How an approved síntesis edition is delivered (radiomon/sintesis/delivery.py)."""

    # Local time an approved edition of a day goes out the next morning (at once if approved later;
    # an intraday cut goes at once when approved).
    send_at: str = "07:30"
    late_minutes: float = 30.0  # nothing approved this long after send_at: a health alert tells the coordinator
    formats: tuple[str, ...] = SINTESIS_FORMATS  # attachments: pdf, docx
    recipients: tuple[SintesisRecipient, ...] = ()  # none: approved editions are kept, nothing is sent

    @property
    def send_time(self) -> time:
        hour, minute = self.send_at.split(":")
        return time(int(hour), int(minute))


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
    press: PressConfig = PressConfig()
    sintesis: SintesisConfig = SintesisConfig()
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
    """Read ``path`` and check every setting (:func:`radiomon.config_parse.parse_config`)."""
    # Imported here: the parser builds these dataclasses, so it imports this module.
    from radiomon.config_parse import parse_config

    doc = YamlDocument.read(Path(path))
    return parse_config(doc, Path(path))
