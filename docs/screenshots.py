"""The README's screenshots of the web UI, taken in Debian's Chromium.

    python docs/screenshots.py demo-run/radiomon.yml 2026-11-25

Starts ``radiomon serve`` on the deployment (``make demo`` builds one), opens
the search, a recording and the mentions of the day, and writes the PNGs
beside this script.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main(config: str, day: str) -> None:
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
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
