"""Buscar in Chromium: approximate search finds what Whisper misspelled, the count, Spanish errors, a phone.

The office is `radiomon init` plus transcripts imported with `radiomon import
--transcript` (what Whisper wrote for the DIF and the alcaldesa, misspelled),
served by the real `radiomon serve`; the browser is Debian's Chromium
driven by Playwright (fixtures as in test_web_browser.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_web_browser import ENV, RADIOMON, browser, radiomon, server  # noqa: E402,F401 (browser, server: fixtures)

TRANSCRIPTS = {
    "2026-11-25 08:00": ["Buenos días, aquí noticias de la mañana.",
                         "Hoy el deef de Moroleón entrega despensas en la colonia Centro.",
                         "La calmesa inauguró la obra del mercado."],
    "2026-11-25 09:00": ["El DIF municipal abre el lunes.", "La alcaldesa visitó la colonia Centro."],
}


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("buscar") / "demo"
    subprocess.run([*RADIOMON, "init", str(folder)], env=ENV, check=True, capture_output=True)
    config = folder / "radiomon.yml"
    for n, (start, texts) in enumerate(TRANSCRIPTS.items()):
        path = folder / f"t{n}.json"
        path.write_text(json.dumps({"segments": [{"start": 6.0 * i, "end": 6.0 * i + 5, "text": text}
                                                 for i, text in enumerate(texts)]}), encoding="utf-8")
        radiomon(config, "import", "--transcript", str(path), "--station", "ejemplo-am", "--start", start)
    return config


def open_page(browser, server, width: int, height: int = 900):
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height})
    return context, context.new_page()


@pytest.fixture
def page(browser, server) -> Page:
    context, tab = open_page(browser, server, 1280)
    yield tab
    context.close()


def test_approximate_search_finds_the_sentence_whisper_misspelled(page: Page):
    page.goto("/")
    page.fill("input[name=q]", "DIF")
    page.check("input[name=aprox]")
    page.click("button[type=submit]")
    expect(page.locator(".result-count")).to_contain_text("2 resultados (1 por búsqueda aproximada)")
    hits = page.locator(".hit")
    expect(hits).to_have_count(2)
    expect(hits.nth(0)).to_contain_text("El DIF municipal abre el lunes.")  # exact first
    expect(hits.nth(1).locator(".approx")).to_have_text("aproximada: «deef» ≈ DIF")
    expect(hits.nth(1).locator(".snippet mark")).to_have_text("deef")


def test_with_few_exact_hits_the_approximate_ones_come_by_themselves(page: Page):
    page.goto("/?q=alcaldesa")
    expect(page.locator(".result-count")).to_contain_text("2 resultados (1 por búsqueda aproximada)")
    expect(page.locator(".hit", has_text="La calmesa inauguró la obra del mercado.").locator(".approx")) \
        .to_contain_text("«calmesa» ≈ alcaldesa")


def test_a_hit_copies_for_whatsapp(browser, server):
    context, tab = open_page(browser, server, 1280)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab.goto("/?q=calmesa")
    tab.locator(".hit").first.locator("button.share").click()
    expect(tab.locator(".hit").first.locator("button.share")).to_have_text("Copiado ✓")
    copied = tab.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("*Estación AM de ejemplo* · mié 25/11/2026 08:00\n_«La calmesa inauguró")
    assert f"{server.url}/grabacion/1?t=12#s" in copied
    context.close()


def test_a_search_error_reads_in_spanish(page: Page):
    page.goto("/?q=OR+mercado")
    error = page.locator(".error-message")
    expect(error).to_contain_text("OR necesita una palabra a cada lado")
    assert "needs" not in error.inner_text() and "--" not in error.inner_text()
    page.goto("/?q=mercado&desde=26/11/2026&hasta=25/11/2026")
    expect(page.locator(".error-message")).to_contain_text("debe ser anterior")
    assert "--since" not in page.locator(".error-message").inner_text()


def test_on_a_phone_the_filters_fold_and_nothing_scrolls_sideways(browser, server):
    context, tab = open_page(browser, server, 375, 740)
    tab.goto("/?q=DIF&aprox=1")
    expect(tab.locator(".hit")).to_have_count(2)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    filters = tab.locator("details.filters-fold")
    expect(filters.locator("select[name=estacion]")).to_be_hidden()
    tab.click("details.filters-fold > summary")
    expect(filters.locator("select[name=estacion]")).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
    # On a desktop they are open, without the button.
    context, tab = open_page(browser, server, 1280)
    tab.goto("/?q=DIF")
    expect(tab.locator("select[name=estacion]")).to_be_visible()
    expect(tab.locator("details.filters-fold > summary")).to_be_hidden()
    context.close()
