"""The Síntesis editor through Flask's test client: every save, the version check, approval and roles.

A fresh deployment per test (the editor changes it): three mentions of one
day on two stations, stored as the matcher stores them. What a real browser
does with the page is in test_web_sintesis_browser.py.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import docx
import pytest

from radiomon import timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.sintesis import editions
from radiomon.transcript import Segment
from radiomon.web import accounts, create_app

MX = ZoneInfo("America/Mexico_City")
DAY = date(2026, 11, 25)
PAGE = f"/sintesis?dia={DAY.isoformat()}"
KEYWORDS = """\
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms: [Moroleón]
  dependencias:
    label: Dependencias municipales
    terms: [Obras Públicas, DIF Moroleón]
"""
HX = {"HX-Request": "true"}


def add_mention(archive: Archive, station: str, hour: int, minute: int, group: str, keyword: str,
                context: str, on: date = DAY) -> int:
    when = datetime(on.year, on.month, on.day, hour, minute, tzinfo=MX)
    recording_id, _ = archive.add_recording(station=station, start=when, duration=10.0, status="transcribed")
    archive.replace_segments(recording_id, [Segment(0.0, 5.0, context)])
    [segment] = archive.transcript_rows(recording_id)
    at = when.astimezone(timezone.utc)
    [row] = archive.replace_mentions(recording_id, [MentionRow(
        segment["id"], recording_id, station, group, keyword, keyword, 96.0, f"{at:%Y-%m-%dT%H:%M:%S}.000Z", 0.0,
        context)]).added
    return row.id


@pytest.fixture
def day(archive, deployment):
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    return {
        "feria": add_mention(archive, "radio-uno", 8, 1, "municipio", "Moroleón",
                             "Hoy en Moroleón hay feria del tianguis con más de cuarenta puestos en la plaza."),
        "obras": add_mention(archive, "fm-oficina", 11, 0, "dependencias", "Obras Públicas",
                             "Obras Públicas terminó la pavimentación de la calle Hidalgo."),
        "dif": add_mention(archive, "fm-oficina", 12, 45, "dependencias", "DIF Moroleón",
                           "El DIF Moroleón vacuna a los niños esta semana."),
    }


@pytest.fixture
def client(config, day):
    return create_app(config).test_client()


def csrf_of(page: bytes) -> str:
    return re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()


def item_of(config, archive: Archive, mention_id: int):
    """The edition's item of a mention, as stored now."""
    edition = editions.day_edition(config, archive, DAY)
    return next(i for i in edition.items if mention_id in i.mention_ids)


def opened(client) -> tuple[str, str]:
    """The page's HTML and its CSRF token."""
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.get_data(as_text=True), csrf_of(response.data)


def edition_rev(page: str) -> int:
    return int(re.search(r'id="edicion-rev" name="edicion_rev" value="(\d+)"', page).group(1))


def save(client, token: str, item, field: str | None, **values):
    """What the row's form posts when one control changes (sintesis.js names it ``campo``)."""
    data = {"csrf": token, "rev": str(item.rev), "headline": item.headline, "summary": item.summary,
            "tone": item.tone, "included": ["0", "1"] if item.included else "0",
            "featured": ["0", "1"] if item.featured else "0", **values}
    if field:
        data["campo"] = field
    return client.post(f"/sintesis/nota/{item.id}", data=data, headers=HX)


# -- the page --------------------------------------------------------------------------------------
def test_the_page_is_the_days_edition_by_section_with_each_items_source(client, config, archive, day):
    page, _ = opened(client)
    assert "miércoles 25 de noviembre de 2026" in page and "Borrador · versión 1" in page
    assert page.index("Municipio de Moroleón") < page.index("Dependencias municipales")
    feria, obras, dif = (item_of(config, archive, day[k]) for k in ("feria", "obras", "dif"))
    assert page.index(f'id="nota-{obras.id}"') < page.index(f'id="nota-{dif.id}"')
    row = page[page.index(f'id="nota-{feria.id}"'):page.index(f'id="nota-{obras.id}"')]
    assert f'value="{feria.headline}"' in row and '<option value="neutral" selected>Neutral</option>' in row
    assert "Radio Uno Moroleón" in row and "<time>08:01</time>" in row
    assert f'<a href="{feria.source["path"]}">Escuchar</a>' in row
    assert "Se oyó:</span> «Hoy en Moroleón hay feria del tianguis" in row
    assert 'name="included" value="1" checked' in row and "Aprobar la síntesis" in page  # loopback: coordinator


