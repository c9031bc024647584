"""`radiomon import`: Whisper JSON transcripts and real audio files, imported twice, broken, or both."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RADIOMON_YML, own_tmpfs

from radiomon.archive import Archive
from radiomon.errors import InputFileError
from radiomon.pipeline.ingest import parse_whisper_json

WHISPER_JSON = {
    "text": " Buenos días, Moroleón. El mercado abre el lunes.",
    "language": "es",
    "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 3.5, "text": " Buenos días, Moroleón.",
         "avg_logprob": -0.21, "no_speech_prob": 0.02,
         "words": [{"word": " Buenos", "start": 0.0, "end": 0.5, "probability": 0.97},
                   {"word": " días,", "start": 0.5, "end": 1.0, "probability": 0.95},
                   {"word": " Moroleón.", "start": 1.1, "end": 2.0, "probability": 0.9}]},
        {"id": 1, "seek": 0, "start": 3.5, "end": 7.25, "text": " El mercado abre el lunes."},
        {"id": 2, "seek": 0, "start": 7.25, "end": 8.0, "text": "   "},
    ],
}


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def table(config, sql: str) -> list[dict]:
    with Archive(config.archive) as archive:
        return archive.query(sql)


@pytest.fixture(autouse=True)
def _initialized(deployment: Path) -> None:
    """Imports go into a deployment `radiomon init` made: only init creates the archive."""
    Archive(deployment / "radiomon.db").close()


# --- Whisper JSON -----------------------------------------------------------------------------


def test_importing_a_transcript_twice_stores_it_once(run, deployment, config) -> None:
    path = write_json(deployment / "nota.json", WHISPER_JSON)
    first = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert (first.exit_code, first.output) == (
        0, f"imported {path} as recording 1 (start 2026-11-25T20:00:00.000Z, 2 segments)\n"
           "flagged 1 mention(s), 1 high-priority event(s) recorded\n")
    again = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert (again.exit_code, again.output) == (0, f"already imported: {path} (recording 1)\n")
    assert table(config, "SELECT station, path, start_utc, end_utc, duration, status, engine, transcript_path"
                         " FROM recordings") == [
        {"station": "radio-uno", "path": None, "start_utc": "2026-11-25T20:00:00.000Z",
         "end_utc": "2026-11-25T20:00:07.250Z", "duration": 7.25, "status": "transcribed", "engine": "import",
         "transcript_path": str(path)}]
    segments = table(config, 'SELECT start, "end", start_utc, text, avg_logprob, words FROM segments')
    assert [(s["start"], s["end"], s["start_utc"], s["text"], s["avg_logprob"]) for s in segments] == [
        (0.0, 3.5, "2026-11-25T20:00:00.000Z", "Buenos días, Moroleón.", -0.21),
        (3.5, 7.25, "2026-11-25T20:00:03.500Z", "El mercado abre el lunes.", None),
    ]
    assert [w["word"] for w in json.loads(segments[0]["words"])] == [" Buenos", " días,", " Moroleón."]


def test_a_renamed_copy_is_still_the_same_transcript(run, deployment) -> None:
    first = write_json(deployment / "nota.json", WHISPER_JSON)
    copy = deployment / "copia.json"
    shutil.copy(first, copy)
    run("import", "--transcript", first, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    result = run("import", "--transcript", copy, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert (result.exit_code, result.output) == (0, f"already imported: {copy} (recording 1)\n")


def test_transcript_start_can_carry_an_offset_and_duration_wins_when_given(run, deployment, config) -> None:
    path = write_json(deployment / "nota.json", {**WHISPER_JSON, "duration": 600.0})
    result = run("import", "--transcript", path, "--station", "fm-oficina", "--start", "2026-11-25T20:00:00Z")
    assert result.exit_code == 0, result.output
    assert table(config, "SELECT station, end_utc, duration FROM recordings") == [
        {"station": "fm-oficina", "end_utc": "2026-11-25T20:10:00.000Z", "duration": 600.0}]


@pytest.mark.parametrize("duration", [float("nan"), float("inf"), -1, 0, True, "600"])
def test_an_unusable_duration_falls_back_to_the_last_segment(duration) -> None:
    _, found = parse_whisper_json({**WHISPER_JSON, "duration": duration}, "x.json")
    assert found == 7.25


def test_a_bare_list_of_segments_is_accepted() -> None:
    segments, duration = parse_whisper_json([{"start": 0, "end": 2, "text": "hola"}], "x.json")
    assert [(s.start, s.end, s.text) for s in segments] == [(0.0, 2.0, "hola")] and duration == 2.0


@pytest.mark.parametrize(
    "data, problem",
    [
        (
            {"text": "sin segmentos"},
            'no \'segments\' list; expected Whisper JSON like {"segments": [{"start", "end", "text"}]}',
        ),
        (
            {"segments": [{"start": 0, "end": 1, "text": "a"}, "b"]},
            "segments[1]: expected an object with start, end and text",
        ),
        (
            {"segments": [{"start": 0, "end": 1, "text": "a"}, {"start": "0:01", "end": 2, "text": "b"}]},
            "segments[1].start: expected a number of seconds, got '0:01'",
        ),
        ({"segments": [{"start": 0, "text": "a"}]}, "segments[0].end: expected a number of seconds, got None"),
        (
            {"segments": [{"start": True, "end": 1, "text": "a"}]},
            "segments[0].start: expected a number of seconds, got True",
        ),
        ({"segments": [{"start": 0, "end": 1, "text": 5}]}, "segments[0].text: expected a string"),
        (
            {"segments": [{"start": float("nan"), "end": 1, "text": "a"}]},
            "segments[0].start: expected a number of seconds, got nan",
        ),
        (
            {"segments": [{"start": 0, "end": float("inf"), "text": "a"}]},
            "segments[0].end: expected a number of seconds, got inf",
        ),
        (
            {"segments": [{"start": 5, "end": 1, "text": "a"}]},
            "segments[0]: end (1.0) before start (5.0); fix the times",
        ),
        (
            {"segments": [{"start": -2, "end": 1, "text": "a"}]},
            "segments[0].start: -2.0 s is before the recording began; fix the times",
        ),
        (  # `status` said the station recorded until 2121
            {"segments": [{"start": 0, "end": 3e9, "text": "a"}]},
            "segments[0].end: 3000000000.0 s is more than 24 h into the recording; fix the times",
        ),
        (
            {"segments": [{"start": 0, "end": 1e300, "text": "a"}]},
            "segments[0].end: 1e+300 s is more than 24 h into the recording; fix the times",
        ),
        (
            {"duration": 60, "segments": [{"start": 0, "end": 5, "text": "a"}, {"start": 5, "end": 61.5, "text": "b"}]},
            "segments[1].end: 61.5 s is past the transcript's duration (60 s); fix the times",
        ),
        ({"duration": 3e9, "segments": []}, "duration: 3000000000.0 s is more than 24 h; fix the duration"),
        (
            {"segments": [{"start": 0, "end": 10, "text": "a"}, {"start": 20, "end": 30, "text": "c"},
                          {"start": 8, "end": 15, "text": "b"}]},
            "segments[2] (8–15 s) overlaps segments[0] (0–10 s); fix the times "
            "(a transcript's segments follow each other)",
        ),
        (
            {"segments": [{"start": 0, "end": 10, "text": "a"}, {"start": 9.5, "end": 9.8, "text": "b"}]},
            "segments[1] (9.5–9.8 s) overlaps segments[0] (0–10 s); fix the times "
            "(a transcript's segments follow each other)",
        ),
        (
            {"segments": [{"start": 0, "end": 2, "text": "a", "words": [{"word": "a", "start": 500, "end": 501}]}]},
            "segments[0].words[0]: 500–501 s is outside its segment (0–2 s); fix the times",
        ),
        (
            {"segments": [{"start": 0, "end": 2, "text": "a", "words": [{"word": "a", "start": 1.5, "end": 1}]}]},
            "segments[0].words[0]: end (1.0) before start (1.5); fix the times",
        ),
        (
            {"segments": [{"start": 0, "end": 1, "text": "a", "words": [{"start": 0, "end": 1}]}]},
            'segments[0].words[0]: expected {"word", "start", "end"}',
        ),
        (
            {"segments": [{"start": 0, "end": 1, "text": "a", "words": [{"word": "a", "start": 0, "end": "x"}]}]},
            "segments[0].words[0].end: expected a number of seconds, got 'x'",
        ),
    ],
)
def test_malformed_transcript_names_file_and_segment(run, deployment, config, data, problem) -> None:
    path = write_json(deployment / "mala.json", data)
    result = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: {problem}\n"
    assert table(config, "SELECT count(*) AS n FROM recordings") == [{"n": 0}]


def test_small_overlaps_and_word_times_a_little_outside_are_corrected_and_said(run, deployment, config) -> None:
    path = write_json(deployment / "nota.json", {"segments": [
        {"start": 3.0, "end": 6.0, "text": "El mercado abre el lunes.",
         "words": [{"word": " El", "start": 2.9, "end": 3.2}, {"word": " mercado", "start": 3.2, "end": 3.8},
                   {"word": " lunes.", "start": 5.5, "end": 6.3}]},
        {"start": 0.0, "end": 3.4, "text": "Buenos días, Moroleón.",
         "words": [{"word": " Buenos", "start": 0.0, "end": 0.5}, {"word": " Moroleón.", "start": 1.1, "end": 3.4}]},
    ]})
    result = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"corrected: {path}: 1 segment(s) overlapping the one before by under 1 s now start where it ends\n"
        f"corrected: {path}: 2 word time(s) outside their segment by under 1 s clipped into it\n")
    segments = table(config, 'SELECT start, "end", text, words FROM segments ORDER BY start')
    assert [(s["start"], s["end"]) for s in segments] == [(0.0, 3.4), (3.4, 6.0)]
    assert [(w["start"], w["end"]) for w in json.loads(segments[1]["words"])] == [
        (3.4, 3.4), (3.4, 3.8), (5.5, 6.0)]


def test_json_nested_too_deeply_is_one_line(run, deployment, config) -> None:
    path = deployment / "nota.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}: not a Whisper transcript (JSON nested too deeply)\n")


def test_transcript_that_is_not_json(run, deployment, config) -> None:
    path = deployment / "nota.json"
    path.write_text('{"segments": [', encoding="utf-8")
    result = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: not valid JSON (Expecting value: line 1 column 15 (char 14)); expected a Whisper transcript\n")


def test_transcript_file_that_does_not_exist(run, deployment) -> None:
    path = deployment / "no-existe.json"
    result = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert (result.exit_code, result.output) == (1, f"Error: {path}: not found\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--station", "radio-dos", "--start", "2026-11-25 14:00"],
            "Error: unknown station 'radio-dos' (configured in {config}: radio-uno, fm-oficina)\n",
        ),
        (["--station", "radio-uno"], "Error: --transcript needs --start (when the transcribed audio began)\n"),
        (
            ["--station", "radio-uno", "--start", "14:00 del martes"],
            "Error: '14:00 del martes' is not a date or time; use 2026-11-25, '2026-11-25 14:30' "
            "or 2026-11-25T20:30:00Z\n",
        ),
    ],
)
def test_transcript_import_errors(run, deployment, config_path, args, message) -> None:
    path = write_json(deployment / "nota.json", WHISPER_JSON)
    result = run("import", "--transcript", path, *args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == message.format(config=config_path)


def test_several_transcripts_need_one_start_each(run, deployment) -> None:
    a = write_json(deployment / "a.json", WHISPER_JSON)
    b = write_json(deployment / "b.json", {"segments": []})
    result = run("import", "--transcript", a, b, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert (result.exit_code, result.output) == (
        1, "Error: --start names the start of one transcript; import them one at a time\n")


# --- audio ------------------------------------------------------------------------------------


def test_audio_start_from_the_file_name_and_duration_from_the_file(run, deployment, config, make_tone) -> None:
    wav = make_tone(deployment / "entrante" / "radio-uno-20261125T140000.wav", seconds=3.0)
    mp3 = make_tone(deployment / "entrante" / "2026-11-25_14-10-00.mp3", seconds=7.0, kind="silence")
    result = run("import", wav, mp3, "--station", "radio-uno")
    assert (result.exit_code, result.output) == (0, (
        f"imported {wav} as recording 1 (start 2026-11-25T20:00:00.000Z)\n"
        f"imported {mp3} as recording 2 (start 2026-11-25T20:10:00.000Z)\n"))
    rows = table(config, "SELECT path, start_utc, end_utc, duration, status FROM recordings ORDER BY id")
    assert rows[0] == {"path": str(wav), "start_utc": "2026-11-25T20:00:00.000Z",
                       "end_utc": "2026-11-25T20:00:03.000Z", "duration": 3.0, "status": "pending"}
    assert rows[1]["duration"] == pytest.approx(7.0, abs=0.1)  # mp3 frames round it a little
    assert rows[1]["status"] == "pending"


def test_importing_audio_again_is_a_no_op(run, deployment, config, make_tone) -> None:
    wav = make_tone(deployment / "20261125T140000.wav", seconds=1.0)
    run("import", wav, "--station", "radio-uno")
    again = run("import", wav, "--station", "radio-uno")
    assert (again.exit_code, again.output) == (0, f"already imported: {wav} (recording 1)\n")
    assert table(config, "SELECT count(*) AS n FROM recordings") == [{"n": 1}]


def test_the_recorders_own_layout_is_understood(run, deployment, make_tone) -> None:
    path = make_tone(deployment / "recordings" / "radio-uno" / "2026-11-25" / "235000.wav", seconds=1.0)
    result = run("import", path, "--station", "radio-uno")
    assert result.output == f"imported {path} as recording 1 (start 2026-11-26T05:50:00.000Z)\n"


def test_the_start_is_read_in_the_stations_time_zone(run, write_config, make_tone, deployment) -> None:
    write_config("""\
        timezone: America/Mexico_City
        stations:
          - {id: xhtij, url: "http://example.invalid/tj", timezone: America/Tijuana}
    """)
    summer = make_tone(deployment / "xhtij-20260701-1200.wav", seconds=1.0)
    winter = make_tone(deployment / "xhtij-20261201-1200.wav", seconds=1.5)  # not the same audio
    result = run("import", summer, winter, "--station", "xhtij")
    assert result.output == (
        f"imported {summer} as recording 1 (start 2026-07-01T19:00:00.000Z)\n"
        f"imported {winter} as recording 2 (start 2026-12-01T20:00:00.000Z)\n")


def test_a_file_without_a_start_asks_for_start(run, deployment, make_tone) -> None:
    path = make_tone(deployment / "programa del martes.wav", seconds=1.0)
    result = run("import", path, "--station", "radio-uno")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (  # one file: its problem is the one line, no count of failures
        f"Error: {path}: no start time in the file name (like 20261125T140000 or 2026-11-25_14-00-00); pass --start\n")
    with_start = run("import", path, "--station", "radio-uno", "--start", "2026-11-25 09:30")
    assert (with_start.exit_code, with_start.output) == (
        0, f"imported {path} as recording 1 (start 2026-11-25T15:30:00.000Z)\n")


def test_start_names_one_file_only(run, deployment, make_tone) -> None:
    a = make_tone(deployment / "a.wav", seconds=1.0)
    b = make_tone(deployment / "b.wav", seconds=1.0)
    result = run("import", a, b, "--station", "radio-uno", "--start", "2026-11-25 09:30")
    assert result.exit_code == 1
    assert result.output == ("Error: --start names the start of one file; import several files without it "
                             "(their names carry the start)\n")


def test_an_unreadable_file_is_one_line_and_the_others_import(run, deployment, config, make_tone) -> None:
    good = make_tone(deployment / "20261125T140000.wav", seconds=2.0)
    junk = deployment / "20261125T141000.mp3"
    junk.write_text("esto no es audio\n")
    missing = deployment / "20261125T142000.mp3"
    later = make_tone(deployment / "20261125T143000.wav", seconds=2.5)  # not the same audio
    result = run("import", good, junk, missing, later, "--station", "radio-uno")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout == (
        f"imported {good} as recording 1 (start 2026-11-25T20:00:00.000Z)\n"
        f"imported {later} as recording 2 (start 2026-11-25T20:30:00.000Z)\n")
    errors = result.stderr.splitlines()
    assert len(errors) == 3
    assert re.fullmatch(rf"error: {re.escape(str(junk))}: not readable audio \([^()]+\)", errors[0]), errors[0]
    assert errors[0].count(str(junk)) == 1
    assert errors[1] == f"error: {missing}: not found"
    assert errors[2] == "Error: 2 of 4 files could not be imported; the others were"
    assert [r["start_utc"] for r in table(config, "SELECT start_utc FROM recordings ORDER BY id")] == [
        "2026-11-25T20:00:00.000Z", "2026-11-25T20:30:00.000Z"]


def test_a_file_with_no_audio_stream(run, deployment, tmp_path) -> None:
    path = deployment / "20261125T140000.mkv"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=black:s=32x32:d=1",
                    "-c:v", "ffv1", str(path)], check=True)
    result = run("import", path, "--station", "radio-uno")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"Error: {path}: has no audio stream"


def test_spoken_audio_keeps_its_measured_length(run, deployment, config) -> None:
    assert shutil.which("espeak-ng"), "espeak-ng is not installed (make test installs it)"
    path = deployment / "radio-uno-20261125-0800.wav"
    subprocess.run(["espeak-ng", "-v", "es-419", "-w", str(path),
                    "Buenos días, Moroleón. Hoy abre el nuevo mercado municipal."], check=True)
    probed = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                             str(path)], capture_output=True, text=True, check=True).stdout
    result = run("import", path, "--station", "radio-uno")
    assert result.output == f"imported {path} as recording 1 (start 2026-11-25T14:00:00.000Z)\n"
    (row,) = table(config, "SELECT duration, end_utc FROM recordings")
    assert row["duration"] == pytest.approx(float(probed), abs=0.001)
    assert 2.0 < row["duration"] < 10.0


def test_missing_ffprobe_stops_at_once(run, deployment, make_tone, config) -> None:
    wav = make_tone(deployment / "20261125T140000.wav", seconds=1.0)
    result = run("import", wav, "--station", "radio-uno", env={"PATH": str(deployment)})
    assert (result.exit_code, result.output) == (
        1, "Error: ffprobe not found on PATH; install FFmpeg (Debian: apt-get install ffmpeg) and try again\n")
    assert table(config, "SELECT count(*) AS n FROM recordings") == [{"n": 0}]


def test_the_real_command_prints_each_problem_once(deployment, config_path, make_tone) -> None:
    """Outside CliRunner the CLI configures logging; a skipped file must still be one line, not two."""
    bad = deployment / "20261125T141000.mp3"
    bad.write_text("esto no es audio\n")
    good = make_tone(deployment / "20261125T140000.wav", seconds=1.0)
    env = {k: v for k, v in os.environ.items() if k != "RADIOMON_CONFIG"}
    done = subprocess.run(
        [sys.executable, "-m", "radiomon", "--config", str(config_path), "import", str(good), str(bad),
         "--station", "radio-uno"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == f"imported {good} as recording 1 (start 2026-11-25T20:00:00.000Z)\n"
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith(f"error: {bad}: not readable audio (")
    assert lines[1] == "Error: 1 of 2 files could not be imported; the others were"


def test_parse_whisper_json_reports_in_the_library_too() -> None:
    with pytest.raises(InputFileError) as err:
        parse_whisper_json({"segments": [{"start": 0, "end": 1}]}, "x.json")
    assert str(err.value) == "x.json: segments[0].text: expected a string"


def test_a_file_that_does_not_exist_is_not_found_whatever_its_name(run, deployment, make_tone) -> None:
    missing = deployment / "programa del martes.mp3"
    result = run("import", missing, "--station", "radio-uno")
    assert (result.exit_code, result.output) == (1, f"Error: {missing}: not found\n")
    other = deployment / "tampoco.wav"
    both = run("import", missing, other, "--station", "radio-uno")
    assert (both.exit_code, both.stderr) == (1, (
        f"error: {missing}: not found\nerror: {other}: not found\nError: none of the 2 files could be imported\n"))


def test_a_truncated_mp3_is_stored_with_the_audio_it_holds(run, deployment, config, make_tone) -> None:
    whole = make_tone(deployment / "entero" / "20261125T140000.mp3", seconds=30.0)
    cut = deployment / "20261125T140000.mp3"
    cut.write_bytes(whole.read_bytes()[:5_000])  # the header still says 30 s
    header = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                             str(cut)], capture_output=True, text=True, check=True).stdout
    assert float(header) > 29.0  # what was stored before
    result = run("import", cut, "--station", "radio-uno")
    assert result.exit_code == 0, result.output
    (row,) = table(config, "SELECT duration FROM recordings")
    assert 0.5 < row["duration"] < 3.0  # 5 KB of a 90 KB file
    assert result.stdout == f"imported {cut} as recording 1 (start 2026-11-25T20:00:00.000Z)\n"
    assert result.stderr == (f"corrected: {cut}: its header says {float(header):.2f} s but it holds "
                             f"{row['duration']:.2f} s of audio (truncated?); stored as {row['duration']:.2f} s\n")
    whole_again = run("import", whole, "--station", "radio-uno", "--start", "2026-11-25 15:00")
    assert (whole_again.exit_code, whole_again.stderr) == (0, "")  # a sound file: its header is believed
    assert table(config, "SELECT duration FROM recordings WHERE id = 2")[0]["duration"] == pytest.approx(30.0, abs=0.2)


def test_the_same_audio_under_another_path_is_already_imported(run, deployment, config, make_tone) -> None:
    first = make_tone(deployment / "20261125T140000.wav", seconds=2.0)
    copy = deployment / "copias" / "radio-uno-2026-11-25_14-00-00.wav"
    copy.parent.mkdir()
    shutil.copy(first, copy)
    assert run("import", first, "--station", "radio-uno").exit_code == 0
    again = run("import", copy, "--station", "radio-uno")
    assert (again.exit_code, again.output) == (
        0, f"{copy}: already imported as recording 1 (same audio as {first})\n")
    assert table(config, "SELECT count(*) AS n FROM recordings") == [{"n": 1}]
    # Another station may broadcast the same file (a network's shared news); it is its recording.
    assert run("import", copy, "--station", "fm-oficina").output.startswith(f"imported {copy} as recording 2")


@pytest.fixture
def small_disk(deployment: Path):
    """An 8 MB tmpfs for the archive (the suite runs as root, as `make test` does; see test_health.py)."""
    with own_tmpfs(deployment / "disco", "8m") as folder:
        yield folder


def test_a_full_disk_is_one_line_and_stores_nothing_half(run, write_config, deployment, small_disk) -> None:
    write_config(RADIOMON_YML.replace("archive: radiomon.db", "archive: disco/radiomon.db"))
    assert run("init", deployment).exit_code == 0
    text = "Buenos días desde Moroleón, hoy abre el nuevo mercado municipal con muchos puestos. " * 4
    path = write_json(deployment / "larga.json", {"segments": [
        {"start": i * 3.0, "end": i * 3.0 + 3.0, "text": f"{i}. {text}"} for i in range(1_500)]})  # 500 KB of text
    archive = small_disk / "radiomon.db"
    filler = small_disk / "relleno.bin"
    filler.write_bytes(b"\0" * (7_700 * 1024))  # the archive opens, the transcript does not fit
    full = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert (full.exit_code, full.output) == (1, (
        f"Error: {archive}: the disk is full; nothing of {path} was stored: free some space and import it again\n"))
    assert table_of(archive, "SELECT count(*) AS n FROM recordings") == [{"n": 0}]

    filler.write_bytes(b"\0" * (7_000 * 1024))  # the transcript fits, its 6,000 mentions do not
    half = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00")
    assert (half.exit_code, half.stderr) == (1, (
        f"Error: {archive}: the disk is full; {path} was imported as recording 1, its mentions not flagged yet: "
        "free some space and run `radiomon match`\n"))
    assert table_of(archive, "SELECT count(*) AS n FROM segments") == [{"n": 1500}]
    assert table_of(archive, "SELECT count(*) AS n FROM mentions") == [{"n": 0}]

    filler.unlink()
    matched = run("match")
    assert matched.exit_code == 0, matched.output
    assert table_of(archive, "SELECT count(*) AS n FROM mentions") == [{"n": 6000}]  # four a segment


def table_of(archive: Path, sql: str) -> list[dict]:
    with Archive(archive) as db:
        return db.query(sql)
