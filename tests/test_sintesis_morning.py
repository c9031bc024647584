"""The office's morning, end to end (issue 28's "done when"): at 7:00 the coordinator opens yesterday's
síntesis in Chromium, fixes two summaries, leaves a false item out and approves it; at 7:29 nothing has
gone out, at 7:30 each reader has, at a real SMTP server, the PDF and the items that concern them — and a
second pass sends nothing again."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect, sync_playwright

from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.sintesis import editions
from radiomon.sintesis.delivery import send_due
from radiomon.timeutil import UTC
from radiomon.web import accounts

sys.path.insert(0, str(Path(__file__).parent))
from alert_servers import smtp_server  # noqa: E402,F401
from test_web_browser import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402
from test_web_sintesis import add_mention  # noqa: E402

MX = ZoneInfo("America/Mexico_City")
# Today: the coordinator approves now, so the edition's send_at is tomorrow morning's, still ahead.
DAY = datetime.now(MX).date()
PASSWORD = "contraseña-de-prueba"
KEYWORDS = """\
groups:
  presidencia:
    label: Presidencia municipal
    priority: high
    terms: [presidenta municipal]
  dependencias:
    label: Dependencias municipales
    report: true
    terms: [Obras Públicas, DIF Moroleón]
"""


def radiomon_yml(smtp) -> str:
    to = {"Presidencia": "presidenta@moroleon.example", "Obras": "obras@moroleon.example",
          "DIF": "dif@moroleon.example"}
    return (
        "timezone: America/Mexico_City\n"
        "sintesis:\n  send_at: '07:30'\n  formats: [pdf]\n  recipients:\n"
        f"    - {{name: Presidencia, url: '{smtp.url(to=to['Presidencia'])}'}}\n"
        f"    - {{name: Obras Públicas, url: '{smtp.url(to=to['Obras'])}', terms: [Obras Públicas]}}\n"
        f"    - {{name: DIF, url: '{smtp.url(to=to['DIF'])}', terms: [DIF Moroleón]}}\n"
        "stations:\n  - {id: radio-uno, name: Radio Uno Moroleón, url: 'http://127.0.0.1:8000/uno.mp3'}\n"
        "  - {id: fm-oficina, name: FM de la oficina, input: 'alsa:hw:1'}\n"
    )


def at(clock: str) -> datetime:
    """``clock`` the morning after DAY (tomorrow), office time, in UTC."""
    hour, minute = map(int, clock.split(":"))
    return datetime.combine(DAY + timedelta(days=1), datetime.min.time(), tzinfo=MX).replace(
        hour=hour, minute=minute).astimezone(UTC)


def pdf_text(data: bytes, folder: Path) -> str:
    path = folder / "adjunto.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_coordinator_edits_and_approves_and_each_reader_has_their_part_at_seven_thirty(
        tmp_path, smtp_server):  # noqa: F811 - the fixture
    folder = tmp_path / "oficina"
    folder.mkdir()
    (folder / "radiomon.yml").write_text(radiomon_yml(smtp_server), encoding="utf-8")
    (folder / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    config = load_config(folder / "radiomon.yml")
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        accounts.add_user(archive, "luz", PASSWORD, "coordinador")
        ids = {
            "presidenta": add_mention(archive, "radio-uno", 8, 1, "presidencia", "presidenta municipal",
                                      "La presidenta municipal inauguró el mercado de la colonia Centro.", on=DAY),
            "obras": add_mention(archive, "fm-oficina", 11, 0, "dependencias", "Obras Públicas",
                                 "Obras Públicas terminó la pavimentación de la calle Hidalgo.", on=DAY),
            "dif": add_mention(archive, "fm-oficina", 12, 45, "dependencias", "DIF Moroleón",
                               "El DIF Moroleón vacuna a los niños esta semana.", on=DAY),
            "falsa": add_mention(archive, "radio-uno", 13, 0, "dependencias", "Obras Públicas",
                                 "Las obras públicas del estado vecino de Michoacán siguen detenidas.", on=DAY),
        }
        edition = editions.day_edition(config, archive, DAY)
        item = {name: next(i for i in edition.items if ids[name] in i.mention_ids) for name in ids}

    server = Server(folder / "radiomon.yml")
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = chromium.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}).new_page()
            page.goto("/entrar")
            page.fill("input[name=usuario]", "luz")
            page.fill("input[name=contrasena]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"/sintesis?dia={DAY.isoformat()}")
            for name, summary in (("presidenta", "La presidenta inauguró el mercado de la colonia Centro."),
                                  ("obras", "Obras Públicas entregó pavimentada la calle Hidalgo.")):
                box = page.locator(f"#nota-{item[name].id} textarea[name=summary]")
                box.fill(summary)
                box.press("Tab")
                expect(page.locator(f"#guardado-{item[name].id}")).to_contain_text("Guardado · luz")
            page.locator(f"#nota-{item['falsa'].id} input[type=checkbox][name=included]").uncheck()
            expect(page.locator(f"#guardado-{item['falsa'].id}")).to_contain_text("Guardado · luz")
            page.get_by_role("button", name="Aprobar la síntesis").click()
            expect(page.locator("#estado-edicion")).to_contain_text("Aprobada · versión 1 por luz")
            chromium.close()
    finally:
        server.stop()

    with Archive(config.archive) as archive:
        early = send_due(config, archive, now=at("07:29"))
        assert early.sent == [] and smtp_server.messages == []
        on_time = send_due(config, archive, now=at("07:30"))
        assert sorted(a.recipient for a in on_time.sent) == ["DIF", "Obras Públicas", "Presidencia"]
        assert send_due(config, archive, now=at("07:45")).sent == []  # nothing twice
    mail = {m["To"]: m for m in smtp_server.messages}
    assert len(smtp_server.messages) == 3
    texts = {}
    for to, message in mail.items():
        [attachment] = [p for p in message.iter_attachments() if p.get_filename().endswith(".pdf")]
        texts[to.split("@")[0]] = " ".join(pdf_text(attachment.get_content(), tmp_path).split())
    assert "La presidenta inauguró el mercado de la colonia Centro." in texts["presidenta"]
    assert "Obras Públicas entregó pavimentada la calle Hidalgo." in texts["presidenta"]
    assert "vacuna a los niños" in texts["presidenta"] and "Michoacán" not in texts["presidenta"]
    assert "Obras Públicas entregó pavimentada" in texts["obras"]
    assert "presidenta inauguró" not in texts["obras"] and "vacuna" not in texts["obras"]
    assert "vacuna a los niños" in texts["dif"] and "Hidalgo" not in texts["dif"]
    body = mail["obras@moroleon.example"].get_body(("html",)).get_content()
    assert "Obras Públicas entregó pavimentada la calle Hidalgo." in body and "Michoacán" not in body


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
