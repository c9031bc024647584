"""The weekly report by department: the model (pure) and the documents read back, chart included."""

from __future__ import annotations

import base64
import dataclasses
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import docx
import pytest

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.errors import ConfigError, QueryError
from radiomon.keywords import parse_keywords
from radiomon.reports import weekly
from radiomon.reports.writers import render_weekly

try:
    from test_digest import add_mention
except ImportError:  # tests/ is a package in some layouts
    from tests.test_digest import add_mention

MX = ZoneInfo("America/Mexico_City")
MONDAY = date(2026, 11, 23)  # ISO week 2026-W48

KEYWORDS = """\
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms: [Moroleón]
  presidencia:
    label: Presidencia municipal
    priority: high
    terms: [presidenta municipal, cabildo]
  dependencias:
    label: Dependencias municipales
    terms: [Obras Públicas, DIF Moroleón, Protección Civil]
  seguridad:
    label: Seguridad Pública
    report: true
    terms: [Seguridad Pública, policía municipal]
"""


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MX)


@pytest.fixture
def week_archive(archive: Archive, deployment):
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    tue, wed, sun = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2), MONDAY + timedelta(days=6)
    paving = add_mention(archive, "radio-uno", local(tue, 8), "dependencias", "Obras Públicas",
                         "Obras Públicas pavimenta la calle Hidalgo.", review="confirmed")
    closing = add_mention(archive, "radio-uno", local(wed, 9), "dependencias", "Obras Públicas",
                          "Obras Públicas cierra la avenida principal.")
    # The mayor: on Monday and Thursday, on both stations.
    add_mention(archive, "radio-uno", local(MONDAY, 8, 30), "presidencia", "presidenta municipal",
                "La presidenta municipal inauguró el mercado.")
    add_mention(archive, "fm-oficina", local(MONDAY + timedelta(days=3), 9), "presidencia", "cabildo",
                "El cabildo aprobó el presupuesto.")
    add_mention(archive, "fm-oficina", local(wed, 13), "dependencias", "Obras Públicas",
                "Reportan a Obras Públicas por un bache.")
    add_mention(archive, "fm-oficina", local(sun, 23, 30), "dependencias", "DIF Moroleón",  # Monday in UTC
                "El DIF Moroleón entrega despensas.")
    add_mention(archive, "radio-uno", local(wed, 10), "seguridad", "Seguridad Pública",
                "Seguridad Pública refuerza la vigilancia.")
    add_mention(archive, "radio-uno", local(wed, 11), "dependencias", "Protección Civil",
                "Protección Civil, mención descartada.", review="rejected")
    add_mention(archive, "radio-uno", local(wed, 12), "municipio", "Moroleón", "En Moroleón hace frío.")
    archive.add_now_playing("radio-uno", local(tue, 7), "Noticias con Lupita")
    # The week before: one mention of Obras Públicas, two of Protección Civil.
    before = MONDAY - timedelta(days=5)
    add_mention(archive, "radio-uno", local(before, 8), "dependencias", "Obras Públicas", "Obras Públicas antes.")
    add_mention(archive, "radio-uno", local(before, 9), "dependencias", "Protección Civil", "Protección Civil uno.")
    add_mention(archive, "radio-uno", local(before, 10), "dependencias", "Protección Civil", "Protección Civil dos.")
    # Tone, as staff set it on the síntesis (kept on each mention).
    with archive.write() as conn:
        conn.execute("UPDATE mentions SET tone = 'positiva' WHERE id = ?", (paving,))
        conn.execute("UPDATE mentions SET tone = 'negativa' WHERE id = ?", (closing,))


def test_weeks_are_iso_weeks_and_the_default_is_the_last_complete_one():
    assert weekly.parse_week("2026-W48", today=date(2026, 12, 3)) == MONDAY
    assert weekly.parse_week(None, today=date(2026, 12, 3)) == MONDAY
    assert weekly.parse_week(None, today=date(2026, 11, 30)) == MONDAY  # a Monday: last week is the one before
    with pytest.raises(QueryError, match=r"^--week 2026-48: not an ISO week; use e\.g\. 2026-W47$"):
        weekly.parse_week("2026-48", today=MONDAY)
    with pytest.raises(QueryError):
        weekly.parse_week("2026-W54", today=MONDAY)


def test_report_true_is_an_optional_key_of_a_group():
    keywords = parse_keywords({"groups": {"a": {"terms": ["x"]}, "b": {"terms": ["y"], "report": True}}})
    assert [g.report for g in keywords.groups] == [False, True]
    with pytest.raises(ConfigError, match=r"groups\.a\.report: must be true or false, not text"):
        parse_keywords({"groups": {"a": {"terms": ["x"], "report": "sí"}}})


