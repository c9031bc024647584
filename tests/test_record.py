"""``radiomon record`` against a real Icecast server, real ffmpeg and a real HLS stream.

Segments are 6 s long (``segment_minutes: 0.1``) so each scenario runs in
seconds: normal segmenting, the server dying and coming back, the source
freezing while the server stays up (stall), digital silence, SIGTERM, HLS,
an unreachable URL next to a healthy station, the disk guard and schedules.
"""

from __future__ import annotations

import functools
import http.server
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
from icecast import LiveSource, free_port, icecast_server, live_source, source_mp3  # noqa: F401

from radiomon import media, schedule
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.filters import Filters
from radiomon.pipeline.record import clock, record
from radiomon.pipeline.record.segment_clock import file_name
from radiomon.timeutil import parse_iso

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

SEGMENT = 6.0


def write_config(folder: Path, stations: str, record_opts: str = "") -> Path:
    path = folder / "radiomon.yml"
    path.write_text(
        "timezone: America/Mexico_City\n"
        "record: {stall_seconds: 3, backoff_initial: 0.5, backoff_max: 2, silence_minutes: 0"
        + (", " + record_opts if record_opts else "") + "}\n"
        "stations:\n" + stations
    )
    Archive(folder / "radiomon.db").close()  # as `radiomon init` leaves it: only init makes an archive
    return path


def station(id: str, url: str, extra: str = "") -> str:
    return f"  - id: {id}\n    url: {url}\n    segment_minutes: 0.1\n{extra}"


class Recorder:
    """``record()`` in a thread, as the CLI runs it, stoppable from the test."""

    def __init__(self, config_path: Path, *ids: str):
        self.config = load_config(config_path)
        self.stop = threading.Event()
        self.statuses = None
        self.thread = threading.Thread(target=self._run, args=(ids,), daemon=True)

    def _run(self, ids):
        self.statuses = record(self.config, ids, stop=self.stop)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "recorder did not stop"

    def archive(self) -> Archive:
        return Archive(self.config.archive)


def recordings(config, station_id):
    with Archive(config.archive) as archive:
        return archive.recordings(Filters(stations=(station_id,)))


def gaps(config, station_id, reason=None):
    with Archive(config.archive) as archive:
        return [g for g in archive.gaps(Filters(stations=(station_id,))) if reason is None or g["reason"] == reason]


