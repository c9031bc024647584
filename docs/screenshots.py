"""The screenshots of the web UI, taken in Debian's Chromium.

    python docs/screenshots.py demo-run/radiomon.yml 2026-11-25            # the README's four
    python docs/screenshots.py demo-run/radiomon.yml 2026-11-25 --manual   # the staff's manual's

Starts ``radiomon serve`` on the deployment (``make demo`` builds one). The
README's PNGs (search, a recording, the mentions of the day at phone width,
the day's síntesis as its readers get it) are written beside this script.
With ``--manual``, the manual's PNGs go to ``docs/manual/img/`` instead:
sign-in, search, its hits with the player, an approximate search, a
recording being heard and the form that adds a mention by hand from a line,
the Menciones queue (two rows confirmed by keyboard, one playing), a
mention with its clip and the clip's own page, the Síntesis editor (a
summary written, an item featured and one left out) and its «Vista previa»,
Palabras clave, the Informe semanal of the day's week and Estado, at 1100
px wide, and search, Menciones and Síntesis at phone width (375 px, touch).
The reviews and edits are written into the deployment's archive: use a copy.
They are cropped to the window, not the whole page, to stay small.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
MANUAL_IMG = HERE / "manual" / "img"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def readme_shots(browser, base: str, day: str) -> None:
    wide = browser.new_page(viewport={"width": 1100, "height": 700})
    wide.goto(f"{base}/?q=moroleon")
    wide.screenshot(path=HERE / "web-buscar.png", full_page=True)
    wide.locator(".hit a", has_text="Ver transcripción").first.click()
    wide.locator("#transcript li.seg").nth(2).locator(".text").click()  # play from that line
    wide.wait_for_timeout(1500)
    wide.evaluate("document.getElementById('player').pause()")
    wide.screenshot(path=HERE / "web-grabacion.png", full_page=True)
    phone = browser.new_page(viewport={"width": 375, "height": 800})
    phone.goto(f"{base}/menciones?dia={day}")
    phone.keyboard.press("j")
    phone.screenshot(path=HERE / "web-menciones.png")
    # The síntesis as its readers get it: the edition's preview, the HTML its PDF is printed from.
    paper = browser.new_page(viewport={"width": 900, "height": 400})
    paper.goto(f"{base}/sintesis/vista-previa?dia={day}")
    paper.screenshot(path=HERE / "sintesis-muestra.png", full_page=True)


def pause(page, selector: str) -> None:
    """Stop the audio where it is, so the shot shows what was being heard then."""
    page.evaluate(f"document.querySelector({selector!r}).pause()")


def manual_shots(browser, base: str, day: str) -> None:
    MANUAL_IMG.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str, **options) -> None:
        page.screenshot(path=MANUAL_IMG / f"{name}.png", **options)

    def top(page, height: int) -> dict:
        return {"clip": {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height}}

    # Debian's Chromium ships only its en-US resources; the pages' own dd/mm/aaaa fields read the same anyway.
    wide = browser.new_page(viewport={"width": 1100, "height": 700}, locale="es-MX")
    # The sign-in page renders whether or not the deployment has accounts.
    wide.goto(f"{base}/entrar")
    wide.fill("input[name=usuario]", "prensa")
    shot(wide, "entrar", **top(wide, 330))

    wide.goto(f"{base}/")
    shot(wide, "buscar", **top(wide, 330))

    wide.goto(f"{base}/?q=moroleon")
    wide.locator("button.play").first.click()  # ▶ Escuchar: the player bar starts 2 s before the hit
    wide.wait_for_timeout(2500)
    pause(wide, "#player")
    shot(wide, "resultados")

    wide.goto(f"{base}/?q=%22protecci%C3%B3n+civil%22")
    shot(wide, "por-mencion", **top(wide, 330))

    # What Whisper wrote «palimentación»: found only by Búsqueda aproximada, marked as such.
    wide.goto(f"{base}/?q=pavimentaci%C3%B3n&aprox=1")
    shot(wide, "aproximada", **top(wide, 420))

    wide.goto(f"{base}/?q=moroleon")
    wide.locator(".hit a", has_text="Ver transcripción").first.click()
    wide.locator("#transcript li.seg").nth(2).locator(".text").click()  # play from that line
    wide.wait_for_timeout(1800)
    pause(wide, "#player")
    wide.evaluate("window.scrollTo(0, 0)")
    shot(wide, "grabacion")

    # A mention added by hand: the words «Plaza Principal» selected (the matcher cannot know that is Zona
    # Centro), then «＋ Mención» on their line opens the form in the panel beside the playing audio.
    line = wide.locator("#transcript li.seg", has_text="Plaza Principal")
    line.locator(".text").evaluate("""text => {
        const node = text.firstChild, at = node.textContent.indexOf("Plaza Principal");
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + "Plaza Principal".length);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""")
    wide.wait_for_timeout(200)  # selectionchange
    line.hover()
    line.locator("a.add-mention").click()
    wide.locator("#panel form.hand-mention").wait_for()
    wide.select_option("#panel select.hand-group", "colonias")
    wide.select_option("#panel select.hand-term", "Zona Centro")
    shot(wide, "grabacion-mencion")
    wide.keyboard.press("Escape")

    # The review queue: ▶ on a row plays it in the page's player; c confirms the selected row in place and the
    # selection moves on to the next one without a reload (this writes those reviews into the archive).
    wide.set_viewport_size({"width": 1100, "height": 900})
    wide.goto(f"{base}/menciones?dia={day}")
    wide.keyboard.press("j")
    for _ in range(2):
        wide.keyboard.press("c")
        wide.wait_for_timeout(600)
    wide.locator("#lista li.mencion button.play").nth(2).click()
    wide.wait_for_timeout(2000)
    pause(wide, "#player")
    wide.evaluate("window.scrollTo(0, 0)")
    shot(wide, "menciones")
    wide.set_viewport_size({"width": 1100, "height": 700})

    wide.goto(f"{base}/menciones?dia={day}")
    wide.locator("#lista li.mencion a", has_text="Clip y detalle").first.click()
    wide.wait_for_load_state("load")
    wide.evaluate("document.getElementById('clip-preview').preload = 'metadata'; "
                  "document.getElementById('clip-preview').load()")
    for _ in range(300):  # the clip is cut on first request (ffmpeg, two passes); the page's CSP forbids polling in it
        if wide.evaluate("document.getElementById('clip-preview').readyState >= 1"):
            break
        wide.wait_for_timeout(200)
    shot(wide, "mencion", **top(wide, 560))
    mention = wide.url.rsplit("/", 1)[1].split("?")[0]
    wide.goto(f"{base}/clip/{mention}")
    wide.wait_for_timeout(1500)
    shot(wide, "clip", **top(wide, 420))

    # The editor, as a person leaves it: one summary written, one item featured with its tone, one left out.
    wide.set_viewport_size({"width": 1100, "height": 1000})
    wide.goto(f"{base}/sintesis?dia={day}")
    items = wide.locator("#editor li.item")
    story = items.filter(has_text="auguro").first
    story.locator("input[name=headline]").fill("La presidenta municipal inaugura el mercado Hidalgo")
    story.locator("textarea[name=summary]").fill(
        "En el noticiero de las 8:00, la estación informó de la inauguración del mercado Hidalgo y de que la "
        "pavimentación de la calle Allende terminará el viernes.")
    story.locator("textarea[name=summary]").press("Tab")  # a field is saved when it changes
    story.locator("input[name=featured][type=checkbox]").check()
    story.locator("select[name=tone]").select_option("positiva")
    wide.wait_for_timeout(800)
    items.filter(has_text="Buenos días").first.locator("input[name=included][type=checkbox]").uncheck()
    wide.wait_for_timeout(800)
    wide.reload()
    wide.evaluate("window.scrollTo(0, 0)")
    shot(wide, "sintesis")
    wide.set_viewport_size({"width": 1100, "height": 700})
    with wide.expect_popup() as popup:
        wide.locator("a", has_text="Vista previa").click()
    preview = popup.value
    preview.set_viewport_size({"width": 900, "height": 400})
    preview.wait_for_load_state("load")
    shot(preview, "sintesis-vista-previa", full_page=True)
    preview.close()

    wide.goto(f"{base}/palabras-clave")
    shot(wide, "palabras-clave")

    week = date.fromisoformat(day).isocalendar()
    wide.set_viewport_size({"width": 1100, "height": 900})
    wide.goto(f"{base}/informe-semanal?semana={week.year}-W{week.week:02d}")
    wide.wait_for_timeout(1500)  # the charts are images of their own
    shot(wide, "informe-semanal")
    wide.set_viewport_size({"width": 1100, "height": 700})

    wide.goto(f"{base}/estado")
    shot(wide, "estado")

    phone = browser.new_page(viewport={"width": 375, "height": 760}, locale="es-MX", has_touch=True, is_mobile=True)
    phone.goto(f"{base}/?q=moroleon")
    shot(phone, "telefono-buscar")
    phone.goto(f"{base}/menciones?dia={day}")
    shot(phone, "telefono-menciones")
    phone.goto(f"{base}/sintesis?dia={day}")
    shot(phone, "telefono-sintesis")


def main(config: str, day: str, manual: bool = False) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "radiomon", "--config", config, "serve", "--port", str(port)])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            (manual_shots if manual else readme_shots)(browser, base, day)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", help="the deployment's radiomon.yml (make demo builds one)")
    parser.add_argument("day", help="the day whose mentions and síntesis are shown, AAAA-MM-DD")
    parser.add_argument("--manual", action="store_true", help="the staff's manual's PNGs, into docs/manual/img/")
    options = parser.parse_args()
    main(options.config, options.day, options.manual)
