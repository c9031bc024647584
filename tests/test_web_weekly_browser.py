"""Informe semanal in Chromium at 375 px against `radiomon serve`: no sideways scroll (the tables and charts
fit or scroll inside their own box), the charts load, and the week picker and the previous-week link work."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import RADIOMON_YML, write_deployment
from playwright.sync_api import expect

from radiomon.archive import Archive
from radiomon.config import load_config

sys.path.insert(0, str(Path(__file__).parent))
from test_digest import add_mention  # noqa: E402
from test_web_browser import browser, server  # noqa: E402,F401 (fixtures: one Chromium, `radiomon serve` of office)
from test_web_phone import SIDEWAYS  # noqa: E402
from test_weekly import KEYWORDS, MONDAY, local  # noqa: E402

# Long names, as real stations and departments have, to push a table past a phone's width if anything does not wrap.
LONG_NAME = "Radio Uno Moroleón, la voz del sur de Guanajuato 1450 AM"
PHONE = {"width": 375, "height": 740}
# The tables of the departments and of tone that would scroll inside their box (their classes, for the message).
WIDER_THAN_THEIR_BOX = """() => [...document.querySelectorAll('#dependencias .table-wrap, #tono .table-wrap')]
    .filter(e => e.scrollWidth > e.clientWidth).map(e => `${e.firstElementChild.className} ${e.scrollWidth}px`)"""


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("semanal") / "oficina"
    folder.mkdir()
    config_path = write_deployment(folder, RADIOMON_YML.replace("name: Radio Uno Moroleón", f"name: {LONG_NAME}"),
                                   KEYWORDS)
    config = load_config(config_path)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        for day, station, group, keyword in [(0, "radio-uno", "presidencia", "presidenta municipal"),
                                             (3, "fm-oficina", "presidencia", "cabildo"),
                                             (1, "radio-uno", "dependencias", "Obras Públicas"),
                                             (2, "fm-oficina", "dependencias", "Obras Públicas"),
                                             (4, "radio-uno", "seguridad", "policía municipal")]:
            mention = add_mention(archive, station, local(MONDAY + timedelta(days=day), 9), group, keyword,
                                  f"Se habló de {keyword} en la radio esta mañana.")
            with archive.write() as conn:
                conn.execute("UPDATE mentions SET tone = ? WHERE id = ?", ("positiva" if day % 2 else "negativa",
                                                                         mention))
    return config_path


def test_the_weekly_report_fits_a_phone_and_its_weeks_can_be_walked(browser, server):
    context = browser.new_context(base_url=server.url, viewport=PHONE, is_mobile=True, has_touch=True,
                                  bypass_csp=True)
    tab = context.new_page()
    try:
        tab.goto("/informe-semanal?semana=2026-W48")
        expect(tab.locator("h1")).to_contain_text("Semana 48 de 2026")
        expect(tab.locator("#resumen")).to_contain_text("Menciones en la semana")
        expect(tab.locator("table.tone-sources")).to_contain_text(LONG_NAME)
        # Every chart (tone, the presidency's, Obras Públicas') loads as the page is scrolled through.
        charts = tab.locator("img.chart")
        expect(charts).to_have_count(3)
        for i in range(3):
            charts.nth(i).scroll_into_view_if_needed()
            tab.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=charts.nth(i).element_handle())
        # A department's table by day opened: still no sideways scroll on the page.
        tab.locator("details.by-day summary").first.click()
        assert tab.evaluate(SIDEWAYS) == []
        # The summary's tables fit the phone whole: nothing to scroll inside their boxes either.
        assert tab.evaluate(WIDER_THAN_THEIR_BOX) == []
        # The week picker and the previous week's link.
        tab.locator("a[rel=prev]").click()
        expect(tab.locator("h1")).to_contain_text("Semana 47 de 2026")
        tab.locator("input[name=semana]").fill("2026-W48")
        tab.get_by_role("button", name="Ver").click()
        expect(tab.locator("h1")).to_contain_text("Semana 48 de 2026")
        assert tab.evaluate(SIDEWAYS) == []
    finally:
        context.close()
