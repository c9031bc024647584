"""The press collector's pure parts: URL normal form, feed/sitemap parsing, decoding, stories."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from radiomon.pipeline.press import PressError
from radiomon.pipeline.press.extract import decode_html, extract_article
from radiomon.pipeline.press.feeds import parse_datetime, parse_feed
from radiomon.pipeline.press.stories import StorySignature, distance, find_story, group, simhash
from radiomon.pipeline.press.urls import normalize_url, url_key

UTC = timezone.utc
FETCHED = datetime(2026, 5, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url, normalized",
    [
        ("https://diario.example/nota/?utm_source=rss&utm_medium=rss", "https://diario.example/nota/"),
        ("https://diario.example/nota/?fbclid=IwAR0&gclid=x&mc_cid=1&mc_eid=2", "https://diario.example/nota/"),
        ("https://diario.example/nota/?b=2&a=1&utm_campaign=x", "https://diario.example/nota/?a=1&b=2"),
        ("HTTPS://Diario.Example:443/nota/#comentarios", "https://diario.example/nota/"),
        ("http://diario.example:80/nota", "http://diario.example/nota"),
        ("http://diario.example:8080/nota", "http://diario.example:8080/nota"),
        ("https://diario.example", "https://diario.example/"),
        ("https://diario.example/moroleón/", "https://diario.example/morole%C3%B3n/"),
        ("https://diario.example/morole%c3%b3n/", "https://diario.example/morole%C3%B3n/"),
        ("https://diario.example/nota?id=7&page=", "https://diario.example/nota?id=7&page="),
    ],
)
def test_normalize_url(url, normalized):
    assert normalize_url(url) == normalized


@pytest.mark.parametrize(
    "a, b",
    [
        ("http://www.diario.example/nota/", "https://diario.example/nota/"),
        ("https://diario.example/nota/?utm_source=rss", "https://diario.example/nota/?fbclid=1#respond"),
        ("https://diario.example/n?x=1&y=2", "https://WWW.diario.example/n?y=2&x=1&utm_medium=feed"),
    ],
)
def test_one_key_however_an_article_is_linked(a, b):
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("https://diario.example/nota/", "https://diario.example/nota"),  # a site may serve both differently
        ("https://diario.example/nota?id=1", "https://diario.example/nota?id=2"),
        ("https://diario.example/nota/", "https://otro.example/nota/"),
        ("https://wwwdiario.example/nota/", "https://diario.example/nota/"),
    ],
)
def test_different_articles_keep_different_keys(a, b):
    assert url_key(a) != url_key(b)


def test_relative_links_resolve_and_non_http_is_refused():
    assert normalize_url("/nota/?utm_source=x", base="https://diario.example/feed/") == "https://diario.example/nota/"
    for bad in ("mailto:a@b.example", "javascript:void(0)", "ftp://diario.example/x", "", "https://"):
        with pytest.raises(PressError):
            normalize_url(bad)


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Diario</title>
<item><title>Moroleón &amp; Uriangato</title><link>/nota/1/?utm_source=rss</link>
<pubDate>Mon, 04 May 2026 10:00:00 -0600</pubDate><category>Municipios</category></item>
<item><title>Futura</title><link>https://d.example/nota/2/</link>
<pubDate>Mon, 04 May 2099 10:00:00 -0600</pubDate></item>
<item><title>Sin fecha</title><link>https://d.example/nota/3/</link><pubDate>el lunes</pubDate></item>
</channel></rss>""".encode()


def test_rss_entries_with_dates_in_utc_and_future_or_unreadable_ones_dropped():
    feed = parse_feed(RSS, url="https://d.example/feed/", fetched_at=FETCHED)
    assert feed.ok and feed.kind == "rss" and feed.title == "Diario"
    first, future, undated = feed.entries
    assert first.url == "https://d.example/nota/1/?utm_source=rss"
    assert first.title == "Moroleón & Uriangato"
    assert first.published == datetime(2026, 5, 4, 16, 0, tzinfo=UTC)
    assert first.section == "Municipios"
    assert future.published is None and future.title == "Futura"
    assert undated.published is None


def test_atom_entries():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>GTO</title>
    <entry><title>Patrullas</title><link href="/e/1"/><id>1</id><published>2026-05-04T18:45:00-06:00</published>
    <author><name>Jos\xc3\xa9 \xc3\x81ngel</name></author></entry></feed>"""
    feed = parse_feed(atom, url="https://gto.example/atom.xml", fetched_at=FETCHED)
    assert feed.kind == "atom"
    (entry,) = feed.entries
    assert (entry.url, entry.author) == ("https://gto.example/e/1", "José Ángel")
    assert entry.published == datetime(2026, 5, 5, 0, 45, tzinfo=UTC)


def test_html_page_malformed_feed_and_entity_bomb_are_error_values():
    html = parse_feed(b"<!DOCTYPE html><html><body>Portada</body></html>", url="https://d.example/", fetched_at=FETCHED)
    assert html.kind == "error" and "HTML page, not a feed" in html.error and html.entries == ()
    broken = parse_feed(b"<rss><channel><item><title>sin cerrar", url="https://d.example/f", fetched_at=FETCHED)
    assert not broken.ok and "malformed" in broken.error
    junk = parse_feed(b"\x00\x01 nada", url="https://d.example/f", fetched_at=FETCHED)
    assert not junk.ok
    bomb = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://d.example/&b;</loc></url></urlset>"""
    refused = parse_feed(bomb, url="https://d.example/sitemap.xml", fetched_at=FETCHED)
    assert not refused.ok and "entities" in refused.error


