"""Palabras clave through the Flask app: who may change keywords.yml, the refusals in Spanish with the file
untouched, the JSON API (add, replace, delete, 403 for prensa), and a crisis term added on the page that
alerts a local webhook at its next mention."""

from __future__ import annotations

import re
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import factories
import pytest

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.pipeline.match import load_matcher, match_recording
from radiomon.web import accounts, create_app

sys.path.insert(0, str(Path(__file__).parent))
from alert_servers import receiver  # noqa: E402,F401
from test_web_security import PASSWORD, sign_in  # noqa: E402

# Derivation off, so that "Morreón" (85.7 alike) is a near miss of Moroleón at 88 (as in test_keywords_suggest).
KEYWORDS = """\
# Lo que cuenta como mención del municipio (un comentario que debe quedar).
defaults: {threshold: 88, derive_thresholds: false}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      # Look-alikes that must not count.
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}  # the name
  crisis:
    label: Temas de crisis
    priority: crisis   # alert at once
    terms:
      - balacera
"""


@pytest.fixture
def office(deployment):
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    config = load_config(deployment / "radiomon.yml")
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        tokens = {"luz": accounts.add_user(archive, "luz", PASSWORD, "coordinador"),
                  "ana": accounts.add_user(archive, "ana", PASSWORD)}
    return config, tokens


def client_of(config, name):
    client = create_app(config).test_client()
    sign_in(client, name)
    return client


def page_fields(html: str) -> dict:
    return {"csrf": re.search(r'name="csrf-token" content="([^"]+)"', html).group(1),
            "version": re.search(r'name="version" value="([^"]+)"', html).group(1)}


def keywords_bytes(config) -> bytes:
    return Path(config.keywords).read_bytes()


def test_prensa_sees_the_terms_but_no_edit_control_and_a_forged_post_is_refused(office):
    config, tokens = office
    prensa = client_of(config, "ana")
    page = prensa.get("/palabras-clave")
    assert page.status_code == 200
    assert "Moroleón" in page.text and "Temas de crisis" in page.text and "umbral 88" in page.text
    assert "<form" not in page.text.split("<main>")[1]  # nothing to change, not even hidden
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    before = keywords_bytes(config)
    forged = prensa.post("/palabras-clave/termino", data={"csrf": csrf, "version": "x", "grupo": "crisis",
                                                         "termino": "fuga de gas"})
    assert forged.status_code == 403 and "Solo un usuario coordinador" in forged.text
    api = create_app(config).test_client()
    refused = api.post("/api/keywords/terms", json={"group": "crisis", "term": "fuga de gas"},
                       headers={"Authorization": f"Bearer {tokens['ana']}"})
    assert refused.status_code == 403 and "coordinador" in refused.json["error"]
    assert keywords_bytes(config) == before
    coordinator = client_of(config, "luz").get("/palabras-clave").text
    assert 'action="/palabras-clave/termino"' in coordinator and "Agregar un grupo" in coordinator


@pytest.mark.parametrize(("fields", "line"), [
    ({"termino": ""}, "Término vacío: escriba las palabras que se buscan (línea 15, groups.crisis.terms[1])."),
    ({"termino": "Balacera"}, "«Balacera» ya es un término del grupo crisis: edítelo en lugar de agregarlo otra vez."),
    ({"termino": "fuga de gas", "umbral": "150"},
     "El umbral 150 está fuera de rango: use un número de 0 a 100 (88 es el predeterminado) "
     "(línea 15, groups.crisis.terms[1].threshold)."),
])
def test_an_empty_term_a_duplicate_and_threshold_150_are_refused_with_their_line(office, fields, line):
    config, _ = office
    coordinator = client_of(config, "luz")
    before = keywords_bytes(config)
    refused = coordinator.post("/palabras-clave/termino", data={
        **page_fields(coordinator.get("/palabras-clave").text), "grupo": "crisis", **fields})
    assert refused.status_code == 400
    assert f'id="error">No se guardó: {line}</p>' in refused.text
    assert keywords_bytes(config) == before  # nothing written


def test_a_concurrent_edit_is_detected_and_the_second_save_refused(office):
    config, _ = office
    one, two = client_of(config, "luz"), client_of(config, "luz")
    first, second = page_fields(one.get("/palabras-clave").text), page_fields(two.get("/palabras-clave").text)
    saved = one.post("/palabras-clave/termino", data={**first, "grupo": "crisis", "termino": "fuga de gas"})
    assert saved.status_code == 303
    after_first = keywords_bytes(config)
    late = two.post("/palabras-clave/termino", data={**second, "grupo": "crisis", "termino": "derrumbe"})
    assert late.status_code == 409 and "Otra persona cambió las palabras clave" in late.text
    assert keywords_bytes(config) == after_first


def test_undo_on_the_page_restores_the_file_byte_for_byte(office):
    config, _ = office
    coordinator = client_of(config, "luz")
    original = keywords_bytes(config)
    saved = coordinator.post("/palabras-clave/termino", data={**page_fields(coordinator.get("/palabras-clave").text),
                                                            "grupo": "municipio", "original": "Moroleón",
                                                            "termino": "Moroleón", "variantes": "Moro León\nMorreón",
                                                            "exclusiones": "León", "umbral": "80"})
    assert saved.status_code == 303 and keywords_bytes(config) != original
    after = coordinator.get(saved.headers["Location"]).text
    change = re.search(r'action="/palabras-clave/deshacer/(\d+)"', after).group(1)
    undone = coordinator.post(f"/palabras-clave/deshacer/{change}", data=page_fields(after))
    assert undone.status_code == 303 and keywords_bytes(config) == original
    history = coordinator.get("/palabras-clave").text
    assert "deshizo: cambió «Moroleón» del grupo municipio" in history