def test_a_mention_marked_false_positive_leaves_the_page(client, config, archive, day):
    obras = item_of(config, archive, day["obras"])
    assert f'id="nota-{obras.id}"' in opened(client)[0]
    archive.set_review(day["obras"], "rejected", by="ana")
    page, _ = opened(client)
    editor = page[page.index('id="editor"'):page.index('id="cambios"')]
    assert f'id="nota-{obras.id}"' not in editor and "Obras Públicas terminó" not in editor
    assert "quitó (sus menciones son falsos positivos o ya no están) «Obras Públicas terminó" in page


def test_an_intraday_cut_holds_what_was_aired_before_it(client, config, archive, day):
    page = client.get(f"{PAGE}&corte=12:00").get_data(as_text=True)
    assert "Corte de las 12:00" in page and "Obras Públicas terminó" in page and "El DIF Moroleón" not in page
    assert 'aria-current="page">Corte de las 12:00</a>' in page
    assert [e.cut for e in archive.editions(day=DAY.isoformat())] == ["12:00"]
    bad = client.get(f"{PAGE}&corte=25:99")
    assert bad.status_code == 400 and "HH:MM" in bad.get_data(as_text=True)


# -- saves -----------------------------------------------------------------------------------------
def test_each_control_saves_its_own_field_and_answers_out_of_band(client, config, archive, day):
    page, token = opened(client)
    feria = item_of(config, archive, day["feria"])
    # The rest of the row is context: a changed summary sent along with a tone change is not saved.
    answer = save(client, token, feria, "tone", tone="positiva", summary="no se guarda", edicion_rev=edition_rev(page))
    assert answer.status_code == 200
    saved = archive.edition_item(feria.id)
    assert (saved.tone, saved.summary, saved.updated_by) == ("positiva", feria.summary, "local")
    assert archive.query("SELECT tone FROM mentions WHERE id = ?", (day["feria"],)) == [{"tone": "positiva"}]
    html = answer.get_data(as_text=True)
    assert f'value="{saved.rev}" id="rev-{feria.id}" hx-swap-oob="true"' in html
    assert f'id="guardado-{feria.id}"' in html and "Guardado · local a las" in html
    assert f'value="{edition_rev(page) + 1}" form="aprobar" hx-swap-oob="true"' in html  # only this save since
    assert "local</strong> puso tono positiva a «Hoy en Moroleón hay feria" in html
    for field, value, expected in (("headline", "  Feria del   tianguis ", "Feria del tianguis"),
                                   ("summary", "Más de cuarenta puestos.", "Más de cuarenta puestos."),
                                   ("featured", ["0", "1"], True), ("included", "0", False)):
        current = archive.edition_item(feria.id)
        assert save(client, token, current, field, **{field: value}).status_code == 200, field
        assert getattr(archive.edition_item(feria.id), field) == expected, field
    page, _ = opened(client)
    assert 'value="Feria del tianguis"' in page and ">Más de cuarenta puestos.</textarea>" in page
    assert '<span id="cuenta-incluidas">2</span> de 3 notas incluidas' in page


def test_a_refused_value_is_said_on_the_row_and_nothing_is_saved(client, config, archive, day):
    _, token = opened(client)
    feria = item_of(config, archive, day["feria"])
    answer = save(client, token, feria, "headline", headline="   ")
    assert answer.status_code == 422 and answer.headers["HX-Retarget"] == f"#nota-{feria.id}"
    assert "El titular no puede quedar vacío" in answer.get_data(as_text=True)
    assert archive.edition_item(feria.id) == feria
    assert save(client, token, feria, "tone", tone="furiosa").status_code == 400


def test_a_save_on_an_old_rev_shows_the_other_change_and_keeps_the_users_words(client, config, archive, day):
    _, token = opened(client)
    feria = item_of(config, archive, day["feria"])
    theirs = archive.update_item(feria.id, {"summary": "Resumen de Ana."}, rev=feria.rev, by="ana")
    answer = save(client, token, feria, "summary", summary="Resumen de Luis.")
    assert answer.status_code == 409 and answer.headers["HX-Reswap"] == "outerHTML"
    html = answer.get_data(as_text=True)
    at = timeutil.local(theirs.updated_utc, MX).strftime("%H:%M")
    assert f"Otra persona (ana) cambió esta nota a las {at}." in html
    assert ">Resumen de Ana.</textarea>" in html  # the other change, in the fields
    assert "<dd>Resumen de Luis.</dd>" in html and 'name="summary" value="Resumen de Luis."' in html  # theirs kept
    assert f'name="rev" value="{theirs.rev}"' in html
    assert archive.edition_item(feria.id).summary == "Resumen de Ana."  # never silently overwritten
    # «Volver a aplicar mi cambio»: the kept words, on the rev just shown.
    again = client.post(f"/sintesis/nota/{feria.id}", headers=HX,
                        data={"csrf": token, "rev": str(theirs.rev), "summary": "Resumen de Luis."})
    assert again.status_code == 200 and ">Resumen de Luis.</textarea>" in again.get_data(as_text=True)
    assert archive.edition_item(feria.id).summary == "Resumen de Luis."


