"""The Síntesis editor in Chromium against `radiomon serve`: a prensa user leaves an item out by keyboard,
edits a summary that survives a reload, moves an item; a second browser's save on the same item is told
and shown the first one's; a coordinator approves, a prensa user has no approve button; 375 px wide
without horizontal scroll."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.sintesis import editions
from radiomon.web import accounts

sys.path.insert(0, str(Path(__file__).parent))
from test_web_browser import browser, server  # noqa: E402,F401 (fixtures: one Chromium, `radiomon serve` of office)
from test_web_sintesis import DAY, KEYWORDS, add_mention  # noqa: E402

PASSWORD = "contraseña-de-prueba"
APPROVAL_DAY = date(2026, 11, 26)  # a day of its own: approving freezes it


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    from conftest import write_deployment

    folder = tmp_path_factory.mktemp("sintesis") / "oficina"
    folder.mkdir()
    write_deployment(folder, keywords_yml=KEYWORDS)
    config = load_config(folder / "radiomon.yml")
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        accounts.add_user(archive, "luz", PASSWORD, "coordinador")
        accounts.add_user(archive, "pepe", PASSWORD)
        add_mention(archive, "radio-uno", 8, 1, "municipio", "Moroleón",
                    "Hoy en Moroleón hay feria del tianguis con más de cuarenta puestos en la plaza.")
        add_mention(archive, "fm-oficina", 11, 0, "dependencias", "Obras Públicas",
                    "Obras Públicas terminó la pavimentación de la calle Hidalgo.")
        add_mention(archive, "fm-oficina", 12, 45, "dependencias", "DIF Moroleón",
                    "El DIF Moroleón vacuna a los niños esta semana.")
        add_mention(archive, "radio-uno", 9, 0, "municipio", "Moroleón",
                    "El ayuntamiento de Moroleón presentó el presupuesto.", on=APPROVAL_DAY)
    return folder / "radiomon.yml"


def signed_in(browser, server, name: str, day: date = DAY, width: int = 1280) -> Page:
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto("/entrar")
    page.fill("input[name=usuario]", name)
    page.fill("input[name=contrasena]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/sintesis?dia={day.isoformat()}")
    return page


def stored(office: Path, day: date = DAY):
    """The day's edition as the archive has it now."""
    config = load_config(office)
    with Archive(config.archive) as archive:
        return editions.day_edition(config, archive, day)


def item_with(office: Path, words: str, day: date = DAY):
    return next(i for i in stored(office, day).items if words in i.source.get("quote", ""))


def no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_leave_out_by_keyboard_and_an_edited_summary_survives_a_reload(browser, server, office):
    page = signed_in(browser, server, "pepe")
    obras, dif = item_with(office, "Obras Públicas terminó"), item_with(office, "El DIF Moroleón")
    # Tab from the row above to the next row's «Incluir» box, Space to leave the item out.
    page.locator(f"#nota-{obras.id} textarea[name=summary]").focus()
    include = page.locator(f"#nota-{dif.id} input[type=checkbox][name=included]")
    for _ in range(8):
        page.keyboard.press("Tab")
        if include.evaluate("box => box === document.activeElement"):
            break
    expect(include).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator(f"#guardado-{dif.id}")).to_contain_text("Guardado · pepe")
    expect(include).not_to_be_checked()
    expect(include).to_be_focused()  # the row was not drawn again under the keyboard
    assert not item_with(office, "El DIF Moroleón").included
    # A summary typed, then Tab: saved on the way to the next control, which keeps the focus.
    summary = page.locator(f"#nota-{obras.id} textarea[name=summary]")
    summary.fill("Obras Públicas entregó la calle Hidalgo pavimentada.")
    page.keyboard.press("Tab")
    expect(page.locator(f"#guardado-{obras.id}")).to_contain_text("Guardado · pepe")
    assert page.evaluate("document.activeElement.closest('li') && document.activeElement.closest('li').id") \
        == f"nota-{obras.id}"
    expect(page.locator("#cambios")).to_contain_text("pepe cambió el resumen de «Obras Públicas terminó")
    expect(page.locator("#cambios")).to_contain_text("pepe dejó fuera «El DIF Moroleón")
    page.reload()
    expect(page.locator(f"#nota-{obras.id} textarea[name=summary]")).to_have_value(
        "Obras Públicas entregó la calle Hidalgo pavimentada.")
    expect(page.locator(f"#nota-{dif.id} input[type=checkbox][name=included]")).not_to_be_checked()
    page.context.close()


def test_an_item_moves_up_with_the_focus_on_it(browser, server, office):
    page = signed_in(browser, server, "pepe")
    obras, dif = item_with(office, "Obras Públicas terminó"), item_with(office, "El DIF Moroleón")
    assert obras.position < dif.position
    page.locator(f"#nota-{dif.id} button.move[value='-1']").focus()
    page.keyboard.press("Enter")
    rows = page.locator("#seccion-dependencias li.item")
    expect(rows.first).to_have_attribute("id", f"nota-{dif.id}")
    expect(page.locator(f"#nota-{dif.id} button.move[value='-1']")).to_be_focused()
    page.reload()
    expect(page.locator("#seccion-dependencias li.item").first).to_have_attribute("id", f"nota-{dif.id}")
    ids = [i.id for i in stored(office).items if i.section == "dependencias"]
    assert ids == [dif.id, obras.id]
    page.context.close()


