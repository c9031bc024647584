"""Pulling the plug: ``radiomon transcribe`` and ``radiomon run`` killed with SIGKILL at random writes, then rerun.

Each kill lands at a seeded random point: just before the N-th SQL statement
of a kind (``INSERT INTO segments``, ``COMMIT``, ``INSERT INTO events``, the
claim of a recording, a recorder registering a segment, …; see
tests/crashpoint.py), or after a random delay. The processes are real, the
archive is a real SQLite file, the audio real (espeak-ng Spanish with crisis
terms), the model the bundled Whisper base, the station a real Icecast
server. After every kill the archive must be whole (SQLite and FTS5
integrity checks, nothing half-written) and no ffmpeg or worker may outlive
the killed process; after the final rerun nothing may be doubled or lost:
every recording transcribed (or failed, for the unreadable ones) and
matched, its segments those of its transcript file, its mentions exactly
what the matcher finds in them, one event per crisis mention.

The seed is printed (and named in every failure); set RADIOMON_CRASH_SEED to
replay a run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import daemon_kit as kit
import pytest
from click.testing import CliRunner
from icecast import IcecastServer, LiveSource, free_port

from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.cli import main
from radiomon.config import load_config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]

SEED = int(os.environ.get("RADIOMON_CRASH_SEED", "20261125"))

# Where `radiomon transcribe` writes: storing a recording (its transaction,
# the segments, the FTS rows, the bulk flag, the status, or failed), the run
# log, and matching (mentions, their events, the matched mark), in that order.
TRANSCRIBE_STORE = ("BEGIN IMMEDIATE", "DELETE FROM segments", "INSERT INTO segments ", "INSERT INTO segments_fts",
                    "DELETE FROM radiomon_bulk_insert", "UPDATE recordings SET status", "COMMIT",
                    "INSERT INTO runs")
TRANSCRIBE_MATCH = ("INSERT INTO mentions", "INSERT INTO events", "UPDATE recordings SET matched_utc")
# Where `radiomon run` writes, besides those: the recorder registering a
# segment and its gaps, the claim of a recording for a worker, and putting
# back what a killed run left claimed.
RUN_POINTS = ("INSERT INTO recordings", "INSERT INTO gaps", "UPDATE gaps",
              "UPDATE recordings SET status = 'transcribing'", "UPDATE recordings SET status = 'pending'",
              "INSERT INTO segments ", "UPDATE recordings SET status = 'transcribed'", "COMMIT",
              "INSERT INTO mentions", "INSERT INTO events", "UPDATE recordings SET matched_utc")


@pytest.fixture(autouse=True)
def _seed(monkeypatch):
    assert kit.af.missing() is None, kit.af.missing()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    print(f"crash-safety seed {SEED} (RADIOMON_CRASH_SEED={SEED} replays it)")


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> list[Path]:
    """Six short news items with crisis terms, a file cut short mid-way (its
    first third decodes), one cut after its header and one of random bytes."""
    folder = tmp_path_factory.mktemp("news")
    paths = [(kit.af.speech(text) + kit.af.silence(0.4)).write(folder / f"nota{i}.mp3")
             for i, text in enumerate(kit.SENTENCES)]
    whole = paths[0].read_bytes()
    (folder / "cortada.mp3").write_bytes(whole[: len(whole) // 3])
    (folder / "solo-cabecera.mp3").write_bytes(whole[:400])
    kit.af.corrupt(folder / "ruido.mp3", seed=SEED)
    return paths + [folder / "cortada.mp3", folder / "solo-cabecera.mp3", folder / "ruido.mp3"]


class Killer:
    """Runs one command per kill point and keeps what happened, for the test's assertions and its failure text."""

    def __init__(self, config: Path, rng: random.Random):
        self.config = config
        self.rng = rng
        self.landed: list[str] = []
        self.missed: list[str] = []

    def __call__(self, args: tuple[str, ...], point: str, *, delay: tuple[float, float] = (1.0, 6.0),
                 timeout: float = 120) -> kit.Process:
        """``radiomon ARGS`` killed at ``point`` (``PATTERN@N``), or after a random delay (``timer``)."""
        log = self.config.parent / "crashpoint.txt"
        log.unlink(missing_ok=True)
        if point == "timer":
            seconds = round(self.rng.uniform(*delay), 1)
            proc = kit.Process(self.config, *args)
            time.sleep(seconds)
            if proc.alive():
                proc.proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            where = f"after {seconds} s"
        else:
            proc = kit.Process(self.config, *args, crashpoint=point, log=log)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:  # never got there: stop it and say so
                proc.stop(signal.SIGTERM)
            where = log.read_text(encoding="utf-8") if log.exists() else ""
        rc = proc.proc.returncode
        (self.landed if rc == -signal.SIGKILL else self.missed).append(f"{' '.join(args)} {point}: {where[:90]}")
        return proc

    def context(self) -> str:
        return f"seed {SEED}; kills: " + " | ".join(self.landed) + " ; not reached: " + " | ".join(self.missed)