def test_the_weekly_model(config, week_archive, archive):
    now = datetime(2026, 11, 30, 15, tzinfo=timezone.utc)
    report = weekly.collect_weekly(config, archive, week="2026-W48", now=now)
    assert report.period_text == "Semana 48 de 2026: del lunes 23 al domingo 29 de noviembre de 2026"
    assert report.date_text == "Moroleón, Guanajuato, a 30 de noviembre de 2026"
    assert report.day_headings == ("lun 23", "mar 24", "mié 25", "jue 26", "vie 27", "sáb 28", "dom 29")
    departments = {d.title: d for d in report.departments}
    # The presidency (the mayor's mentions) first; municipio is not a department; the rejected Protección
    # Civil mention does not count.
    assert list(departments) == ["Presidencia municipal", "Obras Públicas", "DIF Moroleón", "Seguridad Pública",
                                 "Protección Civil"]
    presidency = departments["Presidencia municipal"]
    assert (presidency.key, presidency.total, presidency.by_day) == ("presidencia", 2, (1, 0, 0, 1, 0, 0, 0))
    obras = departments["Obras Públicas"]
    assert (obras.total, obras.previous_total, obras.change_text) == (3, 1, "+2 (+200 %)")
    assert obras.by_day == (0, 1, 2, 0, 0, 0, 0)
    assert [(r.station, r.counts[1:3], r.total) for r in obras.by_station] == [
        ("Radio Uno Moroleón", (1, 1), 2), ("Receptor FM de la oficina", (0, 1), 1)]
    assert obras.top_quotes[0].text == "Obras Públicas pavimenta la calle Hidalgo."
    assert departments["DIF Moroleón"].by_day == (0, 0, 0, 0, 0, 0, 1)  # Sunday 23:30 local
    # A chart only where there is something to chart: two days or more with mentions.
    assert [d.title for d in report.departments if d.has_chart] == ["Presidencia municipal", "Obras Públicas"]
    civil = departments["Protección Civil"]
    assert (civil.total, civil.previous_total, civil.change_text) == (0, 2, "-2 (-100 %)")
    assert [(s.station, s.count) for s in report.busiest_stations] == [("Radio Uno Moroleón", 4),
                                                                       ("Receptor FM de la oficina", 3)]
    # Radio Uno announced its news show from Tuesday 07:00 on (the rejected mention does not count).
    assert [(p.program, p.station, p.count) for p in report.busiest_programs] == [
        ("Noticias con Lupita", "Radio Uno Moroleón", 3)]
    # The overall summary that opens it.
    assert report.overview == (
        ("Menciones en la semana", "7 (semana anterior: 3)"),
        ("Dependencia con más menciones", "Obras Públicas (3)"),
        ("Presidencia municipal", "2"),
        ("Estación con más menciones", "Radio Uno Moroleón (4)"),
        ("Tono", "1 positiva, 1 negativa, 5 neutrales"))
    # Tone per department and per station (a mention nobody gave a tone is neutral).
    assert report.tone_table == [["Presidencia municipal", 0, 0, 2, 2], ["Obras Públicas", 1, 1, 1, 3],
                                 ["DIF Moroleón", 0, 0, 1, 1], ["Seguridad Pública", 0, 0, 1, 1]]
    assert report.tone_source_table == [["Radio Uno Moroleón", 1, 1, 2, 4], ["Receptor FM de la oficina", 0, 0, 3, 3]]
    assert report.has_tone_chart


def test_charts_leave_out_empty_bars_and_are_not_drawn_for_one():
    from radiomon.reports.writers import chart

    assert not chart.worth_a_chart([0, 0, 3, 0, 0, 0, 0]) and chart.worth_a_chart([0, 1, 3, 0, 0, 0, 0])
    # Two bars drawn, not seven: a chart of the two days is narrower in data, so the PNGs differ.
    two = chart.mentions_per_day(["lun", "mar", "mié", "jue", "vie", "sáb", "dom"], [0, 1, 3, 0, 0, 0, 0], "x")
    same = chart.mentions_per_day(["mar", "mié"], [1, 3], "x")
    assert two == same