def test_a_concurrent_edit_is_detected_and_shown_with_both_versions(browser, server, office):
    first = signed_in(browser, server, "pepe")
    second = signed_in(browser, server, "luz")
    feria = item_with(office, "feria del tianguis")
    headline = f"#nota-{feria.id} input[type=text][name=headline]"
    first.locator(headline).fill("Feria del tianguis: cuarenta puestos")
    first.locator(headline).press("Enter")
    expect(first.locator(f"#guardado-{feria.id}")).to_contain_text("Guardado · pepe")
    second.locator(headline).fill("Tianguis en la plaza principal")
    second.locator(headline).press("Tab")
    conflict = second.locator(f"#nota-{feria.id} .conflict")
    expect(conflict).to_contain_text(re.compile(r"Otra persona \(pepe\) cambió esta nota a las \d\d:\d\d"))
    expect(second.locator(headline)).to_have_value("Feria del tianguis: cuarenta puestos")  # the other change
    expect(conflict.locator("dd")).to_have_text("Tianguis en la plaza principal")  # the user's words, kept
    assert item_with(office, "feria del tianguis").headline == "Feria del tianguis: cuarenta puestos"
    no_horizontal_scroll(second)
    conflict.get_by_role("button", name="Volver a aplicar mi cambio").click()
    expect(second.locator(f"#nota-{feria.id} .conflict")).to_have_count(0)
    expect(second.locator(headline)).to_have_value("Tianguis en la plaza principal")
    assert item_with(office, "feria del tianguis").headline == "Tianguis en la plaza principal"
    first.context.close()
    second.context.close()


def test_a_free_note_appears_in_its_section_without_a_reload(browser, server, office):
    page = signed_in(browser, server, "pepe")
    form = page.locator("form.add-note-form")
    form.locator("input[name=titular]").fill("El Sol de Moroleón (impreso): nuevo mercado")
    form.locator("textarea[name=resumen]").fill("Nota de la edición impresa.")
    form.locator("select[name=tono]").select_option("positiva")
    before = page.locator("#cuenta-incluidas").inner_text()
    form.get_by_role("button", name="Agregar nota").click()
    note = page.locator("#seccion-notas li.item")
    expect(note).to_have_count(1)
    expect(note.locator("input[type=text][name=headline]")).to_have_value("El Sol de Moroleón (impreso): nuevo mercado")
    expect(note).to_contain_text("Nota agregada a mano por pepe")
    expect(form.locator("input[name=titular]")).to_have_value("")  # emptied for the next one
    expect(page.locator("#cuenta-incluidas")).to_have_text(str(int(before) + 1))
    expect(page.locator("#estado-edicion")).to_contain_text("Nota agregada: «El Sol de Moroleón")
    page.context.close()


def test_no_horizontal_scroll_at_375_px(browser, server, office):
    page = signed_in(browser, server, "pepe", width=375)
    expect(page.locator("li.item").first).to_be_visible()
    no_horizontal_scroll(page)
    page.context.close()


def test_a_coordinator_approves_and_a_prensa_user_cannot(browser, server, office):
    prensa = signed_in(browser, server, "pepe", APPROVAL_DAY)
    expect(prensa.locator("li.item")).to_have_count(1)
    expect(prensa.get_by_role("button", name="Aprobar la síntesis")).to_have_count(0)
    expect(prensa.locator("#estado-edicion")).to_contain_text("Solo un coordinador puede aprobar")
    coordinator = signed_in(browser, server, "luz", APPROVAL_DAY, width=375)
    item = stored(office, APPROVAL_DAY).items[0]
    coordinator.locator(f"#nota-{item.id} select[name=tone]").select_option("positiva")
    expect(coordinator.locator(f"#guardado-{item.id}")).to_contain_text("Guardado · luz")
    coordinator.get_by_role("button", name="Aprobar la síntesis").click()
    expect(coordinator.locator("#estado-edicion")).to_contain_text(re.compile(r"Aprobada · versión 1 por luz"))
    expect(coordinator.locator(".item-form")).to_have_count(0)
    expect(coordinator.get_by_role("button", name="Corregir (nueva versión)")).to_be_visible()
    no_horizontal_scroll(coordinator)
    edition = stored(office, APPROVAL_DAY)
    assert edition.approved and edition.approved_by == "luz" and edition.frozen["sections"][0]["items"][0][
        "tone"] == "positiva"
    prensa.reload()
    expect(prensa.locator(".item-form")).to_have_count(0)
    expect(prensa.get_by_role("button", name="Corregir (nueva versión)")).to_have_count(0)
    prensa.context.close()
    coordinator.context.close()