def test_transcribe_killed_at_random_writes_then_rerun_loses_and_doubles_nothing(tmp_path, news):
    config = kit.write_deployment(tmp_path / "oficina", {"radio-uno": f"http://127.0.0.1:{free_port()}/x.mp3"})
    db = load_config(config).archive
    start = datetime(2026, 11, 25, 14, 0, tzinfo=timeutil.UTC)
    with Archive(db) as archive:
        archive.sync_stations(load_config(config).stations, "America/Mexico_City")
        for i, path in enumerate(news):
            archive.add_recording(station="radio-uno", start=start + timedelta(minutes=i), duration=None,
                                  path=str(path))

    rng = random.Random(SEED)
    # Storing first: a kill at the first or second such write leaves at most
    # one recording more stored, so work is left for the next; then one just
    # after the batch (its run log), before matching; then matching (each
    # rerun matches what the last one left, a kill at its first or second
    # write leaves some for the next).
    plan = [f"{p}@{rng.randint(1, 2)}" for p in rng.sample(TRANSCRIBE_STORE, 5)] + ["timer", "UPDATE runs@1"]
    plan += [f"{p}@{rng.randint(1, 2)}" for p in rng.sample(TRANSCRIBE_MATCH, 3)] + ["timer"]
    killer = Killer(config, rng)
    for point in plan:
        proc = killer(("transcribe",), point)
        assert "Traceback" not in proc.stderr, proc.stderr
        assert kit.archive_problems(config, settled=False) == [], killer.context()

    final = kit.Process(config, "transcribe")
    assert final.wait(180) in (0, 1), final.stderr
    assert "Traceback" not in final.stderr
    assert len(killer.landed) >= 8, killer.context()
    assert kit.archive_problems(config) == [], killer.context()
    rows = {Path(p).name: (status, error) for p, status, error in kit.query(
        db, "SELECT path, status, error FROM recordings")}
    assert {name for name, (status, _) in rows.items() if status == "transcribed"} == {
        *(p.name for p in news[:6]), "cortada.mp3"}, killer.context()
    for name in ("solo-cabecera.mp3", "ruido.mp3"):
        status, error = rows[name]
        assert status == "failed" and name in error and "cannot decode audio" in error, (name, error)
    # every news item was heard and its crisis term flagged: nothing lost with the kills
    flagged = {(Path(path).name, keyword.lower()) for path, keyword in kit.query(
        db, "SELECT r.path, m.keyword FROM mentions m JOIN recordings r ON r.id = m.recording_id "
            "WHERE m.group_id = 'crisis'")}
    expected = {(f"nota{i}.mp3", kit.crisis_term(text)) for i, text in enumerate(kit.SENTENCES)}
    assert expected <= flagged, killer.context()
    print(killer.context())


@pytest.fixture
def station(tmp_path_factory):
    clip = kit.programme(45, seed=SEED, gap=(1.0, 3.0))
    mp3 = clip.write(tmp_path_factory.mktemp("programme") / "programa.mp3", sample_rate=44100)
    server = IcecastServer().start()
    source = LiveSource(server, "/radio.mp3", mp3).start()
    yield server.url("/radio.mp3")
    source.stop()
    server.cleanup()


