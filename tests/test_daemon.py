"""``radiomon run``: a real Icecast station recorded, transcribed with the bundled model and matched as it runs.

Segments are 6 s long (``segment_minutes: 0.1``); the station streams
espeak-ng Spanish with crisis terms in it (tests/daemon_kit.py). The daemon
runs as a real process: its children (ffmpeg, the transcription workers)
must all be gone when it stops.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path

import daemon_kit as kit
import psutil
import pytest
from click.testing import CliRunner
from icecast import IcecastServer, LiveSource, free_port

from radiomon import jobs, timeutil
from radiomon.archive import Archive
from radiomon.cli import main
from radiomon.config import load_config
from radiomon.pipeline.record.supervisor import lock_path

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    # Never skip: make test installs espeak-ng and the Debian sound packages.
    assert kit.af.missing() is None, kit.af.missing()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def programme_mp3(tmp_path_factory) -> Path:
    clip = kit.programme(40, seed=1)
    return clip.write(tmp_path_factory.mktemp("programme") / "programa.mp3", sample_rate=44100)


@pytest.fixture
def station(programme_mp3):
    server = IcecastServer().start()
    source = LiveSource(server, "/radio.mp3", programme_mp3).start()
    yield server.url("/radio.mp3")
    source.stop()
    server.cleanup()


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:
    """Four short news items (a crisis term in each) and an unreadable file, as a backlog."""
    folder = tmp_path_factory.mktemp("backlog")
    paths = [(kit.af.speech(text) + kit.af.silence(0.5)).write(folder / f"nota{i}.mp3")
             for i, text in enumerate(kit.SENTENCES[:4])]
    paths.insert(2, kit.af.corrupt(folder / "rota.mp3"))
    return paths


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}/apagada.mp3"


def invoke(config: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=True, prog_name="radiomon")


def worker_processes(daemon: kit.Process) -> list[psutil.Process]:
    return [c for c in list(daemon.children.values())
            if c.is_running() and "spawn_main" in " ".join(c.cmdline())]


# --- the daemon against a live station ------------------------------------------------------


def test_run_transcribes_and_matches_segments_as_they_close_and_sigterm_stops_everything(tmp_path, station):
    config = kit.write_deployment(tmp_path / "oficina", {"radio-uno": station})
    db = load_config(config).archive
    daemon = kit.Process(config, "run")
    try:
        # while it records: segments closed, transcribed and matched, crisis events in the outbox
        assert kit.wait_for(lambda: db.exists() and kit.statuses(db).get("transcribed", 0) >= 2
                            and kit.query(db, "SELECT count(*) FROM events")[0][0] >= 1, 120), daemon.stderr
        assert daemon.alive()
        workers = worker_processes(daemon)
        ffmpeg = [c for c in daemon.children.values() if c.is_running() and c.name() == "ffmpeg"]
        base = os.nice(0)  # the daemon inherits ours
        assert len(ffmpeg) == 1 and ffmpeg[0].nice() == base  # the recorder keeps its priority
        assert workers and all(w.nice() == min(19, base + 10) for w in workers)  # transcription yields the CPU
        stopped_at = datetime.now(timeutil.UTC)
        assert daemon.stop(signal.SIGTERM, timeout=60) == 0
    finally:
        daemon.kill()
    stderr = daemon.stderr
    assert "SIGTERM received; finishing the open segments" in stderr
    assert "Traceback" not in stderr
    assert daemon.survivors() == []
    assert kit.unregistered_audio(config) == []  # the open segment too was registered
    last_end = kit.query(db, "SELECT max(end_utc) FROM recordings")[0][0]
    assert abs((timeutil.parse_iso(last_end) - stopped_at).total_seconds()) < 5
    assert "transcribing" not in kit.statuses(db)  # what the worker had is pending again
    assert kit.archive_problems(config, settled=False) == []
    mentions = kit.query(db, "SELECT DISTINCT keyword FROM mentions WHERE group_id = 'crisis'")
    assert {k.lower() for (k,) in mentions} <= set(kit.CRISIS_TERMS) and mentions
    assert re.search(r"^recorded \d+ segment\(s\) from 1 station\(s\); transcribed \d+ recording\(s\) .*; "
                     r"\d+ waiting for the next run$", stderr, re.MULTILINE), stderr


@pytest.mark.parametrize("order", ["newest-first", "oldest-first"])
def test_a_restart_catches_up_the_backlog_in_the_configured_order(tmp_path, clips, order):
    config = kit.write_deployment(tmp_path / "oficina", {"radio-uno": dead_url()},
                                  daemon=f"pass_seconds: 0.5, backlog: {order}")
    start = datetime(2026, 11, 25, 14, 0, tzinfo=timeutil.UTC)
    with Archive(load_config(config).archive) as archive:
        archive.sync_stations(load_config(config).stations, "America/Mexico_City")
        for i, path in enumerate(clips):
            archive.add_recording(station="radio-uno", start=start + timedelta(minutes=i), duration=None,
                                  path=str(path))
        # a run killed while a worker had one: it was left "transcribing"
        (claimed,) = archive.claim_pending(["radio-uno"], limit=1, newest_first=order == "newest-first")

    daemon = kit.Process(config, "run", "--duration", "1")
    assert daemon.wait(180) == 0, daemon.stderr
    assert "1 recording(s) left transcribing by an interrupted run: queued again" in daemon.stderr
    assert daemon.survivors() == []
    rows = kit.query(load_config(config).archive,
                     "SELECT path, status, error FROM recordings ORDER BY updated_utc, id")
    done = [Path(p).name for p, status, _ in rows if status == "transcribed"]
    expected = [p.name for p in clips if p.name != "rota.mp3"]
    assert done == (expected[::-1] if order == "newest-first" else expected)
    assert Path(claimed.path).name in done
    (failed,) = [(Path(p).name, error) for p, status, error in rows if status == "failed"]
    assert failed[0] == "rota.mp3" and "cannot decode audio" in failed[1]
    assert kit.archive_problems(config, settled=False) == []
    assert kit.query(load_config(config).archive,
                     "SELECT count(*) FROM recordings WHERE status IN ('pending', 'transcribing')") == [(0,)]


def test_workers_over_their_memory_bound_are_replaced_between_recordings_and_none_is_lost(tmp_path, clips):
    # 1 MB: every worker is over it, so the pool is drained and replaced before each claim.
    config = kit.write_deployment(tmp_path / "oficina", {"radio-uno": dead_url()},
                                  daemon="pass_seconds: 0.5, worker_max_memory_mb: 1, worker_max_recordings: 1")
    start = datetime(2026, 11, 25, 14, 0, tzinfo=timeutil.UTC)
    with Archive(load_config(config).archive) as archive:
        archive.sync_stations(load_config(config).stations, "America/Mexico_City")
        for i, path in enumerate(clips):
            archive.add_recording(station="radio-uno", start=start + timedelta(minutes=i), duration=None,
                                  path=str(path))
    daemon = kit.Process(config, "run", "--duration", "1")
    assert daemon.wait(240) == 0, daemon.stderr
    assert "replacing the workers once their recordings are done" in daemon.stderr
    assert "a transcription worker died" not in daemon.stderr
    db = load_config(config).archive
    assert sorted(kit.query(db, "SELECT status, count(*) FROM recordings GROUP BY status")) == [
        ("failed", 1), ("transcribed", 4)]
    assert kit.query(db, "SELECT count(DISTINCT recording_id), count(*) FROM "
                         "(SELECT recording_id FROM segments GROUP BY recording_id, start)") == [(4, kit.query(
                             db, "SELECT count(*) FROM segments")[0][0])]
    assert daemon.survivors() == []
    assert kit.archive_problems(config, settled=False) == []


def test_a_transcription_worker_that_dies_is_replaced_and_its_recording_done_again(tmp_path, programme_mp3):
    config = kit.write_deployment(tmp_path / "oficina", {"radio-uno": dead_url()})
    db = load_config(config).archive
    with Archive(db) as archive:
        archive.sync_stations(load_config(config).stations, "America/Mexico_City")
        long_id, _ = archive.add_recording(station="radio-uno", start=datetime(2026, 11, 25, 14, tzinfo=timeutil.UTC),
                                           duration=None, path=str(programme_mp3))
    daemon = kit.Process(config, "run", "--duration", "1")
    try:
        assert kit.wait_for(lambda: db.exists() and kit.statuses(db).get("transcribing") == 1
                            and worker_processes(daemon), 90), daemon.stderr
        for worker in worker_processes(daemon):
            worker.kill()  # as the kernel's OOM killer would
        assert daemon.wait(180) == 0, daemon.stderr
    finally:
        daemon.kill()
    assert "a transcription worker died; starting new workers" in daemon.stderr
    assert kit.query(db, "SELECT status FROM recordings WHERE id = ?", (long_id,)) == [("transcribed",)]
    assert daemon.survivors() == []
    assert kit.archive_problems(config) == []


# --- error paths: one line, non-zero exit, nothing started ----------------------------------


def test_no_stations_configured_is_one_line(tmp_path):
    config = kit.write_deployment(tmp_path, {})
    result = invoke(config, "run")
    assert (result.exit_code, result.output) == (
        1, f"Error: {config}: no stations configured; add one under stations:\n")


def test_an_unknown_station_is_one_line_naming_the_configured_ones(tmp_path):
    config = kit.write_deployment(tmp_path, {"radio-uno": dead_url()})
    result = invoke(config, "run", "--station", "radio-dos")
    assert (result.exit_code, result.output) == (
        1, f"Error: unknown station 'radio-dos' (configured in {config}: radio-uno)\n")


def test_a_bad_daemon_setting_is_one_line_naming_the_key(tmp_path):
    config = kit.write_deployment(tmp_path, {"radio-uno": dead_url()}, daemon="backlog: sideways")
    result = invoke(config, "run")
    assert result.exit_code == 1
    assert result.output == (f"Error: {config}:4: daemon.backlog: unknown order 'sideways'; "
                             "use newest-first or oldest-first\n")


def test_a_broken_keywords_file_stops_before_anything_records(tmp_path):
    config = kit.write_deployment(tmp_path, {"radio-uno": dead_url()})
    (tmp_path / "keywords.yml").write_text("groups:\n  crisis:\n    priority: urgentisima\n    terms: [incendio]\n")
    result = invoke(config, "run")
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"Error: {tmp_path / 'keywords.yml'}:3: ")
    assert not (tmp_path / "recordings").exists()


def test_a_station_another_recorder_holds_is_one_line(tmp_path):
    config = kit.write_deployment(tmp_path, {"radio-uno": dead_url()})
    lock = lock_path(load_config(config), "radio-uno")
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("4242")
        handle.flush()
        result = invoke(config, "run")
    assert result.exit_code == 1
    assert result.output == (f"Error: station 'radio-uno' is already being recorded (pid 4242, lock {lock}); "
                             "stop that recorder first\n")


def test_a_model_that_is_not_on_the_machine_is_one_line_and_the_recorder_stops(tmp_path):
    config = kit.write_deployment(tmp_path, {"radio-uno": dead_url()},
                                  transcription=f"workers: 1, model: {tmp_path / 'no-such-model'}")
    result = invoke(config, "run")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    assert "no-such-model" in result.output
    # the recorder had started: it was stopped and its run logged as finished
    assert kit.query(load_config(config).archive, "SELECT command, finished_utc IS NOT NULL FROM runs") == [
        ("record", 1), ("run", 1)]


def test_run_help_says_what_it_does(tmp_path):
    result = invoke(tmp_path / "radiomon.yml", "run", "--help")
    assert result.exit_code == 0
    assert "record every station, transcribe and match each segment as it closes" in " ".join(result.output.split())
    assert "--duration TIME" in result.output


# --- keywords.yml edited while the daemon runs ----------------------------------------------


def test_an_edited_keywords_file_is_read_again_and_a_broken_edit_keeps_the_last_good_one(tmp_path, caplog):
    config = load_config(kit.write_deployment(tmp_path, {"radio-uno": dead_url()}))
    live = jobs.LiveTranscription(config)
    assert live.refresh() is False  # unchanged
    keywords = tmp_path / "keywords.yml"
    keywords.write_text(kit.KEYWORDS_YML + "  colonias:\n    label: Colonias\n    terms: [Colonia Centro]\n")
    assert live.refresh() is True
    assert "colonias" in {g.id for g in live.matcher.keywords.groups}
    assert "Colonia Centro" in (live.spec.options.initial_prompt or "")
    good = live.matcher
    time.sleep(0.01)
    keywords.write_text("groups: [esto no es un grupo]\n")
    with caplog.at_level(logging.ERROR, logger="radiomon.pipeline.transcribe.live"):
        assert live.refresh() is False
        assert live.refresh() is False  # said once
    assert live.matcher is good
    assert [r.getMessage().endswith("still matching with the keywords read before") for r in caplog.records] == [True]
