"""Clips and testigos: planning (pure), ffmpeg's arguments (pure), and real cuts of real audio."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from radiomon import jobs, media, timeutil
from radiomon.archive import Archive, MentionRow, Recording
from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.keywords import parse_keywords
from radiomon.reports import clips, items
from radiomon.reports import digest as digests
from radiomon.reports import testigos as day_testigos
from radiomon.reports.clips import ClipError, Piece, clip_command, plan_clip
from radiomon.reports.testigos import group_testigos
from radiomon.transcript import Segment

try:
    import audio_factory as af
except ImportError:  # tests/ is a package in some layouts
    from tests import audio_factory as af

TEN = datetime(2026, 11, 25, 15, 50, tzinfo=timezone.utc)  # 09:50 in Mexico City
MX = ZoneInfo("America/Mexico_City")


def rec(id_: int, start: datetime, seconds: float, *, path: str | None = "x.mp3", status: str = "transcribed",
        station: str = "radio-uno") -> Recording:
    return Recording(id_, station, f"{id_}-{path}" if path else None, timeutil.to_iso(start),
                     timeutil.to_iso(start + timedelta(seconds=seconds)), seconds, status)


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return TEN + timedelta(minutes=minutes, seconds=seconds)


# -- planning ------------------------------------------------------------------------------------
def test_a_mention_at_09_59_55_is_cut_from_two_consecutive_files():
    files = [rec(1, at(0), 600), rec(2, at(10), 600)]
    mention = at(9, 55)
    plan = plan_clip(files, 1, mention, mention - timedelta(seconds=5), mention + timedelta(seconds=20))
    assert plan.pieces == (Piece("1-x.mp3", 590.0, 600.0, 1), Piece("2-x.mp3", 0.0, 15.0, 2))
    assert plan.duration == 25.0 and not plan.stopped_at_gap
    assert (plan.start, plan.end) == (at(9, 50), at(10, 15))


def test_the_clip_runs_back_into_the_file_before():
    files = [rec(1, at(0), 600), rec(2, at(10), 600)]
    mention = at(10, 2)
    plan = plan_clip(files, 2, mention, mention - timedelta(seconds=5), mention + timedelta(seconds=20))
    assert plan.pieces == (Piece("1-x.mp3", 597.0, 600.0, 1), Piece("2-x.mp3", 0.0, 22.0, 2))


def test_files_that_meet_within_a_second_are_consecutive_and_overlap_is_not_played_twice():
    files = [rec(1, at(0), 600.6), rec(2, at(10), 600)]  # the first ran 0.6 s past the second's start
    mention = at(9, 55)
    plan = plan_clip(files, 1, mention, mention - timedelta(seconds=5), mention + timedelta(seconds=20))
    assert [(p.from_s, p.to_s) for p in plan.pieces] == [(590.0, 600.0), (0.0, 15.0)]


def test_a_hole_between_recordings_stops_the_clip_and_says_so():
    files = [rec(1, at(0), 600), rec(2, at(10, 30), 600)]  # 30 s not recorded
    mention = at(9, 55)
    plan = plan_clip(files, 1, mention, mention - timedelta(seconds=5), mention + timedelta(seconds=20))
    assert plan.pieces == (Piece("1-x.mp3", 590.0, 600.0, 1),)
    assert plan.stopped_after and not plan.stopped_before and plan.stopped_at_gap
    assert plan.end == at(10)


def test_a_gap_row_stops_the_clip_even_when_files_touch():
    files = [rec(1, at(0), 600), rec(2, at(10), 600)]
    gaps = [{"start_utc": timeutil.to_iso(at(10, 3)), "end_utc": timeutil.to_iso(at(10, 40)), "reason": "network"}]
    mention = at(9, 55)
    plan = plan_clip(files, 1, mention, mention - timedelta(seconds=5), mention + timedelta(seconds=20), gaps)
    assert [(p.recording_id, p.from_s, p.to_s) for p in plan.pieces] == [(1, 590.0, 600.0), (2, 0.0, 3.0)]
    assert plan.stopped_after and plan.end == at(10, 3)


def test_a_gap_before_the_mention_moves_the_start():
    files = [rec(1, at(0), 600)]
    gaps = [{"start_utc": timeutil.to_iso(at(-5)), "end_utc": timeutil.to_iso(at(0, 58)), "reason": "stall"}]
    mention = at(1)
    plan = plan_clip(files, 1, mention, mention - timedelta(seconds=5), mention + timedelta(seconds=20), gaps)
    assert plan.pieces == (Piece("1-x.mp3", 58.0, 80.0, 1),) and plan.stopped_before


def test_a_pruned_neighbour_is_a_hole_and_a_mention_without_audio_cannot_be_cut():
    files = [rec(1, at(0), 600), rec(2, at(10), 600, status="pruned")]
    mention = at(9, 55)
    plan = plan_clip(files, 1, mention, mention - timedelta(seconds=5), mention + timedelta(seconds=20))
    assert len(plan.pieces) == 1 and plan.stopped_after
    with pytest.raises(ClipError, match="recording 2 has no audio"):
        plan_clip(files, 2, at(10, 5), at(10), at(10, 25))


def test_the_first_recording_of_a_station_stops_the_clip_at_its_start():
    plan = plan_clip([rec(1, at(0), 600)], 1, at(0, 2), at(0, -3), at(0, 22))
    assert plan.pieces == (Piece("1-x.mp3", 0.0, 22.0, 1),) and plan.stopped_before


# -- ffmpeg's arguments ----------------------------------------------------------------------------
def test_the_ffmpeg_command_seeks_each_input_and_joins_them_with_concat():
    pieces = (Piece("/a.mp3", 590.0, 600.0, 1), Piece("/b.mp3", 0.0, 15.0, 2))
    measured = clips.Loudness(-23.1, -5.2, 4.0, -33.4, 0.3)
    command = clip_command(pieces, "/out/clip.mp3", fmt="mp3", measured=measured,
                           metadata={"title": "Radio Uno 2026-11-25 09:59:55 Moroleón", "comment": "Hoy en Moroleón"})
    assert command[:7] == ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-y"]
    assert command[7:15] == ["-ss", "590.000", "-t", "10.000", "-i", "/a.mp3", "-ss", "0.000"]
    assert command[15:18] == ["-t", "15.000", "-i"]
    graph = command[command.index("-filter_complex") + 1]
    assert "[p0][p1]concat=n=2:v=0:a=1" in graph
    assert "afade=t=in:st=0:d=0.300" in graph and "afade=t=out:st=24.700:d=0.300" in graph
    assert "loudnorm=I=-16:TP=-1.5:LRA=11:measured_I=-23.10:measured_TP=-5.20" in graph and "linear=true" in graph
    assert ["-metadata", "title=Radio Uno 2026-11-25 09:59:55 Moroleón"] == command[
        command.index("-metadata"): command.index("-metadata") + 2]
    assert "comment=Hoy en Moroleón" in command
    assert command[-9:] == ["-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "3", "-f", "mp3",
                            "/out/clip.mp3"]
    wav = clip_command(pieces[:1], "/out/clip.wav", fmt="wav")
    assert wav[-5:] == ["-c:a", "pcm_s16le", "-f", "wav", "/out/clip.wav"] and "concat=n=1" in " ".join(wav)


def test_the_first_pass_measures_and_its_report_is_parsed():
    command = clips.measure_command((Piece("/a.mp3", 1.0, 26.0, 1),))
    assert command[-4:] == ["[out]", "-f", "null", "-"] and "print_format=json" in " ".join(command)
    stderr = ('[Parsed_loudnorm_3 @ 0x5]\n{\n\t"input_i" : "-27.61",\n\t"input_tp" : "-9.40",\n'
              '\t"input_lra" : "3.10",\n\t"input_thresh" : "-38.03",\n\t"output_i" : "-16.2",\n'
              '\t"target_offset" : "0.21"\n}\n')
    assert clips.parse_loudnorm(stderr) == clips.Loudness(-27.61, -9.40, 3.10, -38.03, 0.21)
    assert clips.parse_loudnorm(stderr.replace('"-27.61"', '"-inf"')) is None  # silence: nothing to measure
    assert clips.parse_loudnorm("no json here") is None


# -- testigos (pure) -----------------------------------------------------------------------------
def mention(id_: int, when: datetime, *, station: str = "radio-uno", keyword: str = "Moroleón",
            group: str = "municipio", review: str | None = None, context: str = "Hoy en Moroleón hay feria.",
            recording_id: int = 1, offset: float = 0.0, segment_id: int | None = None) -> MentionRow:
    return MentionRow(segment_id or id_, recording_id, station, group, keyword, keyword, 95.0, timeutil.to_iso(when),
                      offset, context, review, id_)


def test_testigo_names_are_local_time_station_and_keyword_slug():
    row = mention(1, datetime(2026, 11, 26, 5, 30, 7, tzinfo=timezone.utc), keyword="Protección Civil")
    assert day_testigos.testigo_name(row, MX) == "20261125_233007_radio-uno_proteccion-civil.mp3"


TESTIGO_KEYWORDS = parse_keywords({"groups": {
    "dependencias": {"priority": "high", "terms": ["Protección Civil"]},
    "funcionarios": {"terms": ["Alejandra Méndez Ruiz"]},
    "municipio": {"terms": ["Moroleón"]}}})


def test_each_testigo_is_named_and_cut_for_its_own_item():
    sentence = "Alejandra Méndez Ruiz, de Protección Civil, pidió no quemar basura en todo el municipio."
    rows = [mention(1, at(0), keyword="Alejandra Méndez Ruiz", group="funcionarios", segment_id=10, context=sentence),
            mention(2, at(0, 3), keyword="Protección Civil", group="dependencias", segment_id=10, context=sentence),
            # Ten seconds later, its windows overlapping the first's: another sentence, another testigo.
            mention(3, at(0, 12), segment_id=12, context="En Moroleón hace frío."),
            mention(4, at(0, 12), station="fm-oficina", recording_id=2, segment_id=30)]
    sentences = {10: items.Sentence(10, 1, timeutil.to_iso(at(0, -2)), timeutil.to_iso(at(0, 40)), sentence),
                 12: items.Sentence(12, 1, timeutil.to_iso(at(0, 11)), timeutil.to_iso(at(0, 14)),
                                    "En Moroleón hace frío.")}
    testigos = group_testigos(rows, MX, before=5, after=20, sentences=sentences, keywords=TESTIGO_KEYWORDS)
    assert [[m.id for m in t.mentions] for t in testigos] == [[1, 2], [3], [4]]
    # Named after the item's section (Protección Civil, the highest priority), not the first keyword heard.
    assert [t.name for t in testigos] == ["20261125_095000_radio-uno_proteccion-civil.mp3",
                                          "20261125_095012_radio-uno_moroleon.mp3",
                                          "20261125_095012_fm-oficina_moroleon.mp3"]
    # The cut covers the whole sentence (to 09:50:40), five seconds before the first mention at least.
    assert (testigos[0].start, testigos[0].end) == (at(0, -5), at(0, 40))
    assert (testigos[1].start, testigos[1].end) == (at(0, 7), at(0, 32))
    assert testigos[0].quote == sentence and testigos[0].groups == ("dependencias", "funcionarios")
    # The síntesis names the same files for its items.
    start, end = digests.day_period(TEN.astimezone(MX).date(), MX)
    names = day_testigos.testigo_names(rows, MX, sentences=sentences, keywords=TESTIGO_KEYWORDS)
    model = digests.build_digest(rows, tz=MX, since=start, until=end, generated_at=end, keywords=TESTIGO_KEYWORDS,
                                 testigos=names, sentences=sentences)
    assert {(i.keyword, i.testigo) for s in model.sections for i in s.items} == {
        ("Protección Civil", testigos[0].name), ("Moroleón", testigos[1].name), ("Moroleón", testigos[2].name)}


# -- real audio ------------------------------------------------------------------------------------
def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def integrated_loudness(path: Path) -> float:
    """EBU R128 integrated loudness as ffmpeg's ebur128 filter measures it."""
    err = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))


