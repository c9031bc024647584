"""Every command that writes a file refuses the deployment's own files, however the path spells them.

`radiomon clip 1 -o radiomon.db` once printed "wrote radiomon.db" and left
an MP3 where the archive was; `radiomon backup radiomon.db-wal` wrote a
database image over the live write-ahead log of a running recorder.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from radiomon import media, timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.transcript import Segment

START = datetime(2026, 11, 25, 15, 50, tzinfo=timezone.utc)  # 09:50 in Mexico City

#: What each protected name is, as the one-line refusal says it.
OWN_FILES = {
    "radiomon.db": "the archive",
    "radiomon.db-wal": "the archive's write-ahead log",
    "radiomon.db-shm": "the archive's shared-memory index",
    "radiomon.db.secret": "the web UI's session key",
    "radiomon.yml": "the config",
    "keywords.yml": "the keywords file",
    "radiomon.db.clips/1_5_20.mp3": "the web UI's clip cache",
    "recordings/radio-uno/2026-11-25/155000.wav": "the recordings folder",
    "transcripts/radio-uno/2026-11-25/155000.json": "the transcripts folder",
}

#: Each command that writes one file, with its output option last.
COMMANDS = {
    "clip": ["clip", "1", "-o"],
    "digest": ["digest", "--date", "2026-11-25", "--format", "html", "-o"],
    "report weekly": ["report", "weekly", "--week", "2026-W48", "--format", "md", "-o"],
    "backup": ["backup"],
}


@pytest.fixture
def office(deployment: Path, archive: Archive, make_tone):
    """A deployment in use: an archive holding one mention with real audio, the web UI's secret and a
    cached clip, a transcript; every file as it is on disk (the archive checkpointed)."""
    audio = make_tone(deployment / "recordings" / "radio-uno" / "2026-11-25" / "155000.wav", seconds=30.0)
    recording_id, _ = archive.add_recording(station="radio-uno", start=START, duration=media.probe_duration(audio),
                                            path=str(audio), status="transcribed")
    archive.replace_segments(recording_id, [Segment(9.0, 13.0, "El Ayuntamiento de Moroleón anunció obras.")])
    [segment] = archive.transcript_rows(recording_id)
    archive.replace_mentions(recording_id, [MentionRow(
        segment["id"], recording_id, "radio-uno", "municipio", "Moroleón", "Moroleón", 100.0,
        timeutil.shift(timeutil.to_iso(START), 10.0), 10.0, "El Ayuntamiento de Moroleón anunció obras.")])
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (deployment / "radiomon.db.secret").write_text("ab" * 32)
    (deployment / "radiomon.db.clips").mkdir()
    (deployment / "radiomon.db.clips" / "1_5_20.mp3").write_bytes(b"ID3 cached clip")
    transcript = deployment / "transcripts" / "radio-uno" / "2026-11-25" / "155000.json"
    transcript.parent.mkdir(parents=True)
    transcript.write_text('{"segments": []}')
    return deployment


#: SQLite itself writes these whenever a command opens the archive.
LIVE = {"radiomon.db", "radiomon.db-wal", "radiomon.db-shm"}


def fingerprints(folder: Path) -> dict[str, tuple]:
    """Every file of the deployment: its inode (a file renamed over it is a new one) and, but for the
    archive's live files, its content's hash; and the archive checked whole."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            name = str(path.relative_to(folder))
            content = None if name in LIVE else hashlib.sha256(path.read_bytes()).hexdigest()
            found[name] = (path.stat().st_ino, content)
    archive = folder / "radiomon.db"
    assert archive.read_bytes()[:16] == b"SQLite format 3\0"
    wal = Path(f"{archive}-wal").read_bytes()
    assert wal == b"" or wal[:4] in (bytes.fromhex("377f0682"), bytes.fromhex("377f0683"))
    with Archive(archive, create=False) as db:
        assert db.query("PRAGMA quick_check") == [{"quick_check": "ok"}] and db.mention(1) is not None
    return found


def refusal(target, what: str) -> str:
    return (f"Error: {target}: that is {what} ({Path(target).resolve()}); nothing was written, "
            "choose another file name\n")


@pytest.mark.parametrize("name", OWN_FILES)
@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_writes_over_the_deployments_own_files(office, run, command, name):
    before = fingerprints(office)
    target = office / name

    result = run(*COMMANDS[command], target)

    assert (result.exit_code, result.output) == (1, refusal(target, OWN_FILES[name]))
    assert fingerprints(office) == before
    assert not list(office.rglob(".*.part"))