def wait_for(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def assert_all_files_registered(config, station_id, kept: frozenset[str] = frozenset()):
    """Every file is registered, under the name of the start it is registered with (``kept``: the
    names the registrar said it kept because both seconds around the start were other files')."""
    rows = recordings(config, station_id)
    on_disk = {str(p) for p in (config.recordings_dir / station_id).rglob("*.*")}
    assert on_disk == {r.path for r in rows}
    folder = config.recordings_dir / station_id
    for r in rows:  # the nearest second, or where another file has it, the other second within one of the start
        if Path(r.path).name in kept:
            continue
        suffix = Path(r.path).suffix
        assert r.path in {str(folder / file_name(r.start, config.timezone, suffix)),
                          str(folder / file_name(r.start, config.timezone, suffix, nearest=False)),
                          str(folder / file_name(r.start + timedelta(seconds=1), config.timezone, suffix,
                                                 nearest=False))}


def test_segments_are_clock_aligned_registered_and_titled(tmp_path, icecast_server, live_source):
    config_path = write_config(tmp_path, station("uno", icecast_server.url("/live.mp3")))
    with Recorder(config_path, "uno") as rec:
        time.sleep(4)
        icecast_server.set_title("/live.mp3", "Los Bukis - Tu cárcel")
        time.sleep(13)
    config = rec.config
    rows = recordings(config, "uno")
    assert len(rows) >= 3
    tz = config.timezone
    for row in rows:
        path = Path(row.path)
        assert path.parent.parent == config.recordings_dir / "uno"
        assert path.parent.name == row.start.astimezone(tz).strftime("%Y-%m-%d")
        assert path.suffix == ".mp3" and len(path.stem) == 6
        assert row.status == "pending" and row.duration > 0
    # every segment after the first starts at a clock boundary, measured within 1 s
    for row in rows[1:]:
        assert abs(schedule.boundary_error(row.start, SEGMENT, tz)) < 1.0, row
    for row in rows[1:-1]:
        assert row.duration == pytest.approx(SEGMENT, abs=0.5)
    # contiguous: one ffmpeg, nothing lost or doubled between files
    for before, after in zip(rows, rows[1:]):
        assert abs((after.start - before.start).total_seconds() - before.duration) < 0.05
    assert_all_files_registered(config, "uno")
    with Archive(config.archive) as archive:
        titles = [t["title"] for t in archive.now_playing(Filters(stations=("uno",)))]
    assert titles == ["Los Bukis - Tu cárcel"]
    assert [g["reason"] for g in gaps(config, "uno")] == ["stopped"]

    # recording again closes the "stopped" gap where the new audio begins
    with Recorder(config_path, "uno"):
        assert wait_for(lambda: len(recordings(config, "uno")) > len(rows), 10)
    stopped = gaps(config, "uno", "stopped")
    assert stopped[0]["end_utc"] is not None and stopped[-1]["end_utc"] is None
    again = recordings(config, "uno")[len(rows)]
    assert again.start_utc >= stopped[0]["end_utc"] >= rows[-1].end_utc


def test_server_killed_and_restarted_leaves_a_gap_and_recording_resumes(tmp_path, icecast_server, source_mp3):
    source = LiveSource(icecast_server, "/live.mp3", source_mp3).start()
    config_path = write_config(tmp_path, station("uno", icecast_server.url("/live.mp3")))
    try:
        with Recorder(config_path, "uno") as rec:
            assert wait_for(lambda: len(recordings(rec.config, "uno")) >= 1, 12)
            source.stop()
            icecast_server.stop()
            down_at = time.time()
            time.sleep(3)
            icecast_server.start()
            source.start()
            up_at = time.time()
            assert wait_for(lambda: any(r.start.timestamp() > down_at for r in recordings(rec.config, "uno")), 20)
    finally:
        source.stop()
    config = rec.config
    outage = gaps(config, "uno", "network")
    assert len(outage) == 1, gaps(config, "uno")
    gap = outage[0]
    assert gap["end_utc"] is not None
    start, end = parse_iso(gap["start_utc"]).timestamp(), parse_iso(gap["end_utc"]).timestamp()
    assert down_at - 3 < start < down_at + 1
    assert up_at - 3 < end < up_at + 8
    after = [r for r in recordings(config, "uno") if r.start.timestamp() >= end - 0.01]
    assert after, "recording did not resume"
    assert rec.statuses[0].restarts >= 1
    assert_all_files_registered(config, "uno")


def test_source_frozen_while_server_stays_up_is_a_stall_and_recovers(tmp_path, icecast_server, live_source,
                                                                    caplog):
    config_path = write_config(tmp_path, station("uno", icecast_server.url("/live.mp3")))
    with Recorder(config_path, "uno") as rec:
        assert wait_for(lambda: len(recordings(rec.config, "uno")) >= 1, 12)
        live_source.pause()  # connection open, no audio: icecast keeps the mount (source-timeout 10 s)
        time.sleep(6)
        live_source.resume()
        resumed = time.time()
        assert wait_for(lambda: any(r.start.timestamp() > resumed - 8 and r.start.timestamp() > g_end(rec.config)
                                    for r in recordings(rec.config, "uno")), 20)
    stalls = gaps(rec.config, "uno", "stall")
    assert len(stalls) == 1 and stalls[0]["end_utc"] is not None
    assert rec.statuses[0].restarts >= 1
    # the file ffmpeg opened during the stall is named by when its kept audio starts; the server may hand
    # over the frozen stretch late, so that start can fall on the seconds of the files before it, and
    # then (only then) the file keeps ffmpeg's name and the log says so
    kept = frozenset(m.group(1) for r in caplog.records
                     if (m := re.search(r": (\S+) starts at .* exists; name kept", r.getMessage())))
    assert len(kept) <= 1
    assert_all_files_registered(rec.config, "uno", kept)


def g_end(config) -> float:
    """End of the last closed stall gap (inf while none)."""
    ends = [parse_iso(g["end_utc"]).timestamp() for g in gaps(config, "uno", "stall") if g["end_utc"]]
    return max(ends) if ends else float("inf")


def test_digital_silence_restarts_the_station_and_is_a_gap(tmp_path, icecast_server):
    silent = tmp_path / "silence.mp3"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono",
                    "-t", "30", "-c:a", "libmp3lame", "-b:a", "32k", str(silent)], check=True)
    source = LiveSource(icecast_server, "/silent.mp3", silent).start()
    config_path = write_config(tmp_path, station("muda", icecast_server.url("/silent.mp3")),
                               "silence_minutes: 0.05")
    try:
        with Recorder(config_path, "muda") as rec:
            assert wait_for(lambda: gaps(rec.config, "muda", "silence"), 15)
    finally:
        source.stop()
    assert rec.statuses[0].restarts >= 1


