"""`radiomon nightly`: the unattended batch, step by step, one copy at a time, and killed at any point.

The fast tests feed it imported transcripts; the slow ones give it pending
recordings of generated Spanish speech for the real bundled Whisper model,
and kill -9 it across its write paths.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alert_servers import receiver  # noqa: F401  (fixture)
from conftest import RADIOMON_YML, write_deployment

from radiomon import jobs, media, nightly, timeutil
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.lockfile import hold, lock_path
from radiomon.transcript import Segment

try:
    import audio_factory as af
except ImportError:  # tests/ is a package in some layouts
    from tests import audio_factory as af

TZ_NOW = datetime.now(timeutil.UTC)


def local_yesterday(config) -> date:
    return timeutil.local(TZ_NOW, config.timezone).date() - timedelta(days=1)


def at_local(config, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=config.timezone)


def import_transcript(run, deployment: Path, start: datetime, text: str, name: str) -> None:
    path = deployment / f"{name}.json"
    path.write_text(json.dumps({"segments": [{"start": 1.0, "end": 5.0, "text": text}]}), encoding="utf-8")
    result = run("import", "--transcript", path, "--station", "radio-uno", "--start", start.isoformat())
    assert result.exit_code == 0, result.output


@pytest.fixture
def yesterdays_news(run, config, archive, deployment):
    """Two transcripts of yesterday (local day), one mentioning Moroleón, already matched."""
    day = local_yesterday(config)
    import_transcript(run, deployment, at_local(config, day, 9), "Buenos días desde Moroleón.", "manana")
    import_transcript(run, deployment, at_local(config, day, 23, 30), "Y en León llueve.", "noche")
    return day


def run_id(archive) -> int:
    return archive.query("SELECT id FROM runs WHERE command = 'nightly'")[0]["id"]


def test_nightly_writes_yesterdays_sintesis_and_records_its_run(run, config, archive, yesterdays_news):
    day = yesterdays_news
    result = run("nightly")

    assert result.exit_code == 0, result.output
    docx, html = (config.reports_dir / f"sintesis-{day.isoformat()}.{fmt}" for fmt in ("docx", "html"))
    assert result.output.splitlines() == [
        f"nightly run {run_id(archive)}: síntesis of {day.isoformat()} "
        "(America/Mexico_City)",
        "  OK       transcribe  nothing pending",
        "  SKIPPED  press       no newspapers (press.outlets)",
        "  OK       match       nothing left to match",
        "  SKIPPED  alerts      no alert channels (alerts.channels); events wait in the outbox",
        f"  OK       digest      {day.isoformat()}: 1 mention(s) → {docx}, {html.name}",
        "  OK       prune       0 recording(s) older than 90 days pruned, 0.0 MB of audio freed, 0 clip(s) of "
        "confirmed mentions kept",
    ]
    assert docx.read_bytes()[:2] == b"PK"  # a Word document is a zip
    assert "Moroleón" in html.read_text(encoding="utf-8")
    [row] = archive.query("SELECT * FROM runs WHERE command = 'nightly'")
    assert row["finished_utc"] and json.loads(row["errors"]) == []
    counts = json.loads(row["counts"])
    assert counts["day"] == day.isoformat() and counts["digest"]["mentions"] == 1
    assert [counts[name]["status"] for name, _ in nightly.STEPS] == ["ok", "skipped", "ok", "skipped", "ok", "ok"]


def test_the_steps_are_the_nights_work_in_order():
    assert [name for name, _ in nightly.STEPS] == ["transcribe", "press", "match", "alerts", "digest", "prune"]


def test_date_picks_the_sintesis_day(run, config, archive, yesterdays_news):
    result = run("nightly", "--date", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert (config.reports_dir / "sintesis-2026-11-25.docx").is_file()
    assert "síntesis of 2026-11-25" in result.output.splitlines()[0]


def test_the_reports_folder_and_formats_come_from_the_config(run, write_config, deployment, archive, yesterdays_news):
    write_config(RADIOMON_YML + f"nightly:\n  reports_dir: {deployment / 'sintesis'}\n  formats: [md, json]\n")
    result = run("nightly")
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in (deployment / "sintesis").iterdir()) == [".json", ".md"]


def test_a_failing_step_is_reported_and_the_others_still_run(run, config, archive, deployment, yesterdays_news,
                                                            make_tone):
    config.reports_dir.write_text("a file where the folder should be")  # running as root, chmod proves nothing
    old = make_tone(deployment / "recordings" / "radio-uno" / "old.mp3", seconds=5)
    old_id, _ = archive.add_recording(station="radio-uno", start=TZ_NOW - timedelta(days=100),
                                      duration=media.probe_duration(old), path=str(old))
    archive.replace_segments(old_id, [Segment(0.0, 2.0, "Música.")])
    jobs.rematch(config, archive)

    result = run("nightly")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    [digest_line] = [line for line in lines if " digest " in line]
    assert digest_line.startswith("  FAILED   digest      ")
    error = lines[lines.index(digest_line) + 1]
    assert error.startswith(f"{' ' * 23}error: {config.reports_dir}/sintesis-")
    assert "must be a folder this user can write" in error
    assert any(line.startswith("  OK       prune       1 recording(s) older than 90 days pruned") for line in lines)
    assert not old.exists()
    assert lines[-1].startswith("Error: nightly run ") and lines[-1].endswith(
        ": 1 step(s) failed (digest); the other steps ran")
    [row] = archive.query("SELECT * FROM runs WHERE command = 'nightly'")
    errors = json.loads(row["errors"])
    assert len(errors) == 2 and all(e.startswith(f"digest: {config.reports_dir}/sintesis-") for e in errors)


def test_a_model_that_cannot_load_fails_transcription_not_the_night(run, write_config, config, archive, deployment,
                                                                    yesterdays_news, make_tone):
    write_config(RADIOMON_YML + f"transcription:\n  model: {deployment / 'no-such-model'}\n")
    pending = make_tone(deployment / "recordings" / "radio-uno" / "x.mp3", seconds=3)
    archive.add_recording(station="radio-uno", start=TZ_NOW - timedelta(hours=3), duration=3.0, path=str(pending))

    result = run("nightly")

    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if " transcribe " in line]
    assert line.startswith("  FAILED   transcribe  ") and "no-such-model" in line
    assert (config.reports_dir / f"sintesis-{yesterdays_news.isoformat()}.docx").is_file()
    assert "1 step(s) failed (transcribe)" in result.output


def test_an_unexpected_error_in_one_step_is_recorded_and_the_next_step_runs(config, archive, yesterdays_news):
    def broken(night, step):
        raise ValueError("something\nwent wrong")

    result = nightly.run_nightly(config, archive, steps=(("broken", broken), ("digest", nightly.digest)))

    assert [(s.name, s.status) for s in result.steps] == [("broken", "failed"), ("digest", "ok")]
    assert result.steps[0].summary == "ValueError: something went wrong"
    [row] = archive.query("SELECT errors FROM runs WHERE command = 'nightly'")
    assert json.loads(row["errors"]) == ["broken: ValueError: something went wrong"]


def test_pruning_can_be_left_to_a_person(run, write_config, archive, yesterdays_news):
    write_config(RADIOMON_YML + "nightly:\n  prune: false\n")
    result = run("nightly")
    assert result.exit_code == 0, result.output
    assert "  SKIPPED  prune       nightly.prune is off" in result.output.splitlines()


def test_a_run_that_never_finished_is_said_once(run, config, archive, yesterdays_news):
    killed = archive.start_run("nightly")  # as a run killed mid-way leaves it

    first = run("nightly")

    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[1].startswith(f"  note: nightly run {killed} (started ")
    assert first.output.splitlines()[1].endswith(") did not finish; this run went on from where it stopped")
    row = archive.query("SELECT finished_utc, errors FROM runs WHERE id = ?", (killed,))[0]
    assert row["finished_utc"] is None and "did not finish" in json.loads(row["errors"])[0]
    assert "did not finish" not in run("nightly").output


def test_a_second_copy_exits_at_once_while_one_runs(run, config, archive):
    with hold(lock_path(config.archive, "nightly"), "radiomon nightly"):
        result = run("nightly")
    assert result.exit_code == 1
    assert result.output == (f"Error: radiomon nightly is already running (pid {os.getpid()}, lock "
                             f"{lock_path(config.archive, 'nightly')}); this copy exits\n")
    assert archive.query("SELECT count(*) AS n FROM runs")[0]["n"] == 0


@pytest.mark.parametrize("value", ["mañana", "2026-13-01", "25/11/2026"])
def test_a_bad_date_is_one_line(run, archive, value):
    result = run("nightly", "--date", value)
    assert result.exit_code == 1
    assert result.output == f"Error: --date {value}: not a date; use 2026-11-25, hoy or ayer\n"


def test_nightly_without_an_archive_says_so(run, config):
    result = run("nightly")
    assert result.exit_code == 1
    assert result.output == f"Error: {config.archive}: archive not found; run `radiomon init` first\n"
    assert not config.reports_dir.exists()


def test_bad_nightly_settings_are_one_line(run, write_config):
    write_config(RADIOMON_YML + "nightly:\n  formats: [docx, pdf]\n")
    result = run("nightly")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "nightly.formats: unknown format 'pdf'; use docx, html, md or json" \
        in result.output


def test_nightly_help(run):
    result = run("nightly", "--help")
    assert result.exit_code == 0 and "--date" in result.output and "systemd timer" in result.output


# -- real recordings, real Whisper, real kills -----------------------------------------------------------------
PENDING = (
    ("El Ayuntamiento de Moroleón anunció la rehabilitación del mercado municipal.",
     "Protección Civil pide a la población evitar quemas."),
    ("El DIF Moroleón entregará despensas a familias de la comunidad.",),
    ("La feria de Moroleón contará con juegos mecánicos y teatro del pueblo.",
     "El cabildo aprobó el presupuesto para el alumbrado público."),
)


def build_deployment(folder: Path) -> Path:
    """A deployment as an office has it at night: yesterday's recordings pending (generated speech), two
    consecutive recordings from 100 days ago transcribed, one of their mentions confirmed, freed pages in
    the archive, and a file in recordings/ that is not the archive's. Built alike every time."""
    folder.mkdir(parents=True)
    config = load_config(write_deployment(folder))
    day = local_yesterday(config)
    old = (TZ_NOW - timedelta(days=100)).replace(microsecond=0)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        for index, sentences in enumerate(PENDING):
            clip = af.silence(0.5)
            for sentence in sentences:
                clip = clip + af.speech(sentence) + af.silence(0.6)
            start = at_local(config, day, 10, 10 * index)
            path = clip.write(folder / "recordings" / "radio-uno" / day.isoformat() / f"{start:%H%M%S}.mp3")
            archive.add_recording(station="radio-uno", start=start, duration=None, path=str(path))
        for index, text in enumerate(("Música.", "En Moroleón, el mercado abre temprano.")):
            start = old + timedelta(seconds=30 * index)
            path = af.music(30.0).write(
                folder / "recordings" / "radio-uno" / f"{start:%Y-%m-%d}" / f"{start:%H%M%S}.mp3")
            recording_id, _ = archive.add_recording(station="radio-uno", start=start,
                                                    duration=media.probe_duration(path), path=str(path))
            archive.replace_segments(recording_id, [Segment(2.0, 6.0, text)])
        jobs.rematch(config, archive)
        [confirmed] = archive.list_mentions()
        archive.set_review(confirmed.id, "confirmed", by="prensa")
    make_free_pages(config.archive)
    (folder / "recordings" / "radio-uno" / "notas-de-la-cabina.txt").write_text("no es del archivo")
    return folder / "radiomon.yml"