@pytest.mark.parametrize("spelling", ["symlink", "dotdot", "relative", "hardlink"])
@pytest.mark.parametrize("command", ["digest", "backup", "clip"])
def test_any_spelling_of_the_archive_is_the_archive(office, run, tmp_path, monkeypatch, command, spelling):
    elsewhere = tmp_path / "documentos"
    elsewhere.mkdir()
    if spelling == "symlink":
        target = elsewhere / "sintesis.html"
        target.symlink_to(office / "radiomon.db")
    elif spelling == "dotdot":
        target = elsewhere / ".." / office.name / "radiomon.db"
    elif spelling == "relative":  # run from another folder, the archive named relative to it
        monkeypatch.chdir(elsewhere)
        target = Path("..") / office.name / "radiomon.db"
    else:
        target = elsewhere / "copia.db"
        os.link(office / "radiomon.db", target)
    before = fingerprints(office)

    result = run(*COMMANDS[command], target)

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {target}: that is the archive (")
    assert fingerprints(office) == before
    with Archive(office / "radiomon.db", create=False) as archive:
        assert archive.integrity_problems() == [] and archive.mention(1) is not None


def test_a_leftover_temporary_name_that_links_to_the_archive_is_not_written_through(office, run, tmp_path):
    """The document is written under ``.<name>.part`` first: whatever stood there goes, and is not followed."""
    out = tmp_path / "sintesis.html"
    (tmp_path / ".sintesis.html.part").symlink_to(office / "radiomon.db")
    (tmp_path / ".clip.mp3.part").symlink_to(office / "keywords.yml")
    before = fingerprints(office)

    assert run("digest", "--date", "2026-11-25", "-o", out).exit_code == 0
    assert run("clip", "1", "-o", tmp_path / "clip.mp3").exit_code == 0

    assert fingerprints(office) == before
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert media.probe_duration(tmp_path / "clip.mp3") > 20
    assert not list(tmp_path.glob(".*.part"))


def test_documents_still_go_where_they_are_asked(office, run, tmp_path):
    """A backup beside the archive under another name, a clip and a digest next to it: all written."""
    assert run("backup", office / "radiomon.db.2026-11-26").exit_code == 0
    assert run("digest", "--date", "2026-11-25", "-o", office / "sintesis.md").exit_code == 0
    clip = run("clip", "1", "-o", office / "mencion-1.mp3")
    assert clip.exit_code == 0 and clip.stdout.startswith(f"wrote {office / 'mencion-1.mp3'}: ")
    with Archive(office / "radiomon.db.2026-11-26", create=False) as copy:
        assert copy.mention(1) is not None


@pytest.mark.parametrize("folder, what", [
    ("recordings", "the recordings folder"),
    ("recordings/radio-uno", "the recordings folder"),
    ("transcripts", "the transcripts folder"),
    ("radiomon.db.clips", "the web UI's clip cache"),
    ("radiomon.db.clips/hoy", "the web UI's clip cache"),
])
def test_clips_of_a_day_refuse_the_deployments_folders(office, run, folder, what):
    before = fingerprints(office)
    target = office / folder
    result = run("clips", "--date", "2026-11-25", "-o", target)
    assert result.exit_code == 1
    assert result.output == (f"Error: {target}: that is {what} ({target.resolve()}); nothing was written, "
                             "choose another folder\n")
    assert fingerprints(office) == before


def test_clips_into_the_deployment_folder_itself_write_only_new_files(office, run):
    before = fingerprints(office)
    result = run("clips", "--date", "2026-11-25", "-o", office)
    assert result.exit_code == 0, result.output
    after = fingerprints(office)
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(set(after) - set(before)) == ["20261125_095010_radio-uno_moroleon.mp3", "cue-sheet.csv"]


def test_a_nightly_sintesis_aimed_at_the_recordings_is_refused_and_the_rest_runs(office, run, write_config):
    from conftest import RADIOMON_YML
    write_config(RADIOMON_YML + "nightly:\n  reports_dir: recordings/radio-uno\n  formats: [html]\n"
                 "  prune: false\n")
    before = fingerprints(office)
    result = run("nightly", "--date", "2026-11-25")
    assert result.exit_code == 1
    target = office / "recordings" / "radio-uno" / "sintesis-2026-11-25.html"
    assert (f"error: {target}: that is the recordings folder ({target}); nothing was written, choose another file "
            f"name (set by nightly.reports_dir in {office / 'radiomon.yml'})") in result.output
    assert {k: v for k, v in fingerprints(office).items() if k in before and k != "radiomon.yml"} == \
        {k: v for k, v in before.items() if k != "radiomon.yml"}
    assert not target.exists()


# -- the archive's live write-ahead log --------------------------------------------------------------------
def test_backup_onto_the_live_wal_is_refused_and_what_only_the_wal_holds_survives(run, config, archive):
    """A recorder (here: a second connection) has committed rows that live only in the WAL; a backup
    aimed at the WAL must not touch it, and the rows must be there after the writer closes."""
    writer = Archive(config.archive)
    writer.conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep what it writes in the WAL
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with writer.write():
        for n in range(50):
            rid, _ = writer.add_recording(station="radio-uno", start=START + timedelta(minutes=n), duration=600.0,
                                          source_sha256=f"wal-{n}")
            writer.replace_segments(rid, [Segment(0.0, 5.0, f"Grabación {n} en Moroleón")])
    wal = Path(f"{config.archive}-wal")
    assert wal.stat().st_size > 0
    before = wal.read_bytes()

    result = run("backup", wal)

    assert (result.exit_code, result.output) == (1, refusal(wal, "the archive's write-ahead log"))
    assert wal.read_bytes() == before
    assert archive.query("SELECT count(*) AS n FROM recordings")[0]["n"] == 50
    writer.close()
    archive.close()
    with Archive(config.archive, create=False) as reopened:
        assert reopened.query("SELECT count(*) AS n FROM recordings")[0]["n"] == 50
        assert reopened.integrity_problems() == []
    assert run("status").exit_code == 0


def test_backup_onto_the_wal_with_nothing_running_is_one_line(run, config, archive):
    archive.close()
    result = run("backup", f"{config.archive}-wal")
    assert (result.exit_code, result.output) == (1, refusal(f"{config.archive}-wal", "the archive's write-ahead log"))
    with sqlite3.connect(config.archive) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