def programme(seconds: float, seed: int) -> af.Clip:
    """Speech read over and between music, quieter than broadcast level (espeak at -12 dB)."""
    clip = af.silence(0.2)
    i = seed
    while clip.duration < seconds:
        clip = clip + af.speech(af.NEWS[i % len(af.NEWS)], gain_db=-12) + af.silence(0.4)
        if i % 3 == 0:
            clip = clip + af.music(3, gain_db=-20)
        i += 1
    n = int(seconds * af.SAMPLE_RATE)
    return af.Clip(clip.audio[:n].astype(np.float32))


@pytest.fixture
def station_audio(archive: Archive, deployment: Path):
    """Three 30 s recordings of radio-uno: the first two consecutive, the third after a 20 s hole.

    Each recording has one segment and one mention; returns ``{name: mention id}``.
    """
    folder = deployment / "recordings" / "radio-uno" / "2026-11-25"
    starts = {"a": TEN, "b": TEN + timedelta(seconds=30), "c": TEN + timedelta(seconds=80)}
    offsets = {"a": 27.0, "b": 12.0, "c": 3.0}
    ids = {}
    for index, (name, start) in enumerate(starts.items()):
        path = programme(30, seed=index * 5).write(folder / f"{start:%H%M%S}.mp3")
        recording_id, _ = archive.add_recording(station="radio-uno", start=start, duration=media.probe_duration(path),
                                                path=str(path), status="transcribed")
        archive.replace_segments(recording_id, [Segment(offsets[name] - 1, offsets[name] + 3,
                                                        "El Ayuntamiento de Moroleón <b>anunció</b> obras.")])
        [segment] = archive.transcript_rows(recording_id)
        [added] = archive.replace_mentions(recording_id, [MentionRow(
            segment["id"], recording_id, "radio-uno", "municipio", "Moroleón", "Moroleón", 100.0,
            timeutil.shift(timeutil.to_iso(start), offsets[name]), offsets[name],
            "El Ayuntamiento de Moroleón anunció obras.")]).added
        ids[name] = added.id
    return ids