def make_free_pages(path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE scratch (blob BLOB)")
    conn.executemany("INSERT INTO scratch VALUES (?)", [(b"x" * 50_000,)] * 40)
    conn.commit()
    conn.execute("DROP TABLE scratch")
    conn.commit()
    conn.close()


# Runs `radiomon nightly` with one function wrapped to kill -9 the process
# group (as systemd kills a unit's cgroup) on its nth call, before or after it.
KILLER = textwrap.dedent("""
    import importlib, os, signal, sys
    config, target, when, nth = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    module_name, _, attribute = target.partition(":")
    owner = importlib.import_module(module_name)
    *parents, name = attribute.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original, calls = getattr(owner, name), [0]
    def die():
        os.killpg(os.getpgid(0), signal.SIGKILL)
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] == nth and when == "before":
            die()
        result = original(*args, **kwargs)
        if calls[0] == nth and when == "after":
            die()
        return result
    setattr(owner, name, wrapped)
    from radiomon.cli import main
    main(["--config", config, "nightly"])
""")

#: Where the night writes, in the order a run reaches them: (what is cut short, function, before/after, the
#: calls one is picked from). Each point is reached by the run after the kill at the point before it.
KILL_POINTS = (
    ("a recording's segments mid-transaction", "radiomon.archive.segments:words_json", "before", (1,)),
    ("a transcript file written, its segments not", "radiomon.archive.segments:SegmentsMixin.replace_segments",
     "before", (2, 3)),
    ("everything transcribed, nothing matched", "radiomon.archive.mentions:MentionsMixin.replace_mentions",
     "before", (1,)),
    ("mentions mid-transaction", "radiomon.archive.mentions:MentionsMixin._apply", "after", (1,)),
    ("the síntesis' DOCX written, its HTML not", "radiomon.jobs:render_digest", "before", (2,)),
    ("a kept clip encoded, not renamed", "radiomon.reports.clips:_run", "after", (2,)),
    ("a recording marked pruned, its file not deleted", "radiomon.archive.retention:RetentionMixin.mark_pruned",
     "after", (1,)),
    ("free pages returned, the WAL not checkpointed", "radiomon.archive.maintenance:MaintenanceMixin._checkpoint",
     "before", (1,)),
    ("a run row not finished", "radiomon.archive.runs:RunsMixin.finish_run", "before", (1,)),
)


def environment() -> dict:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.pathsep.join(sys.path)}