def test_the_api_adds_replaces_and_deletes_a_term_and_refuses_what_the_check_refuses(office):
    config, tokens = office
    api = create_app(config).test_client()
    auth = {"Authorization": f"Bearer {tokens['luz']}"}
    read = api.get("/api/keywords", headers=auth).json
    assert [g["id"] for g in read["groups"]] == ["municipio", "crisis"]
    assert read["groups"][0]["terms"][0] == {"term": "Moroleón", "aliases": ["Moro León"],
                                             "exclude": ["León", "Morelia", "Morelos"], "threshold": None,
                                             "threshold_in_force": 88.0, "mentions_30d": 0}
    added = api.post("/api/keywords/terms", json={"group": "crisis", "term": "fuga de gas", "aliases": ["fuga"],
                                                  "exclude": [], "threshold": 90, "version": read["version"]},
                     headers=auth)
    assert added.status_code == 201 and added.json["action"] == "agregó «fuga de gas» al grupo crisis"
    assert "      - {term: fuga de gas, aliases: [fuga], threshold: 90}\n" in Path(config.keywords).read_text()
    replaced = api.post("/api/keywords/terms", json={"group": "crisis", "term": "Fuga de gas", "threshold": None},
                        headers=auth)
    assert replaced.status_code == 200 and Path(config.keywords).read_text().endswith("      - Fuga de gas\n")
    before = keywords_bytes(config)
    for body, status, error in [
        ({"group": "crisis", "term": "x y", "threshold": 150}, 400, "El umbral 150 está fuera de rango"),
        ({"group": "crisis", "term": ""}, 400, "Término vacío"),
        ({"group": "nada", "term": "x"}, 400, "No existe el grupo «nada»"),
        ({"group": "crisis", "term": "x", "aliases": "y"}, 400, "«aliases» debe ser una lista"),
        ({"group": "crisis", "term": "x", "version": read["version"]}, 409, "Otra persona cambió"),
    ]:
        answer = api.post("/api/keywords/terms", json=body, headers=auth)
        assert answer.status_code == status and answer.json["error"].startswith(error), answer.json
    assert keywords_bytes(config) == before
    deleted = api.delete("/api/keywords/terms", json={"group": "crisis", "term": "fuga de gas"}, headers=auth)
    assert deleted.status_code == 200 and Path(config.keywords).read_text() == KEYWORDS
    prensa = api.delete("/api/keywords/terms", json={"group": "crisis", "term": "balacera"},
                        headers={"Authorization": f"Bearer {tokens['ana']}"})
    assert prensa.status_code == 403 and Path(config.keywords).read_text() == KEYWORDS


def wait_for_rematch(config, timeout: float = 120) -> None:
    from radiomon.web.views import keywords as view

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = [r for r in view._rematches.values() if r.state.running]
        if not running:
            return
        time.sleep(0.1)
    raise AssertionError("the background re-match did not end")


def test_accepting_a_suggestion_edits_the_file_and_the_background_rematch_adds_the_mention(office):
    config, _ = office
    said = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2)
    with Archive(config.archive) as archive:
        recording = factories.on_air(archive, [factories.spoken("Hoy en Morreón hay tianguis.", 4.0)], said)
        match_recording(archive, load_matcher(config.keywords), recording)
        assert archive.list_mentions() == []
    coordinator = client_of(config, "luz")
    page = coordinator.get("/palabras-clave/sugerencias").text
    assert "«Morreón»" in page and "Hoy en Morreón hay tianguis." in page and f"/audio/{recording}" in page
    accepted = coordinator.post("/palabras-clave/sugerencias/aceptar", data={
        **page_fields(page), "grupo": "municipio", "termino": "Moroleón", "forma": "Morreón", "tipo": "aliases"})
    assert accepted.status_code == 303
    text = Path(config.keywords).read_text()
    assert text == KEYWORDS.replace("aliases: [Moro León]", "aliases: [Moro León, Morreón]")  # comments intact
    wait_for_rematch(config)
    with Archive(config.archive) as archive:
        [mention] = archive.list_mentions()
    assert (mention.keyword, mention.matched) == ("Moroleón", "Morreón")
    state = coordinator.get("/palabras-clave/actualizacion").json
    assert state["running"] is False and state["added"] == 1 and "1 menciones nuevas" in state["text"]


def test_a_crisis_term_added_on_the_page_alerts_the_webhook_at_its_next_mention(deployment, office, receiver):
    config, _ = office
    radiomon_yml = deployment / "radiomon.yml"
    radiomon_yml.write_text(radiomon_yml.read_text() + f"alerts:\n  channels:\n    - {{name: webhook, url: "
                            f"'{receiver.url}'}}\n", encoding="utf-8")
    config = load_config(radiomon_yml)
    coordinator = client_of(config, "luz")
    saved = coordinator.post("/palabras-clave/termino", data={**page_fields(coordinator.get("/palabras-clave").text),
                                                            "grupo": "crisis", "termino": "fuga de gas"})
    assert saved.status_code == 303
    transcript = deployment / "fuga.json"
    transcript.write_text('{"segments": [{"start": 1.0, "end": 5.0, "text": "Reportan una fuga de gas en la '
                          'colonia Centro."}]}', encoding="utf-8")
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=2)
    with Archive(config.archive) as archive:
        imported = jobs.import_and_match(config, archive, [transcript], station="radio-uno", start=start,
                                         transcript=True)
        assert imported.matched.crisis_events == 1
        jobs.send_alerts(config, archive, health=False)
    assert receiver.titles == ["ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón"]
    assert "fuga de gas" in receiver.posts[0]["message"]