def test_a_clip_across_two_files_is_25_seconds_at_minus_16_lufs_and_tagged(config, archive, station_audio, tmp_path):
    out = tmp_path / "clip.mp3"
    result = clips.cut_clip(config, archive, station_audio["a"], before=5, after=20, fmt="mp3", out=out)
    assert (result.pieces, result.stopped_at_gap, result.duration) == (2, False, pytest.approx(25.0, abs=0.01))
    assert result.start_utc == "2026-11-25T15:50:22.000Z" and result.end_utc == "2026-11-25T15:50:47.000Z"
    info = ffprobe(out)
    assert abs(float(info["format"]["duration"]) - 25.0) < 0.15
    assert info["streams"][0]["sample_rate"] == "44100"
    tags = info["format"]["tags"]
    assert tags["title"] == "Radio Uno Moroleón 2026-11-25 09:50:27 Moroleón"
    assert tags["artist"] == "Radio Uno Moroleón"
    assert tags["comment"] == "El Ayuntamiento de Moroleón anunció obras."
    loudness = integrated_loudness(out)
    assert abs(loudness - clips.TARGET_LUFS) <= 1.0, loudness
    assert not list(tmp_path.glob(".*.part"))


def test_a_clip_stops_at_a_hole_in_the_recording_and_says_so(config, archive, station_audio, tmp_path):
    out = tmp_path / "clip.wav"
    result = clips.cut_clip(config, archive, station_audio["b"], before=5, after=20, fmt="wav", out=out)
    # b's mention is at 42 s of the day's audio; b ends at 60 s and c starts at 80 s.
    assert (result.pieces, result.stopped_at_gap, result.stopped_after) == (1, True, True)
    assert result.duration == pytest.approx(23.0, abs=0.1)  # b's measured end: 60 s, give or take an mp3 frame
    assert abs(float(ffprobe(out)["format"]["duration"]) - result.duration) < 0.1
    assert abs(integrated_loudness(out) - clips.TARGET_LUFS) <= 1.0


