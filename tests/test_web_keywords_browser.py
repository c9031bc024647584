"""Palabras clave in Chromium against `radiomon serve`: a coordinator on a 375-px phone adds a crisis term,
accepts a suggestion (the mention appears after the background re-match) and undoes a change byte for
byte; a `prensa` user sees no edit control and a forged POST is refused."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import factories
import pytest
from playwright.sync_api import Page, expect

from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.pipeline.match import load_matcher, match_recording
from radiomon.web import accounts

sys.path.insert(0, str(Path(__file__).parent))
from test_web_browser import browser, server  # noqa: E402,F401 (fixtures: one Chromium, `radiomon serve` of office)
from test_web_keywords import KEYWORDS  # noqa: E402
from test_web_security import PASSWORD  # noqa: E402


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    from conftest import write_deployment

    folder = tmp_path_factory.mktemp("palabras") / "oficina"
    folder.mkdir()
    write_deployment(folder, keywords_yml=KEYWORDS)
    config = load_config(folder / "radiomon.yml")
    said = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        accounts.add_user(archive, "luz", PASSWORD, "coordinador")
        accounts.add_user(archive, "ana", PASSWORD)
        recording = factories.on_air(archive, [factories.spoken("Hoy en Morreón hay tianguis.", 4.0)], said)
        match_recording(archive, load_matcher(config.keywords), recording)
    return folder / "radiomon.yml"


def signed_in(browser, server, name: str, width: int = 375) -> Page:
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": 800}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto("/entrar")
    page.fill("input[name=usuario]", name)
    page.fill("input[name=contrasena]", PASSWORD)
    page.click("button[type=submit]")
    page.goto("/palabras-clave")
    return page


def keywords_file(office: Path) -> Path:
    return Path(load_config(office).keywords)


def no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_coordinator_adds_a_crisis_term_from_a_phone_and_undoes_it_byte_for_byte(browser, server, office):
    original = keywords_file(office).read_bytes()
    page = signed_in(browser, server, "luz")
    no_horizontal_scroll(page)
    add = page.locator("#g-crisis details.kw-add")
    add.locator("summary").click()
    add.locator("input[name=termino]").fill("fuga de gas")
    add.get_by_role("button", name="Agregar término").click()
    expect(page.locator("#guardado")).to_contain_text("Cambio guardado")
    expect(page.locator("#g-crisis .kw-term[data-term='fuga de gas']")).to_contain_text("fuga de gas")
    no_horizontal_scroll(page)
    assert keywords_file(office).read_text(encoding="utf-8") == KEYWORDS + "      - fuga de gas\n"
    expect(page.locator("#actualizacion")).to_have_attribute("data-running", "0", timeout=60_000)
    # refused on the phone, with its line, nothing written
    add = page.locator("#g-crisis details.kw-add")
    add.locator("summary").click()
    add.locator("input[name=termino]").fill("derrumbe")
    add.locator("input[name=umbral]").fill("150")
    add.get_by_role("button", name="Agregar término").click()
    expect(page.locator("#error")).to_contain_text("El umbral 150 está fuera de rango")
    no_horizontal_scroll(page)
    assert keywords_file(office).read_text(encoding="utf-8") == KEYWORDS + "      - fuga de gas\n"
    page.goto("/palabras-clave#historial")
    page.locator("#historial button", has_text="Deshacer").click()
    expect(page.locator("#guardado")).to_contain_text("Cambio guardado")
    assert keywords_file(office).read_bytes() == original
    expect(page.locator("#historial")).to_contain_text("deshizo: agregó «fuga de gas» al grupo crisis")
    page.context.close()


def test_accepting_a_suggestion_keeps_the_comments_and_the_mention_appears_after_the_rematch(browser, server, office):
    with Archive(load_config(office).archive) as archive:
        assert archive.list_mentions() == []
    page = signed_in(browser, server, "luz")
    page.locator(".kw-tabs a", has_text="Sugerencias").click()
    suggestion = page.locator("li.suggestion[data-heard='Morreón']")
    expect(suggestion).to_contain_text("Hoy en Morreón hay tianguis.")
    expect(suggestion.locator("button.play")).to_have_attribute("data-offset", "5.000")  # "Morreón", 3rd word
    no_horizontal_scroll(page)
    suggestion.locator("button", has_text="Aceptar como variante").click()
    expect(page.locator("#actualizacion")).to_contain_text("1 menciones nuevas", timeout=60_000)
    text = keywords_file(office).read_text(encoding="utf-8")
    assert text == KEYWORDS.replace("aliases: [Moro León]", "aliases: [Moro León, Morreón]")
    assert "# Look-alikes that must not count." in text and "# the name" in text
    with Archive(load_config(office).archive) as archive:
        assert [(m.keyword, m.matched) for m in archive.list_mentions()] == [("Moroleón", "Morreón")]
    page.context.close()


def test_prensa_has_no_edit_controls_and_a_forged_post_is_refused(browser, server, office):
    before = keywords_file(office).read_bytes()
    page = signed_in(browser, server, "ana")
    expect(page.locator("#g-crisis")).to_contain_text("balacera")
    assert page.locator("main form, main details.kw-edit").count() == 0
    no_horizontal_scroll(page)
    csrf = page.locator("meta[name=csrf-token]").get_attribute("content")
    forged = page.request.post("/palabras-clave/termino", form={"csrf": csrf, "version": "x", "grupo": "crisis",
                                                                "termino": "fuga de gas"}, max_redirects=0)
    assert forged.status == 403 and "Solo un usuario coordinador" in forged.text()
    assert keywords_file(office).read_bytes() == before
    page.context.close()
