"""The SQLite archive: schema, WAL, idempotent writes, atomic segments, FTS kept current."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from factories import START
from hypothesis import given
from hypothesis import strategies as st

from radiomon.archive import Archive, schema
from radiomon.errors import ArchiveError
from radiomon.filters import Filters
from radiomon.search.ranked import ranked_rows
from radiomon.transcript import Segment, Word


def fts_ids(archive: Archive, match: str) -> list[int]:
    return [r["rowid"] for r in archive.query(
        "SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? ORDER BY rowid", (match,))]


def fts_integrity(archive: Archive) -> None:
    """FTS5 checks its index against segments.text; raises if they drifted apart."""
    archive.conn.execute("INSERT INTO segments_fts(segments_fts, rank) VALUES ('integrity-check', 1)")


def recording(archive: Archive, station: str = "radio-uno", start: datetime = START, **kwargs) -> int:
    kwargs.setdefault("duration", 600.0)
    kwargs.setdefault("path", f"/grabaciones/{station}/{start:%Y%m%dT%H%M%S}.mp3")
    recording_id, created = archive.add_recording(station=station, start=start, **kwargs)
    assert created
    return recording_id


# --- opening, schema, migrations --------------------------------------------------------------


def test_a_new_archive_is_schema_v1_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "radiomon.db"
    with Archive(path) as archive:
        assert archive.schema_version == schema.CURRENT_VERSION >= 1
        assert archive.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert archive.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
        assert archive.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        tables = {r["name"] for r in archive.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"stations", "recordings", "segments", "segments_fts", "mentions", "gaps", "runs"} <= tables
    assert path.exists()


@pytest.mark.parametrize(
    "table, columns",
    [
        ("stations", {"id", "name", "url", "input", "timezone"}),
        (
            "recordings",
            {"id", "station", "path", "start_utc", "end_utc", "duration", "status", "error", "engine", "model"},
        ),
        (
            "segments",
            {
                "id",
                "recording_id",
                "start",
                "end",
                "start_utc",
                "end_utc",
                "text",
                "avg_logprob",
                "no_speech_prob",
                "words",
            },
        ),
        (
            "mentions",
            {
                "id",
                "segment_id",
                "recording_id",
                "station",
                "group_id",
                "keyword",
                "matched",
                "score",
                "at_utc",
                "offset",
                "context",
                "review",
            },
        ),
        ("gaps", {"id", "station", "start_utc", "end_utc", "reason"}),
        ("runs", {"id", "command", "started_utc", "finished_utc", "counts", "errors"}),
    ],
)
def test_the_columns_design_md_promises(archive: Archive, table: str, columns: set[str]) -> None:
    found = {r["name"] for r in archive.query(f"SELECT name FROM pragma_table_xinfo('{table}')")}
    assert columns <= found


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "radiomon.db"
    with Archive(path) as archive:
        archive.ensure_station("radio-uno", "America/Mexico_City")
    with Archive(path) as archive:
        assert archive.schema_version == schema.CURRENT_VERSION
        assert schema.migrate(archive.conn) == schema.CURRENT_VERSION  # nothing left to do
        assert archive.query("SELECT id FROM stations") == [{"id": "radio-uno"}]


def test_migrations_run_in_order_from_an_older_version(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "radiomon.db"
    with Archive(path):
        pass
    later = [*schema.MIGRATIONS, ["CREATE TABLE later_feature (id INTEGER PRIMARY KEY)"]]
    monkeypatch.setattr(schema, "MIGRATIONS", later)
    monkeypatch.setattr(schema, "CURRENT_VERSION", len(later))
    with Archive(path) as archive:
        assert archive.schema_version == len(later)
        assert archive.query("SELECT count(*) AS n FROM later_feature") == [{"n": 0}]


def test_a_failing_migration_leaves_the_archive_at_its_old_version(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "radiomon.db"
    with Archive(path):
        pass
    version = schema.CURRENT_VERSION
    broken = [*schema.MIGRATIONS, ["CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL"]]
    monkeypatch.setattr(schema, "MIGRATIONS", broken)
    monkeypatch.setattr(schema, "CURRENT_VERSION", len(broken))
    with pytest.raises(ArchiveError, match="cannot open the archive"):
        Archive(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0
    conn.close()


def test_an_archive_from_a_newer_radiomon_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "radiomon.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ArchiveError) as err:
        Archive(path)
    assert str(err.value) == (
        f"{path}: archive schema v99 is newer than this radiomon (v{schema.CURRENT_VERSION}); upgrade radiomon"
    )


def test_a_file_that_is_not_sqlite_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "radiomon.db"
    path.write_text("estas no son las notas del día\n" * 200)
    with pytest.raises(ArchiveError) as err:
        Archive(path)
    assert str(err.value) == (
        f"{path}: cannot open the archive (file is not a database); is it a radiomon SQLite file?"
    )


def test_opening_without_create_requires_the_file(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError) as err:
        Archive(tmp_path / "nada.db", create=False)
    assert str(err.value) == f"{tmp_path / 'nada.db'}: archive not found; run `radiomon init` first"


# --- stations and recordings ------------------------------------------------------------------


def test_sync_stations_upserts_and_keeps_removed_ones(archive: Archive, config) -> None:
    assert archive.query("SELECT id, name, url, input, timezone FROM stations ORDER BY id") == [
        {"id": "fm-oficina", "name": "Receptor FM de la oficina", "url": None, "input": "alsa:hw:1",
         "timezone": "America/Mexico_City"},
        {"id": "radio-uno", "name": "Radio Uno Moroleón", "url": "http://127.0.0.1:8000/uno.mp3", "input": None,
         "timezone": "America/Mexico_City"},
    ]
    from dataclasses import replace

    renamed = replace(config.stations[0], name="Radio Uno")
    archive.sync_stations([renamed], "America/Mexico_City")
    assert archive.query("SELECT id, name FROM stations ORDER BY id") == [
        {"id": "fm-oficina", "name": "Receptor FM de la oficina"}, {"id": "radio-uno", "name": "Radio Uno"}]


def test_a_recording_needs_a_known_station(archive: Archive) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        archive.add_recording(station="pirata", start=START, duration=10.0, path="/x.mp3")


def test_add_recording_stores_utc_times_and_is_idempotent(archive: Archive) -> None:
    first = archive.add_recording(station="radio-uno", start=START, duration=599.5, path="/a/140000.mp3")
    again = archive.add_recording(station="radio-uno", start=START, duration=599.5, path="/a/140000.mp3")
    assert first == (1, True) and again == (1, False)
    rec = archive.recording(1)
    assert (rec.station, rec.path, rec.start_utc, rec.end_utc, rec.duration, rec.status) == (
        "radio-uno", "/a/140000.mp3", "2026-11-25T20:00:00.000Z", "2026-11-25T20:09:59.500Z", 599.5, "pending")
    assert rec.start == START
    assert archive.query("SELECT count(*) AS n FROM recordings") == [{"n": 1}]


def test_the_same_content_is_one_recording_per_station(archive: Archive) -> None:
    a = archive.add_recording(station="radio-uno", start=START, duration=5.0, source_sha256="abc")
    b = archive.add_recording(station="radio-uno", start=START + timedelta(hours=1), duration=5.0, source_sha256="abc")
    c = archive.add_recording(station="fm-oficina", start=START, duration=5.0, source_sha256="abc")
    assert a == (1, True) and b == (1, False) and c == (2, True)


def test_recordings_filters_and_status_changes(archive: Archive) -> None:
    first = recording(archive, start=START)
    second = recording(archive, start=START + timedelta(minutes=10))
    other = recording(archive, station="fm-oficina", start=START + timedelta(minutes=5))
    assert [r.id for r in archive.recordings()] == [first, other, second]
    assert [r.id for r in archive.recordings(Filters(stations=("radio-uno",)))] == [first, second]
    assert [r.id for r in archive.recordings(Filters(since=START + timedelta(minutes=5)))] == [other, second]
    assert [r.id for r in archive.recordings(Filters(until=START + timedelta(minutes=5)))] == [first]
    assert [r.id for r in archive.recordings(Filters(limit=1))] == [first]

    archive.set_status(first, "transcribing")
    archive.mark_failed(other, "ffmpeg: Invalid data found")
    assert [r.id for r in archive.recordings(status=("pending", "failed"))] == [other, second]
    assert archive.recording(other).error == "ffmpeg: Invalid data found"
    assert archive.recording(first).status == "transcribing"
    with pytest.raises(ValueError, match="unknown status 'done'"):
        archive.set_status(first, "done")
    assert archive.recording(999) is None


# --- segments and full-text search ------------------------------------------------------------

SEGMENTS = [
    Segment(
        0.0,
        4.5,
        "Buenos días, Moroleón.",
        avg_logprob=-0.2,
        no_speech_prob=0.01,
        words=(Word("Buenos", 0.0, 0.4, 0.99), Word("días,", 0.4, 0.9, 0.98), Word("Moroleón.", 1.0, 1.6, 0.951234)),
    ),
    Segment(4.5, 9.25, "El año próximo abre el mercado de Piñícuaro."),
    Segment(9.25, 12.0, "Y ahora, la música."),
]


def test_replace_segments_stores_times_words_and_status(archive: Archive) -> None:
    rec = recording(archive, duration=None)
    assert archive.replace_segments(rec, SEGMENTS, engine="faster-whisper", model="base", duration=12.5) == 3
    stored = archive.transcript_rows(rec)
    assert [(s["start"], s["end"], s["start_utc"], s["end_utc"]) for s in stored] == [
        (0.0, 4.5, "2026-11-25T20:00:00.000Z", "2026-11-25T20:00:04.500Z"),
        (4.5, 9.25, "2026-11-25T20:00:04.500Z", "2026-11-25T20:00:09.250Z"),
        (9.25, 12.0, "2026-11-25T20:00:09.250Z", "2026-11-25T20:00:12.000Z"),
    ]
    assert json.loads(stored[0]["words"]) == [
        {"word": "Buenos", "start": 0.0, "end": 0.4, "probability": 0.99},
        {"word": "días,", "start": 0.4, "end": 0.9, "probability": 0.98},
        {"word": "Moroleón.", "start": 1.0, "end": 1.6, "probability": 0.951},
    ]
    assert stored[1]["words"] is None
    rec_row = archive.recording(rec)
    assert (rec_row.status, rec_row.engine, rec_row.model, rec_row.duration, rec_row.end_utc) == (
        "transcribed", "faster-whisper", "base", 12.5, "2026-11-25T20:00:12.500Z")


def test_replacing_segments_again_leaves_only_the_new_ones(archive: Archive) -> None:
    rec = recording(archive)
    archive.replace_segments(rec, SEGMENTS)
    archive.conn.execute("UPDATE recordings SET matched_utc = '2026-11-25T20:30:00.000Z' WHERE id = ?", (rec,))
    segment = archive.transcript_rows(rec)[0]["id"]
    archive.conn.execute(
        "INSERT INTO mentions (segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, offset)"
        " VALUES (?, ?, 'radio-uno', 'municipio', 'Moroleón', 'Moroleón', 100, '2026-11-25T20:00:01.000Z', 1.0)",
        (segment, rec),
    )
    archive.replace_segments(rec, [Segment(0.0, 3.0, "Nueva transcripción de Moroleón.")])
    assert [s["text"] for s in archive.transcript_rows(rec)] == ["Nueva transcripción de Moroleón."]
    assert archive.query("SELECT count(*) AS n FROM mentions") == [{"n": 0}]
    assert archive.recording(rec).matched_utc is None  # to be matched again
    assert fts_ids(archive, "mercado") == []
    assert fts_ids(archive, "moroleon") == [archive.transcript_rows(rec)[0]["id"]]
    fts_integrity(archive)


def test_a_failing_segment_in_the_middle_leaves_nothing_written(archive: Archive) -> None:
    rec = recording(archive)
    archive.replace_segments(rec, SEGMENTS[:1])
    before = archive.transcript_rows(rec)
    unstorable = Segment(2.0, 4.0, "Segunda.")
    object.__setattr__(unstorable, "text", None)  # past Segment's own cleaning: the NOT NULL column refuses it
    bad = [Segment(0.0, 2.0, "Primera frase nueva."), unstorable, Segment(4.0, 6.0, "Tercera.")]
    with pytest.raises(sqlite3.IntegrityError):
        archive.replace_segments(rec, bad, engine="faster-whisper")
    assert archive.transcript_rows(rec) == before
    assert archive.recording(rec).engine is None
    assert fts_ids(archive, "primera") == []
    assert fts_ids(archive, "moroleon") == [before[0]["id"]]
    fts_integrity(archive)
    assert not archive.conn.in_transaction
    # Nothing of the failed write lingers: a plain INSERT (a script, Datasette) is indexed as usual.
    with archive.write() as conn:
        row = conn.execute(
            "INSERT INTO segments (recording_id, start_ms, end_ms, epoch_ms, text) VALUES (?, 20000, 21000, 0, ?)",
            (rec, "Agregado a mano en Uriangato."),
        ).lastrowid
    assert fts_ids(archive, "uriangato") == [row]
    fts_integrity(archive)


def test_a_transcriber_crashing_mid_stream_leaves_nothing_written(archive: Archive) -> None:
    rec = recording(archive)

    def segments():
        yield Segment(0.0, 2.0, "Alcanzó a decir esto.")
        raise RuntimeError("CUDA out of memory")

    with pytest.raises(RuntimeError):
        archive.replace_segments(rec, segments())
    assert archive.transcript_rows(rec) == []
    assert archive.recording(rec).status == "pending"
    assert fts_ids(archive, "alcanzo") == []


def test_replace_segments_of_an_unknown_recording(archive: Archive) -> None:
    with pytest.raises(KeyError):
        archive.replace_segments(42, SEGMENTS)


def test_fts_triggers_follow_insert_update_and_delete(archive: Archive) -> None:
    rec = recording(archive)
    archive.replace_segments(rec, SEGMENTS)
    first, second, third = (s["id"] for s in archive.transcript_rows(rec))
    assert fts_ids(archive, "moroleon") == [first]

    with archive.write() as conn:
        conn.execute("UPDATE segments SET text = 'Saludos a Uriangato.' WHERE id = ?", (first,))
    assert fts_ids(archive, "moroleon") == []
    assert fts_ids(archive, "uriangato") == [first]

    with archive.write() as conn:
        conn.execute("DELETE FROM segments WHERE id = ?", (second,))
    assert fts_ids(archive, "mercado") == []
    assert fts_ids(archive, "musica") == [third]

    with archive.write() as conn:  # as sqlite3 or Datasette would write it
        fourth = conn.execute(
            "INSERT INTO segments (recording_id, start_ms, end_ms, epoch_ms, text) VALUES (?, 20000, 21000, 0, ?)",
            (rec, "Protección Civil de Moroleón."),
        ).lastrowid
    assert fts_ids(archive, "proteccion civil") == [fourth]
    fts_integrity(archive)


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("moroleon", "Buenos días, Moroleón."),
        ("MOROLEÓN", "Buenos días, Moroleón."),
        ("dias", "Buenos días, Moroleón."),
        ("pinicuaro", "El año próximo abre el mercado de Piñícuaro."),
        ("PIÑICUARO", "El año próximo abre el mercado de Piñícuaro."),
        ("ano", "El año próximo abre el mercado de Piñícuaro."),  # ñ folds to n, on purpose (schema.py)
        ("musica", "Y ahora, la música."),
    ],
)
def test_search_ignores_case_accents_and_the_tilde(archive: Archive, typed: str, stored: str) -> None:
    rec = recording(archive)
    archive.replace_segments(rec, SEGMENTS)
    rows = ranked_rows(archive, f'"{typed}"')
    assert [r["text"] for r in rows] == [stored]


def test_search_rows_carry_what_a_hit_needs(archive: Archive) -> None:
    rec = recording(archive)
    archive.replace_segments(rec, SEGMENTS)
    (row,) = ranked_rows(archive, '"mercado"')
    assert {k: row[k] for k in ("segment_id", "recording_id", "station", "offset", "start", "end", "audio")} == {
        "segment_id": 2, "recording_id": rec, "station": "radio-uno", "offset": 4.5,
        "start": "2026-11-25T20:00:04.500Z", "end": "2026-11-25T20:00:09.250Z",
        "audio": "/grabaciones/radio-uno/20261125T200000.mp3",
    }
    assert row["snippet"] == "El año próximo abre el \x02mercado\x03 de Piñícuaro."


def test_ranking_puts_the_best_match_first_and_newest_first_on_ties(archive: Archive) -> None:
    filler = [Segment(float(i), i + 1.0, f"Relleno número {i} sobre el clima y el tráfico.") for i in range(20)]
    old = recording(archive, start=START)
    archive.replace_segments(old, [
        *filler,
        Segment(30.0, 31.0, "Moroleón, Moroleón, Moroleón."),
        Segment(40.0, 41.0, "Una nota larga del clima que de pasada menciona Moroleón al final."),
        Segment(50.0, 51.0, "Noticias de Moroleón."),
    ])
    new = recording(archive, start=START + timedelta(days=1))
    archive.replace_segments(new, [Segment(50.0, 51.0, "Noticias de Moroleón.")])
    rows = ranked_rows(archive, '"moroleon"')
    assert [(r["text"], r["recording_id"]) for r in rows] == [
        ("Moroleón, Moroleón, Moroleón.", old),
        ("Noticias de Moroleón.", new),  # same score: the newer one first
        ("Noticias de Moroleón.", old),
        ("Una nota larga del clima que de pasada menciona Moroleón al final.", old),
    ]
    assert rows[0]["rank"] < rows[-1]["rank"]  # bm25: lower is better
    assert len(ranked_rows(archive, '"moroleon"', limit=2)) == 2


def test_ranking_looks_only_at_the_newest_window_of_matches(archive: Archive, monkeypatch) -> None:
    from radiomon.archive import fts

    monkeypatch.setattr(fts, "RANK_WINDOW", 3)
    rec = recording(archive)
    archive.replace_segments(rec, [
        Segment(0.0, 1.0, "Moroleón Moroleón Moroleón Moroleón."),  # the best, but the oldest
        *[Segment(float(i), i + 1.0, f"Hoy en Moroleón, nota {i}.") for i in range(1, 6)],
    ])
    rows = ranked_rows(archive, '"moroleon"', limit=10)
    assert sorted(r["text"] for r in rows) == ["Hoy en Moroleón, nota 3.", "Hoy en Moroleón, nota 4.",
                                               "Hoy en Moroleón, nota 5."]


def test_search_filters_by_station_and_time(archive: Archive) -> None:
    a = recording(archive, start=START, duration=3600.0)  # 20:00Z
    archive.replace_segments(
        a, [Segment(0.0, 5.0, "Moroleón a las dos."), Segment(3000.0, 3005.0, "Moroleón a las dos y cincuenta.")]
    )
    b = recording(archive, station="fm-oficina", start=START + timedelta(hours=1))
    archive.replace_segments(b, [Segment(0.0, 5.0, "Moroleón a las tres en FM.")])

    def texts(**filters) -> list[str]:
        return sorted(r["text"] for r in ranked_rows(archive, '"moroleon"', Filters(**filters)))

    assert texts(stations=("fm-oficina",)) == ["Moroleón a las tres en FM."]
    assert texts(stations=("radio-uno", "fm-oficina")) == texts()
    # A segment 50 minutes into a recording that began before `since` still counts.
    assert texts(since=START + timedelta(minutes=30)) == [
        "Moroleón a las dos y cincuenta.",
        "Moroleón a las tres en FM.",
    ]
    assert texts(until=START + timedelta(minutes=50)) == ["Moroleón a las dos."]
    assert texts(since=START + timedelta(minutes=50), until=START + timedelta(hours=1)) == [
        "Moroleón a las dos y cincuenta."
    ]
    assert texts(since=START + timedelta(days=1)) == []
    assert texts(stations=("fm-oficina",), until=START + timedelta(minutes=59)) == []


def test_since_finds_late_segments_of_a_recording_whose_duration_is_unknown(archive: Archive) -> None:
    rec = recording(archive, start=START, duration=None)
    archive.replace_segments(rec, [Segment(0.0, 5.0, "Moroleón temprano."), Segment(3000.0, 3005.0, "Moroleón tarde.")])
    assert archive.recording(rec).duration is None
    rows = ranked_rows(archive, '"moroleon"', Filters(since=START + timedelta(minutes=30)))
    assert [r["text"] for r in rows] == ["Moroleón tarde."]


def test_search_by_group_uses_the_mentions(archive: Archive) -> None:
    rec = recording(archive)
    archive.replace_segments(rec, SEGMENTS)
    first = archive.transcript_rows(rec)[0]["id"]
    archive.conn.execute(
        "INSERT INTO mentions (segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, offset)"
        " VALUES (?, ?, 'radio-uno', 'municipio', 'Moroleón', 'Moroleón', 100, '2026-11-25T20:00:01.000Z', 1.0)",
        (first, rec),
    )
    assert [
        r["segment_id"] for r in ranked_rows(archive, '"buenos" OR "mercado"', Filters(groups=("municipio",)))
    ] == [first]
    assert ranked_rows(archive, '"buenos"', Filters(groups=("dependencias",))) == []


# --- gaps, runs --------------------------------------------------------------------------------


def test_gaps_are_rows_of_their_own(archive: Archive) -> None:
    closed = archive.add_gap("radio-uno", START, START + timedelta(minutes=3), "network")
    still_open = archive.open_gap("fm-oficina", START + timedelta(hours=2), "silence")
    assert archive.gaps() == [
        {"id": closed, "station": "radio-uno", "start_utc": "2026-11-25T20:00:00.000Z",
         "end_utc": "2026-11-25T20:03:00.000Z", "reason": "network"},
        {"id": still_open, "station": "fm-oficina", "start_utc": "2026-11-25T22:00:00.000Z",
         "end_utc": None, "reason": "silence"},
    ]
    assert [g["id"] for g in archive.gaps(Filters(since=START + timedelta(hours=1)))] == [still_open]
    assert [g["id"] for g in archive.gaps(Filters(stations=("radio-uno",)))] == [closed]
    archive.close_gap(still_open, START + timedelta(hours=2, minutes=1))
    assert archive.gaps(Filters(stations=("fm-oficina",)))[0]["end_utc"] == "2026-11-25T22:01:00.000Z"
    assert archive.gaps(Filters(since=START + timedelta(hours=3))) == []


def test_runs_record_counts_and_errors(archive: Archive) -> None:
    run_id = archive.start_run("transcribe")
    archive.finish_run(run_id, {"transcribed": 3}, ["20261125T140000.mp3: no se pudo leer"])
    (row,) = archive.query("SELECT command, finished_utc IS NOT NULL AS done, counts, errors FROM runs")
    assert row == {"command": "transcribe", "done": 1, "counts": '{"transcribed": 3}',
                   "errors": '["20261125T140000.mp3: no se pudo leer"]'}


# --- sharing the file --------------------------------------------------------------------------


def test_a_reader_sees_a_writers_commits_and_not_its_open_transaction(tmp_path: Path) -> None:
    path = tmp_path / "radiomon.db"
    with Archive(path) as writer, Archive(path) as reader:
        writer.ensure_station("radio-uno", "America/Mexico_City")
        rec, _ = writer.add_recording(station="radio-uno", start=START, duration=10.0, path="/a.mp3")
        with writer.write():
            writer.replace_segments(rec, SEGMENTS)
            assert ranked_rows(reader, '"moroleon"') == []  # WAL: readers go on during a write
        assert len(ranked_rows(reader, '"moroleon"')) == 1


def test_the_archive_opens_in_the_plain_sqlite3_cli_with_fts(archive: Archive, config) -> None:
    rec = recording(archive)
    archive.replace_segments(rec, SEGMENTS)
    archive.close()
    out = subprocess.run(
        ["/usr/bin/sqlite3", str(config.archive),
         "select s.id, s.start_utc, s.text from segments_fts f join segments s on s.id = f.rowid "
         "where segments_fts match 'moroleon OR pinicuaro' order by s.id"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert out == (
        "1|2026-11-25T20:00:00.000Z|Buenos días, Moroleón.\n"
        "2|2026-11-25T20:00:04.500Z|El año próximo abre el mercado de Piñícuaro.\n"
    )


def _open_archive(path: str) -> str:
    try:
        with Archive(path) as archive:
            return f"v{archive.schema_version}"
    except Exception as err:  # reported to the parent, which asserts
        return str(err)


def test_processes_opening_a_new_archive_at_once_all_succeed(tmp_path) -> None:
    """A recorder and a command starting together on a new archive: SQLite can
    answer "database is locked" at once while one switches it to WAL."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(6) as pool:
        for attempt in range(5):
            path = str(tmp_path / f"new-{attempt}.db")
            assert set(pool.map(_open_archive, [path] * 12)) == {f"v{schema.CURRENT_VERSION}"}


@given(st.lists(st.tuples(st.text(max_size=12), st.floats(0, 7200, allow_nan=False),
                          st.one_of(st.none(), st.floats(0, 1))), max_size=20))
def test_word_starts_reads_what_full_decoding_reads(words) -> None:
    from radiomon.archive.segments import word_starts, words_json
    from radiomon.transcript import Word

    stored = words_json([Word(text, start, start + 0.5, p) for text, start, p in words])
    decoded = json.loads(stored) if stored else []
    assert [(text, float(start)) for text, start in word_starts(stored)] == [(w["word"], w["start"]) for w in decoded]
