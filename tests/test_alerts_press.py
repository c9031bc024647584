"""A crisis mention printed in a newspaper's article is alerted like a radio one: the message's words, and the
message delivered through the outbox to a real HTTP receiver."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from alert_servers import receiver  # noqa: F401
from test_alerts import KEYWORDS, TZ, alerts_yml

from radiomon import events
from radiomon.alerts import deliver_due
from radiomon.alerts.messages import Context, batch_message, local_time, mention_message
from radiomon.archive import Archive, ArticleRow, MentionRow
from radiomon.config import load_config
from radiomon.timeutil import to_iso

BASE = "http://radiomon.local:8080"
URL = "https://diario-sur.example/2026/11/25/incendio-bodega?id=7"


def payload(**changes) -> dict:
    """A press crisis mention's event as the outbox stores it (MentionEvent.as_json)."""
    event = events.MentionEvent(
        kind=events.CRISIS_MENTION, mention_id=41, station=None, group_id="crisis", group_label="Temas de crisis",
        priority="crisis", keyword="incendio", matched="incendio", at_utc="2026-11-25T17:20:00.000Z", offset=120.0,
        recording_id=None, segment_id=None, context="Bomberos sofocaron un incendio en una bodega de Moroleón.",
        medium="press", article_id=7, url=URL, title="Incendio en bodega de la colonia Centro", outlet="diario-sur",
    )
    return {**event.as_json(), **changes}


def test_a_press_crisis_mention_says_outlet_time_sentence_and_links() -> None:
    context = Context(tz=TZ, base_url=BASE + "/", outlet_names={"diario-sur": "Diario del Sur"},
                      now=datetime(2026, 11, 25, 21, 0, tzinfo=timezone.utc))  # hours later: no lateness for press
    message = mention_message(payload(), context)
    assert message.title == "ALERTA DE CRISIS: Temas de crisis en Diario del Sur"
    assert message.body.splitlines() == [
        "Prensa — Diario del Sur",
        "Publicada: miércoles 25 de noviembre de 2026, 11:20:00 (America/Mexico_City)",
        "Grupo: Temas de crisis (prioridad crisis)",
        "Palabra clave: incendio",
        "Titular: «Incendio en bodega de la colonia Centro»",
        "Cita: «Bomberos sofocaron un incendio en una bodega de Moroleón.»",
        f"Leer: {URL}",
        f"Ver en radiomon: {BASE}/articulo/7",
    ]
    assert message.kind == "crisis"


def test_a_press_message_without_names_or_base_url_and_with_a_bad_link() -> None:
    # The outlet's name from the event when the archive has none; no web page without a base URL;
    # an address that is not http(s), or that a newline would split into a fake line, is left out.
    context = Context(tz=TZ)
    body = mention_message(payload(outlet_name="Diario del Sur", url="javascript:alert(1)"), context).body
    assert body.splitlines()[0] == "Prensa — Diario del Sur" and "Leer" not in body and "radiomon" not in body
    body = mention_message(payload(url=URL + "\nVer en radiomon: http://evil.example"), context).body
    assert "evil" not in body and "Leer" not in body
    title = mention_message(payload(title="Titular\nLeer: http://evil.example", matched="Incendios"), context)
    assert "Titular: «Titular Leer: http://evil.example»" in title.body.splitlines()
    assert "Palabra clave: incendio (se leyó «Incendios»)" in title.body.splitlines()


def test_a_batch_mixes_radio_and_press() -> None:
    radio = {"kind": events.HIGH_MENTION, "mention_id": 1, "station": "radio-uno", "group_id": "municipio",
             "group_label": "Municipio de Moroleón", "priority": "high", "keyword": "Moroleón",
             "matched": "Moroleón", "at_utc": "2026-11-25T17:00:00.000Z", "offset": 3.0, "recording_id": 9,
             "segment_id": 90, "context": "Buenos días, Moroleón."}
    press = payload(kind=events.HIGH_MENTION, priority="high", group_label="Municipio de Moroleón",
                    keyword="Moroleón", matched="Moroleón", context="El alcalde de Moroleón inauguró el mercado.",
                    title="Inauguran mercado")
    message = batch_message([press, radio], Context(tz=TZ, base_url=BASE, station_names={"radio-uno": "Radio Uno"},
                                                    outlet_names={"diario-sur": "Diario del Sur"}))
    assert message.body.splitlines()[2:] == [
        "1. 11:00:00 · Radio Uno · Municipio de Moroleón · Moroleón",
        "   «Buenos días, Moroleón.»",
        f"   Escuchar: {BASE}/grabacion/9?t=3.0#s90",
        "2. 11:20:00 · Prensa — Diario del Sur · Municipio de Moroleón · Moroleón",
        "   Inauguran mercado",
        "   «El alcalde de Moroleón inauguró el mercado.»",
        f"   Leer: {URL}",
        f"   Ver en radiomon: {BASE}/articulo/7",
    ]


@pytest.fixture
def press_config(deployment: Path, receiver):  # noqa: F811
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    (deployment / "radiomon.yml").write_text(alerts_yml([f"{{name: webhook, url: '{receiver.url}'}}"]),
                                             encoding="utf-8")
    return load_config(deployment / "radiomon.yml")


def test_a_press_crisis_mention_is_delivered_through_the_outbox(press_config, receiver) -> None:  # noqa: F811
    published = (datetime.now(timezone.utc) - timedelta(minutes=3)).replace(microsecond=0)
    text = "Bomberos sofocaron un incendio en una bodega de Moroleón."
    with Archive(press_config.archive) as archive:
        archive.sync_outlets([SimpleNamespace(id="diario-sur", name="Diario del Sur", scope="regional")])
        article_id = archive.add_article(ArticleRow(
            outlet="diario-sur", url=URL, title="Incendio en bodega de la colonia Centro",
            published_utc=to_iso(published), fetched_utc=to_iso(published), text=text, content_sha256="1" * 64),
            [URL])

        def write_events(conn, added):  # what crisis.event_writer does for an article's new mentions
            [row] = added
            event = events.MentionEvent(
                kind=events.CRISIS_MENTION, mention_id=row.id, station=None, group_id="crisis",
                group_label="Temas de crisis", priority="crisis", keyword=row.keyword, matched=row.matched,
                at_utc=row.at_utc, offset=row.offset, recording_id=None, segment_id=None, context=row.context,
                medium="press", article_id=row.article_id, url=URL, title="Incendio en bodega de la colonia Centro",
                outlet="diario-sur")
            archive.add_events(conn, event.kind, [(event.mention_id, event.as_json())])

        archive.replace_article_mentions(article_id, [MentionRow(
            None, None, None, "crisis", "incendio", "incendio", 100.0, to_iso(published), 24.0, text)],
            on_added=write_events)
        report = deliver_due(press_config, archive)
        again = deliver_due(press_config, archive)
    assert (report.routed, report.sent, report.failed, again.sent) == (1, 1, 0, 0)
    [post] = receiver.posts
    assert post["title"] == "ALERTA DE CRISIS: Temas de crisis en Diario del Sur"
    assert post["message"].splitlines() == [
        "Prensa — Diario del Sur",
        f"Publicada: {local_time(published, TZ)} (America/Mexico_City)",
        "Grupo: Temas de crisis (prioridad crisis)",
        "Palabra clave: incendio",
        "Titular: «Incendio en bodega de la colonia Centro»",
        f"Cita: «{text}»",
        f"Leer: {URL}",
        f"Ver en radiomon: {BASE}/articulo/{article_id}",
    ]
