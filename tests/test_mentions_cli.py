"""`radiomon match`, `radiomon mentions`, `radiomon search --group`, `radiomon keywords check`,
as a person at the office runs them; and one real clip end to end."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from radiomon.archive import Archive
from radiomon.config import load_config

sys.path.insert(0, str(Path(__file__).parent))

KEYWORDS = """\
defaults: {threshold: 88}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      - {term: Moroleón, aliases: [Moro León], threshold: 80, exclude: [León, Morelia, Morelos]}
  dependencias:
    label: Dependencias municipales
    terms: [DIF Moroleón, Obras Públicas]
  crisis:
    label: Temas de crisis
    priority: crisis
    terms: [incendio]
"""

TRANSCRIPT_UNO = {"segments": [
    {"start": 0.0, "end": 4.0, "text": " Buenos días, Moroleón."},
    {"start": 4.0, "end": 9.5, "text": " Obras Públicas repara la calle; en León llueve.",
     "words": [{"word": " Obras", "start": 4.2, "end": 4.6}, {"word": " Públicas", "start": 4.6, "end": 5.3},
               {"word": " repara", "start": 5.3, "end": 5.8}, {"word": " la", "start": 5.8, "end": 5.9},
               {"word": " calle;", "start": 5.9, "end": 6.4}, {"word": " en", "start": 6.6, "end": 6.7},
               {"word": " León", "start": 6.7, "end": 7.1}, {"word": " llueve.", "start": 7.1, "end": 7.6}]},
    {"start": 9.5, "end": 12.0, "text": " Y ahora, la música."},
]}
TRANSCRIPT_FM = {"segments": [{"start": 1.25, "end": 6.0, "text": "Un incendio en el mercado de Moroleón."}]}


@pytest.fixture
def session(run, deployment: Path, archive):
    """Two transcripts imported and matched: radio-uno on the 25th at 14:00
    local, fm-oficina the same local day at 23:30 (the 26th in UTC)."""
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    for name, data, station, start in [
        ("uno.json", TRANSCRIPT_UNO, "radio-uno", "2026-11-25 14:00"),
        ("fm.json", TRANSCRIPT_FM, "fm-oficina", "2026-11-25 23:30"),
    ]:
        path = deployment / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        assert run("import", "--transcript", path, "--station", station, "--start", start).exit_code == 0
    result = run("match")
    assert result.exit_code == 0, result.output
    return run


def mentions_json(run, *args) -> list[dict]:
    result = run("mentions", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_match_reports_what_it_did(run, deployment, archive):
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    assert run("match").stdout == "nothing to match\n"
    path = deployment / "fm.json"
    path.write_text(json.dumps(TRANSCRIPT_FM), encoding="utf-8")
    imported = run("import", "--transcript", path, "--station", "fm-oficina", "--start", "2026-11-25 23:30")
    # An imported transcript is matched at once; `match` catches up on the rest.
    assert imported.stdout.endswith("\nflagged 2 mention(s), 1 crisis and 1 high-priority event(s) recorded\n")
    assert run("match").stdout == "nothing to match\n"
    with Archive(load_config(deployment / "radiomon.yml").archive) as archive, archive.write() as conn:
        conn.execute("UPDATE recordings SET matched_utc = NULL")
    result = run("match")
    assert result.exit_code == 0
    assert result.stdout.startswith("matched 1 recording(s) in ")
    assert result.stdout.endswith(": 0 new mention(s), 0 removed, 0 updated, 2 unchanged\n")
    assert run("match").stdout == "nothing to match\n"


def test_mentions_json_has_the_contract_fields(session):
    rows = mentions_json(session)
    assert [(r["station"], r["group"], r["keyword"], r["matched"]) for r in rows] == [
        ("radio-uno", "municipio", "Moroleón", "Moroleón"),
        ("radio-uno", "dependencias", "Obras Públicas", "Obras Públicas"),
        ("fm-oficina", "crisis", "incendio", "incendio"),
        ("fm-oficina", "municipio", "Moroleón", "Moroleón"),
    ]
    obras = rows[1]
    assert set(obras) >= {"id", "station", "group", "keyword", "matched", "score", "at", "offset",
                          "recording_id", "segment_id", "context"}
    # The exact second comes from the word timestamps: 20:00 UTC + 4.2 s.
    assert (obras["at"], obras["offset"], obras["score"]) == ("2026-11-25T20:00:04.200Z", 4.2, 100.0)
    assert obras["context"] == "Obras Públicas repara la calle; en León llueve."
    # Without word times, words are spread over the segment: "Moroleón" is
    # the 6th of 7 words of 1.25–6.0 s.
    fm = rows[3]
    assert fm["at"] == "2026-11-26T05:30:05.321Z" and fm["offset"] == pytest.approx(5.321, abs=0.001)


def test_mentions_table_shows_local_time(session):
    result = session("mentions", "--station", "radio-uno")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "when", "(America/Mexico_City)", "station", "group", "keyword", "heard",
                                "score", "context"]
    assert "2026-11-25 14:00:04" in lines[2] and "Obras Públicas" in lines[2]
    assert len(lines) == 3


def test_mentions_csv(session):
    rows = list(csv.DictReader(io.StringIO(session("mentions", "--format", "csv").stdout)))
    assert len(rows) == 4 and rows[0]["group"] == "municipio" and rows[0]["at"].endswith("Z")


@pytest.mark.parametrize("args, keywords", [
    (["--group", "municipio"], ["Moroleón", "Moroleón"]),
    (["--group", "crisis", "--group", "dependencias"], ["Obras Públicas", "incendio"]),
    (["--station", "fm-oficina"], ["incendio", "Moroleón"]),
    (["--since", "2026-11-25 23:00"], ["incendio", "Moroleón"]),  # local time
    (["--until", "2026-11-25 14:00:03"], ["Moroleón"]),
    (["--until", "2026-11-25"], ["Moroleón", "Obras Públicas", "incendio", "Moroleón"]),  # whole day
    (["--since", "2026-11-26"], []),
])
def test_mentions_filters(session, args, keywords):
    assert [r["keyword"] for r in mentions_json(session, *args)] == keywords


@pytest.mark.parametrize("args, message", [
    (["--group", "municipo"], "--group municipo: no such keyword group (known: crisis, dependencias, municipio)"),
    (["--station", "nope"], "unknown station 'nope'"),
    (["--since", "2026-11-26", "--until", "2026-11-25"], "--since must be before --until"),
])
def test_mentions_errors_are_one_clean_line(session, args, message):
    result = session("mentions", *args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_search_group_keeps_only_segments_with_mentions_of_it(session):
    hits = json.loads(session("search", "la", "--format", "json").stdout)
    assert len(hits) == 2  # "repara la calle", "la música"
    hits = json.loads(session("search", "la", "--group", "dependencias", "--format", "json").stdout)
    assert [h["text"].strip() for h in hits] == ["Obras Públicas repara la calle; en León llueve."]
    assert json.loads(session("search", "la", "--group", "crisis", "--format", "json").stdout) == []


def test_match_all_after_keywords_changed(session, deployment, config):
    rows = mentions_json(session)
    con = sqlite3.connect(config.archive)
    con.execute("UPDATE mentions SET review = 'confirmed' WHERE id = ?", (rows[0]["id"],))
    con.commit()
    con.close()
    changed = KEYWORDS.replace("terms: [DIF Moroleón, Obras Públicas]", "terms: [DIF Moroleón, Seguridad]") \
        .replace("terms: [incendio]", "terms: [incendio, mercado]")
    (deployment / "keywords.yml").write_text(changed, encoding="utf-8")
    result = session("match", "--all")
    assert result.exit_code == 0, result.output
    assert "1 new mention(s), 1 removed, 0 updated, 3 unchanged" in result.stdout
    after = mentions_json(session)
    assert [r["keyword"] for r in after] == ["Moroleón", "incendio", "mercado", "Moroleón"]
    assert after[0]["id"] == rows[0]["id"] and after[0]["review"] == "confirmed"
    again = session("match", "--all")
    assert "0 new mention(s), 0 removed, 0 updated, 4 unchanged" in again.stdout


def test_match_all_with_station_is_a_usage_error(session):
    result = session("match", "--all", "--station", "radio-uno")
    assert result.exit_code == 2 and "leave out --station and --limit" in result.output


def test_keywords_check_explains_each_term(run, deployment):
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    result = run("keywords", "check")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("keywords.yml: 3 groups, 4 terms, 5 spellings — OK")
    assert "[municipio] Municipio de Moroleón (priority high)" in lines
    assert "  Moro León (alias of Moroleón): normalized 'moro leon', sounds 'moro leon', threshold 80" in lines
    # No threshold of its own: derived, and here the default, since real words come close.
    assert ("  DIF Moroleón: normalized 'dif moroleon', sounds 'dif moroleon', threshold 88 (the default: "
            "'dif moron' scores 86, too close to go lower)") in lines
    data = json.loads(run("keywords", "check", "--format", "json").stdout)
    assert data[0] == {"group": "municipio", "keyword": "Moroleón", "spelling": "Moroleón", "normalized": "moroleon",
                       "phonetic": "moroleon", "threshold": 80.0, "threshold_source": "term",
                       "threshold_reason": "", "exact_only": False,
                       "confusions": [{"text": "DIF Moroleón", "kind": "term", "score": 84.2, "group": "dependencias",
                                       "keyword": "DIF Moroleón"}]}
    assert ("    ! 'DIF Moroleón' (DIF Moroleón in dependencias) would count as Moroleón (score 84)"
            in result.stdout.splitlines())


def test_keywords_check_names_the_problem_in_a_bad_file(run, deployment):
    bad = deployment / "bad.yml"
    bad.write_text("groups:\n  municipio:\n    terms:\n      - {term: Moroleón, threshold: 150}\n", encoding="utf-8")
    result = run("keywords", "check", bad)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "bad.yml:4" in result.output and "threshold" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    broken = deployment / "broken.yml"
    broken.write_text("groups: [unclosed\n", encoding="utf-8")
    result = run("keywords", "check", broken)
    assert result.exit_code == 1 and "broken.yml" in result.output and "Traceback" not in result.output


def test_match_with_a_bad_keywords_file_stores_nothing(session, deployment):
    (deployment / "keywords.yml").write_text("groups: {}\n", encoding="utf-8")
    before = mentions_json(session)
    result = session("match", "--all")
    assert result.exit_code == 1 and "keywords.yml" in result.output and "no groups" in result.output
    assert mentions_json(session) == before


# -- a real clip, end to end -----------------------------------------------------
CLIP_KEYWORDS = KEYWORDS.replace("terms: [DIF Moroleón, Obras Públicas]", "terms: [DIF Moroleón, Protección Civil]") \
    + "  vecinos:\n    terms: [Salvatierra]\n"


@pytest.mark.slow
def test_a_real_clip_end_to_end(run, deployment, archive, tmp_path):
    """espeak-ng speech with known mentions → import → transcribe (bundled
    base model) → match → mentions at the right second, look-alikes left out."""
    import audio_factory as af

    assert af.missing() is None, af.missing()  # never skip: make test installs all of it
    (deployment / "keywords.yml").write_text(CLIP_KEYWORDS, encoding="utf-8")
    clip = (af.silence(1.0)
            + af.speech("Protección Civil atendió un incendio en la carretera a Salvatierra.", speed=140)
            + af.silence(1.5)
            + af.speech("En León y en Morelia no hubo novedades.", speed=140)
            + af.silence(1.0))
    audio = clip.write(tmp_path / "20261125-140000.mp3")
    assert run("import", audio, "--station", "radio-uno").exit_code == 0
    result = run("transcribe")
    assert result.exit_code == 0, result.output
    assert run("match").exit_code == 0  # a no-op once transcription matches each recording itself
    rows = mentions_json(run)
    assert [(r["group"], r["keyword"]) for r in rows] == [
        ("dependencias", "Protección Civil"), ("crisis", "incendio"), ("vecinos", "Salvatierra")], rows
    said = clip.spans_of(af.SPEECH)[0]
    for row in rows:
        assert said.start - 1.0 <= row["offset"] <= said.end, (row, said)
        assert row["at"].startswith("2026-11-25T20:00:0")
    assert rows[0]["offset"] < rows[1]["offset"] < rows[2]["offset"]
