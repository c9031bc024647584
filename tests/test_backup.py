"""`radiomon backup FILE`: an online copy of the archive while other processes write, restored and searched."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import RADIOMON_YML, invoke

from radiomon.archive import Archive
from radiomon.transcript import Segment

START = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
PER_RECORDING = 20  # segments in every recording the tests write: a torn copy would show fewer


def fill(archive: Archive, first: int, count: int) -> None:
    """``count`` transcribed recordings of :data:`PER_RECORDING` segments, in one transaction."""
    with archive.write():
        for n in range(first, first + count):
            recording_id, _ = archive.add_recording(station="radio-uno", start=START + timedelta(minutes=n),
                                                    duration=600.0, source_sha256=f"seed-{n}")
            archive.replace_segments(recording_id, [
                Segment(i * 10.0, i * 10.0 + 9.0, f"Segmento {i} de la grabación {n}: el Ayuntamiento de "
                                                  "Moroleón informa sobre el mercado municipal.")
                for i in range(PER_RECORDING)])


# A second process that keeps writing whole recordings (one transaction each) until told to stop.
WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from radiomon.archive import Archive
    from radiomon.transcript import Segment
    archive, stop = Archive(sys.argv[1]), Path(sys.argv[2])
    start = datetime(2027, 1, 1, tzinfo=timezone.utc)
    n = 0
    while not stop.exists():
        rid, _ = archive.add_recording(station="radio-uno", start=start + timedelta(minutes=n), duration=600.0,
                                       source_sha256=f"writer-{n}")
        archive.replace_segments(rid, [Segment(i * 10.0, i * 10.0 + 9.0, f"Segmento {i} de {n} en Moroleón")
                                       for i in range(int(sys.argv[3]))])
        n += 1
    print(n)
""")


def recordings_in(path: Path) -> int:
    with Archive(path, create=False) as copy:
        return copy.query("SELECT count(*) AS n FROM recordings")[0]["n"]


def check_copy(path: Path) -> int:
    """A whole, consistent archive: SQLite's and FTS5's checks pass, no recording is torn, the index is complete."""
    with Archive(path, create=False) as copy:
        assert copy.integrity_problems() == []
        torn = copy.query("SELECT recording_id, count(*) AS n FROM segments GROUP BY recording_id HAVING n != ?",
                          (PER_RECORDING,))
        assert torn == []
        segments = copy.query("SELECT count(*) AS n FROM segments")[0]["n"]
        indexed = copy.query("SELECT count(*) AS n FROM segments_fts WHERE segments_fts MATCH 'moroleon'")[0]["n"]
        assert indexed == segments
        return copy.query("SELECT count(*) AS n FROM recordings")[0]["n"]


def restore(copy: Path, folder: Path) -> Path:
    """What the README says: the copy in place of the archive (no -wal/-shm of the old one beside it)."""
    folder.mkdir()
    (folder / "radiomon.yml").write_text(RADIOMON_YML, encoding="utf-8")
    shutil.copy(copy, folder / "radiomon.db")
    return folder / "radiomon.yml"


def test_a_backup_restores_and_searches(run, config, archive, tmp_path):
    fill(archive, 0, 30)
    target = tmp_path / "copias" / "radiomon-2026-11-26.db"
    target.parent.mkdir()

    result = run("backup", target)

    assert result.exit_code == 0, result.output
    assert result.output == (f"backed up {config.archive} to {target} ({target.stat().st_size / 1e6:.1f} MB)\n")
    assert sorted(p.name for p in target.parent.iterdir()) == ["radiomon-2026-11-26.db"]  # no -wal, no .part
    assert check_copy(target) == 30
    restored = restore(target, tmp_path / "restaurado")
    hits = invoke(["--config", restored, "search", '"grabación 7"', "--format", "json"])
    assert hits.exit_code == 0, hits.output
    assert len(json.loads(hits.output)) == PER_RECORDING
    assert invoke(["--config", restored, "status"]).exit_code == 0


def test_backups_while_another_process_writes_are_whole_and_consistent(run, config, archive, tmp_path):
    fill(archive, 0, 2000)
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(config.archive), str(stop), str(PER_RECORDING)],
                              stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while recordings_in(config.archive) < 2010 and time.monotonic() < deadline:
            time.sleep(0.05)
        counts = []
        for i in range(3):
            target = tmp_path / f"copia-{i}.db"
            result = run("backup", target)
            assert result.exit_code == 0, result.output
            counts.append(check_copy(target))
            time.sleep(0.3)
    finally:
        stop.touch()
        written = int(writer.communicate(timeout=60)[0])
    assert writer.returncode == 0 and written > 10
    final = recordings_in(config.archive)
    assert 2010 <= counts[0] < counts[1] < counts[2] < final  # the writer went on between and after the copies
    restored = restore(tmp_path / "copia-2.db", tmp_path / "restaurado")
    hits = invoke(["--config", restored, "search", "moroleon", "--since", "2027-01-01", "--format", "json"])
    assert hits.exit_code == 0 and hits.output.startswith("[")


def test_a_backup_killed_midway_leaves_the_previous_backup_whole(run, config, archive, tmp_path):
    fill(archive, 0, 4000)
    target = tmp_path / "radiomon-copia.db"
    assert run("backup", target).exit_code == 0
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    fill(archive, 4000, 10)
    partial = target.with_name(f".{target.name}.part")
    proc = subprocess.Popen([sys.executable, "-m", "radiomon", "--config", str(config.path), "backup", str(target)],
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    while not partial.exists() and proc.poll() is None:
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the backup finished before it could be killed; make the archive bigger"

    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert check_copy(target) == 4000
    again = run("backup", target)  # the leftover .part is no obstacle
    assert again.exit_code == 0, again.output
    assert check_copy(target) == 4010 and not partial.exists()


@pytest.mark.parametrize("where, message", [
    ("nowhere/copia.db", "Error: {tmp}/nowhere: no such folder; create it (or mount the backup disk) first\n"),
    ("a-folder", "Error: {tmp}/a-folder is a folder; give the backup's file name, e.g. {tmp}/a-folder/radiomon.db\n"),
    ("a-file/copia.db", "Error: {tmp}/a-file: no such folder; create it (or mount the backup disk) first\n"),
])
def test_backup_targets_that_cannot_work_are_one_line(run, archive, tmp_path, where, message):
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("not a folder")
    result = run("backup", tmp_path / where)
    assert result.exit_code == 1
    assert result.output == message.format(tmp=tmp_path)


def test_backing_up_onto_the_archive_itself_is_refused(run, config, archive):
    size = config.archive.stat().st_size
    result = run("backup", config.archive)
    assert result.exit_code == 1
    assert result.output == (f"Error: {config.archive}: that is the archive ({config.archive}); nothing was "
                             "written, choose another file name\n")
    assert config.archive.stat().st_size == size and Archive(config.archive).integrity_problems() == []


def test_backup_without_an_archive_says_so(run, config, tmp_path):
    result = run("backup", tmp_path / "copia.db")
    assert result.exit_code == 1
    assert result.output == f"Error: {config.archive}: archive not found; run `radiomon init` first\n"
    assert not (tmp_path / "copia.db").exists()


def test_backup_help(run):
    result = run("backup", "--help")
    assert result.exit_code == 0 and "Usage: radiomon backup [OPTIONS] FILE" in result.output
