"""The síntesis informativa: the model (pure), and the documents read back (DOCX, HTML, Markdown, JSON)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import docx
import pytest

from radiomon import jobs
from radiomon.archive import Archive, MentionRow
from radiomon.config import OfficeConfig, load_config
from radiomon.errors import QueryError
from radiomon.keywords import parse_keywords
from radiomon.reports import digest as digests
from radiomon.reports import items, spanish
from radiomon.transcript import Segment

MX = ZoneInfo("America/Mexico_City")
DAY = date(2026, 11, 25)  # a Wednesday

KEYWORDS = """\
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms: [Moroleón]
  dependencias:
    label: Dependencias municipales
    terms: [Obras Públicas, DIF Moroleón]
  crisis:
    label: Temas de crisis
    priority: crisis
    terms: [incendio]
"""


def local(hour: int, minute: int, second: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=MX)


def add_mention(archive: Archive, station: str, when: datetime, group: str, keyword: str, context: str,
                *, matched: str | None = None, review: str | None = None) -> int:
    """One recording (an imported transcript) with one segment and one mention at its start."""
    recording_id, _ = archive.add_recording(station=station, start=when, duration=10.0, status="transcribed")
    archive.replace_segments(recording_id, [Segment(0.0, 5.0, context)])
    [segment] = archive.transcript_rows(recording_id)
    at = when.astimezone(timezone.utc)
    [row] = archive.replace_mentions(recording_id, [MentionRow(
        segment["id"], recording_id, station, group, keyword, matched or keyword, 96.0,
        f"{at:%Y-%m-%dT%H:%M:%S}.000Z", 0.0, context)]).added
    if review:
        archive.set_review(row.id, review)
    return row.id


@pytest.fixture
def day_archive(archive: Archive, deployment):
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    ids = {
        "feria": add_mention(archive, "radio-uno", local(8, 1, 23), "municipio", "Moroleón",
                             "Hoy en Moroleón hay feria.", review="confirmed"),
        "feria-again": add_mention(archive, "radio-uno", local(8, 3, 40), "municipio", "Moroleón",
                                   "Repetimos: en moroleon hay feria."),
        "incendio": add_mention(archive, "radio-uno", local(9, 15), "crisis", "incendio",
                                "Se reporta un incendio en la colonia Centro."),
        "noche": add_mention(archive, "fm-oficina", local(23, 30), "municipio", "Moroleón",
                             "Cerramos la noche desde Moroleón."),
        "rechazada": add_mention(archive, "fm-oficina", local(11, 0), "dependencias", "Obras Públicas",
                                 "Las obras públicas del estado vecino, mención descartada.", review="rejected"),
        "script": add_mention(archive, "fm-oficina", local(12, 45), "dependencias", "DIF Moroleón",
                              "El DIF Moroleón dijo <script>alert('x')</script> & más."),
        # 23:50 of the day before is 05:50 UTC of the 25th: not this local day.
        "ayer": add_mention(archive, "radio-uno", local(23, 50, day=DAY - timedelta(days=1)), "municipio",
                            "Moroleón", "Ayer en Moroleón."),
    }
    archive.add_now_playing("radio-uno", local(8, 0), "Noticias de la mañana")
    archive.add_gap("fm-oficina", local(14, 0), local(14, 30), "network")
    return ids


# -- the model -------------------------------------------------------------------------------------
def test_spanish_dates_do_not_depend_on_the_locale():
    assert spanish.long_date(DAY) == "miércoles 25 de noviembre de 2026"
    assert [spanish.long_date(DAY + timedelta(days=i)).split()[0] for i in range(7)] == [
        "miércoles", "jueves", "viernes", "sábado", "domingo", "lunes", "martes"]
    assert spanish.long_date(date(2027, 1, 1)) == "viernes 1 de enero de 2027"


def test_the_heard_words_are_bold_whatever_their_case_and_accents():
    parts = digests.quote_parts("Repetimos: en moroleon hay feria, MOROLEÓN.", "Moroleón")
    assert [(p.text, p.bold) for p in parts] == [("Repetimos: en ", False), ("moroleon", True),
                                                 (" hay feria, ", False), ("MOROLEÓN", True), (".", False)]
    assert digests.quote_parts(None, "Moroleón")[0].text == "Moroleón"


def test_a_local_day_is_mexico_city_midnight_to_midnight_in_utc():
    start, end = digests.day_period(DAY, MX)
    assert (start, end) == (datetime(2026, 11, 25, 6, tzinfo=timezone.utc), datetime(2026, 11, 26, 6,
                                                                                     tzinfo=timezone.utc))
    start, end = digests.day_period(DAY, MX, "10:00", "16:00")
    assert (start.hour, end.hour) == (16, 22)
    with pytest.raises(QueryError, match="--since must be before --until"):
        digests.day_period(DAY, MX, "16:00", "10:00")
    with pytest.raises(QueryError, match="--until 25:00: not a time of day"):
        digests.day_period(DAY, MX, None, "25:00")


def test_the_digest_model(config, day_archive, archive):
    model = digests.collect_digest(config, archive, day=DAY, now=datetime(2026, 11, 26, 13, 45, tzinfo=timezone.utc))
    assert (model.title, model.date_text) == ("Síntesis informativa — Radio", "miércoles 25 de noviembre de 2026")
    # What was recorded (six recordings of 10 s), not the clock's whole day.
    assert model.period_text == "1 min grabadas de 08:01 a 23:30 en 2 estaciones"
    assert model.generated_text == "Generada el 26 de noviembre de 2026 a las 07:45"
    assert (model.municipality, model.office) == ("Moroleón, Guanajuato", "Coordinación de Comunicación Social")
    # Crisis first, then high, then normal; the rejected mention and the day before are left out.
    # 08:01 and 08:03 are two different sentences: two items, not one "×2".
    assert [(s.group_id, s.mentions, len(s.items)) for s in model.sections] == [
        ("crisis", 1, 1), ("municipio", 3, 3), ("dependencias", 1, 1)]
    feria, again, noche = model.sections[1].items
    assert (feria.time, feria.count, feria.review, feria.program) == ("08:01", 1, "Confirmada",
                                                                      "Noticias de la mañana")
    assert (again.time, again.count, again.review, again.quote_text) == (
        "08:03", 1, "Sin revisar", "Repetimos: en moroleon hay feria.")
    assert feria.testigo == "20261125_080123_radio-uno_moroleon.mp3" and feria.link is None
    assert again.testigo == "20261125_080340_radio-uno_moroleon.mp3"
    assert (feria.groups, feria.terms, feria.airings, feria.aired_text) == (("municipio",), ("Moroleón",),
                                                                            ("08:01",), "")
    assert (noche.time, noche.station, noche.review) == ("23:30", "Receptor FM de la oficina", "Sin revisar")
    assert model.stations == ("Radio Uno Moroleón", "Receptor FM de la oficina")
    assert [(r.group, r.counts, r.total) for r in model.summary] == [
        ("Temas de crisis", (1, 0), 1), ("Municipio de Moroleón", (2, 1), 3), ("Dependencias municipales", (0, 1), 1)]
    assert [(n.station, n.start, n.end, n.reason) for n in model.not_recorded] == [
        ("Receptor FM de la oficina", "14:00", "14:30", "sin señal")]


def test_reviewed_only_keeps_confirmed_mentions(config, day_archive, archive):
    model = digests.collect_digest(config, archive, day=DAY, reviewed_only=True)
    assert [(s.group_id, s.mentions) for s in model.sections] == [("municipio", 1)]
    assert model.sections[0].items[0].quote_text == "Hoy en Moroleón hay feria."


def test_an_intraday_cut_and_a_station_not_recorded(config, day_archive, archive):
    model = digests.collect_digest(config, archive, day=DAY, since="09:00", until="13:00")
    assert model.period_text == "30 s grabadas de 09:15 a 12:45 en 2 estaciones"
    assert [s.group_id for s in model.sections] == ["crisis", "dependencias"]
    empty = digests.collect_digest(config, archive, day=DAY, since="16:00", until="18:00")
    assert empty.empty and empty.sections == ()
    assert empty.period_text == "No se grabó radio de 16:00 a 18:00"
    # Neither station has audio from 16:00 to 18:00: "not recorded", not "nothing said".
    assert [(n.station, n.start, n.end, n.reason) for n in empty.not_recorded] == [
        ("Radio Uno Moroleón", "16:00", "18:00", "sin grabación"),
        ("Receptor FM de la oficina", "16:00", "18:00", "sin grabación")]


def row(id_: int, when: datetime, context: str, *, station: str = "radio-uno", group: str = "municipio",
        keyword: str = "Moroleón", matched: str | None = None, review: str | None = None,
        recording: int | None = None, segment: int | None = None) -> MentionRow:
    """A radio mention as the archive gives it: by default in a segment (and recording) of its own."""
    at = when.astimezone(timezone.utc)
    return MentionRow(segment or id_ * 10, recording or id_, station, group, keyword, matched or keyword, 95.0,
                      f"{at:%Y-%m-%dT%H:%M:%S}.000Z", 0.0, context, review, id_)


def build(rows, keywords=None, **kwargs):
    start, end = digests.day_period(DAY, MX)
    return digests.build_digest(rows, tz=MX, since=start, until=end, generated_at=end, keywords=keywords, **kwargs)


def test_different_sentences_within_minutes_are_different_items():
    # The "Moroleón (×9) 08:01–08:10" of issue 28: five stories of one newscast, the same keyword every
    # minute or two, were chained into one item that quoted only the first.
    stories = ["En Moroleón se instala el tianguis del domingo.",
               "El DIF de Moroleón vacuna a los niños esta semana.",
               "Para Moroleón se espera lluvia por la tarde.",
               "Mi Colonia Limpia llega a Moroleón el sábado.",
               "Moroleón inaugura la calle Hidalgo pavimentada."]
    rows = [row(i + 1, local(8, 1 + 2 * i), text) for i, text in enumerate(stories)]
    model = build(rows)
    [section] = model.sections
    assert [(i.time, i.quote_text, i.count) for i in section.items] == [
        (f"08:{1 + 2 * i:02d}", text, 1) for i, text in enumerate(stories)]


def test_a_repeated_spot_is_one_item_aired_three_times():
    spot = "El Ayuntamiento de Moroleón invita a la feria del rebozo."
    rows = [row(1, local(8, 1), spot), row(2, local(9, 1), "el ayuntamiento de MOROLEON invita a la feria del rebozo"),
            row(3, local(10, 1, 30), spot + ".."),
            row(4, local(9, 30), spot, station="fm-oficina"),  # another station: an item of its own
            row(5, local(9, 45), "En Moroleón hace frío.")]
    model = build(rows)
    spots = [i for i in model.sections[0].items if i.count > 1]
    assert [(i.station_id, i.time, i.count, i.mention_ids, i.aired_text) for i in spots] == [
        ("radio-uno", "08:01", 3, (1, 2, 3), "transmitida 3 veces (08:01, 09:01, 10:01)")]
    assert len(model.sections[0].items) == 3
    assert model.sections[0].items[0].airings == ("08:01", "09:01", "10:01")


def test_adjacent_sentences_of_one_recording_are_one_item_with_all_their_groups():
    keywords = parse_keywords({"groups": {
        "municipio": {"priority": "high", "terms": ["Moroleón"]},
        "dependencias": {"terms": ["Protección Civil", "Obras Públicas"]},
        "funcionarios": {"terms": ["Alejandra Méndez Ruiz"]}}})
    first = "Alejandra Méndez Ruiz, directora de Protección Civil, pidió precaución."
    second = "Protección Civil de Moroleón atiende el reporte."
    rows = [row(1, local(8, 0, 2), first, group="funcionarios", keyword="Alejandra Méndez Ruiz", recording=7,
                segment=70),
            row(2, local(8, 0, 5), first, group="dependencias", keyword="Protección Civil", recording=7, segment=70),
            row(3, local(8, 0, 9), second, group="dependencias", keyword="Protección Civil", recording=7,
                segment=71),
            row(4, local(8, 0, 10), second, recording=7, segment=71),
            # The next segment but one: not adjacent, another item.
            row(5, local(8, 0, 30), "Obras Públicas bachea la calle Juárez.", group="dependencias",
                keyword="Obras Públicas", recording=7, segment=73)]
    sentences = {70: items.Sentence(70, 7, "2026-11-25T14:00:01.000Z", "2026-11-25T14:00:06.000Z", first),
                 71: items.Sentence(71, 7, "2026-11-25T14:00:06.000Z", "2026-11-25T14:00:12.000Z", second)}
    model = build(rows, keywords, sentences=sentences)
    assert [s.group_id for s in model.sections] == ["municipio", "dependencias"]
    [story] = model.sections[0].items
    assert (story.group_id, story.groups, story.keyword, story.terms, story.mention_ids) == (
        "municipio", ("municipio", "dependencias", "funcionarios"), "Moroleón",
        ("Moroleón", "Protección Civil", "Alejandra Méndez Ruiz"), (1, 2, 3, 4))
    assert story.quote_text == f"{first} {second}"
    assert [p.text for p in story.quote if p.bold] == ["Alejandra Méndez Ruiz", "Protección Civil",
                                                       "Protección Civil", "Moroleón"]
    assert [i.mention_ids for i in model.sections[1].items] == [(5,)]
    # The summary still counts every group's mentions, wherever their item sits.
    assert [(r.group, r.total) for r in model.summary] == [("municipio", 1), ("dependencias", 3),
                                                           ("funcionarios", 1)]


def test_an_item_is_confirmed_only_when_every_mention_of_it_is():
    text = "Obras Públicas y el DIF Moroleón reparten despensas."
    both = [row(1, local(8, 0), text, group="dependencias", keyword="Obras Públicas", review="confirmed",
                segment=5, recording=1),
            row(2, local(8, 0, 3), text, group="dependencias", keyword="DIF Moroleón", segment=5, recording=1)]
    [item] = build(both).sections[0].items
    assert item.mention_ids == (1, 2) and item.review == "Sin revisar"
    confirmed = [both[0], dataclasses.replace(both[1], review="confirmed")]
    assert build(confirmed).sections[0].items[0].review == "Confirmada"


def test_coverage_says_what_was_recorded():
    start, end = digests.day_period(DAY, MX)

    def rec(station, hour, minute, seconds, day=DAY):
        begin = local(hour, minute, day=day).astimezone(timezone.utc)
        end = begin + timedelta(seconds=seconds)
        return station, f"{begin:%Y-%m-%dT%H:%M:%S}.000Z", f"{end:%Y-%m-%dT%H:%M:%S}.000Z"
    recorded = [rec("radio-uno", 6, 0, 3600 * 2), rec("radio-uno", 7, 30, 3600),  # overlaps: counted once
                rec("fm-oficina", 13, 40, 20 * 60)]
    assert digests.coverage_text(recorded, tz=MX, since=start, until=end) == \
        "2 h 50 min grabadas de 06:00 a 14:00 en 2 estaciones"
    assert digests.coverage_text(recorded, tz=MX, since=start, until=end, press=(12, 3)) == \
        "2 h 50 min grabadas de 06:00 a 14:00 en 2 estaciones · prensa: 12 notas de 3 medios"
    # A recording that began the day before counts from midnight.
    before = DAY - timedelta(days=1)
    assert digests.coverage_text([rec("radio-uno", 23, 50, 11 * 60, before)], tz=MX, since=start, until=end) == \
        "1 min grabadas de 00:00 a 00:01 en 1 estación"
    assert digests.coverage_text([rec("radio-uno", 23, 50, 11 * 60)], tz=MX, since=start, until=end) == \
        "10 min grabadas de 23:50 a 24:00 en 1 estación"
    assert digests.coverage_text([], tz=MX, since=start, until=end) == "No se grabó radio de 00:00 a 24:00"
    assert digests.coverage_text([], tz=MX, since=start, until=end, press=(1, 1)) == \
        "No se grabó radio de 00:00 a 24:00 · prensa: 1 nota de 1 medio"


def test_links_to_the_web_ui_when_a_base_url_is_configured():
    at = local(8, 0).astimezone(timezone.utc)
    row = MentionRow(1, 12, "radio-uno", "municipio", "Moroleón", "Moroleón", 90.0, f"{at:%Y-%m-%dT%H:%M:%S}.000Z",
                     184.6, "En Moroleón.", None, 7)
    start, end = digests.day_period(DAY, MX)
    model = digests.build_digest([row], tz=MX, since=start, until=end, generated_at=end,
                                 office=OfficeConfig(base_url="http://radiomon.local:8080/"))
    # The web UI's recording page, playing from the second the mention was heard.
    assert model.sections[0].items[0].link == "http://radiomon.local:8080/grabacion/12?t=184"


# -- the documents -----------------------------------------------------------------------------------
def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_the_docx_reads_back_with_sections_counts_quotes_and_local_hours(config, day_archive, archive, tmp_path):
    out = tmp_path / "sintesis.docx"
    jobs.digest(config, archive, day=DAY, out=out, fmt="docx")
    document = docx.Document(str(out))
    text = paragraphs(document)
    assert text[:3] == ["Moroleón, Guanajuato", "Coordinación de Comunicación Social", "Síntesis informativa — Radio"]
    assert "Miércoles 25 de noviembre de 2026" in text and "1 min grabadas de 08:01 a 23:30 en 2 estaciones" in text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Resumen", "Temas de crisis (1)", "Municipio de Moroleón (3)", "Dependencias municipales (1)"]
    assert "08:01 · Radio Uno Moroleón — Noticias de la mañana · Moroleón" in text
    assert "23:30 · Receptor FM de la oficina · Moroleón" in text
    # The office's words (review states, counts) do not reach the mayor.
    assert not any(word in t for t in text for word in ("Sin revisar", "Confirmada", "×"))
    assert "Hoy en Moroleón hay feria." in text
    quote = next(p for p in document.paragraphs if p.text == "Hoy en Moroleón hay feria.")
    assert [r.text for r in quote.runs if r.bold] == ["Moroleón"]
    assert "Testigo: 20261125_080123_radio-uno_moroleon.mp3" in text
    assert not any("descartada" in t for t in text) and not any("Ayer en" in t for t in text)
    assert "Receptor FM de la oficina: de 14:00 a 14:30 (sin señal)" in text
    [summary] = document.tables
    cells = [[c.text for c in row.cells] for row in summary.rows]
    assert cells == [["Grupo", "Radio Uno Moroleón", "Receptor FM de la oficina", "Total"],
                     ["Temas de crisis", "1", "0", "1"], ["Municipio de Moroleón", "2", "1", "3"],
                     ["Dependencias municipales", "0", "1", "1"]]
    section = document.sections[0]
    assert (round(section.page_width.inches, 2), round(section.page_height.inches, 2)) == (8.5, 11.0)


def test_an_empty_day_is_a_valid_document_that_says_so(config, archive, tmp_path):
    out = tmp_path / "vacio.docx"
    model = jobs.digest(config, archive, day=date(2026, 11, 20), out=out)
    assert model.empty
    text = paragraphs(docx.Document(str(out)))
    assert "No se registraron menciones en el periodo monitoreado." in text
    assert "Viernes 20 de noviembre de 2026" in text
    html = (tmp_path / "vacio.html")
    jobs.digest(config, archive, day=date(2026, 11, 20), out=html, fmt="html")
    assert "No se registraron menciones en el periodo monitoreado." in html.read_text(encoding="utf-8")
    out = tmp_path / "vacio.json"
    jobs.digest(config, archive, day=date(2026, 11, 20), out=out, fmt="json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["total"], data["sections"], data["date_text"]) == (0, [], "viernes 20 de noviembre de 2026")


def test_the_html_escapes_quotes_and_prints_on_letter_paper(config, day_archive, archive, tmp_path):
    out = tmp_path / "sintesis.html"
    jobs.digest(config, archive, day=DAY, out=out, fmt="html")
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "El <strong>DIF Moroleón</strong> dijo &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; más." in page
    assert "@page { size: letter;" in page and '<html lang="es-MX">' in page
    assert "<h2>Temas de crisis (1)</h2>" in page and "descartada" not in page


def test_markdown_and_json(config, day_archive, archive, tmp_path):
    md = tmp_path / "s.md"
    jobs.digest(config, archive, day=DAY, out=md, fmt="md")
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Síntesis informativa — Radio\n")
    assert "  > Hoy en **Moroleón** hay feria." in text and "\\<script\\>" in text
    out = tmp_path / "s.json"
    jobs.digest(config, archive, day=DAY, out=out, fmt="json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["day"] == "2026-11-25" and data["total"] == 5
    assert [s["group_id"] for s in data["sections"]] == ["crisis", "municipio", "dependencias"]
    assert data["sections"][1]["items"][0]["mention_ids"] == [day_archive["feria"]]
    # JSON keeps the machine fields the documents leave out.
    assert [i["review"] for i in data["sections"][1]["items"]] == ["Confirmada", "Sin revisar", "Sin revisar"]
    assert "Sin revisar" not in text and "Confirmada" not in text


# -- the command ---------------------------------------------------------------------------------------
def test_radiomon_digest_writes_the_format_of_the_file_name(run, day_archive, tmp_path):
    result = run("digest", "--date", "2026-11-25", "-o", tmp_path / "s.html")
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {tmp_path / 's.html'}: 5 mention(s) in 3 section(s), miércoles 25 de noviembre " \
                            "de 2026\n"
    assert (tmp_path / "s.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = run("digest", "--date", "2026-11-25", "--reviewed-only", "--format", "docx", "-o", tmp_path / "s.out")
    assert result.output.startswith(f"wrote {tmp_path / 's.out'}: 1 mention(s) in 1 section(s)")
    assert docx.Document(str(tmp_path / "s.out")).paragraphs[0].text == "Moroleón, Guanajuato"


@pytest.mark.parametrize("args, message", [
    (("--date", "mañana"), "Error: --date mañana: not a date; use 2026-11-25, hoy or ayer\n"),
    (("--date", "2026-11-25", "--since", "9am"), "Error: --since 9am: not a time of day; use HH:MM like 10:00\n"),
    (("--date", "2026-11-25", "--since", "16:00", "--until", "10:00"), "Error: --since must be before --until\n"),
])
def test_radiomon_digest_errors_are_one_line(run, archive, tmp_path, args, message):
    result = run("digest", *args, "-o", tmp_path / "s.docx")
    assert (result.exit_code, result.output) == (1, message)
    assert not (tmp_path / "s.docx").exists()


def test_radiomon_digest_help_and_a_missing_output(run):
    result = run("digest", "--help")
    assert result.exit_code == 0 and "Write the daily síntesis informativa" in result.output
    result = run("digest")
    assert result.exit_code == 2 and "Missing option '-o' / '--output'" in result.output


# -- configuration -------------------------------------------------------------------------------------
def test_the_office_section_of_radiomon_yml(config_path, write_config):
    text = config_path.read_text(encoding="utf-8")
    write_config(text + "office:\n  coordinator: Lic. Ana Pérez\n  base_url: http://10.0.0.5:8080\n")
    config = load_config(config_path)
    assert config.office == OfficeConfig(coordinator="Lic. Ana Pérez", base_url="http://10.0.0.5:8080")
    write_config(text + "office:\n  cordinator: Ana\n")
    with pytest.raises(Exception, match=r"office\.cordinator: unknown key"):
        load_config(config_path)
