"""The screenshots of the web UI, taken in Debian's Chromium.

    python docs/screenshots.py demo-run/radiomon.yml 2026-11-25            # the README's three
    python docs/screenshots.py demo-run/radiomon.yml 2026-11-25 --manual   # the staff's manual's

Starts ``radiomon serve`` on the deployment (``make demo`` builds one). The
README's PNGs (search, a recording, the mentions of the day at phone width)
are written beside this script. With ``--manual``, the manual's PNGs go to
``docs/manual/img/`` instead: sign-in, search and its hits with the player,
a recording being heard, the mentions of the day (two of them confirmed, so
a reviewed mention shows; this writes those reviews into the deployment's
archive), a mention with its clip, the síntesis page and the status page,
at 1100 px wide, and the search and the mentions at phone width (375 px).
They are cropped to the window, not the whole page, to stay small.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
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


def pause(page, selector: str) -> None:
    """Stop the audio where it is, so the shot shows what was being heard then."""
    page.evaluate(f"document.querySelector({selector!r}).pause()")


def manual_shots(browser, base: str, day: str) -> None:
    MANUAL_IMG.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str, **options) -> None:
        page.screenshot(path=MANUAL_IMG / f"{name}.png", **options)

    # Debian's Chromium ships only its en-US resources: date fields still read mm/dd/yyyy.
    wide = browser.new_page(viewport={"width": 1100, "height": 700}, locale="es-MX")
    # The sign-in page renders whether or not the deployment has accounts.
    wide.goto(f"{base}/entrar")
    wide.fill("input[name=usuario]", "prensa")
    shot(wide, "entrar", clip={"x": 0, "y": 0, "width": 1100, "height": 330})

    wide.goto(f"{base}/")
    shot(wide, "buscar", clip={"x": 0, "y": 0, "width": 1100, "height": 300})

    wide.goto(f"{base}/?q=moroleon")
    wide.locator("button.play").first.click()  # ▶ Escuchar: the player bar starts 2 s before the hit
    wide.wait_for_timeout(2500)
    pause(wide, "#player")
    shot(wide, "resultados")

    wide.goto(f"{base}/?q=%22protecci%C3%B3n+civil%22")
    shot(wide, "por-mencion", clip={"x": 0, "y": 0, "width": 1100, "height": 330})

    wide.goto(f"{base}/?q=moroleon")
    wide.locator(".hit a", has_text="Ver transcripción").first.click()
    wide.locator("#transcript li.seg").nth(2).locator(".text").click()  # play from that line
    wide.wait_for_timeout(1800)
    pause(wide, "#player")
    wide.evaluate("window.scrollTo(0, 0)")
    shot(wide, "grabacion")

    # Two mentions confirmed by keyboard (j selects, c confirms; the page reloads on the mention).
    wide.goto(f"{base}/menciones?dia={day}")
    for _ in range(2):
        wide.keyboard.press("j")
        wide.keyboard.press("c")
        wide.wait_for_load_state("load")
    wide.goto(f"{base}/menciones?dia={day}")
    wide.keyboard.press("j")
    wide.keyboard.press("j")
    wide.keyboard.press("j")
    wide.evaluate("window.scrollTo(0, 0)")
    wide.set_viewport_size({"width": 1100, "height": 900})  # down to the selected (third) mention
    shot(wide, "menciones")
    wide.set_viewport_size({"width": 1100, "height": 700})

    wide.locator("#lista li.mencion a", has_text="Clip y detalle").first.click()
    wide.wait_for_load_state("load")
    wide.evaluate("document.getElementById('clip-preview').preload = 'metadata'; "
                  "document.getElementById('clip-preview').load()")
    for _ in range(300):  # the clip is cut on first request (ffmpeg, two passes); the page's CSP forbids polling in it
        if wide.evaluate("document.getElementById('clip-preview').readyState >= 1"):
            break
        wide.wait_for_timeout(200)
    shot(wide, "mencion", clip={"x": 0, "y": 0, "width": 1100, "height": 560})

    wide.goto(f"{base}/sintesis?dia={day}")
    shot(wide, "sintesis")

    wide.goto(f"{base}/estado")
    shot(wide, "estado")

    phone = browser.new_page(viewport={"width": 375, "height": 760}, locale="es-MX")
    phone.goto(f"{base}/?q=moroleon")
    shot(phone, "telefono-buscar")
    phone.goto(f"{base}/menciones?dia={day}")
    phone.keyboard.press("j")
    phone.keyboard.press("j")
    phone.keyboard.press("j")
    shot(phone, "telefono-menciones")


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
