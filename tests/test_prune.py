"""`radiomon prune`: audio past retention goes, its text, mentions and confirmed clips stay, disk space comes back.

Real ffmpeg audio on disk, the real archive and matcher, the CLI as a user runs it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import RADIOMON_YML

from radiomon import jobs, media, retention, timeutil
from radiomon.archive import Archive
from radiomon.lockfile import hold, lock_path
from radiomon.transcript import Segment

NOW = datetime.now(timeutil.UTC).replace(microsecond=0)
OLD = NOW - timedelta(days=100)  # past the default 90 days
RECENT = NOW - timedelta(days=10)
SAID = "El Ayuntamiento de Moroleón anunció obras en el mercado."


def add_recording(archive: Archive, deployment: Path, start: datetime, *, seconds: float = 30.0,
                  text: str | None = SAID, offset: float = 10.0, make_tone=None, folder: Path | None = None,
                  station: str = "radio-uno") -> int:
    """A real audio file under recordings/, registered, with one segment when ``text`` (not yet matched)."""
    base = folder or deployment / "recordings" / station / f"{start:%Y-%m-%d}"
    path = make_tone(base / f"{start:%H%M%S}.mp3", seconds=seconds)
    recording_id, _ = archive.add_recording(station=station, start=start, duration=media.probe_duration(path),
                                            path=str(path.resolve()))
    if text is not None:
        archive.replace_segments(recording_id, [Segment(offset, offset + 4.0, text)])
    return recording_id


def matched(config, archive) -> None:
    jobs.rematch(config, archive)


def audio_seconds(path: Path) -> float:
    return media.probe_duration(path)


@pytest.fixture
def old_and_new(config, archive, deployment, make_tone):
    """Two consecutive old recordings (the second with a mention 3 s in), one recent one, all matched."""
    ids = {
        "old1": add_recording(archive, deployment, OLD, text="Música y anuncios.", make_tone=make_tone),
        "old2": add_recording(archive, deployment, OLD + timedelta(seconds=30), offset=3.0, make_tone=make_tone),
        "new": add_recording(archive, deployment, RECENT, make_tone=make_tone),
    }
    matched(config, archive)
    return ids


def path_of(archive: Archive, recording_id: int) -> Path:
    return Path(archive.recording(recording_id).path)


def test_old_audio_goes_and_its_text_and_mentions_stay(run, config, archive, deployment, old_and_new):
    stray = deployment / "recordings" / "radio-uno" / "notas.mp3"  # not the archive's: never touched
    stray.write_bytes(b"not registered")
    old_files = [path_of(archive, old_and_new[k]) for k in ("old1", "old2")]
    size = sum(p.stat().st_size for p in old_files)
    mentions_before = [m.id for m in archive.list_mentions()]

    result = run("prune")

    assert result.exit_code == 0, result.output
    cutoff = timeutil.local(datetime.now(timeutil.UTC) - timedelta(days=90), config.timezone)
    assert re.fullmatch(
        rf"pruned 2 recording\(s\) that ended before {cutoff:%Y-%m-%d} \d\d:\d\d \(90 days\): "
        rf"{size / 1e6:.1f} MB of audio deleted, 0 clip\(s\) of confirmed mentions kept in "
        rf"{re.escape(str(config.kept_clips_dir))}", result.output.splitlines()[0]), result.output
    assert not any(p.exists() for p in old_files)
    assert path_of(archive, old_and_new["new"]).exists() and stray.read_bytes() == b"not registered"
    assert [archive.recording(old_and_new[k]).status for k in ("old1", "old2", "new")] == \
        ["pruned", "pruned", "transcribed"]
    assert [m.id for m in archive.list_mentions()] == mentions_before
    hits = json.loads(run("search", "mercado", "--format", "json").output)
    assert {h["recording_id"] for h in hits} == {old_and_new["old2"], old_and_new["new"]}


def test_a_second_prune_finds_nothing_to_do(run, old_and_new):
    assert run("prune").exit_code == 0
    again = run("prune")
    assert again.exit_code == 0
    assert "pruned 0 recording(s)" in again.output and "0.0 MB of audio deleted" in again.output


def test_the_clip_of_a_confirmed_mention_is_kept_before_the_audio_goes(run, config, archive, old_and_new):
    [mention] = [m for m in archive.list_mentions() if m.recording_id == old_and_new["old2"]]
    archive.set_review(mention.id, "confirmed")

    result = run("prune")

    assert result.exit_code == 0, result.output
    assert "1 clip(s) of confirmed mentions kept" in result.output
    kept = retention.kept_clip_path(config, mention)
    assert kept.parent == config.kept_clips_dir / "radio-uno"
    assert kept.name.endswith(f"_radio-uno_moroleon_{mention.id}.mp3")
    # 5 s before (2 of them from the first file) to 20 s after: cut while both files were there.
    assert abs(audio_seconds(kept) - 25.0) < 0.5
    assert archive.recording(old_and_new["old2"]).status == "pruned"
    assert run("prune").output.count("0 clip(s) of confirmed mentions kept") == 1  # kept once, not cut again


def test_a_mention_of_a_recent_recording_keeps_the_old_audio_its_clip_starts_in(run, config, archive, deployment,
                                                                                make_tone):
    # The cutoff of this moment, not of when the module was imported (the suite may have run for many minutes).
    cutoff = datetime.now(timeutil.UTC).replace(microsecond=0) - timedelta(days=90)
    first = add_recording(archive, deployment, cutoff - timedelta(seconds=40), text=None, make_tone=make_tone)
    # Long enough to stay within retention however slowly the test runs.
    second = add_recording(archive, deployment, cutoff - timedelta(seconds=10), seconds=300, offset=2.0,
                           make_tone=make_tone)
    matched(config, archive)
    [mention] = archive.mentions_of(second)
    archive.set_review(mention.id, "confirmed")
    assert archive.recording(first).status == "pending"  # no text: never pruned
    archive.replace_segments(first, [Segment(1.0, 2.0, "Buenas tardes.")])
    matched(config, archive)

    result = run("prune")

    assert result.exit_code == 0, result.output
    assert [archive.recording(i).status for i in (first, second)] == ["pruned", "transcribed"]
    assert abs(audio_seconds(retention.kept_clip_path(config, mention)) - 25.0) < 0.5


def test_dry_run_lists_what_would_go_and_changes_nothing(run, config, archive, old_and_new):
    [mention] = [m for m in archive.list_mentions() if m.recording_id == old_and_new["old2"]]
    archive.set_review(mention.id, "confirmed")
    old = [archive.recording(old_and_new[k]) for k in ("old1", "old2")]
    sizes = [Path(r.path).stat().st_size for r in old]

    result = run("prune", "--dry-run")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("would prune 2 recording(s) that ended before ")
    assert lines[0].endswith(f"(90 days), {sum(sizes) / 1e6:.1f} MB of audio:")
    assert lines[1:3] == [f"  recording {r.id}  radio-uno  {r.start_utc}  {r.path}  {s / 1e6:.1f} MB"
                          for r, s in zip(old, sizes)]
    assert lines[3] == f"would first keep 1 clip(s) of confirmed mentions in {config.kept_clips_dir}"
    assert lines[4].startswith(f"would free {sum(sizes) / 1e6:.1f} MB of audio and return ")
    assert all(Path(r.path).exists() for r in old)
    assert [archive.recording(r.id).status for r in old] == ["transcribed", "transcribed"]
    assert not config.kept_clips_dir.exists()


def test_old_audio_not_transcribed_or_from_elsewhere_is_kept_and_said(run, config, archive, deployment, make_tone,
                                                                       tmp_path):
    pending = add_recording(archive, deployment, OLD, text=None, make_tone=make_tone)
    elsewhere = add_recording(archive, deployment, OLD + timedelta(minutes=5), make_tone=make_tone,
                              folder=tmp_path / "usb")
    matched(config, archive)

    result = run("prune")

    assert result.exit_code == 0, result.output
    assert "pruned 0 recording(s)" in result.output
    assert "note: 1 recording(s) past retention were never transcribed (pending or failed): their audio is kept" \
        in result.output
    assert "note: 1 recording(s) past retention were imported from outside recordings_dir" in result.output
    assert path_of(archive, pending).exists() and path_of(archive, elsewhere).exists()
    assert archive.recording(elsewhere).status == "transcribed"


def test_a_run_stopped_between_marking_and_deleting_is_finished_by_the_next(run, archive, old_and_new):
    # The state a kill between the row update and the unlink leaves: pruned row, file still there.
    leftover = old_and_new["old1"]
    assert archive.mark_pruned(leftover)
    assert path_of(archive, leftover).exists()

    dry = run("prune", "--dry-run")
    assert "would delete 1 file(s) of recordings already marked pruned:" in dry.output

    result = run("prune")
    assert result.exit_code == 0, result.output
    assert "deleted 1 file(s) of recordings a stopped prune had marked" in result.output
    assert "pruned 1 recording(s)" in result.output
    assert not path_of(archive, leftover).exists() and not path_of(archive, old_and_new["old2"]).exists()


def test_a_recording_whose_file_is_already_gone_is_marked_and_said(run, archive, old_and_new):
    path_of(archive, old_and_new["old1"]).unlink()
    result = run("prune")
    assert result.exit_code == 0, result.output
    assert "pruned 2 recording(s)" in result.output and "1 of them had lost their file already" in result.output
    assert archive.recording(old_and_new["old1"]).status == "pruned"


def test_pruned_text_is_still_matched_after_keywords_change(run, config, archive, deployment, old_and_new):
    assert run("prune").exit_code == 0
    (deployment / "keywords.yml").write_text("groups:\n  mercados:\n    terms: [mercado]\n", encoding="utf-8")
    result = run("match", "--all")
    assert result.exit_code == 0, result.output
    assert {(m.recording_id, m.keyword) for m in archive.list_mentions()} == \
        {(old_and_new["old2"], "mercado"), (old_and_new["new"], "mercado")}


def test_an_unwritable_kept_clips_folder_keeps_that_audio_and_prunes_the_rest(run, config, archive, deployment,
                                                                              old_and_new, make_tone):
    [mention] = [m for m in archive.list_mentions() if m.recording_id == old_and_new["old2"]]
    archive.set_review(mention.id, "confirmed")
    later = add_recording(archive, deployment, OLD + timedelta(hours=2), text="Sin menciones.", make_tone=make_tone)
    matched(config, archive)
    config.kept_clips_dir.write_text("a file where the folder should be")  # running as root, chmod proves nothing

    result = run("prune")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"error: {config.kept_clips_dir / 'radio-uno'}: cannot create the folder for kept clips" in result.stderr
    assert "set retention.kept_clips_dir to a folder this user can write" in result.stderr
    assert result.output.splitlines()[-1] == "Error: 2 problem(s); the recordings concerned keep their audio"
    # old1 and old2 both hold the confirmed clip (it starts in old1): both keep their audio; the rest goes.
    assert [archive.recording(old_and_new[k]).status for k in ("old1", "old2")] == ["transcribed", "transcribed"]
    assert archive.recording(later).status == "pruned" and not path_of(archive, later).exists()


def test_a_prune_while_another_runs_exits_at_once(run, config, old_and_new):
    with hold(lock_path(config.archive, "prune"), "radiomon prune"):
        result = run("prune")
    assert result.exit_code == 1
    assert result.output.startswith("Error: radiomon prune is already running (pid ")
    assert result.output.endswith("); this copy exits\n")
    assert run("prune").exit_code == 0  # released with its holder


def test_retention_off_deletes_nothing(run, write_config, archive, old_and_new):
    write_config(RADIOMON_YML + "retention:\n  audio_days: 0\n")
    result = run("prune")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("retention is off (retention.audio_days: 0): no audio is deleted\n")
    assert path_of(archive, old_and_new["old1"]).exists()


@pytest.mark.parametrize("setting, message", [
    ("retention:\n  audio_days: -1\n", "retention.audio_days: must be 0 (keep audio forever) or a number of days"),
    ("retention:\n  audio_days: noventa\n", "retention.audio_days: expected a whole number, got 'noventa'"),
    ("retention:\n  clip_after: -5\n", "retention.clip_after: must be 0 or more seconds"),
])
def test_bad_retention_settings_are_one_line(run, write_config, setting, message):
    write_config(RADIOMON_YML + setting)
    result = run("prune")
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1 and message in result.output, result.output


def test_prune_without_an_archive_says_so(run, config):
    result = run("prune", "--dry-run")
    assert result.exit_code == 1
    assert result.output == f"Error: {config.archive}: archive not found; run `radiomon init` first\n"


def test_prune_help(run):
    result = run("prune", "--help")
    assert result.exit_code == 0 and "--dry-run" in result.output


# -- giving the archive's space back -------------------------------------------------------------------------
def make_free_pages(path: Path, megabytes: int = 4) -> None:
    """Pages a deletion leaves behind (as re-transcriptions and re-matches do), made with plain sqlite3."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE scratch (blob BLOB)")
    conn.executemany("INSERT INTO scratch VALUES (?)", [(b"x" * 100_000,)] * (megabytes * 10))
    conn.commit()
    conn.execute("DROP TABLE scratch")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def pragma(path: Path, name: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_a_new_archive_returns_freed_pages_to_the_disk(run, config, archive):
    assert archive.auto_vacuum == "incremental"
    make_free_pages(config.archive)
    size = config.archive.stat().st_size
    assert pragma(config.archive, "freelist_count") > 900

    result = run("prune")

    assert result.exit_code == 0, result.output
    returned = float(result.output.splitlines()[-1].split("archive: ")[1].split(" MB")[0])
    assert returned >= 4.0
    assert pragma(config.archive, "freelist_count") == 0
    assert config.archive.stat().st_size <= size - 4_000_000


def test_an_older_archive_is_switched_to_incremental_auto_vacuum_once(run, config, archive, old_and_new):
    archive.conn.execute("PRAGMA auto_vacuum = NONE")
    archive.conn.execute("VACUUM")  # as archives were made before radiomon set the mode
    assert archive.auto_vacuum == "none"
    make_free_pages(config.archive)
    assert "after its one-time VACUUM" in run("prune", "--dry-run").output

    first = run("prune")

    assert first.exit_code == 0, first.output
    assert "the archive was switched to incremental auto-vacuum (one VACUUM, done once)" in first.output
    assert pragma(config.archive, "auto_vacuum") == 2 and pragma(config.archive, "freelist_count") == 0
    assert [archive.recording(old_and_new[k]).status for k in ("old1", "old2", "new")] == \
        ["pruned", "pruned", "transcribed"]
    assert archive.integrity_problems() == []
    second = run("prune")
    assert "switched" not in second.output


def test_the_prune_run_is_recorded(run, archive, old_and_new):
    run("prune")
    [row] = archive.query("SELECT * FROM runs WHERE command = 'prune'")
    assert row["finished_utc"] and json.loads(row["errors"]) == []
    assert json.loads(row["counts"])["pruned"] == 2


def test_the_kept_clip_is_real_audio(run, config, archive, old_and_new):
    [mention] = [m for m in archive.list_mentions() if m.recording_id == old_and_new["old2"]]
    archive.set_review(mention.id, "confirmed")
    run("prune")
    kept = retention.kept_clip_path(config, mention)
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams",
                                       "-show_format", str(kept)], capture_output=True, text=True, check=True).stdout)
    assert probe["streams"][0]["codec_name"] == "mp3"
    assert "Moroleón" in probe["format"]["tags"]["title"]


def test_a_big_older_archive_is_rewritten_only_when_asked(run, config, archive, monkeypatch):
    archive.conn.execute("PRAGMA auto_vacuum = NONE")
    archive.conn.execute("VACUUM")
    make_free_pages(config.archive)
    monkeypatch.setattr(retention, "VACUUM_UNASKED_BYTES", 0)  # as if it were bigger than a slow disk rewrites at once

    unasked = run("prune")

    assert unasked.exit_code == 0, unasked.output
    assert "stop the recorder (systemctl stop radiomon) and run `radiomon prune --vacuum`" in unasked.output
    assert pragma(config.archive, "auto_vacuum") == 0 and pragma(config.archive, "freelist_count") > 0
    asked = run("prune", "--vacuum")
    assert asked.exit_code == 0, asked.output
    assert "switched to incremental auto-vacuum" in asked.output
    assert pragma(config.archive, "auto_vacuum") == 2 and pragma(config.archive, "freelist_count") == 0
