"""Control characters in transcript text: cleaned on the way in, never trusted on the way out.

Whisper never writes them, but an imported JSON transcript can carry any
character JSON can escape: ``\\x01`` (the separator the archive-wide
re-match puts between segments), ``\\x02``/``\\x03`` (illegal in the XML
of a DOCX), ESC (a terminal escape sequence). And an archive written before
the cleaning may already hold such text.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import docx
import pytest

from radiomon.archive import Archive
from radiomon.cli.output import render_table, terminal_text
from radiomon.keywords import Matcher, load_keywords
from radiomon.pipeline.match.narrowing import Narrowing
from radiomon.reports.writers.word import xml_text
from radiomon.transcript import Segment, Word, clean_text

DIRTY = "Hoy \x01 en Moroleón\x02 hay\x03 feria \x1b[31mroja\x1b[0m y\x00 baile\x7f\x85."
# What is left: the controls gone (a lone \x01 leaves its spaces), "ó" composed (NFC).
CLEAN = "Hoy  en Moroleón hay feria [31mroja[0m y baile."


def decomposed(text: str) -> str:
    """"Moroleón" with "o" + combining acute, as some editors write it."""
    return text.replace("ó", "o\u0301")


def dirty_transcript(path: Path) -> Path:
    data = {"segments": [
        {"start": 0.0, "end": 4.0, "text": decomposed(DIRTY),
         "words": [{"word": f" {w}", "start": i * 0.4, "end": i * 0.4 + 0.4}
                   for i, w in enumerate(decomposed(DIRTY).split(" "))]},
        {"start": 4.0, "end": 6.0, "text": "\x01"},  # nothing left: not stored
        {"start": 6.0, "end": 9.0, "text": "Moroleón\x1b]0;pwned\x07 informa."},
    ]}
    path.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    return path


def no_controls(text: str) -> bool:
    return not any(ord(c) < 0x20 and c not in "\n" or 0x7F <= ord(c) <= 0x9F for c in text)


# -- in: one place every transcript text passes ------------------------------------------------------
def test_clean_text_drops_controls_and_composes_accents() -> None:
    assert clean_text(decomposed(DIRTY)) == CLEAN
    assert clean_text("línea\tuno\nlínea dos\r\n") == "línea uno línea dos  "  # whitespace controls are spaces
    assert clean_text("mitad \ud83d de un emoji\ufffe") == "mitad  de un emoji"  # lone surrogate, non-character
    assert clean_text("Moroleón") == "Moroleón"


def test_a_segment_and_its_words_are_clean_whoever_made_them() -> None:
    segment = Segment(0.0, 1.0, "\x1bMoro\x02león", words=(Word(" Moro\x01león", 0.0, 1.0, 0.9),))
    assert segment.text == "Moroleón"
    assert segment.words == (Word(" Moroleón", 0.0, 1.0, 0.9),)
    assert decomposed("Moroleón") != "Moroleón" and Segment(0, 1, decomposed("Moroleón")).text == "Moroleón"


def test_imported_dirty_text_is_stored_clean_and_every_command_works(run, archive, deployment, config,
                                                                     tmp_path) -> None:
    path = dirty_transcript(deployment / "sucia.json")
    imported = run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 08:00")
    assert imported.exit_code == 0, imported.output
    assert f"imported {path} as recording 1 (start 2026-11-25T14:00:00.000Z, 2 segments)" in imported.output
    with Archive(config.archive) as archive:
        segments = archive.query("SELECT text, words FROM segments ORDER BY id")
    assert [s["text"] for s in segments] == [CLEAN, "Moroleón]0;pwned informa."]
    assert all(no_controls(w["word"]) for w in json.loads(segments[0]["words"]))

    rematched = run("match", "--all")
    assert rematched.exit_code == 0, rematched.output
    _every_output_is_clean(run, tmp_path)


# -- out: an archive written before the cleaning -------------------------------------------------------
@pytest.fixture
def old_archive(run, archive, deployment, config) -> Path:
    """An archive whose stored text still has the control characters (as one written before the cleaning)."""
    path = deployment / "limpia.json"
    path.write_text(json.dumps({"segments": [
        {"start": 0.0, "end": 4.0, "text": "Hoy en Moroleón hay feria roja y baile."},
        {"start": 6.0, "end": 9.0, "text": "Moroleón informa."},
    ]}), encoding="utf-8")
    assert run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 08:00").exit_code == 0
    # Written behind the archive's back: the archive API cleans nothing, but Segment would.
    with sqlite3.connect(config.archive) as conn:
        conn.execute("UPDATE segments SET text = ? WHERE id = 1", (DIRTY,))
        conn.execute("UPDATE segments SET text = ? WHERE id = 2", ("\x01 Moroleón\x1b]0;pwned\x07 informa. \x01",))
        conn.execute("UPDATE mentions SET context = ?, matched = ?", (DIRTY, "Moroleón\x1b[5m"))
    conn.close()
    return config.archive


def test_an_old_archive_with_dirty_text_still_matches_writes_and_prints(run, old_archive, tmp_path) -> None:
    rematched = run("match", "--all")
    assert rematched.exit_code == 0, rematched.output
    assert "Traceback" not in rematched.output
    with Archive(old_archive) as archive:
        assert archive.query("SELECT count(*) AS n FROM mentions")[0]["n"] == 2
        # The re-match wrote its own context again; make it dirty once more for the outputs.
    with sqlite3.connect(old_archive) as conn:
        conn.execute("UPDATE mentions SET context = ?, matched = ?", (DIRTY, "Moroleón\x1b[5m"))
    conn.close()
    _every_output_is_clean(run, tmp_path)


def _every_output_is_clean(run, tmp_path: Path) -> None:
    out = tmp_path / "sintesis.docx"
    digest = run("digest", "--date", "2026-11-25", "--format", "docx", "-o", out)
    assert digest.exit_code == 0, digest.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "feria" in text and no_controls(text)
    for fmt in ("html", "md"):
        other = run("digest", "--date", "2026-11-25", "--format", fmt, "-o", tmp_path / f"sintesis.{fmt}")
        assert other.exit_code == 0, other.output

    for args in (["search", "feria"], ["search", "informa"], ["mentions"], ["mentions", "--format", "csv"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert no_controls(result.output), (args, result.output)
        assert "Moroleón" in result.output
    as_json = run("search", "feria", "--format", "json").output
    assert no_controls(as_json) and json.loads(as_json)  # JSON escapes what it carries


# -- the writers and the table, alone --------------------------------------------------------------------
def test_xml_text_keeps_what_xml_can_hold() -> None:
    assert xml_text("a\x00b\x01c\x02d\x03e\x1bf\tg\nh\ud800i\ufffej€😀") == "abcdef\tg\nhij€😀"


def test_terminal_text_and_tables_print_no_control_character() -> None:
    assert terminal_text("rojo \x1b[31mX\x1b[0m\ttab\nfin\x9b2J") == "rojo [31mX[0m tab fin2J"
    table = render_table([{"a": "x\x1b[2J", "b": "y\rz"}], [("a", "A\x07"), ("b", "B")])
    assert table == "A     B\nx[2J  y z\n"


def test_narrowing_reads_a_stored_separator_as_a_space(config) -> None:
    narrowing = Narrowing(Matcher(load_keywords(config.keywords)))
    segments = [(1, 1, "Hoy \x01 en Moroleón"), (2, 1, "\x01"), (3, 1, "gran\x01feria \x01")]
    rows, owners, pieces, _ = narrowing.stream(segments)
    words = [narrowing.tables.words[r] for r, o in zip(rows.tolist(), owners.tolist()) if o >= 0]
    assert words == ["hoy", "en", "moroleon", "gran", "feria"]
    assert [o for o in owners.tolist() if o >= 0] == [1, 1, 1, 3, 3]
    assert narrowing.hot_segments(segments).hot() == {1}
