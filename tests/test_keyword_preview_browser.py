"""«Vista previa» on Palabras clave in Chromium at 375 px: a term's edit shows what it would have caught under
its form (htmx, no reload), the words heard marked, and nothing is saved."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parent))
from test_web_keywords_browser import (  # noqa: E402,F401 - the module's fixtures, used by name
    browser,
    keywords_file,
    no_horizontal_scroll,
    office,
    server,
    signed_in,
)


def test_a_term_being_edited_previews_what_it_would_have_caught(browser, server, office):  # noqa: F811
    before = keywords_file(office).read_bytes()
    page = signed_in(browser, server, "luz")
    edit = page.locator("#g-municipio .kw-term[data-term='Moroleón'] details.kw-edit")
    edit.locator("summary").click()
    edit.locator("textarea[name=variantes]").fill("Moro León\nMorreón")
    edit.get_by_role("button", name="Vista previa").click()
    result = edit.locator(".kw-preview .kw-preview-result")
    expect(result).to_contain_text("«Moroleón» habría tenido 1 mención")
    expect(result.locator("mark")).to_have_text("Morreón")
    expect(result).to_contain_text("Hoy en Morreón hay tianguis.")
    expect(page.locator("#guardado")).to_have_count(0)  # the page was not reloaded nor anything saved
    no_horizontal_scroll(page)
    assert keywords_file(office).read_bytes() == before