def test_sigterm_finishes_the_open_segment_and_leaves_no_ffmpeg(tmp_path, icecast_server, live_source):
    config_path = write_config(tmp_path, station("uno", icecast_server.url("/live.mp3")))
    config = load_config(config_path)
    proc = subprocess.Popen([sys.executable, "-m", "radiomon", "--config", str(config_path), "record"],
                            stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: config.archive.exists() and len(recordings(config, "uno")) >= 1, 15)
        time.sleep(1.5)  # well inside the next segment
        children = psutil.Process(proc.pid).children(recursive=True)
        assert any("ffmpeg" in c.name() for c in children)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "SIGTERM received; finishing the open segments" in stderr
    assert re.search(r"^recorded [23] segment\(s\) from 1 station\(s\)$", stderr, re.M)
    for child in children:
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    rows = recordings(config, "uno")
    assert len(rows) >= 2
    assert rows[-1].duration > 1.0  # the segment open at SIGTERM is registered
    assert_all_files_registered(config, "uno")
    stopped = gaps(config, "uno", "stopped")
    assert len(stopped) == 1 and stopped[0]["end_utc"] is None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def hls_stream(tmp_path, source_mp3):
    """ffmpeg's HLS muxer writing a live playlist, served by a local HTTP server."""
    folder = tmp_path / "hls"
    folder.mkdir()
    muxer = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-re", "-stream_loop", "-1", "-i", str(source_mp3),
         "-c:a", "aac", "-b:a", "48k", "-f", "hls", "-hls_time", "1", "-hls_list_size", "6",
         "-hls_flags", "delete_segments", str(folder / "live.m3u8")],
        stdin=subprocess.DEVNULL,
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()),
                                             functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    assert wait_for(lambda: (folder / "live.m3u8").exists(), 10)
    time.sleep(1.5)
    yield f"http://127.0.0.1:{server.server_address[1]}/live.m3u8"
    server.shutdown()
    muxer.kill()
    muxer.wait()


def test_hls_stream(tmp_path, hls_stream):
    config_path = write_config(tmp_path, station("hls", hls_stream))
    with Recorder(config_path, "hls") as rec:
        assert wait_for(lambda: len(recordings(rec.config, "hls")) >= 2, 20)
    rows = recordings(rec.config, "hls")
    assert all(Path(r.path).suffix == ".aac" for r in rows)  # AAC copied, not re-encoded
    assert rows[1].duration == pytest.approx(SEGMENT, abs=1.5)
    assert_all_files_registered(rec.config, "hls")


def test_unreachable_url_is_one_line_and_the_other_station_records(tmp_path, icecast_server, live_source, caplog):
    dead = f"http://127.0.0.1:{free_port()}/nada.mp3"
    # the healthy station goes through the .m3u playlist Icecast publishes for each mount,
    # and re-encodes (mono Opus) instead of copying
    config_path = write_config(
        tmp_path,
        station("uno", icecast_server.url("/live.mp3.m3u"), "    codec: libopus\n    bitrate: 24k\n")
        + station("muerta", dead))
    caplog.set_level(logging.INFO, logger="radiomon.pipeline.record")
    with Recorder(config_path) as rec:
        assert wait_for(lambda: len(recordings(rec.config, "uno")) >= 1, 15)
        time.sleep(2)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [f"muerta: cannot read {dead}: Connection refused"]  # once, not once per retry
    assert not recordings(rec.config, "muerta")
    first = recordings(rec.config, "uno")[0]
    assert first.path.endswith(".opus")
    (stream,) = media.probe(first.path)["streams"]
    assert (stream["codec_name"], stream["channels"]) == ("opus", 1)
    assert len(gaps(rec.config, "muerta", "network")) == 1
    muerta = next(s for s in rec.statuses if s.station == "muerta")
    assert len(muerta.errors) >= 2  # it kept retrying


def test_low_disk_records_nothing_and_a_disk_gap(tmp_path, icecast_server, live_source):
    config_path = write_config(tmp_path, station("uno", icecast_server.url("/live.mp3")),
                               "min_free_mb: 100000000")
    with Recorder(config_path, "uno") as rec:
        assert wait_for(lambda: gaps(rec.config, "uno", "disk"), 5)
    assert not recordings(rec.config, "uno")
    assert rec.statuses[0].segments == 0


