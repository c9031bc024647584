"""Informe semanal through the Flask app: the week's summary, counts and tone per department and per station,
the charts and documents `radiomon report weekly` makes, week navigation and a bad week's Spanish 400."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import docx
import pytest

from radiomon.config import load_config
from radiomon.web import create_app

try:
    from test_weekly import week_archive  # noqa: F401 - the fixture, used by name
except ImportError:  # tests/ is a package in some layouts
    from tests.test_weekly import week_archive  # noqa: F401

WEEK = "2026-W48"


@pytest.fixture
def client(week_archive, config_path):  # noqa: F811 - the imported fixture
    return create_app(load_config(config_path)).test_client()


def text_of(html: str) -> str:
    """The page's words, tags dropped and spaces squeezed, to read it as a person does."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def section(html: str, ident: str) -> str:
    found = re.search(rf'<section[^>]*id="{ident}".*?</section>', html, re.S)
    assert found, ident
    return text_of(found.group(0))


def test_the_page_shows_the_summary_first_then_departments_and_tone(client):
    page = client.get(f"/informe-semanal?semana={WEEK}")
    assert page.status_code == 200
    html = page.text
    assert "Semana 48 de 2026: del lunes 23 al domingo 29 de noviembre de 2026" in text_of(html)
    # The overall summary opens the page, before the departments.
    assert html.index('id="resumen"') < html.index('id="dependencias"') < html.index('id="tono"')
    summary = section(html, "resumen")
    assert "Menciones en la semana 7 (semana anterior: 3)" in summary
    assert "Dependencia con más menciones Obras Públicas (3)" in summary
    assert "Presidencia municipal 2" in summary
    assert "Tono 1 positiva, 1 negativa, 5 neutrales" in summary
    # Every department of the report plus the presidency (first); the rejected and municipio mentions never count.
    departments = section(html, "dependencias")
    assert departments.startswith("Menciones por dependencia Dependencia Esta semana Semana anterior Cambio "
                                  "Presidencia municipal 2 0 +2 (sin menciones la semana anterior) "
                                  "Obras Públicas 3 1 +2 (+200 %)")
    assert "Seguridad Pública 1 0" in departments and "DIF Moroleón 1 0" in departments
    assert "Protección Civil 0 2 -2 (-100 %)" in departments
    assert "Moroleón" not in departments.replace("DIF Moroleón", "")


def test_tone_is_counted_per_department_and_per_station(client):
    html = client.get(f"/informe-semanal?semana={WEEK}").text
    by_department = text_of(re.search(r'<table class="wk-table tone-departments">.*?</table>', html, re.S).group(0))
    assert by_department == ("Dependencia Positiva Negativa Neutral Total Presidencia municipal 0 0 2 2 "
                             "Obras Públicas 1 1 1 3 DIF Moroleón 0 0 1 1 Seguridad Pública 0 0 1 1")
    by_station = text_of(re.search(r'<table class="wk-table tone-sources">.*?</table>', html, re.S).group(0))
    assert by_station == ("Estación o medio Positiva Negativa Neutral Total Radio Uno Moroleón 1 1 2 4 "
                          "Receptor FM de la oficina 0 0 3 3")
    # Two tones were given: the week's tone chart is drawn, by the report's own chart code.
    tone = re.search(r'<img class="chart"[^>]*alt="Tono de las menciones[^"]*"\s+src="([^"]+)"', html).group(1)
    chart = client.get(unescape(tone))
    assert chart.status_code == 200 and chart.content_type == "image/png" and chart.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_charts_only_where_there_is_something_to_chart(client):
    html = client.get(f"/informe-semanal?semana={WEEK}").text
    charts = [unescape(src) for src in re.findall(r'<img class="chart"[^>]*src="([^"]+)"', html)]
    # Obras Públicas (Tuesday and Wednesday) and the presidency (Monday and Thursday); DIF's one day has none.
    assert len(charts) == 3
    assert any("de=presidencia" in c for c in charts) and any("Obras" in c for c in charts)
    for src in charts:
        answer = client.get(src)
        assert answer.status_code == 200 and answer.data.startswith(b"\x89PNG")
    missing = client.get(f"/informe-semanal/grafica.png?semana={WEEK}&de=dependencias:DIF Moroleón")
    assert missing.status_code == 404 and "no tiene gráfica" in missing.text


def test_the_documents_are_the_report_commands(client):
    word = client.get(f"/informe-semanal/documento?semana={WEEK}&formato=docx")
    assert word.status_code == 200
    assert word.headers["Content-Disposition"] == f'attachment; filename="informe-semanal-{WEEK}.docx"'
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert "Semana 48 de 2026" in text
    page = client.get(f"/informe-semanal?semana={WEEK}").text
    for fmt in ("docx", "html", "md"):
        assert f"/informe-semanal/documento?semana={WEEK}&amp;formato={fmt}" in page
    markdown = client.get(f"/informe-semanal/documento?semana={WEEK}&formato=md").text
    assert "| Obras Públicas | 1 | 1 | 1 | 3 |" in markdown
    refused = client.get(f"/informe-semanal/documento?semana={WEEK}&formato=exe")
    assert refused.status_code == 400 and "El formato «exe» no existe" in refused.text


def test_week_navigation_and_the_default_week(client, monkeypatch):
    html = client.get(f"/informe-semanal?semana={WEEK}").text
    assert 'href="/informe-semanal?semana=2026-W47" rel="prev"' in html
    assert 'href="/informe-semanal?semana=2026-W49" rel="next"' in html
    assert 'name="semana" value="2026-W48"' in html
    before = client.get("/informe-semanal?semana=2026-W47").text
    assert "Semana 47 de 2026" in before and "Menciones en la semana 3 (semana anterior: 0)" in text_of(before)
    # Without a week: the last complete one, as `radiomon report weekly`.
    from radiomon.web.views import weekly as view

    monkeypatch.setattr(view, "_today", lambda: date(2026, 12, 3))
    default = client.get("/informe-semanal")
    assert "Semana 48 de 2026" in default.text and "Semana en curso" not in default.text
    assert 'href="/informe-semanal?semana=2026-W49" rel="next"' in default.text
    # The week in progress can be looked at (marked as such), the weeks after it cannot.
    current = client.get("/informe-semanal?semana=2026-W49").text
    assert "Semana en curso" in current and 'rel="next"' not in current


@pytest.mark.parametrize("week, words", [
    ("semana 47", "«Semana» «semana 47» no es una semana; use p. ej. 2026-W47."),
    ("2026-W60", "«Semana» «2026-W60» no es una semana; use p. ej. 2026-W47."),
    ("9999-W01", "«Semana» «9999-W01» está fuera de rango"),
])
def test_a_bad_week_is_a_spanish_400(client, week, words):
    for path in ("/informe-semanal", "/informe-semanal/documento", "/informe-semanal/grafica.png"):
        answer = client.get(path, query_string={"semana": week, "de": "tono"})
        assert answer.status_code == 400 and words in unescape(answer.text), (path, answer.text)
        assert "--week" not in answer.text


def test_the_navigation_links_to_the_page(client):
    html = client.get("/palabras-clave").text
    assert '<a href="/informe-semanal" >Informe semanal</a>' in html
    assert 'href="/informe-semanal" aria-current="page">Informe semanal' in client.get(
        f"/informe-semanal?semana={WEEK}").text


def test_an_empty_week_says_so(client):
    html = client.get("/informe-semanal?semana=2025-W10").text
    assert "Menciones en la semana 0 (semana anterior: 0)" in text_of(html)
    assert "Ninguna dependencia, ni la presidencia, tuvo menciones" in html
    assert "<img" not in html
