"""Estado's newspapers: why one could not be read, in one Spanish line for the staff (no feed address, none
of the fetcher's English), while `radiomon status` keeps the fetcher's own line for whoever runs the machine.

The errors are the real fetcher's, from outlets on loopback servers (tests/press_sites.py): a feed that
answers 403, one that is gone (404), a home page given as a feed, and a port nothing listens on.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import RADIOMON_YML, write_deployment
from press_sites import PressSite
from test_press_stage import closed_port

from radiomon.config import load_config
from radiomon.web import create_app
from radiomon.web.fetch_reasons import ROBOTS_UNREACHABLE, UNKNOWN, fetch_reason

FEED = "https://diariodelsur.example/feed/"


@pytest.mark.parametrize("stored, words", [
    ("HTTP 403 Forbidden", "El sitio rechazó la lectura (403)"),
    ("HTTP 401 Unauthorized", "El sitio rechazó la lectura (401)"),
    ("HTTP 404 Not Found", "La dirección ya no existe (404)"),
    ("HTTP 410 Gone", "La dirección ya no existe (410)"),
    ("HTTP 429, Retry-After 600 s after 1 attempt(s): the host is left for a later pass",
     "El sitio pidió esperar (429); se reintentará más tarde"),
    ("HTTP 503 after 3 attempt(s): the host is left for a later pass",
     "El sitio tuvo una falla (503); se reintentará más tarde"),
    ("HTTP 418 I'm a teapot", "El sitio respondió con un error (418)"),
    ("ConnectError: [Errno 111] Connection refused", "El sitio no respondió"),
    ("timed out (ReadTimeout)", "El sitio no respondió"),
    ("deadline reached while reading the body (1,024 bytes so far)", "El sitio no respondió"),
    ("the pass's deadline passed before this feed", "El sitio no respondió"),
    ("ConnectError: [Errno -2] Name or service not known",
     "No se encontró el sitio (la dirección no existe en internet)"),
    ("ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer",
     "El certificado de seguridad del sitio no es válido"),
    ("an HTML page, not a feed: check the outlet's feed URL (WordPress sites have /feed/)",
     "El contenido no es un feed válido"),
    ("malformed feed: not well-formed (invalid token)", "El contenido no es un feed válido"),
    ("empty body: not a feed", "El contenido no es un feed válido"),
    ("malformed sitemap: it declares XML entities, which a sitemap never needs", "El contenido no es un feed válido"),
    ("redirect loop: https://a.example/x → https://a.example/y", "El sitio redirige sin fin a otras direcciones"),
    ("body of 31,457,280 bytes refused: the cap is 5,000,000", "El contenido es demasiado grande para leerlo"),
    ("disallowed by https://diariodelsur.example/robots.txt", "El sitio no permite la lectura automática (robots.txt)"),
    ("robots.txt unreachable (HTTP 503 after 3 attempt(s): the host is left for a later pass): nothing fetched "
     "from this host", "El sitio tuvo una falla (503); se reintentará más tarde"),
    ("robots.txt unreachable (ConnectError: [Errno 111] Connection refused): nothing fetched from this host",
     "El sitio no respondió"),
    ("robots.txt unreachable (?): nothing fetched from this host", ROBOTS_UNREACHABLE),
    ("ValueError: something no one foresaw", UNKNOWN),
    # `radiomon status` joins the failed feeds of one outlet, each with its address
    (f"{FEED}: HTTP 404 Not Found; https://diariodelsur.example:8443/rss/: HTTP 404 Not Found",
     "La dirección ya no existe (404)"),
    (f"{FEED}: HTTP 403 Forbidden; https://diariodelsur.example/rss/: timed out (ConnectTimeout)",
     "El sitio rechazó la lectura (403); El sitio no respondió"),
    (None, ""), ("", ""),
])
def test_a_stored_read_error_becomes_one_spanish_line_without_addresses(stored, words):
    assert fetch_reason(stored) == words
    assert "http" not in fetch_reason(stored).lower()


@pytest.fixture(scope="module")
def site():
    site = PressSite("rechazos")
    site.status("/prohibido/feed/", 403)
    site.serve("/portada/", lambda: b"<!DOCTYPE html><html><body>Portada</body></html>", "text/html; charset=utf-8")
    # /mudado/feed/ is not routed: 404, as is /robots.txt (no robots.txt: nothing disallowed)
    site.start()
    yield site
    site.close()


@pytest.fixture(scope="module")
def office(tmp_path_factory, site):
    folder = tmp_path_factory.mktemp("estado-prensa") / "oficina"
    folder.mkdir()
    press = f"""\
press:
  contact: comunicacion@moroleon.example
  delay_seconds: 0
  deadline_seconds: 20
  outlets:
    - id: prohibido
      name: El Prohibido
      feeds: ["{site.url('/prohibido/feed/')}"]
    - id: mudado
      name: El Mudado
      feeds: ["{site.url('/mudado/feed/')}"]
    - id: portada
      name: La Portada
      feeds: ["{site.url('/portada/')}"]
    - id: caido
      name: El Caído
      feeds: ["http://127.0.0.1:{closed_port()}/feed/"]
"""
    config_path = write_deployment(folder, RADIOMON_YML + press)
    from conftest import invoke

    assert invoke(["--config", str(config_path), "init", str(folder)]).exit_code == 0
    fetched = invoke(["--config", str(config_path), "press", "fetch"])
    assert fetched.exit_code == 0, fetched.output
    return config_path


EXPECTED = {
    "El Prohibido": "el sitio rechazó la lectura (403)",
    "El Mudado": "la dirección ya no existe (404)",
    "La Portada": "el contenido no es un feed válido",
    "El Caído": "el sitio no respondió",
}


def test_estado_says_why_each_newspaper_was_not_read_in_spanish(office, site):
    page = create_app(load_config(office)).test_client().get("/estado").get_data(as_text=True)
    table = page[page.index("<h2>Periódicos</h2>"):]
    table = table[:table.index("</table>")]
    for name, words in EXPECTED.items():
        row = re.search(rf"<td>{name}</td>\s*<td class=\"state bad\">([^<]*)</td>", table)
        assert row and row.group(1) == f"no se pudo leer: {words}", (name, row and row.group(1))
    for english in ("HTTP", "Forbidden", "Not Found", "ConnectError", "Connection refused", "not a feed",
                    "http://", "127.0.0.1", "check the outlet"):
        assert english not in page, english  # nor in the headline above the table
    headline = page[page.index('id="titular"'):page.index("</section>")]
    assert "El sitio rechazó la lectura (403)" in headline and "El sitio no respondió" in headline


def test_radiomon_status_keeps_the_fetchers_own_line(office, site):
    from conftest import invoke

    outlets = {o["id"]: o for o in json.loads(
        invoke(["--config", str(office), "status", "--format", "json"]).stdout)["outlets"]}
    assert outlets["prohibido"]["error"].startswith("HTTP 403")
    assert outlets["mudado"]["error"].startswith("HTTP 404")
    assert "not a feed" in outlets["portada"]["error"]
    assert "HTTP 403" in invoke(["--config", str(office), "status"]).output