def test_off_schedule_station_records_nothing(tmp_path, icecast_server, live_source):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    now = datetime.now(ZoneInfo("America/Mexico_City"))
    start, end = (now + timedelta(hours=2)).strftime("%H:00"), (now + timedelta(hours=3)).strftime("%H:00")
    schedule = f"    schedule:\n      - {{days: daily, from: '{start}', to: '{end}'}}\n"
    config_path = write_config(tmp_path, station("uno", icecast_server.url("/live.mp3"), schedule))
    with Recorder(config_path, "uno") as rec:
        assert wait_for(lambda: gaps(rec.config, "uno", "off-schedule"), 5)
        assert rec.statuses is None
        time.sleep(0.5)
    assert not recordings(rec.config, "uno")
    state, reason = clock.station_state(rec.config.stations[0], now, rec.config.timezone)
    assert not state and reason.startswith("off-schedule until")


def test_disk_filling_up_mid_recording_stops_cleanly_and_resumes(tmp_path, icecast_server, live_source, monkeypatch):
    # The disk cannot really be filled here; only the free-space reading is faked.
    import shutil as real_shutil

    from radiomon.pipeline.record import runner

    full = threading.Event()
    real_usage = real_shutil.disk_usage

    def disk_usage(path):
        usage = real_usage(path)
        return usage._replace(free=0) if full.is_set() else usage

    monkeypatch.setattr(runner.shutil, "disk_usage", disk_usage)
    monkeypatch.setattr(runner, "DISK_CHECK_SECONDS", 0.5)
    config_path = write_config(tmp_path, station("uno", icecast_server.url("/live.mp3")))
    with Recorder(config_path, "uno") as rec:
        assert wait_for(lambda: len(recordings(rec.config, "uno")) >= 1, 12)
        full.set()
        assert wait_for(lambda: gaps(rec.config, "uno", "disk"), 5)
        time.sleep(1)
        count = len(recordings(rec.config, "uno"))
        assert rec.config.recordings_dir.exists()
        assert_all_files_registered(rec.config, "uno")  # the open segment was closed and registered
        full.clear()
        assert wait_for(lambda: len(recordings(rec.config, "uno")) > count, 12)
    disk = gaps(rec.config, "uno", "disk")
    assert len(disk) == 1 and disk[0]["end_utc"] is not None


def test_files_left_by_a_killed_run_are_registered_and_the_downtime_is_a_gap(tmp_path, make_tone):
    dead = f"http://127.0.0.1:{free_port()}/nada.mp3"
    config_path = write_config(tmp_path, station("uno", dead))
    config = load_config(config_path)
    from datetime import datetime
    today = datetime.now(config.timezone)
    left = make_tone(config.recordings_dir / "uno" / today.strftime("%Y-%m-%d") / "000000.mp3", seconds=4.0)
    last_write = time.time() - 120
    os.utime(left, (last_write, last_write))
    with Recorder(config_path, "uno") as rec:
        assert wait_for(lambda: recordings(rec.config, "uno"), 5)
    (row,) = recordings(config, "uno")
    assert row.path != str(left) and not left.exists()  # renamed: the start it is registered with
    assert_all_files_registered(config, "uno")
    assert row.end_utc is not None
    assert abs(row.start.timestamp() + row.duration - last_write) < 0.01
    (gap,) = gaps(config, "uno")
    assert gap["reason"] == "stopped" and gap["start_utc"] == row.end_utc  # since then: nothing, still open
    assert gap["end_utc"] is None


def test_schedule_window_ending_mid_recording_stops_and_opens_an_off_schedule_gap(tmp_path, icecast_server,
                                                                                  live_source):
    from dataclasses import replace
    from datetime import datetime, timedelta

    from radiomon.config import ScheduleWindow

    config_path = write_config(tmp_path, station("uno", icecast_server.url("/live.mp3")))
    rec = Recorder(config_path, "uno")
    tz = rec.config.timezone
    now = datetime.now(tz)
    end = (now + timedelta(seconds=9)).replace(microsecond=0)
    # YAML schedules are HH:MM; built here with seconds so the window closes during the test
    window = ScheduleWindow(frozenset({now.weekday()}), (now - timedelta(minutes=5)).time(), end.time())
    rec.config = replace(rec.config, stations=(replace(rec.config.stations[0], schedule=(window,)),))
    with rec:
        assert wait_for(lambda: gaps(rec.config, "uno", "off-schedule"), 15)
        time.sleep(1)
        assert rec.statuses is None  # still running, waiting for the next window
    rows = recordings(rec.config, "uno")
    assert rows and rows[-1].end_utc <= gaps(rec.config, "uno", "off-schedule")[0]["start_utc"]
    assert abs(parse_iso(rows[-1].end_utc).timestamp() - end.timestamp()) < 1.0
    assert_all_files_registered(rec.config, "uno")