def test_a_gap_row_inside_consecutive_files_stops_the_clip(config, archive, station_audio, tmp_path):
    archive.add_gap("radio-uno", TEN + timedelta(seconds=35), TEN + timedelta(seconds=36), "network")
    result = clips.cut_clip(config, archive, station_audio["a"], before=5, after=20, out=tmp_path / "c.mp3")
    assert (result.pieces, result.stopped_after, result.duration) == (2, True, pytest.approx(13.0, abs=0.01))


def test_clip_errors_are_one_line(config, archive, station_audio, tmp_path):
    with pytest.raises(ClipError, match=r"^mention 999: no such mention; `radiomon mentions` lists them"):
        clips.cut_clip(config, archive, 999, out=tmp_path / "x.mp3")
    with pytest.raises(QueryError, match="--format ogg"):
        clips.cut_clip(config, archive, station_audio["a"], fmt="ogg", out=tmp_path / "x.ogg")
    recording_id = archive.mention(station_audio["c"]).recording_id
    archive.set_status(recording_id, "pruned")
    with pytest.raises(ClipError, match="was pruned"):
        clips.cut_clip(config, archive, station_audio["c"], out=tmp_path / "x.mp3")
    Path(archive.recording(archive.mention(station_audio["b"]).recording_id).path).unlink()
    with pytest.raises(ClipError, match="is missing; was it moved or deleted"):
        clips.cut_clip(config, archive, station_audio["b"], out=tmp_path / "x.mp3")
    assert not (tmp_path / "x.mp3").exists()


def test_radiomon_clip_writes_the_file_and_reports_the_gap(run, station_audio, tmp_path):
    result = run("clip", station_audio["b"], "-o", tmp_path / "b.mp3")
    assert result.exit_code == 0, result.output
    written = re.escape(str(tmp_path / "b.mp3"))
    assert re.fullmatch(rf"wrote {written}: 2[23]\.\d s, 2026-11-25 09:50:37–09:5(0:59|1:00) "
                        r"\(America/Mexico_City\), from 1 file\n", result.stdout), result.stdout
    assert result.stderr == "note: the recording has a gap; the clip was cut short at the end\n"
    missing = run("clip", "999", "-o", tmp_path / "x.mp3")
    assert (missing.exit_code, missing.output) == (
        1, "Error: mention 999: no such mention; `radiomon mentions` lists them with their ids\n")
    negative = run("clip", station_audio["a"], "--before", "-3", "-o", tmp_path / "x.mp3")
    assert negative.exit_code == 2 and "Traceback" not in negative.output


