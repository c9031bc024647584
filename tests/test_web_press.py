"""The press in the web UI: a press hit in Buscar, the article page, press mentions in Menciones and Mención.

Flask's test client for the markup, and Debian's Chromium (Playwright) against
`radiomon serve` for what a person sees and clicks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PRESS_YML

from radiomon.archive import Archive, ArticleRow, MentionRow
from radiomon.config import load_config
from radiomon.pipeline.match.press import reading_text
from radiomon.web.app import create_app
from radiomon.web.views.article import marked, mention_spans

TITLE = "Reabren el mercado Hidalgo de Moroleón"
TEXT = ("El H. Ayuntamiento de Moroleón reabrió el mercado Hidalgo tras su remodelación.\n"
        "Los comerciantes <b>celebran</b> la obra; en MOROLEON se espera más visita.")
DAY = "2026-11-25"


def add_press(config) -> dict:
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        archive.sync_outlets(config.press.outlets)
        first = archive.add_article(ArticleRow(
            outlet="diario-sur", url="https://diariodelsur.example/mercado", title=TITLE,
            published_utc="2026-11-25T16:00:00.000Z", fetched_utc="2026-11-25T16:30:00.000Z", text=TEXT,
            content_sha256="0" * 64), ["diariodelsur.example/mercado"])
        wire = archive.add_article(ArticleRow(
            outlet="el-sol", url="https://elsol.example/mercado", title="Moroleón reabre su mercado",
            published_utc="2026-11-25T18:00:00.000Z", fetched_utc="2026-11-25T18:30:00.000Z", text=TEXT,
            content_sha256="1" * 64, story=first), ["elsol.example/mercado"])
        # As the matcher reads an article (headline, blank line, text): the headline's "Moroleón" and
        # the text's second one (written MOROLEON), not its first.
        reading = reading_text(TITLE, TEXT)
        archive.replace_article_mentions(first, [
            MentionRow(None, None, None, "municipio", "Moroleón", "Moroleón", 100.0, "2026-11-25T16:00:00.000Z",
                       float(reading.index("Moroleón")), TITLE),
            MentionRow(None, None, None, "municipio", "Moroleón", "MOROLEON", 96.0, "2026-11-25T16:00:00.000Z",
                       float(reading.index("MOROLEON")), "en MOROLEON se espera más visita."),
        ])
        in_title, in_text = archive.article_mentions(first)
    return {"first": first, "wire": wire, "mention": in_text.id, "title_mention": in_title.id}


@pytest.fixture(scope="module")
def office(build_office) -> tuple[Path, dict]:
    folder = build_office("press", radiomon_yml=PRESS_YML)
    ids = add_press(load_config(folder / "radiomon.yml"))
    return folder / "radiomon.yml", ids


@pytest.fixture
def client(office):
    return create_app(load_config(office[0])).test_client()


def test_mentions_are_marked_where_the_matcher_read_them_and_nothing_else_is_markup():
    mention = MentionRow(None, None, None, "municipio", "Moroleón", "Moroleón", 100.0, "x", 0.0, id=7, article_id=1)
    text = "Moroleón <script>x</script> y moroleon"
    near_end = MentionRow(**{**mention.__dict__, "offset": float(len(text) - 3)})
    assert mention_spans(text, [mention], (0,)) == [(0, 8, 7)]
    assert mention_spans(text, [near_end], (0,)) == [(len(text) - 8, len(text), 7)]
    (html,) = marked(text, mention_spans(text, [mention], (0,)))
    assert str(html) == ('<mark class="mention" id="marca-7">Moroleón</mark> &lt;script&gt;x&lt;/script&gt; '
                         "y moroleon")
    assert mention_spans("Nada que ver", [mention], (0,)) == []


def test_a_press_hit_in_buscar_shows_headline_outlet_and_snippet_without_a_play_button(client, office):
    _, ids = office
    page = client.get("/?q=comerciantes&medio=prensa&periodico=diario-sur").get_data(as_text=True)
    assert f'<a href="/articulo/{ids["first"]}">{TITLE}</a>' in page
    assert '<span class="outlet">Diario del Sur</span>' in page
    assert "Los <mark>comerciantes</mark> &lt;b&gt;celebran&lt;/b&gt; la obra" in page
    assert 'class="play"' not in page.split('class="hits"')[1].split("</ol>")[0]  # no play (a copy button only)
    assert "player" not in page
    radio_only = client.get("/?q=comerciantes&medio=radio").get_data(as_text=True)
    assert "Sin resultados" in radio_only
    assert client.get("/?q=mercado&medio=tele").status_code == 400


def test_the_article_page_marks_its_mention_links_the_original_and_its_story(client, office):
    _, ids = office
    response = client.get(f"/articulo/{ids['first']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (f'<h1 class="headline">Reabren el mercado Hidalgo de <mark class="mention" '
            f'id="marca-{ids["title_mention"]}">Moroleón</mark></h1>') in page
    assert f'en <mark class="mention" id="marca-{ids["mention"]}">MOROLEON</mark> se espera' in page
    assert page.count('<mark class="mention"') == 2  # the text's first Moroleón is no mention
    assert "&lt;b&gt;celebran&lt;/b&gt;" in page and "<b>" not in page
    assert ('<a href="https://diariodelsur.example/mercado" target="_blank" rel="noopener noreferrer">'
            "Ver la nota original en Diario del Sur ↗</a>") in page
    assert f'<a href="/articulo/{ids["wire"]}">Moroleón reabre su mercado</a>' in page
    assert "El Sol del Bajío" in page
    assert f'formaction="/menciones/{ids["mention"]}/revision"' in page
    assert client.get("/articulo/999999").status_code == 404
    assert client.get("/articulo/abc").status_code == 400


def test_menciones_and_mencion_show_a_press_mention_with_its_article_and_no_clip(client, office):
    _, ids = office
    page = client.get(f"/menciones?dia={DAY}").get_data(as_text=True)
    assert f'<a href="/articulo/{ids["first"]}#marca-{ids["mention"]}">{TITLE}</a>' in page
    assert '<strong data-outlet="diario-sur">2</strong>' in page
    assert "Clip y detalle" not in page
    detail = client.get(f"/mencion/{ids['mention']}").get_data(as_text=True)
    assert "Diario del Sur" in detail and TITLE in detail
    assert f'<mark class="mention" id="marca-{ids["mention"]}">MOROLEON</mark>' in detail
    assert "<audio" not in detail and "Descargar clip" not in detail
    assert client.get(f"/mencion/{ids['mention']}/clip").status_code == 404


def test_the_api_lists_press_hits_and_mentions_with_the_contracts_fields(client, office):
    _, ids = office
    hits = client.get("/api/search?q=comerciantes&medium=press&outlet=el-sol").get_json()
    assert [(h["medium"], h["article_id"], h["outlet"]) for h in hits] == [("press", ids["wire"], "el-sol")]
    assert client.get("/api/search?q=x&medium=tele").status_code == 400
    mention, _ = client.get("/api/mentions").get_json()
    assert {k: mention[k] for k in ("medium", "article_id", "outlet", "url", "title", "published", "at", "story")} \
        == {"medium": "press", "article_id": ids["first"], "outlet": "diario-sur",
            "url": "https://diariodelsur.example/mercado", "title": TITLE, "published": "2026-11-25T16:00:00.000Z",
            "at": "2026-11-25T16:00:00.000Z", "story": ids["first"]}


# --- in a real browser -----------------------------------------------------------------------


def test_in_chromium_a_press_hit_opens_its_article_with_the_mention_marked(office):
    from playwright.sync_api import expect, sync_playwright
    from test_web_browser import CHROMIUM, CHROMIUM_ARGS, Server

    config_path, ids = office
    server = Server(config_path)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # A phone's width: nothing may need sideways scrolling. The CSP stays on.
            context = browser.new_context(base_url=server.url, viewport={"width": 375, "height": 800})
            page = context.new_page()
            page.goto("/?q=comerciantes&periodico=diario-sur")
            hit = page.locator("li.hit.press")
            expect(hit).to_have_count(1)
            expect(hit.locator(".headline")).to_have_text(TITLE)
            expect(hit.locator(".outlet")).to_have_text("Diario del Sur")
            expect(hit.locator("button.play")).to_have_count(0)
            hit.locator(".headline a").click()
            page.wait_for_url(re.compile(rf"/articulo/{ids['first']}$"))
            mark = page.locator(f"mark#marca-{ids['mention']}")
            expect(mark).to_have_text("MOROLEON")
            assert mark.evaluate("m => getComputedStyle(m).backgroundColor") == "rgb(255, 226, 122)"
            original = page.get_by_role("link", name=re.compile("Ver la nota original"))
            expect(original).to_have_attribute("href", "https://diariodelsur.example/mercado")
            expect(original).to_have_attribute("target", "_blank")
            expect(original).to_have_attribute("rel", "noopener noreferrer")
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            page.goto(f"/menciones?dia={DAY}")
            listed = page.locator(f"li#m{ids['mention']}")
            expect(listed.locator(".outlet")).to_have_text("Diario del Sur")
            expect(listed.locator(".headline a")).to_have_text(TITLE)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            listed.locator(".headline a").click()
            page.wait_for_url(re.compile(rf"/articulo/{ids['first']}#marca-{ids['mention']}$"))
            browser.close()
    finally:
        server.stop()