def test_reorder_within_a_section_answers_the_section(client, config, archive, day):
    page, token = opened(client)
    obras, dif = item_of(config, archive, day["obras"]), item_of(config, archive, day["dif"])
    answer = client.post(f"/sintesis/nota/{dif.id}/mover", headers=HX,
                         data={"csrf": token, "rev": str(dif.rev), "mover": "-1", "edicion_rev": edition_rev(page)})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="seccion" id="seccion-dependencias"')
    assert html.index(f'id="nota-{dif.id}"') < html.index(f'id="nota-{obras.id}"')
    assert "local</strong> movió «El DIF Moroleón" in html and f'value="{edition_rev(page) + 1}" form="aprobar"' in html
    page, _ = opened(client)
    assert page.index(f'id="nota-{dif.id}"') < page.index(f'id="nota-{obras.id}"')
    stale = client.post(f"/sintesis/nota/{dif.id}/mover", headers=HX,
                        data={"csrf": token, "rev": str(dif.rev), "mover": "1"})
    assert stale.status_code == 409 and "Otra persona (local) cambió esta nota" in stale.get_data(as_text=True)
    plain = client.post(f"/sintesis/nota/{obras.id}/mover",
                        data={"csrf": token, "rev": str(archive.edition_item(obras.id).rev), "mover": "-1"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"#nota-{obras.id}")
    assert client.post(f"/sintesis/nota/{obras.id}/mover", data={"csrf": token, "rev": "0", "mover": "5"}
                       ).status_code == 400


def test_a_free_note_is_added_at_the_end_of_its_section(client, config, archive, day):
    page, token = opened(client)
    edition_id = archive.latest_edition(DAY.isoformat()).id
    answer = client.post("/sintesis/notas", data={
        "csrf": token, "edicion": edition_id, "titular": "El Sol de Moroleón (impreso): nuevo mercado",
        "resumen": "Nota de la edición impresa.", "seccion": "municipio", "tono": "positiva"})
    assert answer.status_code == 303
    note = next(i for i in archive.edition(edition_id).items if i.kind == "note")
    assert (note.section, note.tone, note.summary, note.updated_by) == (
        "municipio", "positiva", "Nota de la edición impresa.", "local")
    page, _ = opened(client)
    section = page[page.index('id="seccion-municipio"'):page.index('id="seccion-dependencias"')]
    feria = item_of(config, archive, day["feria"])
    assert section.index(f'id="nota-{feria.id}"') < section.index(f'id="nota-{note.id}"')
    assert "Nota agregada a mano por local" in section
    for bad in ({"titular": " "}, {"titular": "x", "tono": "rara"}, {"titular": "x", "seccion": "nadie"}):
        refused = client.post("/sintesis/notas", data={"csrf": token, "edicion": edition_id, **bad})
        assert refused.status_code == 400 and 'lang="es-MX"' in refused.get_data(as_text=True)


# -- documents -------------------------------------------------------------------------------------
def test_the_preview_and_the_documents_are_the_edited_edition(client, config, archive, day):
    _, token = opened(client)
    feria, obras = item_of(config, archive, day["feria"]), item_of(config, archive, day["obras"])
    save(client, token, feria, "headline", headline="Feria del tianguis en la plaza")
    save(client, token, obras, "included", included="0")
    preview = client.get(f"/sintesis/vista-previa?dia={DAY.isoformat()}")
    text = preview.get_data(as_text=True)
    assert "Feria del tianguis en la plaza" in text and "Obras Públicas terminó" not in text
    assert "default-src 'none'" in preview.headers["Content-Security-Policy"]
    word = client.get(f"/sintesis/documento?dia={DAY.isoformat()}&formato=docx")
    assert word.headers["Content-Disposition"] == f'attachment; filename="sintesis-{DAY.isoformat()}.docx"'
    paragraphs = "\n".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert "Feria del tianguis en la plaza" in paragraphs and "Obras Públicas terminó" not in paragraphs


# -- approval and roles ------------------------------------------------------------------------------
def test_approval_freezes_the_edition_and_a_correction_is_a_new_version(client, config, archive, day):
    page, token = opened(client)
    edition_id = archive.latest_edition(DAY.isoformat()).id
    feria = item_of(config, archive, day["feria"])
    answer = save(client, token, feria, "headline", headline="Feria del tianguis", edicion_rev=edition_rev(page))
    own = int(re.search(r'value="(\d+)" form="aprobar" hx-swap-oob', answer.get_data(as_text=True)).group(1))
    approved = client.post("/sintesis/aprobar", data={"csrf": token, "edicion": edition_id, "edicion_rev": own})
    assert approved.status_code == 303  # one's own saves need no second look
    page, _ = opened(client)
    assert re.search(r"Aprobada · versión 1 por local el \d\d/\d\d/\d{4} a las \d\d:\d\d", page)
    assert 'class="item-form"' not in page and "Aprobar la síntesis" not in page
    assert "<h3 class=\"headline\">Feria del tianguis</h3>" in page and "Corregir (nueva versión)" in page
    frozen = save(client, token, archive.edition_item(feria.id), "headline", headline="Otra cosa")
    assert frozen.status_code == 409 and "ya se aprobó" in frozen.get_data(as_text=True)
    assert archive.edition_item(feria.id).headline == "Feria del tianguis"
    again = client.post("/sintesis/aprobar", data={"csrf": token, "edicion": edition_id, "edicion_rev": own + 1})
    assert again.status_code == 409 and "ya estaba aprobada" in again.get_data(as_text=True)
    assert client.post("/sintesis/corregir", data={"csrf": token, "edicion": edition_id}).status_code == 303
    page, _ = opened(client)
    assert "Borrador · versión 2" in page and "Versiones: 1 (aprobada por local), 2 (borrador)" in page
    assert 'class="item-form"' in page


def test_approving_an_edition_changed_since_it_was_seen_is_refused(client, config, archive, day):
    page, token = opened(client)
    edition_id = archive.latest_edition(DAY.isoformat()).id
    dif = item_of(config, archive, day["dif"])
    archive.update_item(dif.id, {"summary": "Cambiado por Ana."}, rev=dif.rev, by="ana")
    # Someone else's change happened between the page and this save: the page's edition rev stays as it was.
    feria = item_of(config, archive, day["feria"])
    answer = save(client, token, feria, "tone", tone="negativa", edicion_rev=edition_rev(page))
    assert answer.status_code == 200 and 'form="aprobar" hx-swap-oob' not in answer.get_data(as_text=True)
    refused = client.post("/sintesis/aprobar",
                          data={"csrf": token, "edicion": edition_id, "edicion_rev": edition_rev(page)})
    assert refused.status_code == 409
    assert "La síntesis cambió desde que la abrió (local a las" in refused.get_data(as_text=True)
    assert not archive.edition(edition_id).approved


@pytest.fixture
def users(archive):
    accounts.add_user(archive, "luz", "contraseña-de-luz", role="coordinador")
    accounts.add_user(archive, "pepe", "contraseña-de-pepe")  # prensa


def signed_in(config, name: str):
    client = create_app(config).test_client()
    token = csrf_of(client.get("/entrar").data)
    answer = client.post("/entrar", data={"csrf": token, "usuario": name, "contrasena": f"contraseña-de-{name}"})
    assert answer.status_code == 302
    return client


def test_only_a_coordinator_approves(config, archive, day, users):
    prensa = signed_in(config, "pepe")
    page, token = opened(prensa)
    edition_id = archive.latest_edition(DAY.isoformat()).id
    assert "Aprobar la síntesis" not in page and 'action="/sintesis/aprobar"' not in page
    assert "Solo un coordinador puede aprobar la síntesis." in page
    forged = prensa.post("/sintesis/aprobar", data={"csrf": token, "edicion": edition_id,
                                                     "edicion_rev": edition_rev(page)})
    assert forged.status_code == 403 and "Solo un usuario coordinador puede aprobar la síntesis" in \
        forged.get_data(as_text=True)
    assert not archive.edition(edition_id).approved
    feria = item_of(config, archive, day["feria"])  # prensa edits all the same
    assert save(prensa, token, feria, "summary", summary="Resumen de Pepe.").status_code == 200
    assert archive.edition_item(feria.id).updated_by == "pepe"
    coordinator = signed_in(config, "luz")
    page, token = opened(coordinator)
    assert "Aprobar la síntesis" in page
    done = coordinator.post("/sintesis/aprobar", data={"csrf": token, "edicion": edition_id,
                                                       "edicion_rev": edition_rev(page)})
    assert done.status_code == 303 and archive.edition(edition_id).approved_by == "luz"
    page, token = opened(prensa)
    assert "Corregir (nueva versión)" not in page
    assert prensa.post("/sintesis/corregir", data={"csrf": token, "edicion": edition_id}).status_code == 403