def test_run_killed_at_random_writes_then_restarted_loses_and_doubles_nothing(tmp_path, station):
    config = kit.write_deployment(tmp_path / "oficina", {"radio-uno": station})
    db = load_config(config).archive
    rng = random.Random(SEED + 1)
    plan = [f"{p}@{rng.randint(1, 2)}" for p in rng.sample(RUN_POINTS, 6)] + ["timer", "timer"]
    rng.shuffle(plan)
    killer = Killer(config, rng)
    for point in plan:
        proc = killer(("run",), point, delay=(4.0, 15.0), timeout=45)
        assert proc.survivors() == [], f"{point}: children outlived the killed daemon; {killer.context()}"
        assert "Traceback" not in proc.stderr, proc.stderr
        assert kit.archive_problems(config, settled=False) == [], killer.context()

    # files a killed ffmpeg left are registered by a recorder that starts once
    # they have been still for record.stall_seconds
    time.sleep(3.5)
    final = kit.Process(config, "run", "--duration", "2")
    assert final.wait(180) == 0, final.stderr
    assert final.survivors() == []
    assert len(killer.landed) >= 6, killer.context()
    assert kit.unregistered_audio(config) == [], killer.context()
    assert kit.archive_problems(config) == [], killer.context()
    assert kit.query(db, "SELECT count(*) FROM recordings WHERE status = 'transcribed'")[0][0] >= 4
    assert kit.query(db, "SELECT count(*) FROM events")[0][0] >= 1, killer.context()
    print(killer.context())


def _big_transcripts(folder: Path, count: int, segments: int) -> list[Path]:
    rng = random.Random(SEED)
    words = ("el la de que en los del las un por con una su para es al lo como más pero sus le ya este cuando "
             "todo esta ser son dos también fue había era muy años hasta desde está porque qué sólo hay vez "
             "mercado colonia calle plaza escuela tianguis lluvia feria camino presidencia").split()
    paths = []
    for n in range(count):
        t, rows = 0.0, []
        for _ in range(segments):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(10, 18))).capitalize() + "."
            rows.append({"start": round(t, 2), "end": round(t + 4, 2), "text": text})
            t += 4.2
        path = folder / f"transcripcion-{n}.json"
        path.write_text(json.dumps({"segments": rows}, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def test_a_search_loop_never_sees_a_locked_database_while_big_transcripts_are_written(tmp_path):
    config = kit.write_deployment(tmp_path / "oficina", {"radio-uno": f"http://127.0.0.1:{free_port()}/x.mp3"})
    transcripts = _big_transcripts(tmp_path, 4, 5000)
    with Archive(load_config(config).archive) as archive:
        archive.sync_stations(load_config(config).stations, "America/Mexico_City")
    script = (
        "import subprocess, sys\n"
        "for i, path in enumerate(sys.argv[2:]):\n"
        "    subprocess.run([sys.executable, '-m', 'radiomon', '--config', sys.argv[1], 'import', '--transcript',\n"
        "                    path, '--station', 'radio-uno', '--start', f'2026-11-25T{10 + i}:00:00Z'], check=True)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script, str(config), *map(str, transcripts)],
                              env=kit.radiomon_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    results, searched_while_writing = [], 0
    stop = threading.Event()

    def readers():
        with Archive(load_config(config).archive) as archive:
            while not stop.is_set():
                archive.query("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'mercado'")

    side = threading.Thread(target=readers, daemon=True)
    side.start()
    try:
        while writer.poll() is None:
            result = CliRunner().invoke(main, ["--config", str(config), "search", "mercado plaza", "--limit", "5",
                                               "--format", "json"], catch_exceptions=True)
            results.append((result.exit_code, result.stdout, result.stderr))
            searched_while_writing += writer.poll() is None
    finally:
        stop.set()
        side.join(10)
        writer.wait(300)
    assert writer.returncode == 0, writer.stderr.read()
    assert searched_while_writing >= 5, "the searches did not overlap the writes"
    assert [r for r in results if r[0] != 0 or "locked" in r[1] + r[2]] == []
    assert [r for r in results if json.loads(r[1])] != []  # and they found what was being written
    assert kit.query(load_config(config).archive, "SELECT count(*) FROM segments") == [(4 * 5000,)]
    assert kit.archive_problems(config) == []
