"""Build ffmpeg argument lists for recording a station (pure: no I/O).

One ffmpeg per station reads the input and writes clock-aligned segments
with the segment muxer. Everything the supervisor needs to know about what
ffmpeg does comes back on stderr at ``-loglevel verbose``:

* ``Opening '<file>' for writing`` / ``segment:'<file>' count:N ended`` — a
  segment opened / closed (only closed files are registered);
* ``Metadata update for StreamTitle: …`` — the ICY now-playing title;
* ``silence_start: …`` — silencedetect saw ``silence_minutes`` of digital silence.

The file names come from ``-strftime 1`` in the *process's* local time, so
the caller runs ffmpeg with ``TZ`` set to the station's zone (:func:`child_env`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# codec of the stream → (segment muxer format, file extension) for stream copy.
# Anything else is re-encoded with the configured codec.
COPY_FORMATS: dict[str, tuple[str, str]] = {
    "mp3": ("mp3", "mp3"),
    "aac": ("adts", "aac"),
    "opus": ("ogg", "opus"),
    "vorbis": ("ogg", "ogg"),
    "flac": ("flac", "flac"),
}

# encoder → (format, extension) when we re-encode.
ENCODE_FORMATS: dict[str, tuple[str, str]] = {
    "libmp3lame": ("mp3", "mp3"),
    "mp3": ("mp3", "mp3"),
    "aac": ("adts", "aac"),
    "libfdk_aac": ("adts", "aac"),
    "libopus": ("ogg", "opus"),
    "opus": ("ogg", "opus"),
    "libvorbis": ("ogg", "ogg"),
    "flac": ("flac", "flac"),
    "pcm_s16le": ("wav", "wav"),
}

DEVICE_FORMATS = ("alsa", "pulse", "jack", "oss")

# ffmpeg's segment muxer prints these; the supervisor parses them.
SEGMENT_NAME = "%H%M%S"


@dataclass(frozen=True)
class Input:
    """Where a station's audio comes from, resolved (playlists already followed)."""

    kind: str  # "http" (Icecast/Shoutcast), "hls", "device", "file"
    target: str  # URL, device name (hw:1) or path
    device_format: str | None = None  # alsa | pulse | … for kind == "device"


def parse_input(url: str | None, device: str | None) -> Input:
    """A station's ``url`` or ``input`` as an :class:`Input` (``.pls``/``.m3u`` are resolved elsewhere)."""
    if device:
        fmt, sep, name = device.partition(":")
        if not sep or fmt not in DEVICE_FORMATS or not name:
            raise ValueError(
                f"input {device!r} is not a capture device; use e.g. alsa:hw:1 or pulse:default "
                f"({', '.join(DEVICE_FORMATS)})"
            )
        return Input("device", name, fmt)
    if not url:
        raise ValueError("station has neither url nor input")
    lowered = url.lower().split("?", 1)[0]
    if lowered.startswith(("http://", "https://")):
        return Input("hls" if lowered.endswith(".m3u8") else "http", url)
    if "://" not in url or lowered.startswith("file://"):
        return Input("file", url[7:] if lowered.startswith("file://") else url)
    return Input("http", url)  # icecast://, rtmp:// … ffmpeg knows them


@dataclass(frozen=True)
class Output:
    """How segments are written."""

    folder: Path  # recordings/<station>; files go to <folder>/<YYYY-MM-DD>/<HHMMSS>.<ext>
    # (ffmpeg does not create the date folders: the supervisor makes today and tomorrow ahead)
    segment_seconds: float
    copy: bool  # stream copy (no decoding) or re-encode
    format: str  # segment format (mp3, adts, ogg, …)
    ext: str
    codec: str | None = None  # encoder when not copying
    bitrate: str | None = None
    silence_seconds: float = 0.0  # 0 = no silence detection (saves decoding in copy mode)
    silence_noise_db: float = -60.0

    @property
    def pattern(self) -> str:
        return str(self.folder / "%Y-%m-%d" / f"{SEGMENT_NAME}.{self.ext}")


