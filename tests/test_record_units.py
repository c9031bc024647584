"""The recorder's pure parts: ffmpeg command lines, clock arithmetic, schedules, playlists, ffmpeg's log."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from radiomon import schedule
from radiomon.config import ScheduleWindow, Station
from radiomon.pipeline.record import ffmpeg_args, ffmpeg_log, playlist
from radiomon.pipeline.record.clock import station_state

MX = ZoneInfo("America/Mexico_City")
UTC = timezone.utc


def _output(**kw):
    defaults = dict(stream_codec="mp3", station_codec=None, station_bitrate=None,
                    default_codec="libmp3lame", default_bitrate="64k", device=False)
    defaults.update(kw)
    return ffmpeg_args.choose_output(Path("/rec/uno"), 600, **defaults)


def test_icecast_mp3_is_stream_copied_into_clock_aligned_segments():
    source = ffmpeg_args.parse_input("http://radio.example:8000/live.mp3", None)
    args = ffmpeg_args.record_args(source, _output(), read_timeout=60)
    assert source.kind == "http"
    assert args[:6] == ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "verbose"]
    joined = " ".join(args)
    assert "-rw_timeout 60000000" in joined
    assert "-reconnect 1 -reconnect_on_network_error 1 -reconnect_streamed 0" in joined
    assert "-icy 1 -i http://radio.example:8000/live.mp3" in joined
    assert "-c:a copy" in joined and "-b:a" not in joined
    assert ("-f segment -segment_format mp3 -segment_format_options flush_packets=1 -segment_time 600 "
            "-segment_atclocktime 1 -strftime 1 -reset_timestamps 1 /rec/uno/%Y-%m-%d/%H%M%S.mp3") in joined
    assert "silencedetect" not in joined


def test_station_codec_forces_mono_reencode_with_bitrate():
    out = _output(station_codec="libopus", station_bitrate="32k")
    args = ffmpeg_args.record_args(ffmpeg_args.parse_input("https://x/stream", None), out, read_timeout=30)
    joined = " ".join(args)
    assert "-c:a libopus -ac 1 -b:a 32k" in joined
    assert joined.endswith("/rec/uno/%Y-%m-%d/%H%M%S.opus")


def test_uncopyable_stream_codec_is_reencoded_with_the_default():
    out = _output(stream_codec="wmav2")
    assert (out.copy, out.codec, out.bitrate, out.ext) == (False, "libmp3lame", "64k", "mp3")


def test_aac_copy_goes_to_adts():
    out = _output(stream_codec="aac")
    assert (out.copy, out.format, out.ext) == (True, "adts", "aac")


def test_unknown_codec_is_a_clear_error():
    with pytest.raises(ValueError, match="codec 'mp5' is not supported"):
        _output(station_codec="mp5")


def test_hls_input_starts_at_the_live_edge_without_icy():
    source = ffmpeg_args.parse_input("http://cdn.example/radio/playlist.m3u8?token=1", None)
    args = ffmpeg_args.record_args(source, _output(stream_codec="aac"), read_timeout=20)
    joined = " ".join(args)
    assert source.kind == "hls"
    assert "-live_start_index -1 -i http://cdn.example/radio/playlist.m3u8?token=1" in joined
    assert "-icy" not in joined


@pytest.mark.parametrize(
    "device, fmt, name",
    [("alsa:hw:1", "alsa", "hw:1"), ("pulse:alsa_input.usb-FM.analog-mono", "pulse", "alsa_input.usb-FM.analog-mono")],
)
def test_capture_device_is_encoded_mono(device, fmt, name):
    source = ffmpeg_args.parse_input(None, device)
    out = _output(stream_codec=None, device=True)
    args = ffmpeg_args.record_args(source, out, read_timeout=60)
    i = args.index("-i")
    assert args[i - 4:i + 2] == ["-f", fmt, "-thread_queue_size", "1024", "-i", name]
    assert "-rw_timeout" not in args and "-icy" not in args
    assert " ".join(args[i + 2:]).startswith("-map 0:a:0 -vn -c:a libmp3lame -ac 1 -b:a 64k")


def test_bad_device_names_the_accepted_forms():
    with pytest.raises(ValueError, match="alsa:hw:1"):
        ffmpeg_args.parse_input(None, "soundcard")


def test_silence_detection_adds_a_decoding_null_output():
    out = _output(silence_seconds=300)
    args = ffmpeg_args.record_args(ffmpeg_args.parse_input("http://x/a.mp3", None), out, read_timeout=60)
    assert args[-7:] == ["-map", "0:a:0", "-af", "silencedetect=noise=-60dB:d=300", "-f", "null", "-"]


def test_child_runs_in_the_station_time_zone():
    env = ffmpeg_args.child_env("America/Mexico_City", {"PATH": "/usr/bin", "TZ": "UTC"})
    assert env == {"PATH": "/usr/bin", "TZ": "America/Mexico_City"}


def test_trim_drops_the_head_without_reencoding():
    assert ffmpeg_args.trim_args(Path("a.mp3"), Path("b.mp3"), 4.25) == [
        "ffmpeg",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-ss",
        "4.250",
        "-i",
        "a.mp3",
        "-map",
        "0:a:0",
        "-c",
        "copy",
        "b.mp3",
    ]


# ------------------------------------------------------------------ clock

def test_boundaries_are_aligned_to_the_local_clock():
    now = datetime(2026, 11, 26, 14, 3, 27, tzinfo=MX)
    assert schedule.next_boundary(now, 600, MX) == datetime(2026, 11, 26, 14, 10, tzinfo=MX)
    assert schedule.next_boundary(now, 6, MX) == datetime(2026, 11, 26, 14, 3, 30, tzinfo=MX)
    late = datetime(2026, 11, 26, 23, 55, tzinfo=MX)
    assert schedule.next_boundary(late, 7 * 60, MX) == datetime(2026, 11, 27, 0, 0, tzinfo=MX)


def test_boundary_error_is_signed_distance_to_nearest_cut():
    at = datetime(2026, 11, 26, 14, 10, 0, 400000, tzinfo=MX)
    assert schedule.boundary_error(at, 600, MX) == pytest.approx(0.4)
    assert schedule.boundary_error(at - timedelta(seconds=1), 600, MX) == pytest.approx(-0.6)


WEEKDAYS_MORNING = ScheduleWindow(frozenset(range(5)), time(6), time(14))
NIGHT_SHOW = ScheduleWindow(frozenset({4}), time(22), time(2))  # Friday 22:00 → Saturday 02:00


def _station(*windows):
    return Station(id="uno", url="http://x/a.mp3", schedule=tuple(windows), timezone=MX)


def test_station_state_on_and_off_schedule():
    station = _station(WEEKDAYS_MORNING)
    thursday_9 = datetime(2026, 11, 26, 9, 0, tzinfo=MX)
    assert station_state(station, thursday_9) == (
        True, "on schedule until Thu 2026-11-26 14:00 CST (mon,tue,wed,thu,fri 06:00-14:00)")
    recording, reason = station_state(station, datetime(2026, 11, 28, 9, 0, tzinfo=MX))  # Saturday
    assert not recording
    assert reason == "off-schedule until Mon 2026-11-30 06:00 CST (mon,tue,wed,thu,fri 06:00-14:00)"


def test_station_without_schedule_records_24_7():
    assert station_state(Station(id="uno", url="http://x"), datetime.now(UTC), MX) == (True, "24/7")


def test_window_past_midnight_belongs_to_the_day_it_starts():
    station = _station(NIGHT_SHOW)
    assert schedule.is_scheduled(station, datetime(2026, 11, 28, 1, 30, tzinfo=MX), MX)  # Sat 01:30
    assert not schedule.is_scheduled(station, datetime(2026, 11, 29, 1, 30, tzinfo=MX), MX)  # Sun 01:30
    assert schedule.next_change(station, datetime(2026, 11, 27, 23, 0, tzinfo=MX), MX) == datetime(
        2026, 11, 28, 2, 0, tzinfo=MX)


def test_schedule_until_midnight():
    station = _station(ScheduleWindow(frozenset(range(7)), time(20), time.max))
    assert schedule.is_scheduled(station, datetime(2026, 11, 26, 23, 59, 59, tzinfo=MX), MX)
    assert schedule.next_change(station, datetime(2026, 11, 26, 21, 0, tzinfo=MX), MX) == datetime(
        2026, 11, 27, 0, 0, tzinfo=MX)


# --------------------------------------------------------------- playlists

def test_pls_playlist():
    text = "[playlist]\nNumberOfEntries=2\nFile2=http://b/2\nFile1=http://a:8000/live\nTitle1=Radio\nLength1=-1\nVersion=2\n"
    assert playlist.parse_playlist(text) == ["http://a:8000/live", "http://b/2"]


def test_m3u_playlist_with_comments_and_relative_entries():
    text = "#EXTM3U\n#EXTINF:-1,Radio Uno\nlive.mp3\n\nhttp://backup/live.mp3\n"
    assert playlist.parse_playlist(text, "http://radio.example/listen/uno.m3u") == [
        "http://radio.example/listen/live.mp3", "http://backup/live.mp3"]


def test_only_pls_and_m3u_are_resolved_not_hls():
    assert playlist.is_playlist_url("http://x/listen.pls?x=1")
    assert playlist.is_playlist_url("http://x/live.mp3.m3u")
    assert not playlist.is_playlist_url("http://x/live.m3u8")
    assert playlist.resolve("http://x/live.mp3") == "http://x/live.mp3"


# ---------------------------------------------------------------- ffmpeg log

def test_ffmpeg_lines_become_events():
    parse = ffmpeg_log.parse_line
    assert parse("[segment @ 0x55] Opening '/r/uno/2026-11-26/121145.mp3' for writing", segment_ext="mp3") == \
        ffmpeg_log.Event("opened", "/r/uno/2026-11-26/121145.mp3")
    assert parse("[segment @ 0x55] Opening '/r/list.csv' for writing", segment_ext="mp3") is None
    assert parse("[segment @ 0x55] segment:'/r/a.mp3' count:1 ended") == ffmpeg_log.Event("ended", "/r/a.mp3")
    assert parse("[http @ 0x5] Metadata update for StreamTitle: Los Bukis - Tu cárcel") == \
        ffmpeg_log.Event("title", "Los Bukis - Tu cárcel")
    assert parse("[silencedetect @ 0x6] silence_start: 12.5") == ffmpeg_log.Event("silence", "12.5")
    assert parse("[AVIOContext @ 0x5] Statistics: 1 bytes written") is None


def test_exit_reason_from_the_last_error():
    assert ffmpeg_log.classify_exit("[http @ 0x1] Connection timed out") == "stall"
    assert ffmpeg_log.classify_exit("http://x: Connection refused") == "network"


# --------------------------------------------------------------------- CLI

def test_record_help_documents_the_options(run):
    result = run("record", "--help")
    assert result.exit_code == 0
    assert "--station ID" in result.output and "--duration TIME" in result.output
    assert "SIGTERM" in result.output


def test_record_unknown_station_is_one_line(run, config_path, archive):
    result = run("record", "--station", "nada")
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: unknown station 'nada' (configured in {config_path.resolve()}: radio-uno, fm-oficina)\n"
    )


def test_record_bad_duration(run):
    result = run("record", "--duration", "diez")
    assert result.exit_code == 2
    assert "Invalid value for '--duration': 'diez' is not a duration; use e.g. 90s, 10m or 1h" in result.output


def test_record_without_ffmpeg_stops_at_once(run, archive):
    result = run("record", "--duration", "1", env={"PATH": "/nonexistent"})
    assert result.exit_code == 1
    assert result.output.endswith(
        "Error: ffmpeg not found on PATH; install FFmpeg (Debian: apt-get install ffmpeg) and try again\n")


def test_station_with_bad_device_is_an_error_gap_and_does_not_stop_the_run(run, deployment, caplog):
    (deployment / "radiomon.yml").write_text(
        "timezone: America/Mexico_City\nrecord: {backoff_initial: 0.5}\nstations:\n"
        "  - id: fm\n    input: radio-fm\n")
    assert run("init", str(deployment)).exit_code == 0  # keeps the files, makes the archive
    result = run("record", "--duration", "2")
    assert result.exit_code == 0, result.output
    assert result.output == "recorded 0 segment(s) from 1 station(s)\n"
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == ["fm: input 'radio-fm' is not a capture device; use e.g. alsa:hw:1 or pulse:default "
                      "(alsa, pulse, jack, oss)"]  # once, though retried
    from radiomon.archive import Archive
    from radiomon.filters import Filters
    with Archive(deployment / "radiomon.db") as archive:
        assert [g["reason"] for g in archive.gaps(Filters(stations=("fm",)))] == ["error"]


def test_a_station_already_being_recorded_is_refused_in_one_line(config, cli, archive) -> None:
    from radiomon.pipeline.record.supervisor import lock_path, station_lock

    lock = lock_path(config, "radio-uno")
    with station_lock(lock, "radio-uno"):
        result = cli("--config", config.path, "record", "--station", "radio-uno", "--duration", "5s")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == (
        f"Error: station 'radio-uno' is already being recorded (pid {os.getpid()}, "
        f"lock {config.archive.parent / 'radiomon.db.record-radio-uno.lock'}); stop that recorder first\n"
    )
    assert lock.parent == config.archive.parent and not config.recordings_dir.exists()
