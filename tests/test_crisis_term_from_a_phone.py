"""Issue 29's "done when", its last step end to end: when a crisis begins, the coordinator adds
"fuga de gas" to the crisis group from a phone (Chromium, 375 px, touch), and the next broadcast that says
it, imported and matched by the command line as the daemon would, alerts a local webhook."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.web import accounts

sys.path.insert(0, str(Path(__file__).parent))
from alert_servers import receiver  # noqa: E402,F401
from test_web_browser import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402
from test_web_keywords import KEYWORDS  # noqa: E402
from test_web_security import PASSWORD  # noqa: E402


def test_a_crisis_term_added_from_a_phone_alerts_at_its_next_mention(deployment, run, receiver):  # noqa: F811
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    radiomon_yml = deployment / "radiomon.yml"
    radiomon_yml.write_text(radiomon_yml.read_text(encoding="utf-8")
                            + f"alerts:\n  channels:\n    - {{name: webhook, url: '{receiver.url}'}}\n",
                            encoding="utf-8")
    config = load_config(radiomon_yml)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        accounts.add_user(archive, "luz", PASSWORD, "coordinador")
    said = '{"segments": [{"start": 1.0, "end": 6.0, "text": "Protección Civil atiende una fuga de gas en la %s."}]}'
    earlier, next_one = deployment / "noticias-0800.json", deployment / "noticias-0900.json"
    earlier.write_text(said % "colonia Centro", encoding="utf-8")
    next_one.write_text(said % "calle Hidalgo", encoding="utf-8")
    # The earlier broadcast aired days ago: the re-match after the change finds it (for search and the
    # síntesis) but does not page anyone about it.
    start = (datetime.now(timezone.utc) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")

    # Before the term exists the broadcast is nobody's crisis.
    before = run("import", "--transcript", earlier, "--station", "radio-uno", "--start", start)
    assert before.exit_code == 0, before.output
    assert run("alerts", "send").exit_code == 0 and receiver.posts == []

    server = Server(radiomon_yml)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            phone = chromium.new_context(base_url=server.url, viewport={"width": 375, "height": 800},
                                         is_mobile=True, has_touch=True)
            page = phone.new_page()
            page.goto("/entrar")
            page.fill("input[name=usuario]", "luz")
            page.fill("input[name=contrasena]", PASSWORD)
            page.click("button[type=submit]")
            page.goto("/palabras-clave")
            add = page.locator("#g-crisis details.kw-add")
            add.locator("summary").click()
            add.locator("input[name=termino]").fill("fuga de gas")
            add.get_by_role("button", name="Agregar término").click()
            expect(page.locator("#guardado")).to_contain_text("Cambio guardado")
            # the archive brought up to date in the background: the earlier broadcast now has its mention
            expect(page.locator("#actualizacion")).to_have_attribute("data-running", "0", timeout=60_000)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            chromium.close()
    finally:
        server.stop()
    assert "fuga de gas" in Path(config.keywords).read_text(encoding="utf-8")

    later = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    after = run("import", "--transcript", next_one, "--station", "radio-uno", "--start", later)
    assert after.exit_code == 0, after.output
    assert run("alerts", "send").exit_code == 0
    assert receiver.titles == ["ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón"]
    assert "fuga de gas" in receiver.posts[0]["message"] and "calle Hidalgo" in receiver.posts[0]["message"]
    with Archive(config.archive) as archive:
        # the re-match found the earlier broadcast too (a mention in the archive, for search and the síntesis)
        assert len(archive.query("SELECT id FROM mentions WHERE keyword = 'fuga de gas'")) == 2