def killed_at(config_path: Path, target: str, when: str, nth: int) -> int:
    proc = subprocess.run([sys.executable, "-c", KILLER, str(config_path), target, when, str(nth)],
                          capture_output=True, text=True, timeout=300, env=environment(), start_new_session=True)
    return proc.returncode


def killed_after(config_path: Path, seconds: float) -> int:
    proc = subprocess.Popen([sys.executable, "-m", "radiomon", "--config", str(config_path), "nightly"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment(),
                            start_new_session=True)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.wait()


def nightly_process(config_path: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "radiomon", "--config", str(config_path), "nightly"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(), **kwargs)


def state(config_path: Path) -> dict:
    """What the archive holds, by recording start instead of ids."""
    config = load_config(config_path)
    with Archive(config.archive, create=False) as archive:
        recordings = {r.id: r for r in archive.recordings()}
        return {
            "recordings": sorted((r.start_utc, r.status) for r in recordings.values()),
            "segments": sorted((recordings[s["recording_id"]].start_utc, s["start"], s["end"], s["text"])
                               for r in recordings for s in archive.transcript_rows(r)),
            "mentions": sorted((recordings[m.recording_id].start_utc, m.keyword, m.matched, m.offset, m.review or "")
                               for m in archive.list_mentions()),
            "kept": sorted(p.name for p in config.kept_clips_dir.rglob("*") if p.is_file()),
            "reports": sorted(p.name for p in config.reports_dir.iterdir()),
        }


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[dict, subprocess.CompletedProcess]:
    """The same night run once, uninterrupted; a second copy started meanwhile."""
    assert af.missing() is None, af.missing()
    config_path = build_deployment(tmp_path_factory.mktemp("referencia") / "oficina")
    config = load_config(config_path)
    first = nightly_process(config_path)
    lock = lock_path(config.archive, "nightly")
    deadline = time.monotonic() + 120
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    second = nightly_process(config_path)
    second_out, second_err = second.communicate(timeout=120)
    first_still_running = first.poll() is None
    out, err = first.communicate(timeout=600)
    return state(config_path), {"first": (first.returncode, out, err), "second": (second.returncode, second_err),
                                "first_still_running": first_still_running, "lock": lock, "pid": first.pid}


@pytest.mark.slow
def test_a_second_copy_started_while_one_runs_exits_at_once(reference):
    _, runs = reference
    code, stderr = runs["second"]
    assert runs["first_still_running"], "the first nightly had finished before the second started"
    assert code == 1
    assert stderr == (f"Error: radiomon nightly is already running (pid {runs['pid']}, lock {runs['lock']}); "
                      "this copy exits\n")
    assert runs["first"][0] == 0, runs["first"][2]


@pytest.mark.slow
def test_the_night_on_real_recordings(reference):
    found, runs = reference
    assert [status for _, status in found["recordings"]] == ["pruned", "pruned", "transcribed", "transcribed",
                                                             "transcribed"]
    said = " ".join(text for *_, text in found["segments"])
    assert said.count("Moroleón") >= 3
    assert [m for m in found["mentions"] if m[4] == "confirmed"] and len(found["kept"]) == 1
    assert len(found["reports"]) == 2
    out = runs["first"][1]
    assert "transcribed 3 recordings" in out and "2 recording(s) older than 90 days pruned" in out


@pytest.mark.slow
def test_nightly_killed_at_any_point_loses_nothing_and_doubles_nothing(reference, tmp_path):
    expected, _ = reference
    seed = int(os.environ.get("RADIOMON_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    why = f"(RADIOMON_KILL_SEED={seed})"
    config_path = build_deployment(tmp_path / "oficina")
    config = load_config(config_path)
    stray = config.recordings_dir / "radio-uno" / "notas-de-la-cabina.txt"

    # At moments nobody picked: while it starts (before the first recording can be stored) …
    killed_after(config_path, rng.uniform(0.2, 1.5))
    for what, target, when, calls in KILL_POINTS:
        nth = rng.choice(calls)
        assert killed_at(config_path, target, when, nth) == -signal.SIGKILL, f"{what} was never reached {why}"
        with Archive(config.archive, create=False) as archive:
            assert archive.integrity_problems() == [], f"after a kill at {what} {why}"
    for _ in range(2):  # … and while it rewrites the síntesis and finds nothing left to prune
        killed_after(config_path, rng.uniform(0.3, 3.0))

    final = nightly_process(config_path)
    out, err = final.communicate(timeout=600)

    assert final.returncode == 0, f"{err} {why}"
    assert state(config_path) == expected, why
    with Archive(config.archive, create=False) as archive:
        assert archive.integrity_problems() == []
        assert archive.query("SELECT count(*) AS n FROM segments_fts WHERE segments_fts MATCH 'moroleon'")[0]["n"] \
            == archive.query("SELECT count(*) AS n FROM segments WHERE text LIKE '%Moroleón%'")[0]["n"]
        assert archive.free_bytes() == 0
        unfinished = archive.query("SELECT id, errors FROM runs WHERE command = 'nightly' AND finished_utc IS NULL")
        assert unfinished and all("did not finish" in json.loads(r["errors"])[0] for r in unfinished)
        for recording in archive.recordings(status="transcribed"):
            written = json.loads(Path(recording.transcript_path).read_text(encoding="utf-8"))["segments"]
            assert [s["text"].strip() for s in written] == [s["text"].strip() for s in
                                                            archive.transcript_rows(recording.id)], why
        for recording in archive.recordings(status="pruned"):
            assert not Path(recording.path).exists()
    assert stray.read_text() == "no es del archivo"
    assert not list(config.kept_clips_dir.rglob("*.part")) and not list(config.reports_dir.glob(".*.part"))
    [kept] = config.kept_clips_dir.rglob("*.mp3")
    assert abs(media.probe_duration(kept) - 25.0) < 0.5
    with hold(lock_path(config.archive, "nightly"), "radiomon nightly"):  # not stuck
        pass



def test_nightly_delivers_the_alerts_due_and_fails_when_a_channel_is_down(run, write_config, deployment,
                                                                         yesterdays_news, receiver):
    channel = f"{{name: webhook, url: '{receiver.url}', priorities: [high]}}"
    # Yesterday's mention is a day old: a nightly-only office keeps alerts that long (alerts.max_age_minutes).
    write_config(RADIOMON_YML + f"alerts:\n  high: immediate\n  max_age_minutes: 4320\n  channels:\n    - {channel}\n")
    receiver.down()
    down = run("nightly")
    assert down.exit_code == 1, down.output
    [line] = [line for line in down.output.splitlines() if " alerts " in line]
    assert line.startswith("  FAILED   alerts") and "webhook" in line
    receiver.up()
    # The next pass, once the channel's backoff has passed, delivers it: once.
    config = load_config(deployment / "radiomon.yml")
    with Archive(config.archive) as archive:
        later = jobs.send_alerts(config, archive, now=datetime.now(timezone.utc) + timedelta(hours=1))
        again = jobs.send_alerts(config, archive, now=datetime.now(timezone.utc) + timedelta(hours=2))
    assert (later.delivery.sent, again.delivery.sent) == (1, 0)
    assert len(receiver.posts) == 1 and "Moroleón" in receiver.posts[0]["message"]
