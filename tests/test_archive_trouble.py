"""An archive that is damaged, read-only, on a full disk or not there at all is said as such.

`radiomon status` used to say "ok" over an archive with a broken page, a
full disk read "is it a radiomon SQLite file?", and a mistyped ``archive:``
made `mentions` create an empty archive and answer "no mentions".
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import RADIOMON_YML, own_tmpfs, write_deployment

from radiomon import health
from radiomon.archive import Archive
from radiomon.transcript import Segment

START = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)


def fill(archive: Archive, count: int = 40) -> None:
    with archive.write():
        for n in range(count):
            rid, _ = archive.add_recording(station="radio-uno", start=START + timedelta(minutes=n), duration=600.0,
                                           source_sha256=f"seed-{n}")
            archive.replace_segments(rid, [Segment(i * 10.0, i * 10.0 + 9.0, f"Segmento {i} de {n}: el mercado "
                                                   "municipal de Moroleón abre el lunes.") for i in range(20)])


def break_page_of(path: Path, table: str) -> None:
    """Overwrite the head of ``table``'s root page: a b-tree page SQLite cannot read any more."""
    with sqlite3.connect(path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * 16)


# -- status and the health check ------------------------------------------------------------------------------
def test_status_over_a_damaged_archive_is_unhealthy(run, config, archive):
    fill(archive)
    archive.close()
    # The full-text index: nothing `status` counts reads it, so only a check of the whole file sees the damage.
    break_page_of(config.archive, "segments_fts_data")

    result = run("status")

    assert result.exit_code == 1, result.output
    assert "recordings: 40 transcribed; segments: 800" in result.stdout
    assert result.stderr.startswith(f"unhealthy: the archive {config.archive} is damaged (PRAGMA quick_check: Page ")
    assert result.stderr.endswith("); restore the newest backup (see the README)\n")
    problems = json.loads(run("status", "--format", "json").stdout)["problems"]
    assert [(p["key"], p["kind"]) for p in problems] == [("archive", "archive")]
    assert problems[0]["details"]["damage"]


def test_status_over_a_sound_archive_has_no_archive_problem(run, archive):
    fill(archive, 3)
    result = run("status", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["problems"] == []


def test_an_archive_this_user_cannot_write_is_a_problem():
    facts = health.Facts(now=NOW, tz=NOW.tzinfo, archive=health.ArchiveFacts("/srv/radiomon/radiomon.db",
                                                                           writable=False))
    [problem] = health.evaluate(facts, health.HealthConfig())
    assert (problem.key, problem.kind, problem.subject) == ("archive", "archive", "/srv/radiomon/radiomon.db")
    assert problem.summary == ("the archive /srv/radiomon/radiomon.db cannot be written by this user (a read-only "
                               "file, folder or disk): nothing new can be stored")
    assert health.evaluate(health.Facts(now=NOW, tz=NOW.tzinfo, archive=health.ArchiveFacts("x.db")),
                           health.HealthConfig()) == []


# -- a disk that cannot take the archive ----------------------------------------------------------------------
@pytest.fixture
def own_disk(tmp_path: Path):
    """A 1 MB tmpfs of its own with a deployment and its archive on it (the suite runs as root)."""
    # Unmounted lazily (umount -l), as it always was here: a test remounts it read-only.
    with own_tmpfs(tmp_path / "disco", "1m", lazy=True) as folder:
        write_deployment(folder)
        with Archive(folder / "radiomon.db") as archive:
            archive.ensure_station("radio-uno", "America/Mexico_City")
        yield folder


def radiomon(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """A process of its own: SQLite keeps per-process state about files it has opened."""
    return subprocess.run([sys.executable, "-m", "radiomon", "--config", str(folder / "radiomon.yml"), *args],
                          capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.pathsep.join(sys.path)})


def test_an_archive_on_a_read_only_disk_says_so(own_disk):
    subprocess.run(["mount", "-o", "remount,ro", str(own_disk)], check=True)
    for command in (("mentions",), ("status",)):
        result = radiomon(own_disk, *command)
        assert result.returncode == 1
        assert result.stderr.startswith(f"Error: {own_disk / 'radiomon.db'}: the archive is read-only here ("), \
            result.stderr
        assert "that the disk is not mounted read-only\n" in result.stderr and "Traceback" not in result.stderr


def test_an_archive_on_a_full_disk_says_so(own_disk):
    filler = own_disk / "relleno.bin"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)
    result = radiomon(own_disk, "mentions")
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {own_disk / 'radiomon.db'}: the disk is full ("), result.stderr
    assert result.stderr.endswith(f"free some space on the disk of {own_disk} and try again\n")
    filler.unlink()
    again = radiomon(own_disk, "mentions")
    assert (again.returncode, again.stderr) == (0, "no mentions\n")


# -- only `radiomon init` makes an archive --------------------------------------------------------------------
@pytest.mark.parametrize("args", [["mentions"], ["match"], ["users", "list"], ["users", "add", "ana"],
                                  ["search", "mercado"], ["alerts", "send"], ["status"],
                                  ["record", "--duration", "1"], ["run", "--duration", "1"]])
def test_a_mistyped_archive_path_is_an_error_not_an_empty_archive(run, write_config, deployment, args):
    write_config(RADIOMON_YML.replace("archive: radiomon.db", "archive: radiomon-typo.db"))
    result = run(*args, input="secreta-larga-123\nsecreta-larga-123\n")
    assert result.exit_code == 1
    assert result.output.endswith(f"Error: {deployment / 'radiomon-typo.db'}: archive not found; "
                                  "run `radiomon init` first\n")
    assert sorted(p.name for p in deployment.iterdir()) == ["keywords.yml", "radiomon.yml"]


def test_after_init_the_same_commands_work(cli, tmp_path):
    folder = tmp_path / "oficina"
    assert cli("init", folder).exit_code == 0
    config = folder / "radiomon.yml"
    assert cli("--config", config, "mentions").output == "no mentions\n"
    assert cli("--config", config, "users", "list").exit_code == 0


def test_a_commit_that_fails_leaves_no_transaction_open(tmp_path: Path) -> None:
    """A COMMIT can fail (a full disk; here a deferred foreign key): the write is rolled back, and the
    connection's next write starts clean instead of failing with "cannot start a transaction within a
    transaction"."""
    archive = Archive(tmp_path / "radiomon.db")
    with pytest.raises(sqlite3.IntegrityError):
        with archive.write() as conn:
            conn.execute("PRAGMA defer_foreign_keys = ON")
            conn.execute("INSERT INTO segments (recording_id, start_ms, end_ms, epoch_ms, text) "
                         "VALUES (999, 0, 1000, 0, 'de una grabación que no existe')")
    assert not archive.conn.in_transaction
    assert archive.query("SELECT count(*) AS n FROM segments") == [{"n": 0}]
    with archive.write() as conn:
        conn.execute("INSERT INTO stations (id, name, timezone) VALUES ('radio-uno', 'Radio Uno', 'UTC')")
    assert archive.query("SELECT id FROM stations") == [{"id": "radio-uno"}]
