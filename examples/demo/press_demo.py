"""The demo's press part: two small newspaper sites on loopback, added, read and matched by radiomon.

    .venv/bin/python examples/demo/press_demo.py --config demo-run/radiomon.yml

Serves two outlets on a free loopback port: "Diario de Moroleón (demo)", a
WordPress-like site (its page links its RSS feed; article pages carry
navigation, a "lo más leído" list, comments and a footer that all name the
municipality), and "El Sol del Bajío (demo)", which prints the same wire
note as one of the Diario's. Each outlet is added with ``radiomon press
add URL`` (the feed is found in the page), then ``radiomon press fetch``
reads both, ``radiomon press list`` shows the articles and ``radiomon
mentions --medium press``… is left to you. The notes are dated minutes ago,
so today's síntesis (``radiomon digest --date hoy``) has a Prensa part beside
the live demo's radio. Run again, the outlets are pointed at the new port;
each page's canonical link (its outlet's own address) tells radiomon the
notes are the ones it has, so nothing is stored twice.
"""

from __future__ import annotations

import argparse
import http.server
import re
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

RADIOMON = [sys.executable, "-m", "radiomon"]

NOTES = {
    "diario-demo": [
        ("dif-vacunacion", "El DIF Moroleón inicia jornada de vacunación en colonias",
         ["El DIF Moroleón inició este lunes una jornada de vacunación contra la influenza en cinco colonias "
          "del municipio.", "La presidenta municipal pidió a las familias acudir a los módulos instalados en "
          "las escuelas.", "Protección Civil apoya con personal en cada módulo."], 12),
        ("obras-hidalgo", "Obras Públicas concluye la pavimentación de la calle Hidalgo",
         ["La dirección de Obras Públicas terminó la pavimentación de la calle Hidalgo, en el centro de "
          "Moroleón.", "Los comerciantes del mercado Hidalgo celebraron la reapertura de la vialidad.",
          "El H. Ayuntamiento de Moroleón invirtió 2.3 millones de pesos en la obra."], 25),
    ],
    "sol-demo": [
        ("vacunacion-moroleon", "Arranca en Moroleón campaña de vacunación del DIF",
         ["El DIF Moroleón inició este lunes una jornada de vacunación contra la influenza en cinco colonias "
          "del municipio.", "La presidenta municipal pidió a las familias acudir a los módulos instalados en "
          "las escuelas.", "Protección Civil apoya con personal en cada módulo."], 40),
    ],
}
NAMES = {"diario-demo": "Diario de Moroleón (demo)", "sol-demo": "El Sol del Bajío (demo)"}
BOILERPLATE = ("<nav><a href='/'>Inicio</a> <a href='#'>Moroleón</a> <a href='#'>Uriangato</a> "
               "<a href='#'>Deportes</a></nav><aside><h3>Lo más leído</h3><ol><li>Cierran calles del centro de "
               "Moroleón por la feria del rebozo</li><li>Vuelca tráiler en la carretera a Uriangato</li></ol></aside>"
               "<div class='publicidad'>Rebozos de Moroleón al mayoreo: llame hoy</div>")
FOOTER = ("<section class='comentarios'><h3>Comentarios</h3><p>Vecino: en Moroleón siempre pasa lo mismo.</p>"
          "</section><footer>© Prensa regional de demostración. Moroleón, Guanajuato.</footer>")


def pages(base: str, now: datetime) -> dict[str, tuple[str, bytes]]:
    site: dict[str, tuple[str, bytes]] = {"/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n")}
    for outlet, notes in NOTES.items():
        items = []
        for slug, title, paragraphs, minutes in notes:
            path = f"/{outlet}/{now:%Y/%m/%d}/{slug}/"
            published = now - timedelta(minutes=minutes)
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            html = (f"<!doctype html><html lang='es'><head><meta charset='utf-8'><title>{title} | {NAMES[outlet]}"
                    f"</title><meta property='article:published_time' content='{published.isoformat()}'>"
                    f"<link rel='canonical' href='https://{outlet}.example{path}'></head><body>{BOILERPLATE}<main><article>"
                    f"<h1>{title}</h1>{body}</article></main>{FOOTER}</body></html>")
            site[path] = ("text/html; charset=utf-8", html.encode("utf-8"))
            items.append(f"<item><title>{title}</title><link>{base}{path}?utm_source=rss&amp;utm_medium=feed</link>"
                         f"<pubDate>{format_datetime(published)}</pubDate></item>")
        feed = (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>{NAMES[outlet]}</title>"
                f"<link>{base}/{outlet}/</link>{''.join(items)}</channel></rss>")
        site[f"/{outlet}/feed/"] = ("application/rss+xml; charset=utf-8", feed.encode("utf-8"))
        home = (f"<!doctype html><html lang='es'><head><meta charset='utf-8'><title>{NAMES[outlet]}</title>"
                f"<link rel='alternate' type='application/rss+xml' href='{base}/{outlet}/feed/'></head>"
                f"<body>{BOILERPLATE}<h1>{NAMES[outlet]}</h1>{FOOTER}</body></html>")
        site[f"/{outlet}/"] = ("text/html; charset=utf-8", home.encode("utf-8"))
    return site


def start_server() -> tuple[http.server.ThreadingHTTPServer, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    site = pages(base, datetime.now(timezone.utc))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            found = site.get(self.path.split("?", 1)[0])
            if found is None:
                self.send_error(404)
                return
            kind, body = found
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def point_at(config: Path, base: str) -> set[str]:
    """Outlets a former run added, pointed at this run's port; returns the ids already there."""
    text = config.read_text(encoding="utf-8")
    found = {outlet for outlet in NOTES if re.search(rf"http://127\.0\.0\.1:\d+/{outlet}/", text)}
    for outlet in found:
        text = re.sub(rf"http://127\.0\.0\.1:\d+/{outlet}/", f"{base}/{outlet}/", text)
    config.write_text(text, encoding="utf-8")
    return found


def radiomon(config: Path, *args: str) -> None:
    print("$ radiomon " + " ".join(args), flush=True)
    subprocess.run([*RADIOMON, "--config", str(config), *args], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args()
    server, base = start_server()
    try:
        there = point_at(args.config, base)
        for outlet in NOTES:
            if outlet not in there:
                radiomon(args.config, "press", "add", f"{base}/{outlet}/", "--id", outlet, "--name", NAMES[outlet])
        radiomon(args.config, "press", "fetch")
        radiomon(args.config, "press", "list")
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
