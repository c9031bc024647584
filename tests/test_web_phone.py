"""Estado and a clip's page on a phone, in a real browser (Debian's Chromium, Playwright, touch emulated):
no sideways scroll at 375 px, no keyboard hint on a touch screen, the headline naming the station not recorded,
and the date field's pattern as Chromium compiles it."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import RADIOMON_YML, write_deployment
from playwright.sync_api import expect
from test_web_browser import browser, server  # noqa: E402,F401 (fixtures: one Chromium, `radiomon serve` of office)

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.transcript import Segment
from radiomon.web.dates import PATTERN, PATTERN_WORDS

# A long name, as real stations have, to push the table past a phone's width if anything does not wrap.
LONG_NAME = "Radio Uno Moroleón, la voz del sur de Guanajuato 1450 AM"
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    """Radio Uno last heard 3 hours ago (its row red, the recorder never run so the health check is quiet),
    the office's FM receiver recording now, and one mention of Radio Uno with 12 s of real audio."""
    folder = tmp_path_factory.mktemp("phone") / "oficina"
    folder.mkdir()
    config_path = write_deployment(folder, RADIOMON_YML.replace("name: Radio Uno Moroleón", f"name: {LONG_NAME}"))
    config = load_config(config_path)
    audio = folder / "uno.mp3"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=12",
                    "-ac", "1", "-b:a", "64k", str(audio)], check=True)
    now = datetime.now(timezone.utc)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        rec, _ = archive.add_recording(station="radio-uno", start=now - timedelta(hours=3), duration=12.0,
                                       path=str(audio))
        archive.replace_segments(rec, [Segment(3.0, 8.0, "Buenos días Moroleón, el mercado abre hoy",
                                               avg_logprob=-0.2, no_speech_prob=0.01)], engine="test")
        archive.add_recording(station="fm-oficina", start=now - timedelta(minutes=5), duration=300,
                              path=str(folder / "fm.mp3"))
        jobs.rematch(config, archive)
        assert archive.list_mentions()
    return config_path


def _open(browser, server, *, phone: bool):
    viewport = PHONE if phone else {"width": 1280, "height": 900}
    context = browser.new_context(base_url=server.url, viewport=viewport, bypass_csp=True, has_touch=phone,
                                  is_mobile=phone)
    return context, context.new_page()


def _mention_id(office: Path) -> int:
    with Archive(load_config(office).archive) as archive:
        return archive.list_mentions()[0].id


# What sticks out past the screen's right edge (empty: no sideways scroll), named for the failure's message.
SIDEWAYS = """() => document.documentElement.scrollWidth <= document.documentElement.clientWidth ? [] :
    [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)
        .map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)
        .concat([`scrollWidth ${document.documentElement.scrollWidth}`])"""


def _sideways(tab) -> list[str]:
    return tab.evaluate(SIDEWAYS)


# A hint as a page marks it (the class the pages share); appended by the test, styled by radiomon.css.
ADD_HINT = """() => { const p = document.createElement('p'); p.className = 'kbd-hint'; p.id = 'prueba-teclado';
                      p.innerHTML = 'Teclado: <kbd>j</kbd>/<kbd>k</kbd>'; document.querySelector('main').append(p); }"""


@pytest.mark.parametrize("phone", [True, False])
def test_estado_names_the_station_not_recording_and_fits_a_phone_without_keyboard_hints(browser, server, phone):
    context, tab = _open(browser, server, phone=phone)
    try:
        tab.goto("/estado")
        headline = tab.locator("#titular")
        expect(headline).to_contain_text(f"No se graba {LONG_NAME} desde")
        expect(headline).not_to_contain_text("Todo en orden")
        expect(tab.locator("table.stations td.state.bad")).to_contain_text("sin grabar desde")
        tab.evaluate(ADD_HINT)
        if phone:
            assert tab.evaluate("matchMedia('(hover: none)').matches")
            assert _sideways(tab) == []
            expect(tab.locator("#prueba-teclado")).to_be_hidden()
            for key in tab.locator("kbd").all():
                expect(key).to_be_hidden()
        else:  # with a mouse the same hint shows: the rule is about touch, not about the page
            expect(tab.locator("#prueba-teclado")).to_be_visible()
    finally:
        context.close()


def test_a_clips_page_fits_a_phone_and_copies_its_own_link(browser, server, office):
    mention = _mention_id(office)
    context, tab = _open(browser, server, phone=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    try:
        tab.goto(f"/clip/{mention}?antes=2&despues=4")
        assert _sideways(tab) == []
        link = f"{server.url}/clip/{mention}?antes=2&despues=4"
        expect(tab.locator("input.clip-link")).to_have_value(link)
        tab.locator("button.copy-link").tap()
        expect(tab.locator("button.copy-link")).to_have_text("Copiado ✓")
        assert tab.evaluate("navigator.clipboard.readText()") == link
        # the link plays: a colleague opening it gets the same clip's audio
        tab.goto(link)
        duration = "() => { const a = document.getElementById('clip-audio'); return a.readyState >= 1 && a.duration }"
        assert 5 <= tab.wait_for_function(duration, timeout=20_000).json_value() <= 7.5
    finally:
        context.close()


def test_the_date_fields_pattern_compiles_in_chromium_as_the_server_reads_dates(browser, server):
    context, tab = _open(browser, server, phone=False)
    try:
        tab.goto("/estado")
        check = """([pattern, text]) => { const input = document.createElement('input');
                     input.pattern = pattern; input.value = text; return !input.validity.patternMismatch; }"""
        for pattern, text, ok in [(PATTERN, "25/11/2026", True), (PATTERN, "5-3-2026", True),
                                  (PATTERN, "2026-11-25", True), (PATTERN, "25/11/26", False),
                                  (PATTERN, "hoy", False), (PATTERN_WORDS, "Ayer", True)]:
            assert tab.evaluate(check, [pattern, text]) is ok, (pattern, text)
        # an invalid pattern is ignored by the browser (every value passes): it must compile with the v flag
        compiles = "p => { try { new RegExp('^(?:' + p + ')$', 'v'); return true } catch (e) { return false } }"
        assert tab.evaluate(compiles, PATTERN_WORDS) and not tab.evaluate(compiles, "[/-]")
    finally:
        context.close()