def choose_output(
    folder: Path,
    segment_seconds: float,
    *,
    stream_codec: str | None,
    station_codec: str | None,
    station_bitrate: str | None,
    default_codec: str,
    default_bitrate: str,
    device: bool,
    silence_seconds: float = 0.0,
) -> Output:
    """Stream copy when the station does not ask for a codec and the stream's codec has a
    segment-friendly container; otherwise re-encode (mono) with the station's or default codec."""
    if station_codec is None and not device and stream_codec in COPY_FORMATS:
        fmt, ext = COPY_FORMATS[stream_codec]
        return Output(folder, segment_seconds, True, fmt, ext, silence_seconds=silence_seconds)
    codec = station_codec or default_codec
    if codec not in ENCODE_FORMATS:
        raise ValueError(f"codec {codec!r} is not supported for recording; use one of {', '.join(ENCODE_FORMATS)}")
    fmt, ext = ENCODE_FORMATS[codec]
    bitrate = None if codec in ("flac", "pcm_s16le") else (station_bitrate or default_bitrate)
    return Output(folder, segment_seconds, False, fmt, ext, codec, bitrate, silence_seconds=silence_seconds)


def input_args(source: Input, *, read_timeout: float, reconnect_delay_max: float = 5.0) -> list[str]:
    """The part of the command line before and including ``-i``."""
    if source.kind == "device":
        # thread_queue_size: a capture device must never block on a slow muxer.
        return ["-f", source.device_format or "alsa", "-thread_queue_size", "1024", "-i", source.target]
    if source.kind == "file":
        return ["-re", "-i", source.target]
    args = ["-rw_timeout", str(int(read_timeout * 1_000_000))]
    # ffmpeg's own reconnect covers failed connects and HLS segment fetches.
    # It is deliberately NOT enabled for a live Icecast body (reconnect_streamed 0):
    # reconnecting inside one ffmpeg splices the server's burst-on-connect
    # buffer (audio we already have) into the same file with continuous
    # timestamps, which duplicates up to ~8 s undetectably. Instead ffmpeg
    # exits on a read timeout and the supervisor restarts it into a new file,
    # where the overlap is measured and trimmed.
    args += [
        "-reconnect", "1",
        "-reconnect_on_network_error", "1",
        "-reconnect_streamed", "0",
        "-reconnect_delay_max", str(int(reconnect_delay_max)),
        "-user_agent", "radiomon",
    ]
    if source.kind == "hls":
        # start at the newest HLS segment, not three back: less audio replayed after a restart
        args += ["-live_start_index", "-1"]
    else:
        args += ["-icy", "1"]  # ask for ICY metadata: StreamTitle (now playing)
    return args + ["-i", source.target]


def record_args(source: Input, output: Output, *, read_timeout: float, ffmpeg: str = "ffmpeg") -> list[str]:
    """The whole ffmpeg command line for one station."""
    args = [ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-loglevel", "verbose"]
    args += input_args(source, read_timeout=read_timeout)
    args += ["-map", "0:a:0", "-vn"]
    if output.copy:
        args += ["-c:a", "copy"]
    else:
        args += ["-c:a", output.codec or "libmp3lame", "-ac", "1"]
        if output.bitrate:
            args += ["-b:a", output.bitrate]
    args += [
        "-f", "segment",
        "-segment_format", output.format,
        # flush every packet: the watchdog sees growth at once and a crash loses nothing
        "-segment_format_options", "flush_packets=1",
        "-segment_time", _seconds(output.segment_seconds),
        "-segment_atclocktime", "1",
        "-strftime", "1",
        "-reset_timestamps", "1",
        output.pattern,
    ]
    if output.silence_seconds > 0:
        # A second output decodes the audio just to watch for digital silence.
        args += [
            "-map", "0:a:0",
            "-af", f"silencedetect=noise={output.silence_noise_db:g}dB:d={_seconds(output.silence_seconds)}",
            "-f", "null", "-",
        ]
    return args


def probe_args(url: str, *, timeout: float, ffprobe: str = "ffprobe") -> list[str]:
    """ffprobe command that prints the stream's audio codec name (and fails fast on a dead URL)."""
    return [
        ffprobe, "-v", "error", "-rw_timeout", str(int(timeout * 1_000_000)),
        "-select_streams", "a:0", "-show_entries", "stream=codec_name",
        "-of", "default=noprint_wrappers=1:nokey=1", url,
    ]


def trim_args(src: Path, dst: Path, seconds: float, *, ffmpeg: str = "ffmpeg") -> list[str]:
    """Drop the first ``seconds`` of a closed segment without re-encoding (dedupe after a reconnect)."""
    return [ffmpeg, "-nostdin", "-v", "error", "-y", "-ss", f"{seconds:.3f}", "-i", str(src),
            "-map", "0:a:0", "-c", "copy", str(dst)]


def child_env(tz_name: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for ffmpeg: strftime names and clock cuts follow the station's zone."""
    env = dict(os.environ if base is None else base)
    env["TZ"] = tz_name
    return env


def _seconds(value: float) -> str:
    return f"{value:g}"
