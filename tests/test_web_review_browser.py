"""Menciones as a review queue and Grabación's controls in a real browser (Debian's Chromium, Playwright).

The archive: one recording of real audio (ffmpeg's tone, 90 s) whose lines were stored as a transcription
stores them and matched by the real matcher; `radiomon serve` on a free loopback port.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime, timezone
from functools import partial
from pathlib import Path

import pytest
from conftest import RADIOMON_YML, write_deployment
from factories import spoken
from playwright.sync_api import Page, expect
from test_web_browser import browser, radiomon, server  # noqa: E402,F401 (browser, server: fixtures)

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.reports.digest import collect_digest

START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
DAY = "2026-11-25"
KEYWORDS = """\
defaults: {threshold: 88}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}
  dependencias:
    label: Dependencias municipales
    terms: [DIF Moroleón, Obras Públicas]
"""
MISSED = "Hoy el EF entregó cobijas en la colonia centro"
segment = partial(spoken, spread=True, space="", avg_logprob=-0.2, no_speech_prob=0.01)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("review") / "oficina"
    folder.mkdir()
    config_path = write_deployment(folder, RADIOMON_YML, KEYWORDS)
    config = load_config(config_path)
    audio = folder / "uno.mp3"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=90",
                    "-ac", "1", "-b:a", "64k", str(audio)], check=True)
    lines = [f"Relleno número {i} de la mañana" for i in range(14)]
    lines[3] = "Hoy el DIF Moroleón entregó despensas."
    lines[6] = "Seguimos en Moroleón con el clima."
    lines[9] = "La feria de Moroleón abre mañana."
    lines[12] = "Buenas tardes desde Moroleón."
    lines[13] = MISSED
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        rec, _ = archive.add_recording(station="radio-uno", start=START, duration=90, path=str(audio))
        archive.replace_segments(rec, [segment(text, 1.0 + 6 * i, 5.5 + 6 * i) for i, text in enumerate(lines)],
                                 engine="test")
        jobs.rematch(config, archive)
    return config_path


def open_page(browser, server, width: int = 1280, height: int = 900, touch: bool = False):
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height},
                                  bypass_csp=True, has_touch=touch, is_mobile=touch)
    return context, context.new_page()


@pytest.fixture
def page(browser, server) -> Page:
    context, tab = open_page(browser, server)
    yield tab
    context.close()


@pytest.fixture(autouse=True)
def fresh_reviews(office):
    yield
    with Archive(load_config(office).archive) as archive:
        for mention in archive.list_mentions():
            if not mention.added_by:
                archive.set_review(mention.id, None)


def mentions(office: Path):
    with Archive(load_config(office).archive) as archive:
        return archive.list_mentions()


def rows(page: Page):
    return page.locator("#lista li.mencion")


def selected_id(page: Page) -> str | None:
    return page.evaluate("(document.querySelector('#lista li.selected') || {}).id || null")


def test_play_on_a_row_plays_from_the_mentions_second_in_the_page(page: Page, office: Path):
    page.goto(f"/menciones?dia={DAY}")
    page.evaluate("window.__same = 1")
    play = rows(page).nth(2).locator("button.play")
    offset = float(play.get_attribute("data-offset"))
    assert offset > 10  # seeking is what is tested
    play.click()
    playing = "() => { const a = document.getElementById('player'); return !a.paused && a.currentTime > 0 }"
    page.wait_for_function(playing, timeout=20_000)
    assert abs(page.evaluate("document.getElementById('player').currentTime") - offset) <= 1.5
    assert page.evaluate("window.__same") == 1  # no navigation
    expect(page.locator("#reproductor")).to_be_visible()


def test_a_verdict_changes_the_row_in_place_and_moves_the_selection_on(page: Page, office: Path):
    page.goto(f"/menciones?dia={DAY}")
    page.evaluate("window.__same = 1")
    ids = [rows(page).nth(i).get_attribute("id") for i in range(rows(page).count())]
    page.keyboard.press("j")
    assert selected_id(page) == ids[0]
    page.keyboard.press("c")
    expect(page.locator(f"#{ids[0]}")).to_have_class(re.compile(r"review-confirmed"))
    expect(page.locator(f"#{ids[1]}")).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("f")
    expect(page.locator(f"#{ids[1]}")).to_have_class(re.compile(r"review-rejected"))
    expect(page.locator(f"#{ids[2]}")).to_have_class(re.compile(r"\bselected\b"))
    assert page.evaluate("window.__same") == 1  # no reload
    expect(page.locator("#resumen")).to_contain_text("2 sin revisar")
    # The DIF sentence is one row of two mentions: the verdict applied to both.
    assert rows(page).nth(0).get_attribute("data-ids").count(",") == 1
    assert [m.review for m in mentions(office) if "DIF" in (m.context or "")] == ["confirmed", "confirmed"]


def test_in_the_unreviewed_filter_the_row_leaves_and_the_selection_moves_on(page: Page, office: Path):
    page.goto(f"/menciones?dia={DAY}&estado=pendientes")
    page.evaluate("window.__same = 1")
    ids = [rows(page).nth(i).get_attribute("id") for i in range(rows(page).count())]
    rows(page).nth(1).locator(".context").click()
    assert selected_id(page) == ids[1]
    rows(page).nth(1).locator("button.confirm").click()
    expect(rows(page)).to_have_count(len(ids) - 1)
    expect(page.locator(f"#{ids[2]}")).to_have_class(re.compile(r"\bselected\b"))
    assert page.evaluate("window.__same") == 1


def test_ticked_rows_are_confirmed_together(page: Page, office: Path):
    page.goto(f"/menciones?dia={DAY}")
    page.evaluate("window.__same = 1")
    ids = [rows(page).nth(i).get_attribute("id") for i in range(rows(page).count())]
    rows(page).nth(0).locator("input.pick").check()
    rows(page).nth(2).locator("input.pick").check()
    page.locator("button.bulk-confirm").click()
    expect(page.locator(f"#{ids[0]}")).to_have_class(re.compile(r"review-confirmed"))
    expect(page.locator(f"#{ids[2]}")).to_have_class(re.compile(r"review-confirmed"))
    expect(page.locator(f"#{ids[1]}")).to_have_class(re.compile(r"review-none"))
    assert page.evaluate("window.__same") == 1
    confirmed = {m.id for m in mentions(office) if m.review == "confirmed"}
    assert confirmed == {int(i) for r in (ids[0], ids[2])
                         for i in page.locator(f"#{r}").get_attribute("data-ids").split(",")}


def test_the_target_line_is_clear_of_the_player_and_a_badge_opens_in_place_while_it_plays(page: Page, office):
    first = next(m for m in mentions(office) if m.keyword == "Moroleón" and m.offset > 50)
    page.goto(f"/grabacion/{first.recording_id}?t={first.offset:.1f}#s{first.segment_id}")
    page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=20_000)
    line_top = page.evaluate(f"document.getElementById('s{first.segment_id}').getBoundingClientRect().top")
    bar_bottom = page.evaluate("document.querySelector('.player-bar').getBoundingClientRect().bottom")
    assert line_top >= bar_bottom - 1
    page.locator("button.speed[data-rate='1.5']").click()
    assert page.evaluate("document.getElementById('player').playbackRate") == 1.5
    page.locator(f"#s{first.segment_id} button.seek").click()
    page.wait_for_function("!document.getElementById('player').paused", timeout=20_000)
    before = page.evaluate("document.getElementById('player').currentTime")
    page.locator("button.back5").click()
    assert page.evaluate("document.getElementById('player').currentTime") < before - 3
    url = page.url
    page.locator(f"#s{first.segment_id} .badges a").first.click()
    expect(page.locator("#panel")).to_be_visible()
    expect(page.locator("#panel")).to_contain_text("Copiar para WhatsApp")
    assert page.url == url and not page.evaluate("document.getElementById('player').paused")


def test_a_verdict_in_the_panel_changes_the_lines_badge_without_a_reload(page: Page, office: Path):
    dif = next(m for m in mentions(office) if m.keyword == "DIF Moroleón")
    page.goto(f"/grabacion/{dif.recording_id}")
    page.evaluate("window.__same = 1")
    badge = page.locator(f"#b{dif.segment_id} a.badge[href='/mencion/{dif.id}']")
    expect(badge).not_to_have_class(re.compile(r"\b(rejected|confirmed)\b"))
    badge.click()
    expect(page.locator("#panel")).to_be_visible()
    page.locator("#panel button.reject").click()
    expect(badge).to_have_class(re.compile(r"\brejected\b"))
    expect(badge).to_have_attribute("title", re.compile("Falso positivo", re.IGNORECASE))
    expect(page.locator("#panel button.reject")).to_be_disabled()  # the panel shows the verdict too
    page.locator("#panel button.confirm").click()
    expect(badge).to_have_class(re.compile(r"\bconfirmed\b"))
    expect(badge).not_to_have_class(re.compile(r"\brejected\b"))
    expect(badge).to_contain_text("✓")
    page.locator("#panel button.undo").click()
    expect(badge).not_to_have_class(re.compile(r"\b(rejected|confirmed)\b"))
    assert page.evaluate("window.__same") == 1  # no reload
    assert mentions(office) and next(m for m in mentions(office) if m.id == dif.id).review is None


def test_a_mention_added_from_a_line_reaches_the_digest_and_survives_match_all(page: Page, office: Path):
    config = load_config(office)
    with Archive(config.archive) as archive:
        rec = archive.list_mentions()[0].recording_id
        missed = next(s for s in archive.transcript_rows(rec) if s["text"] == MISSED)
    page.goto(f"/grabacion/{rec}")
    page.evaluate("window.__same = 1")
    # Select the words "el EF" in the line, as a person drags over them.
    page.evaluate(f"""() => {{
        const text = document.querySelector('#s{missed["id"]} .text').firstChild;
        const at = text.textContent.indexOf('el EF');
        const range = document.createRange();
        range.setStart(text, at); range.setEnd(text, at + 5);
        const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
    }}""")
    page.locator(f"#s{missed['id']} a.add-mention").click()
    form = page.locator("#panel form.hand-mention")
    expect(form).to_be_visible()
    expect(form).to_contain_text("el EF")
    form.locator("select.hand-group").select_option("dependencias")
    form.locator("select.hand-term").select_option("DIF Moroleón")
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#b{missed['id']} a.badge")).to_contain_text("DIF Moroleón")
    assert page.evaluate("window.__same") == 1
    with Archive(config.archive) as archive:
        hand = next(m for m in archive.list_mentions() if m.added_by)
    assert (hand.segment_id, hand.matched, hand.review, hand.added_by) == (missed["id"], "el EF", "confirmed", "local")
    assert hand.offset > missed["start"]  # from the first selected word, not the line's start
    radiomon(office, "match", "--all")
    with Archive(config.archive) as archive:
        assert archive.mention(hand.id) == hand
        digest = collect_digest(config, archive, day=date(2026, 11, 25))
    assert hand.id in {i for section in digest.sections for item in section.items for i in item.mention_ids}


@pytest.mark.parametrize("path", ["/menciones?dia=2026-11-25", "mention", "recording"])
def test_no_sideways_scroll_and_no_keyboard_hint_on_a_phone(browser, server, office, path):
    first = mentions(office)[0]
    url = {"mention": f"/mencion/{first.id}", "recording": f"/grabacion/{first.recording_id}"}.get(path, path)
    context, tab = open_page(browser, server, width=375, height=740, touch=True)
    try:
        tab.goto(url)
        assert tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        for hint in tab.locator(".keys").all():
            expect(hint).to_be_hidden()
    finally:
        context.close()

