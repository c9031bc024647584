"""The press in the documents: the síntesis' Prensa part (DOCX and HTML read back), the weekly report's outlets,
and the audio-only consumers (testigos, clips) that must leave press mentions alone."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import docx
import pytest
from test_digest import DAY, KEYWORDS, add_mention, local  # noqa: E402

from radiomon import jobs
from radiomon.archive import Archive, ArticleRow, MentionRow
from radiomon.filters import Filters
from radiomon.reports import clips, testigos, weekly
from radiomon.reports import digest as digests
from radiomon.reports.writers import render_weekly

BASE_URL = "http://radiomon.local:8080"
OUTLETS = [SimpleNamespace(id="diario-sur", name="Diario del Sur", scope="regional"),
           SimpleNamespace(id="el-sol", name="El Sol del Bajío", scope="estatal"),
           SimpleNamespace(id="am-celaya", name="AM de Celaya", scope="regional"),
           SimpleNamespace(id="correo", name="Correo de Guanajuato", scope="estatal")]


def utc(when: datetime) -> str:
    return f"{when.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S}.000Z"


def add_article(archive: Archive, outlet: str, slug: str, title: str, published: datetime, text: str,
                *, story: int | None = None) -> int:
    url = f"https://{outlet}.example/2026/11/{slug}"
    article_id = archive.add_article(ArticleRow(
        outlet=outlet, url=url, title=title, published_utc=utc(published), fetched_utc=utc(published + timedelta(
            minutes=20)), text=text, content_sha256=f"{hash(url) & 0xFFFF:064x}", story=story), [url])
    assert article_id is not None
    return article_id


def add_press_mention(archive: Archive, article_id: int, group: str, keyword: str, context: str,
                      *, matched: str | None = None, review: str | None = None) -> int:
    article = archive.article(article_id)
    changes = archive.replace_article_mentions(article_id, [*archive.article_mentions(article_id), MentionRow(
        None, None, None, group, keyword, matched or keyword, 100.0, article.published_utc,
        float(article.text.find(matched or keyword)), context)])
    [row] = changes.added
    if review:
        archive.set_review(row.id, review)
    return row.id


@pytest.fixture
def press_day(archive: Archive, deployment):
    """A day with radio and press: a wire story on three outlets (two with mentions), a crisis note,
    a note only a false positive matched, and a note of the day before."""
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    archive.sync_outlets(OUTLETS)
    ids = {
        "radio-feria": add_mention(archive, "radio-uno", local(8, 1, 23), "municipio", "Moroleón",
                                   "Hoy en Moroleón hay feria.", review="confirmed"),
        "radio-incendio": add_mention(archive, "fm-oficina", local(9, 15), "crisis", "incendio",
                                      "Se reporta un incendio en la colonia Centro."),
    }
    wire = "El Ayuntamiento de Moroleón reabrió el mercado Hidalgo tras su remodelación."
    ids["sur"] = add_article(archive, "diario-sur", "mercado", "Reabren el mercado Hidalgo de Moroleón",
                             local(7, 40), wire)
    ids["sol"] = add_article(archive, "el-sol", "mercado-hidalgo", "Moroleón estrena mercado", local(9, 5), wire,
                             story=ids["sur"])
    ids["celaya"] = add_article(archive, "am-celaya", "mercado-moroleon", "Mercado remodelado en el sur",
                                local(10, 30), "El mercado Hidalgo reabrió tras su remodelación.", story=ids["sur"])
    ids["m-sur"] = add_press_mention(archive, ids["sur"], "municipio", "Moroleón",
                                     "El Ayuntamiento de Moroleón reabrió el mercado Hidalgo.")
    ids["m-sol"] = add_press_mention(archive, ids["sol"], "municipio", "Moroleón",
                                     "El Ayuntamiento de Moroleón reabrió el mercado Hidalgo.")
    ids["fuego"] = add_article(archive, "el-sol", "incendio", "Incendio en bodega de la colonia Centro",
                               local(11, 20), "Bomberos sofocaron un incendio en una bodega.")
    ids["m-fuego"] = add_press_mention(archive, ids["fuego"], "crisis", "incendio",
                                       "Bomberos sofocaron un incendio en una bodega.")
    ids["falso"] = add_article(archive, "correo", "obras", "Obras públicas del estado vecino", local(12, 0),
                               "Las Obras Públicas de Jalisco licitan un puente.")
    ids["m-falso"] = add_press_mention(archive, ids["falso"], "dependencias", "Obras Públicas",
                                       "Las Obras Públicas de Jalisco licitan un puente.", review="rejected")
    ids["ayer"] = add_article(archive, "correo", "ayer", "Nota de ayer sobre Moroleón",
                              local(22, 0, day=DAY - timedelta(days=1)), "Ayer en Moroleón.")
    ids["m-ayer"] = add_press_mention(archive, ids["ayer"], "municipio", "Moroleón", "Ayer en Moroleón.")
    return ids


def with_base_url(config):
    return dataclasses.replace(config, office=dataclasses.replace(config.office, base_url=BASE_URL))


def test_the_prensa_part_of_the_model_each_story_once(config, press_day, archive):
    model = digests.collect_digest(with_base_url(config), archive, day=DAY)
    assert model.title == "Síntesis informativa — Radio y prensa"
    # What was recorded and collected: two 10 s recordings; five notes of the day from four outlets.
    assert model.period_text == "20 s grabadas de 08:01 a 09:15 en 2 estaciones · prensa: 5 notas de 4 medios"
    assert [(s.group_id, s.mentions) for s in model.press] == [("crisis", 1), ("municipio", 2)]
    [fire], [market] = model.press[0].items, model.press[1].items
    # The wire story: the first to print it, once, with both mentions and every other outlet of the story.
    assert (market.time, market.outlet, market.title, market.count) == (
        "07:40", "Diario del Sur", "Reabren el mercado Hidalgo de Moroleón", 2)
    assert market.url == "https://diario-sur.example/2026/11/mercado"
    assert market.also_in_text == "También en: El Sol del Bajío, AM de Celaya"
    assert [a.url for a in market.also_in] == ["https://el-sol.example/2026/11/mercado-hidalgo",
                                               "https://am-celaya.example/2026/11/mercado-moroleon"]
    assert market.mention_ids == (press_day["m-sur"], press_day["m-sol"])
    assert market.link == f"{BASE_URL}/articulo/{press_day['sur']}"
    assert [(p.text, p.bold) for p in market.quote] == [
        ("El Ayuntamiento de ", False), ("Moroleón", True), (" reabrió el mercado Hidalgo.", False)]
    assert (fire.outlet, fire.time, fire.also_in) == ("El Sol del Bajío", "11:20", ())
    # Radio and press counted apart; the false positive's group has no row at all.
    assert model.summary_headings == ("Grupo", "Radio Uno Moroleón", "Receptor FM de la oficina", "Radio", "Prensa",
                                      "Total")
    assert model.summary_table == [["Temas de crisis", 0, 1, 1, 1, 2], ["Municipio de Moroleón", 1, 0, 1, 2, 3]]
    assert (model.radio_total, model.press_total, model.total) == (2, 3, 5)
    # Radio-only parts never see a press mention.
    assert [i.station_id for s in model.sections for i in s.items] == ["fm-oficina", "radio-uno"]


def test_reviewed_only_keeps_confirmed_press_mentions(config, press_day, archive):
    archive.set_review(press_day["m-sol"], "confirmed")
    model = digests.collect_digest(config, archive, day=DAY, reviewed_only=True)
    [section] = model.press
    [item] = section.items
    # Only El Sol's mention is confirmed: its article is the one shown, Diario del Sur is "también en".
    assert (item.outlet, item.count, item.review, item.also_in_text) == (
        "El Sol del Bajío", 1, "Confirmada", "También en: Diario del Sur, AM de Celaya")


def test_the_docx_has_the_prensa_part_with_linked_headlines_and_bold_words(config, press_day, archive, tmp_path):
    out = tmp_path / "sintesis.docx"
    jobs.digest(with_base_url(config), archive, day=DAY, out=out, fmt="docx")
    document = docx.Document(str(out))
    text = [p.text for p in document.paragraphs]
    assert text[2] == "Síntesis informativa — Radio y prensa"
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [
        "Resumen", "Radio", "Prensa"]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == [
        "Temas de crisis (1)", "Municipio de Moroleón (1)", "Temas de crisis (1)", "Municipio de Moroleón (1)"]
    head = next(p for p in document.paragraphs if "Reabren el mercado" in p.text)
    # No "(×2)", no review state: the office's words do not reach the mayor.
    assert head.text == "07:40 · Diario del Sur · Reabren el mercado Hidalgo de Moroleón · Moroleón"
    [link] = head.hyperlinks
    assert (link.text, link.address) == ("Reabren el mercado Hidalgo de Moroleón",
                                         "https://diario-sur.example/2026/11/mercado")
    # The story once: El Sol's headline of it is not an item, only "también en".
    assert not any("Moroleón estrena mercado" in t for t in text)
    also = next(p for p in document.paragraphs if p.text.startswith("También en:"))
    assert also.text == "También en: El Sol del Bajío, AM de Celaya"
    assert [h.address for h in also.hyperlinks] == ["https://el-sol.example/2026/11/mercado-hidalgo",
                                                    "https://am-celaya.example/2026/11/mercado-moroleon"]
    quote = next(p for p in document.paragraphs if p.text == "El Ayuntamiento de Moroleón reabrió el mercado Hidalgo.")
    assert [r.text for r in quote.runs if r.bold] == ["Moroleón"]
    site = next(p for p in document.paragraphs if p.text == "Ver en radiomon" and
                p.hyperlinks[0].address == f"{BASE_URL}/articulo/{press_day['sur']}")
    assert site is not None
    assert "11:20 · El Sol del Bajío · Incendio en bodega de la colonia Centro · incendio" in text
    assert not any(word in t for t in text for word in ("Sin revisar", "Confirmada", "×"))
    # The false positive and the day before are nowhere.
    assert not any("Jalisco" in t or "estado vecino" in t or "Nota de ayer" in t for t in text)
    [summary] = document.tables
    assert [[c.text for c in row.cells] for row in summary.rows] == [
        ["Grupo", "Radio Uno Moroleón", "Receptor FM de la oficina", "Radio", "Prensa", "Total"],
        ["Temas de crisis", "0", "1", "1", "1", "2"], ["Municipio de Moroleón", "1", "0", "1", "2", "3"]]


def test_the_html_has_the_prensa_part(config, press_day, archive, tmp_path):
    out = tmp_path / "sintesis.html"
    jobs.digest(with_base_url(config), archive, day=DAY, out=out, fmt="html")
    page = out.read_text(encoding="utf-8")
    press = page[page.index('<h2 class="medium press">Prensa</h2>'):]
    assert page.index('<h2 class="medium radio">Radio</h2>') < page.index('<h2 class="medium press">Prensa</h2>')
    assert press.count("Reabren el mercado Hidalgo de Moroleón") == 1 and ">Moroleón estrena mercado<" not in press
    assert ('<a class="headline" href="https://diario-sur.example/2026/11/mercado">'
            'Reabren el mercado Hidalgo de Moroleón</a>') in press
    assert '07:40 · <span class="outlet">Diario del Sur</span>' in press
    assert "El Ayuntamiento de <strong>Moroleón</strong> reabrió el mercado Hidalgo." in press
    assert ('También en: <a href="https://el-sol.example/2026/11/mercado-hidalgo" title="Moroleón estrena mercado">'
            'El Sol del Bajío</a>, <a href="https://am-celaya.example/2026/11/mercado-moroleon" '
            'title="Mercado remodelado en el sur">AM de Celaya</a>') in press
    assert f'<a href="{BASE_URL}/articulo/{press_day["sur"]}">Ver en radiomon</a>' in press
    assert "Jalisco" not in page and "Nota de ayer" not in page
    assert ('<th class="n">Radio</th><th class="n">Prensa</th><th class="n">Total</th>'
            in page.replace("\n", ""))


def test_markdown_and_json_carry_the_press(config, press_day, archive, tmp_path):
    jobs.digest(config, archive, day=DAY, out=tmp_path / "s.md", fmt="md")
    text = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert ("- **07:40** · Diario del Sur · [Reabren el mercado Hidalgo de Moroleón]"
            "(https://diario-sur.example/2026/11/mercado) · *Moroleón*\n") in text
    assert "Sin revisar" not in text and "×" not in text
    assert "También en: [El Sol del Bajío](https://el-sol.example/2026/11/mercado-hidalgo)" in text
    jobs.digest(config, archive, day=DAY, out=tmp_path / "s.json", fmt="json")
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert (data["total"], data["radio_total"], data["press_total"]) == (5, 2, 3)
    assert data["press"][1]["items"][0]["outlet_id"] == "diario-sur"


def test_a_headline_link_is_never_anything_but_http(config, press_day, archive):
    with archive.write() as conn:  # as an odd feed might have given it
        conn.execute("UPDATE articles SET url = 'javascript:alert(1)' WHERE id = ?", (press_day["fuego"],))
    model = digests.collect_digest(config, archive, day=DAY)
    assert model.press[0].items[0].url == ""


def test_a_radio_only_day_reads_as_before(config, archive, deployment):
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    add_mention(archive, "radio-uno", local(8, 0), "municipio", "Moroleón", "En Moroleón.")
    model = digests.collect_digest(config, archive, day=DAY)
    assert (model.title, model.has_press) == ("Síntesis informativa — Radio", False)
    assert model.summary_headings == ("Grupo", "Radio Uno Moroleón", "Receptor FM de la oficina", "Total")


# -- audio-only consumers ------------------------------------------------------------------------
def test_testigos_and_clips_leave_press_mentions_alone(config, press_day, archive, tmp_path):
    day = digests.day_period(DAY, config.timezone)
    mentions = archive.list_mentions(Filters(since=day[0], until=day[1]))
    assert {m.medium for m in mentions} == {"radio", "press"}
    names = testigos.testigo_names(mentions, config.timezone)
    assert set(names) == {press_day["radio-feria"], press_day["radio-incendio"]}
    result = testigos.write_testigos(config, archive, Filters(since=day[0], until=day[1]), tmp_path / "t")
    # The radio ones fail (imported transcripts have no audio); no row for a press mention.
    assert len(result.rows) == 2 and all("recording" in r.error for r in result.failed)
    with pytest.raises(clips.ClipError, match=r"printed in article \d+ \(press\).*only radio mentions have a clip"):
        clips.cut_clip(config, archive, press_day["m-sur"], out=tmp_path / "c.mp3")


# -- the weekly report ------------------------------------------------------------------------------
WEEK = "2026-W48"  # Monday 23 to Sunday 29 November 2026


def test_the_weekly_report_counts_outlets_beside_stations(config, press_day, archive, deployment, tmp_path):
    (deployment / "keywords.yml").write_text(KEYWORDS.replace("priority: high\n", "priority: high\n    report: true\n",
                                                              1), encoding="utf-8")
    report = weekly.collect_weekly(config, archive, week=WEEK, now=datetime(2026, 12, 1, 12, tzinfo=timezone.utc))
    [municipio] = [d for d in report.departments if d.key == "municipio"]
    # Radio 08:01 Wednesday; press: Diario del Sur and El Sol on Wednesday, Correo on Tuesday (22:00 local).
    assert (municipio.total, municipio.radio_total, municipio.press_total) == (4, 1, 3)
    assert [(r.station, r.counts[1:3], r.total) for r in municipio.by_outlet] == [
        ("Correo de Guanajuato", (1, 0), 1), ("Diario del Sur", (0, 1), 1), ("El Sol del Bajío", (0, 1), 1)]
    assert [(r.station, r.total) for r in municipio.by_station] == [("Radio Uno Moroleón", 1)]
    assert [(o.station, o.count) for o in report.busiest_outlets] == [
        ("Correo de Guanajuato", 1), ("Diario del Sur", 1), ("El Sol del Bajío", 1)]
    assert report.department_headings == ("Dependencia", "Radio", "Prensa", "Esta semana", "Semana anterior",
                                          "Cambio")
    out = tmp_path / "semana.docx"
    out.write_bytes(render_weekly(report, "docx"))
    document = docx.Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Medios impresos y digitales con más menciones" in headings
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert ["Dependencia", "Radio", "Prensa", "Esta semana", "Semana anterior", "Cambio"] == tables[1][0]
    assert ["Municipio de Moroleón", "1", "3", "4", "0", "+4 (sin menciones la semana anterior)"] in tables[1]
    # The overall summary first: radio and press apart, the outlet that printed most.
    assert tables[0][:4] == [["Concepto", "Semana"], ["Menciones en la semana", "4 (semana anterior: 0)"],
                             ["Radio", "1"], ["Prensa", "3"]]
    assert ["Medio impreso con más menciones", "Correo de Guanajuato (1)"] in tables[0]
    assert ["Medio", "lun 23", "mar 24", "mié 25", "jue 26", "vie 27", "sáb 28", "dom 29", "Total"] in [
        t[0] for t in tables]
    page = render_weekly(report, "html").decode("utf-8")
    assert "<h2>Medios impresos y digitales con más menciones</h2>" in page
    assert "<th>Medio</th>" in page and "<tr><td>Correo de Guanajuato</td><td class=\"n\">1</td></tr>" in page
    assert "Jalisco" not in page
    text = render_weekly(report, "md").decode("utf-8")
    assert "| Municipio de Moroleón | 1 | 3 | 4 | 0 | +4 (sin menciones la semana anterior) |" in text


def test_a_radio_only_week_has_no_press_columns(config, archive, deployment):
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    add_mention(archive, "radio-uno", local(8, 0), "dependencias", "Obras Públicas", "Obras Públicas informa.")
    report = weekly.collect_weekly(config, archive, week=WEEK, now=datetime(2026, 12, 1, 12, tzinfo=timezone.utc))
    assert report.department_headings == ("Dependencia", "Esta semana", "Semana anterior", "Cambio")
    assert report.busiest_outlets == () and report.departments[0].by_outlet == ()


def test_press_mentions_in_a_date_filtered_list_do_not_break_the_day(config, press_day, archive):
    day = date(2026, 11, 24)  # the day before: only the press note of 22:00
    model = digests.collect_digest(config, archive, day=day)
    assert [(i.outlet, i.title) for s in model.press for i in s.items] == [
        ("Correo de Guanajuato", "Nota de ayer sobre Moroleón")]
    assert model.sections == () and model.summary_table == [["Municipio de Moroleón", 0, 0, 0, 1, 1]]
