"""A new or changed keyword term shows what it would have caught in the last days, before it is saved: on
«Palabras clave» (the «Vista previa» button, htmx or a plain form) and as ``POST /api/keywords/preview``, from
transcripts imported with `radiomon import --transcript`, writing nothing (keywords.yml, mentions, history)."""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from radiomon.keyword_preview import PREVIEW_DAYS, preview_term
from radiomon.keywords.edit_terms import TermSpec
from radiomon.keywords.refusals import KeywordEditError

sys.path.insert(0, str(Path(__file__).parent))
from test_web_keywords import client_of, keywords_bytes, office, page_fields  # noqa: E402,F401

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def imported(run, deployment: Path, name: str, start: datetime, texts: list[str]) -> None:
    """A Whisper-style JSON transcript imported as `radiomon import --transcript` does (and matched)."""
    path = deployment / f"{name}.json"
    path.write_text(json.dumps({"segments": [{"start": 4.0 * i, "end": 4.0 * i + 3.5, "text": f" {text}"}
                                             for i, text in enumerate(texts)]}), encoding="utf-8")
    done = run("import", "--transcript", str(path), "--station", "radio-uno", "--start",
               start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert done.exit_code == 0, done.output


@pytest.fixture
def heard(office, run, deployment):
    """Two sentences with «fuga de gas» yesterday (one of them twice, a spot aired again), one a week ago (too
    old to count), and a balacera that is a stored mention already."""
    imported(run, deployment, "ayer", NOW - timedelta(days=1), [
        "Buenos días, hoy en Moroleón hay tianguis.",
        "Reportan una fuga de gas en la colonia Centro.",
        "Protección Civil atiende la fuga de gas de la calle Hidalgo.",
        "Otra vez: reportan una fuga de gas en la colonia Centro.",
        "Anoche hubo una balacera cerca del mercado.",
    ])
    imported(run, deployment, "semana", NOW - timedelta(days=PREVIEW_DAYS + 3), [
        "Hace días hubo otra fuga de gas en la colonia Juárez.",
    ])
    return office


def stored(config) -> tuple[bytes, list, int, int]:
    """What a preview must leave alone: keywords.yml, the mentions, the keyword history, the runs."""
    with sqlite3.connect(config.archive) as db:
        mentions = db.execute("SELECT id, group_id, keyword, segment_id, review FROM mentions ORDER BY id").fetchall()
        changes = db.execute("SELECT count(*) FROM keyword_changes").fetchone()[0]
        runs = db.execute("SELECT count(*) FROM runs").fetchone()[0]
    return keywords_bytes(config), mentions, changes, runs


def test_the_api_counts_a_phrase_of_imported_transcripts_and_writes_nothing(heard):
    config, tokens = heard
    before = stored(config)
    assert [m[2] for m in before[1]] == ["Moroleón", "balacera"]  # the archive as matched with the saved keywords
    from radiomon.web import create_app

    api = create_app(config).test_client()
    answer = api.post("/api/keywords/preview", json={"group": "crisis", "term": "fuga de gas", "aliases": [],
                                                     "exclude": [], "threshold": None},
                      headers={"Authorization": f"Bearer {tokens['luz']}"})
    assert answer.status_code == 200, answer.json
    body = answer.json
    # Three times in the last days (one sentence aired twice); the one a week ago is out of reach.
    assert body["mentions"] == 3 and body["days"] == PREVIEW_DAYS
    assert [e["context"] for e in body["examples"]] == [
        "Otra vez: reportan una fuga de gas en la colonia Centro.",
        "Protección Civil atiende la fuga de gas de la calle Hidalgo.",
        "Reportan una fuga de gas en la colonia Centro.",
    ]
    first = body["examples"][0]
    assert first["station"] == "radio-uno" and first["keyword"] == "fuga de gas" and first["group"] == "crisis"
    assert first["matched"] == "fuga de gas" and first["offset"] == pytest.approx(12.0, abs=1.5)
    assert first["at"].endswith("Z") and first["medium"] == "radio"
    assert stored(config) == before  # not the file, not a mention, not the history, not a run
    # Refused as saving would be, nothing written; a prensa user may not ask.
    duplicate = api.post("/api/keywords/preview", json={"group": "nada", "term": "x"},
                         headers={"Authorization": f"Bearer {tokens['luz']}"})
    assert duplicate.status_code == 400 and duplicate.json["error"].startswith("No existe el grupo «nada»")
    prensa = api.post("/api/keywords/preview", json={"group": "crisis", "term": "fuga de gas"},
                      headers={"Authorization": f"Bearer {tokens['ana']}"})
    assert prensa.status_code == 403
    assert stored(config) == before


def test_a_changed_term_counts_with_its_new_spellings(heard):
    config, _ = heard
    from radiomon.archive import Archive

    with Archive(config.archive) as archive:
        # An existing term with a new alias: it now also catches what it did not (and keeps its own).
        found = preview_term(config, archive, "crisis", TermSpec("balacera", aliases=("fuga de gas",)),
                             replacing="balacera")
        assert found.term == "balacera" and found.mentions == 4
        assert {m.matched for m in found.examples} == {"balacera", "fuga de gas"}
        with pytest.raises(KeywordEditError) as refused:
            preview_term(config, archive, "crisis", TermSpec("x", threshold="150"))
        assert refused.value.spanish.startswith("El umbral 150 está fuera de rango")


def test_the_page_previews_under_the_form_without_saving(heard):
    config, _ = heard
    coordinator = client_of(config, "luz")
    page = coordinator.get("/palabras-clave").text
    assert page.count(">Vista previa</button>") == 4  # add to each of two groups, edit each of two terms
    before = stored(config)
    fields = {**page_fields(page), "grupo": "crisis", "termino": "fuga de gas", "variantes": "", "exclusiones": ""}
    fragment = coordinator.post("/palabras-clave/vista-previa", data=fields, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    text = re.sub(r"\s+", " ", fragment.text)
    assert "«fuga de gas»</strong> habría tenido <strong class=\"kw-preview-count\">3 menciones</strong> " \
           f"en los últimos {PREVIEW_DAYS} días" in text
    assert "Protección Civil atiende la <mark>fuga de gas</mark> de la calle Hidalgo." in text
    assert "Radio Uno Moroleón" in text and "todavía no se guardó nada" in text
    # Without script: the page again, the form as typed and open, the preview under it.
    plain = coordinator.post("/palabras-clave/vista-previa", data=fields)
    assert plain.status_code == 200
    form = plain.text.split('<details class="kw-edit kw-add" open>')[1].split("</details>")[0]
    assert 'value="fuga de gas"' in form and "3 menciones" in form
    # A refusal says why, in the fragment (htmx swaps only what answers 200) or the page (400).
    refused = coordinator.post("/palabras-clave/vista-previa", data={**fields, "termino": "Balacera"},
                               headers={"HX-Request": "true"})
    assert refused.status_code == 200
    assert "No se puede hacer la vista previa: «Balacera» ya es un término del grupo crisis" in refused.text
    assert coordinator.post("/palabras-clave/vista-previa", data={**fields, "termino": ""}).status_code == 400
    # Editing a term: what it has now stands beside what it would have.
    edited = coordinator.post("/palabras-clave/vista-previa", headers={"HX-Request": "true"}, data={
        **fields, "original": "balacera", "termino": "balacera", "variantes": "fuga de gas"})
    assert "4 menciones" in edited.text and "tal como está guardado ahora tiene 1" in edited.text
    assert stored(config) == before
    prensa = client_of(config, "ana")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', prensa.get("/palabras-clave").text).group(1)
    forged = prensa.post("/palabras-clave/vista-previa", data={**fields, "csrf": csrf})
    assert forged.status_code == 403 and "Solo un usuario coordinador" in forged.text
