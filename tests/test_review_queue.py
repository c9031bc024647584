"""Menciones as a review queue and Grabación's hand-added mentions, through Flask's test client.

What the browser does with them (the player, the selection moving on, the panel) is in
test_web_review_browser.py.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import partial

import pytest
from conftest import RADIOMON_YML
from factories import spoken

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.web import accounts, create_app
from radiomon.web.common import default_day

START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)  # 10:00 in Mexico City, a Wednesday
DAY = "2026-11-25"
KEYWORDS = """\
defaults: {threshold: 88}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}
  dependencias:
    label: Dependencias municipales
    terms: [DIF Moroleón, Obras Públicas]
"""
segment = partial(spoken, spread=True, space="", avg_logprob=-0.2, no_speech_prob=0.01)
LINES = ["Hoy el DIF Moroleón entregó despensas.", "Seguimos en Moroleón con el clima.",
         "La feria de Moroleón abre mañana.", "Hoy el EF entregó cobijas en la colonia centro."]


@pytest.fixture(scope="module")
def office(build_office):
    def fill(config, archive):
        rec, _ = archive.add_recording(station="radio-uno", start=START, duration=60)
        archive.replace_segments(rec, [segment(text, 1.0 + 6 * i, 5.0 + 6 * i) for i, text in enumerate(LINES)],
                                 engine="test")
        jobs.rematch(config, archive)

    return build_office("queue", fill, radiomon_yml=RADIOMON_YML, keywords_yml=KEYWORDS)


@pytest.fixture
def config(office):
    return load_config(office / "radiomon.yml")


@pytest.fixture
def client(config):
    return create_app(config).test_client()


@pytest.fixture(autouse=True)
def fresh_reviews(config):
    yield
    with Archive(config.archive) as archive:
        for mention in archive.list_mentions():
            if mention.added_by:
                archive.conn.execute("DELETE FROM mentions WHERE id = ?", (mention.id,))
            else:
                archive.set_review(mention.id, None)


def csrf_of(page: bytes) -> str:
    return re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()


def all_mentions(config):
    with Archive(config.archive) as archive:
        return archive.list_mentions()


def rows_of(page: str) -> list[str]:
    return re.findall(r'<li class="mencion [^"]*" id="m(\d+)" data-id="\d+" data-ids="([\d,]+)"', page)


def test_one_row_per_sentence_with_its_groups_as_badges_and_counts_that_add_up(client, config):
    mentions = all_mentions(config)
    assert len(mentions) == 4  # the DIF sentence is two mentions (the municipality and the department)
    page = client.get(f"/menciones?dia={DAY}").get_data(as_text=True)
    rows = rows_of(page)
    assert len(rows) == 3
    dif = next(m for m in mentions if m.keyword == "DIF Moroleón")
    both = next(ids for _, ids in rows if str(dif.id) in ids.split(","))
    assert len(both.split(",")) == 2
    row_html = page[page.index(f'data-ids="{both}"'):].split("</li>")[0]
    assert row_html.count('class="badge') == 2 and "Dependencias municipales" in row_html
    counted = sum(int(n) for n in re.findall(r'<strong data-group="[^"]+">(\d+)</strong>', page))
    assert counted == 4 and '<span data-counted="4">4 menciones</span>' in page
    assert "3 de 3 frases" in page and '<span data-pending="3">3 sin revisar</span>' in page


def test_a_verdict_on_a_row_applies_to_its_mentions_and_htmx_gets_the_row_and_the_counts(client, config):
    mentions = all_mentions(config)
    dif_ids = sorted(m.id for m in mentions if m.context == LINES[0])
    token = csrf_of(client.get(f"/menciones?dia={DAY}").data)
    answer = client.post(f"/menciones/revision?dia={DAY}", headers={"HX-Request": "true"},
                         data={"csrf": token, "ids": ",".join(map(str, dif_ids)), "revision": "rejected",
                               "volver": f"/menciones?dia={DAY}"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in body
    assert re.search(rf'<li class="mencion review-rejected" id="m{dif_ids[0]}"', body)
    assert 'id="cuentas" hx-swap-oob="true"' in body and 'id="resumen" hx-swap-oob="true"' in body
    assert '<span data-counted="2">2 menciones</span>' in body and "2 falsos positivos, que no se cuentan" in body
    assert {m.review for m in all_mentions(config) if m.id in dif_ids} == {"rejected"}


def test_in_the_unreviewed_filter_a_judged_row_leaves(client, config):
    page = client.get(f"/menciones?dia={DAY}&estado=pendientes")
    first_row = rows_of(page.get_data(as_text=True))[0][1]
    answer = client.post(f"/menciones/revision?dia={DAY}&estado=pendientes", headers={"HX-Request": "true"},
                         data={"csrf": csrf_of(page.data), "ids": first_row, "revision": "confirmed"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'class="mencion' not in body
    assert "2 de 3 frases (sin revisar)" in body


def test_ticked_rows_are_confirmed_together(client, config):
    rows = rows_of(client.get(f"/menciones?dia={DAY}").get_data(as_text=True))
    token = csrf_of(client.get(f"/menciones?dia={DAY}").data)
    ticked = [rows[0][1], rows[2][1]]
    answer = client.post(f"/menciones/revision?dia={DAY}", data={"csrf": token, "lote": "1", "ids": ticked,
                                                                 "revision": "confirmed",
                                                                 "volver": f"/menciones?dia={DAY}"})
    assert answer.status_code == 303 and answer.headers["Location"].startswith(f"/menciones?dia={DAY}#m")
    confirmed = {str(m.id) for m in all_mentions(config) if m.review == "confirmed"}
    assert confirmed == set(",".join(ticked).split(","))
    nothing = client.post(f"/menciones/revision?dia={DAY}", data={"csrf": token, "lote": "1", "revision": "confirmed"})
    assert nothing.status_code == 400 and "Marque al menos una" in nothing.get_data(as_text=True)


def test_menciones_opens_on_the_latest_day_with_mentions_as_sintesis_does(client, config):
    page = client.get("/menciones").get_data(as_text=True)
    assert "<small>25/11/2026</small>" in page and len(rows_of(page)) == 3  # DAY, shown day first
    app = create_app(config)
    with app.test_request_context("/"):
        assert default_day() == date(2026, 11, 25)  # today has none: the latest day that has
    with Archive(config.archive) as archive:
        now = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=5)
        rec, _ = archive.add_recording(station="fm-oficina", start=now, duration=30)
        archive.replace_segments(rec, [segment("Buenas tardes Moroleón.", 1.0, 3.0)], engine="test")
        jobs.rematch(config, archive)
    try:
        with app.test_request_context("/"):
            afternoon = datetime.now(config.timezone).replace(hour=16, minute=0)  # after sintesis.send_at
            assert default_day(afternoon) == afternoon.date()
    finally:
        with Archive(config.archive) as archive:
            archive.conn.execute("DELETE FROM mentions WHERE recording_id = ?", (rec,))


def test_each_row_and_the_mention_page_copy_a_whatsapp_message(client, config):
    first = next(m for m in all_mentions(config) if m.context == LINES[1])
    page = client.get(f"/menciones?dia={DAY}").get_data(as_text=True)
    share = re.search(rf'id="m{first.id}".*?data-share="([^"]+)"', page, re.S).group(1)
    assert share.startswith("*Radio Uno Moroleón* · mié 25/11/2026 10:00")
    link = f"http://localhost/grabacion/{first.recording_id}?t={int(first.offset)}#s{first.segment_id}"
    assert f"_«{LINES[1]}»_" in share and share.endswith(link)
    detail = client.get(f"/mencion/{first.id}").get_data(as_text=True)
    assert 'class="share" data-share="*Radio Uno Moroleón* · mié 25/11/2026 10:00' in detail


def test_a_badge_opens_the_mention_as_a_panel(client, config):
    first = all_mentions(config)[0]
    page = client.get(f"/grabacion/{first.recording_id}").get_data(as_text=True)
    assert f'hx-get="/mencion/{first.id}/panel" hx-target="#panel-body"' in page and '<dialog id="panel"' in page
    assert f'class="add-mention" href="/grabacion/{first.recording_id}/mencion-nueva?segmento=' in page
    panel = client.get(f"/mencion/{first.id}/panel").get_data(as_text=True)
    assert "<html" not in panel and "Copiar para WhatsApp" in panel and first.keyword in panel


@pytest.fixture
def users(config):
    with Archive(config.archive) as archive:
        accounts.add_user(archive, "paula", "contraseña-prensa", role="prensa")
        accounts.add_user(archive, "coral", "contraseña-coordina", role="coordinador")
    yield
    with Archive(config.archive) as archive:
        archive.remove_user("paula")
        archive.remove_user("coral")


def signed_in(config, name: str, password: str):
    client = create_app(config).test_client()
    token = csrf_of(client.get("/entrar").data)
    assert client.post("/entrar", data={"csrf": token, "usuario": name, "contrasena": password}).status_code == 302
    return client


@pytest.mark.parametrize("name, password", [("paula", "contraseña-prensa"), ("coral", "contraseña-coordina")])
def test_prensa_and_coordinador_both_add_a_mention_from_a_line(config, users, name, password):
    client = signed_in(config, name, password)
    with Archive(config.archive) as archive:
        rec = archive.list_mentions()[0].recording_id
        missed = next(s for s in archive.transcript_rows(rec) if s["text"] == LINES[3])
    form = client.get(f"/grabacion/{rec}/mencion-nueva?segmento={missed['id']}&palabras=el%20EF&desde=19.5",
                      headers={"HX-Request": "true"})
    body = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in body
    assert '<option value="DIF Moroleón" data-group="dependencias">' in body and 'value="el EF"' in body
    token = csrf_of(client.get(f"/grabacion/{rec}").data)
    added = client.post(f"/grabacion/{rec}/menciones", headers={"HX-Request": "true"},
                        data={"csrf": token, "segmento": missed["id"], "grupo": "dependencias",
                              "termino": "DIF Moroleón", "palabras": "el EF", "desde": "19.5"})
    assert added.status_code == 200 and f'id="b{missed["id"]}" hx-swap-oob="true"' in added.get_data(as_text=True)
    mine = next(m for m in all_mentions(config) if m.segment_id == missed["id"])
    assert (mine.keyword, mine.matched, mine.offset, mine.added_by, mine.reviewed_by, mine.review) == \
        ("DIF Moroleón", "el EF", 19.5, name, name, "confirmed")


def test_a_term_not_in_the_group_or_words_not_in_the_line_are_refused_in_spanish(client, config):
    with Archive(config.archive) as archive:
        rec = archive.list_mentions()[0].recording_id
        missed = next(s for s in archive.transcript_rows(rec) if s["text"] == LINES[3])
    token = csrf_of(client.get(f"/grabacion/{rec}").data)
    base = {"csrf": token, "segmento": missed["id"], "grupo": "municipio", "termino": "DIF Moroleón"}
    wrong = client.post(f"/grabacion/{rec}/menciones", data=base)
    assert wrong.status_code == 400 and "no está en el grupo «municipio»" in wrong.get_data(as_text=True)
    words = client.post(f"/grabacion/{rec}/menciones", data={**base, "grupo": "dependencias", "palabras": "Celaya"})
    assert words.status_code == 400 and "no están en esa línea" in words.get_data(as_text=True)
    other = client.post("/grabacion/999/menciones", data={**base, "grupo": "dependencias"})
    assert other.status_code == 404
    assert not any(m.added_by for m in all_mentions(config))
    plain = client.post(f"/grabacion/{rec}/menciones", data={**base, "grupo": "dependencias"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"#s{missed['id']}")


def test_before_send_at_both_pages_open_on_yesterday_until_its_edition_is_approved(client, config):
    from radiomon.sintesis import editions

    tz = config.timezone
    day = date.fromisoformat(DAY)  # has mentions
    seven = datetime(2026, 11, 26, 7, 0, tzinfo=tz)
    with Archive(config.archive) as archive:
        rec, _ = archive.add_recording(station="fm-oficina", start=datetime(2026, 11, 26, 6, 30, tzinfo=tz),
                                       duration=30)
        archive.replace_segments(rec, [segment("Buenos días Moroleón.", 1.0, 3.0)], engine="test")
        jobs.rematch(config, archive)
    app = create_app(config)
    try:
        with app.test_request_context("/"):
            assert default_day(seven) == day  # 7:00: yesterday's edition goes out at 7:30
            assert default_day(seven.replace(hour=8)) == date(2026, 11, 26)  # after send_at: today
        with Archive(config.archive) as archive:
            editions.approve(config, archive, editions.day_edition(config, archive, day), by="luz")
        with app.test_request_context("/"):
            assert default_day(seven) == date(2026, 11, 26)  # approved at 7:10: on to today's
    finally:
        with Archive(config.archive) as archive, archive.write() as conn:
            conn.execute("DELETE FROM mentions WHERE recording_id = ?", (rec,))
            conn.execute("DELETE FROM edition_changes")
            conn.execute("DELETE FROM edition_items")
            conn.execute("DELETE FROM editions")