def test_a_body_that_is_a_path_never_opens_the_file(tmp_path):
    # feedparser opens a str or bytes that names a file; a body must only ever be data.
    local = tmp_path / "feed.xml"
    local.write_bytes(RSS)
    result = parse_feed(str(local).encode(), url="https://d.example/f", fetched_at=FETCHED)
    assert not result.ok and result.entries == ()


def test_news_sitemap_and_index():
    news = b"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
    <url><loc>https://h.example/nota/1/</loc><news:news><news:publication><news:name>H</news:name></news:publication>
    <news:publication_date>2026-05-04T13:05:00-06:00</news:publication_date><news:title>Sin agua el centro</news:title>
    <news:keywords>Servicios, Agua</news:keywords></news:news></url>
    <url><loc>https://h.example/nota/2/</loc><lastmod>2026-05-04</lastmod></url></urlset>"""
    feed = parse_feed(news, url="https://h.example/news.xml", fetched_at=FETCHED)
    assert feed.kind == "news-sitemap"
    first, second = feed.entries
    assert (first.title, first.section) == ("Sin agua el centro", "Servicios")
    assert first.published == datetime(2026, 5, 4, 19, 5, tzinfo=UTC)
    assert second.published is None and second.updated is None  # a bare date says no hour
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc>
    <lastmod>2026-05-04T20:00:00Z</lastmod></sitemap></sitemapindex>"""
    parsed = parse_feed(index, url="https://h.example/index.xml", fetched_at=FETCHED)
    assert parsed.kind == "sitemap-index"
    assert parsed.sitemaps == (("https://h.example/s1.xml", datetime(2026, 5, 4, 20, 0, tzinfo=UTC)),)


def test_parse_datetime_rules():
    assert parse_datetime("2026-05-04T10:00:00-06:00", FETCHED) == datetime(2026, 5, 4, 16, 0, tzinfo=UTC)
    assert parse_datetime("2026-05-05T12:00:01Z", FETCHED) is None  # a second after the fetch
    assert parse_datetime("mañana", FETCHED) is None
    mexico = timezone(timedelta(hours=-6))
    assert parse_datetime("2026-05-04T10:00:00", FETCHED, naive_tz=mexico) == datetime(2026, 5, 4, 16, tzinfo=UTC)


def test_decode_by_header_then_meta_then_detection():
    text = "<html><body><p>Moroleón, Uriangato y Acámbaro: año de obras</p></body></html>"
    latin = text.encode("iso-8859-1")
    assert decode_html(text.encode("utf-8"), "text/html; charset=utf-8") == (text, "utf-8")
    # A header that lies (UTF-8 for ISO-8859-1 bytes) falls through to detection.
    decoded, _ = decode_html(latin, "text/html; charset=utf-8")
    assert decoded == text
    with_meta = b'<meta charset="iso-8859-1">' + latin
    assert decode_html(with_meta, "text/html")[1] == "iso8859-1"
    assert "Moroleón" in decode_html(latin, None)[0]


def test_extract_refuses_what_is_not_an_article():
    teaser = b"<html><body><p>Breve.</p></body></html>"
    result = extract_article(teaser, url="https://d.example/n", fetched_at=FETCHED)
    assert not result.ok and result.text == "" and "no article text" in result.error
    pdf = extract_article(b"%PDF-1.4", url="https://d.example/n.pdf", fetched_at=FETCHED,
                          headers={"Content-Type": "application/pdf"})
    assert not pdf.ok and "application/pdf" in pdf.error


WIRE = (
    "El Sistema Municipal de Agua Potable informó que el miércoles se suspenderá el suministro en la zona centro "
    "de Moroleón desde las ocho de la mañana hasta las seis de la tarde por la sustitución de una válvula de "
    "distribución en el cruce de Juárez y Allende, donde se detectó una fuga de cuatro litros por segundo. "
    "El organismo recomendó almacenar agua con anticipación y reportar fugas al número de atención ciudadana."
)
OTHER = (
    "El cabildo aprobó por mayoría el nuevo reglamento de tránsito y vialidad, que sustituye al publicado hace "
    "diecinueve años; establece multas más altas por estacionarse en doble fila frente a las escuelas y crea la "
    "figura del agente vial comunitario, mientras la oposición pidió una consulta pública más amplia."
)


def test_simhash_groups_copies_and_keeps_other_stories_apart():
    copy = "Agencias. " + WIRE.upper().replace("ó", "o") + " Con información de Quadratín."
    assert distance(simhash(WIRE), simhash(copy)) <= 8
    assert distance(simhash(WIRE), simhash(OTHER)) > 8
    assert simhash("Breve nota.") is None
    day = datetime(2026, 5, 4, 18, tzinfo=UTC)
    recent = [StorySignature("s-agua", simhash(WIRE), day), StorySignature("s-cabildo", simhash(OTHER), day)]
    assert find_story(simhash(copy), day + timedelta(hours=2), recent) == "s-agua"
    assert find_story(simhash(copy), day + timedelta(days=10), recent) is None  # outside the window
    batch = [("a", simhash(WIRE), day), ("b", simhash(OTHER), day), ("c", simhash(copy), day)]
    assert group(batch) == {"a": "a", "b": "b", "c": "a"}
    # The headline each outlet writes is left out when given: only the shared body counts.
    headline = "Suspenderán el servicio de agua potable en la zona centro de Moroleón por reparación de la red"
    assert simhash(headline + "\n" + WIRE, titles=[headline]) == simhash(WIRE)