def test_testigos_of_a_day_with_cue_sheet_rerun_and_rejected_left_out(config, archive, station_audio, tmp_path, run,
                                                                      make_tone):
    archive.set_review(station_audio["c"], "rejected")
    folder = tmp_path / "testigos"
    result = run("clips", "--date", "2026-11-25", "-o", folder)
    assert result.exit_code == 0, result.output
    # a (09:50:27) and b (09:50:42) are two airings of one spot: a clip each, even though their windows
    # overlap; c was rejected.
    a_name, b_name = "20261125_095027_radio-uno_moroleon.mp3", "20261125_095042_radio-uno_moroleon.mp3"
    assert result.stdout == f"2 clip(s) written, 0 already there; cue sheet: {folder / 'cue-sheet.csv'}\n"
    assert sorted(p.name for p in folder.iterdir()) == [a_name, b_name, "cue-sheet.csv"]
    raw = (folder / "cue-sheet.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["archivo", "estación", "programa", "fecha", "horario", "duración", "grupo", "palabra clave",
                       "cita"]
    row = rows[1]
    # The cue sheet quotes the sentence heard (the segment's text).
    assert row[:4] + row[6:] == [a_name, "Radio Uno Moroleón", "", "2026-11-25", "Municipio de Moroleón", "Moroleón",
                                 "El Ayuntamiento de Moroleón <b>anunció</b> obras."]
    # 09:50:22 to 09:50:47 (5 s before, 20 after), across a's file into b's.
    assert row[4] == "09:50:22–09:50:47" and float(row[5]) == pytest.approx(25.0, abs=0.15)
    # The síntesis has one item, aired twice, whose testigos are those two files.
    model = digests.collect_digest(config, archive, day=TEN.astimezone(MX).date())
    [item] = model.sections[0].items
    assert (item.count, item.testigo, item.testigos) == (2, a_name, (a_name, b_name))
    again = run("clips", "--date", "2026-11-25", "-o", folder)
    assert again.stdout == f"0 clip(s) written, 2 already there; cue sheet: {folder / 'cue-sheet.csv'}\n"
    assert len(list(folder.iterdir())) == 3
    # Staff un-reject c: it gets its clip; the ones already there are kept.
    archive.set_review(station_audio["c"], None)
    third = run("clips", "--date", "2026-11-25", "-o", folder)
    assert third.stdout == f"1 clip(s) written, 2 already there; cue sheet: {folder / 'cue-sheet.csv'}\n"
    assert len(list(folder.iterdir())) == 4
    # A clip that is not what the archive says (cut short by a crash, or grown since) is cut again.
    make_tone(folder / a_name, seconds=3.0)
    fourth = run("clips", "--date", "2026-11-25", "-o", folder)
    assert fourth.stdout.startswith("1 clip(s) written, 2 already there;")
    assert media.probe_duration(folder / a_name) == pytest.approx(25.0, abs=0.2)


def test_testigos_of_a_day_without_mentions_write_an_empty_cue_sheet(config, archive, tmp_path):
    result = jobs.testigos(config, archive, Filters.parse(config, since="2026-11-24", until="2026-11-24"),
                           tmp_path / "t")
    assert result.rows == () and (tmp_path / "t" / "cue-sheet.csv").read_text(encoding="utf-8-sig").startswith(
        "archivo,")


@pytest.mark.parametrize("args", [("clip", "--help"), ("clips", "--help")])
def test_clip_commands_have_help(run, args):
    result = run(*args)
    assert result.exit_code == 0 and result.output.startswith(f"Usage: radiomon {args[0]} ")


def test_clips_errors_are_one_line(run, archive, tmp_path):
    result = run("clips", "--date", "25/11/2026", "-o", tmp_path / "t")
    assert (result.exit_code, result.output) == (
        1, "Error: --date 25/11/2026: not a date; use 2026-11-25, hoy or ayer\n")
    result = run("clips", "--date", "2026-11-25", "--group", "munipicio", "-o", tmp_path / "t")
    assert result.exit_code == 1 and result.output.startswith("Error: --group munipicio: no such keyword group")
    result = run("clips", "--date", "2026-11-25", "--station", "nada", "-o", tmp_path / "t")
    assert result.exit_code == 1 and result.output.startswith("Error: unknown station 'nada'")