def test_the_weekly_docx_has_the_oficio_layout_tables_and_charts(config, week_archive, archive, deployment,
                                                                  tmp_path, write_config):
    text = (deployment / "radiomon.yml").read_text(encoding="utf-8")
    write_config(text + "office:\n  coordinator: Lic. Ana Pérez\n")
    config = load_config(deployment / "radiomon.yml")
    out = tmp_path / "semanal.docx"
    jobs.weekly_report(config, archive, out=out, week="2026-W48")
    document = docx.Document(str(out))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:2] == ["Moroleón, Guanajuato", "Coordinación de Comunicación Social"]
    assert re.fullmatch(r"Moroleón, Guanajuato, a \d{1,2} de \w+ de \d{4}", paragraphs[2])
    assert "Informe semanal" in paragraphs
    assert "Semana 48 de 2026: del lunes 23 al domingo 29 de noviembre de 2026" in paragraphs
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Resumen general", "Resumen por dependencia", "Estaciones con más menciones",
                        "Programas con más menciones", "Tono por dependencia", "Tono por estación o medio",
                        "Presidencia municipal", "Obras Públicas", "DIF Moroleón", "Seguridad Pública",
                        "Protección Civil"]
    assert "Atentamente," in paragraphs and paragraphs[-2:] == ["Lic. Ana Pérez", "Coordinación de Comunicación Social"]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert tables[0][1] == ["Menciones en la semana", "7 (semana anterior: 3)"]
    assert tables[1][2] == ["Obras Públicas", "3", "1", "+2 (+200 %)"]
    assert tables[3][1] == ["Noticias con Lupita", "Radio Uno Moroleón", "3"]
    assert tables[4][0] == ["Dependencia", "Positiva", "Negativa", "Neutral", "Total"]
    assert tables[4][2] == ["Obras Públicas", "1", "1", "1", "3"]
    assert tables[5][1] == ["Radio Uno Moroleón", "1", "1", "2", "4"]
    presidency = tables[6]
    assert presidency[0] == ["Estación", "lun 23", "mar 24", "mié 25", "jue 26", "vie 27", "sáb 28", "dom 29", "Total"]
    # Charts: the week's tone and the two departments with mentions on two days or more; none for DIF
    # (one day) nor Seguridad Pública (one day), as real PNG pictures.
    assert len(document.inline_shapes) == 3
    images = [p for p in document.part.related_parts.values() if p.content_type == "image/png"]
    assert images and all(p.blob.startswith(b"\x89PNG") for p in images)
    assert not any("descartada" in t for t in paragraphs)


def test_the_coordinator_line_is_blank_only_without_a_name(config, week_archive, archive, tmp_path):
    report = weekly.collect_weekly(config, archive, week="2026-W48")
    assert report.coordinator == ""
    assert render_weekly(report, "md").decode("utf-8").endswith(
        "Atentamente,\n\n_______________________\nCoordinación de Comunicación Social\n")
    named = dataclasses.replace(report, coordinator="Lic. Ana Pérez")
    assert "<br><br>Lic. Ana Pérez<br>" in render_weekly(named, "html").decode("utf-8")


def test_the_weekly_html_embeds_the_charts_and_markdown_has_the_tables(run, week_archive, tmp_path):
    result = run("report", "weekly", "--week", "2026-W48", "-o", tmp_path / "semanal.html")
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {tmp_path / 'semanal.html'}: 2026-W48, 7 mention(s) in 5 department(s)\n"
    page = (tmp_path / "semanal.html").read_text(encoding="utf-8")
    charts = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(charts) == 3 and all(base64.b64decode(c).startswith(b"\x89PNG") for c in charts)
    assert 'alt="Tono de las menciones de la semana"' in page
    assert page.index("<h2>Resumen general</h2>") < page.index("<h2>Resumen por dependencia</h2>")
    assert "Atentamente," in page and "@page { size: letter;" in page
    result = run("report", "weekly", "--week", "2026-W48", "--format", "md", "-o", tmp_path / "semanal.txt")
    text = (tmp_path / "semanal.txt").read_text(encoding="utf-8")
    assert "| Obras Públicas | 3 | 1 | +2 (+200 %) |" in text
    assert "- **Menciones en la semana:** 7 (semana anterior: 3)" in text
    assert "| Obras Públicas | 1 | 1 | 1 | 3 |" in text


def test_radiomon_report_weekly_help_and_errors(run, archive, tmp_path):
    assert run("report", "--help").exit_code == 0
    result = run("report", "weekly", "--help")
    assert result.exit_code == 0 and "Write the weekly report by department" in result.output
    result = run("report", "weekly", "--week", "W48", "-o", tmp_path / "x.docx")
    assert (result.exit_code, result.output) == (1, "Error: --week W48: not an ISO week; use e.g. 2026-W47\n")
    result = run("report", "weekly", "--format", "pdf", "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.output
