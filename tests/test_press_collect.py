"""The press collector end to end against fixture outlets on loopback (tests/press_sites.py).

Two passes, as the daemon runs them: the first collects every new article
once, the second asks the feeds conditionally and fetches no page again.
Assertions are on content (the article's sentences, never the chrome's),
on what the servers saw (robots.txt honoured: a disallowed page is never
requested), and on bounds (a hanging host, a 30 MB page).
"""

from __future__ import annotations

import threading
import time
import tracemalloc
from datetime import datetime, timezone

import pytest
from press_sites import PressSite, press_sites  # noqa: F401 (fixture)

from radiomon.pipeline.press.collect import CollectOptions, Outlet, collect
from radiomon.pipeline.press.fetch import DISALLOWED, ERROR, GONE, OK, UNCHANGED, FetchOptions, PoliteClient, user_agent
from radiomon.pipeline.press.stories import group

UTC = timezone.utc
CONTACT = "comunicacion@moroleon.example"
# The fixtures are dated May 2026: look back far enough to take them, not so far as the 2019 sitemap.
MAX_AGE = datetime.now(UTC) - datetime(2026, 4, 1, tzinfo=UTC)


def options(**overrides) -> FetchOptions:
    values = dict(user_agent=user_agent(CONTACT), polite_delay=0.0, connect_timeout=2.0, read_timeout=1.0,
                  deadline=5.0, max_bytes=1_000_000, backoff=0.05, trust_env=False)
    values.update(overrides)
    return FetchOptions(**values)


def outlets(sites) -> list[Outlet]:
    sur, heraldo, gto, colgado = (sites[n] for n in ("diario-sur", "el-heraldo", "noticias-gto", "colgado"))
    return [
        Outlet("diario-sur", (sur.url("/feed/"), sur.url("/category/municipios/feed/"))),
        Outlet("el-heraldo", (heraldo.url("/sitemap_index.xml"),)),
        Outlet("noticias-gto", (gto.url("/atom.xml"), gto.url("/portada/"))),
        Outlet("colgado", (colgado.url("/feed/"),)),
    ]


@pytest.fixture(scope="module")
def passes(press_sites):
    """Both passes' results, and the paths each server saw during each pass."""
    stored: set[str] = set()
    collect_options = CollectOptions(deadline=8.0, max_age=MAX_AGE)
    with PoliteClient(options()) as client:
        started = time.monotonic()
        first = collect(outlets(press_sites), client=client, is_stored=stored.__contains__, options=collect_options)
        first_seconds = time.monotonic() - started
        seen_first = {name: site.paths() for name, site in press_sites.items()}
        # The archive stores what came back (and the aliases); the caller keeps the feeds' state.
        for result in first:
            stored.update(article.key for article in result.articles)
            stored.update(key for key, _ in result.aliases)
        again = [Outlet(o.id, o.feeds, r.state) for o, r in zip(outlets(press_sites), first)]
        second = collect(again, client=client, is_stored=stored.__contains__, options=collect_options)
    seen_second = {name: site.paths()[len(seen_first[name]):] for name, site in press_sites.items()}
    return {
        "first": {r.outlet: r for r in first},
        "second": {r.outlet: r for r in second},
        "seen_first": seen_first,
        "seen_second": seen_second,
        "first_seconds": first_seconds,
    }


def article(result, path: str):
    (found,) = [a for a in result.articles if a.url.endswith(path)]
    return found


def test_text_without_boilerplate(passes):
    mercado = article(passes["first"]["diario-sur"], "/2026/05/04/mercado-hidalgo/")
    assert mercado.text.startswith("Rehabilitarán el mercado Hidalgo de Moroleón")
    assert "con una inversión de 12 millones de pesos que se ejercerá en dos etapas" in mercado.text
    assert mercado.text.endswith("deberá concluir antes de las fiestas patronales de diciembre.")
    for chrome in ("Lo más leído", "Aparatoso choque", "Feria del Suéter con más de cien", "huele a drenaje",
                   "Compre su terreno", "Mueblería", "el periódico de Moroleón desde 1987", "Noticias de Moroleón y la",
                   "Publicar comentario"):
        assert chrome not in mercado.text, chrome
    agua = article(passes["first"]["el-heraldo"], "/nota/sin-agua-centro/")
    for chrome in ("Hotel Plaza Moroleón", "presunto asaltante", "que vergüenza", "Oficinas en Moroleón"):
        assert chrome not in agua.text, chrome


def test_titles_authors_sections_and_times_in_utc(passes):
    sur, heraldo, gto = (passes["first"][n] for n in ("diario-sur", "el-heraldo", "noticias-gto"))
    mercado = article(sur, "/2026/05/04/mercado-hidalgo/")
    assert mercado.title == "Rehabilitarán el mercado Hidalgo de Moroleón; inversión de 12 millones"
    assert (mercado.author, mercado.section) == ("Laura Méndez", "Municipios")
    assert (mercado.published, mercado.published_source) == (datetime(2026, 5, 4, 16, 0, tzinfo=UTC), "feed")
    patrullas = article(gto, "/estado/patrullas-sur.html")
    assert patrullas.title == "Gobierno estatal entrega patrullas a municipios del sur"
    assert patrullas.author == "José Ángel Ramírez"
    assert patrullas.published == datetime(2026, 5, 5, 0, 45, tzinfo=UTC)  # 18:45 -06:00
    # The feed dates the Feria in 2099: ignored, the page's JSON-LD datePublished (09:15 -05:00) is used.
    feria = article(sur, "/2026/05/03/feria-del-sueter/")
    assert (feria.published, feria.published_source) == (datetime(2026, 5, 3, 14, 15, tzinfo=UTC), "page")
    # The news sitemap's date is unreadable ("ayer por la tarde"): the page's <time datetime> decides.
    cabildo = article(heraldo, "/nota/cronica-del-cabildo/")
    assert (cabildo.published, cabildo.published_source) == (datetime(2026, 5, 3, 1, 40, tzinfo=UTC), "page")
    for result in (sur, heraldo, gto):
        for item in result.articles:
            assert item.published.tzinfo is not None and item.published.utcoffset().total_seconds() == 0
            assert item.published <= item.fetched


def test_iso_8859_1_page_decoded(passes):
    cabildo = article(passes["first"]["el-heraldo"], "/nota/cronica-del-cabildo/")
    assert cabildo.encoding == "iso8859-1"
    assert cabildo.title == "Crónica del cabildo: aprueban reglamento de tránsito"
    assert "el cabildo de Moroleón aprobó por mayoría el nuevo reglamento de tránsito" in cabildo.text
    assert "\ufffd" not in cabildo.text


def test_one_candidate_per_article_across_feeds_and_tracking_params(passes):
    sur = passes["first"]["diario-sur"]
    urls = sorted(a.url.removeprefix(a.url.split("/2026")[0]) for a in sur.articles)
    assert urls == ["/2026/05/03/feria-del-sueter/", "/2026/05/04/agua-zona-centro/", "/2026/05/04/mercado-hidalgo/"]
    seen = passes["seen_first"]["diario-sur"]
    assert seen.count("/2026/05/04/mercado-hidalgo/") == 1  # listed by two feeds with different utm_ and fbclid
    assert not any("utm_" in path or "fbclid" in path for path in seen)
    mercado = article(sur, "/2026/05/04/mercado-hidalgo/")
    assert mercado.canonical_key == mercado.key and "?" not in mercado.url


def test_second_pass_is_conditional_and_fetches_nothing_again(passes, press_sites):
    second = passes["second"]
    for name in ("diario-sur", "el-heraldo", "noticias-gto"):
        assert second[name].articles == () and second[name].status == "unchanged", second[name].summary()
    sur_feeds = {f.url.split(":", 2)[2].split("/", 1)[1]: f.outcome for f in second["diario-sur"].feeds}
    assert sur_feeds == {"feed/": UNCHANGED, "category/municipios/feed/": UNCHANGED}
    # WordPress answered 304 to If-None-Match / If-Modified-Since; no article page was asked for.
    assert passes["seen_second"]["diario-sur"] == ["/feed/", "/category/municipios/feed/"]
    sent = [h for p, h in press_sites["diario-sur"].requests if p == "/feed/"]
    assert "if-none-match" not in sent[0] and sent[1]["if-none-match"] == '"feed-v1"'
    # The sitemaps and the Atom feed never answer 304: the body hash says unchanged.
    assert passes["seen_second"]["el-heraldo"] == ["/sitemap_index.xml", "/news-sitemap.xml", "/post-sitemap1.xml"]
    assert [f.outcome for f in second["el-heraldo"].feeds] == [UNCHANGED] * 3
    assert [f.outcome for f in second["noticias-gto"].feeds][0] == UNCHANGED
    assert passes["seen_second"]["noticias-gto"] == ["/atom.xml", "/portada/"]


def test_robots_honoured_and_bad_articles_are_values(passes):
    heraldo = passes["first"]["el-heraldo"]
    seen = passes["seen_first"]["el-heraldo"]
    assert "/privado/exclusiva/" not in seen
    assert "/nota/impresion/?imprimir=1" not in seen  # the wildcard rule Disallow: /*?imprimir=
    assert "/nota/vieja/" not in seen  # listed in 2019: older than max_age
    assert seen[0] == "/robots.txt"
    problems = {p.url.split("/", 3)[3]: (p.reason, p.error) for p in heraldo.problems}
    assert problems["privado/exclusiva/"][0] == "disallowed"
    assert problems["nota/impresion/?imprimir=1"][0] == "disallowed"
    assert problems["nota/retirada/"] == ("gone", "HTTP 410 Gone")
    assert problems["nota/bucle/"][0] == "error" and "redirect loop" in problems["nota/bucle/"][1]
    assert problems["nota/enorme/"][0] == "error" and "cap of 1,000,000 bytes" in problems["nota/enorme/"][1]
    sur = {p.url.split("/", 3)[3]: p.reason for p in passes["first"]["diario-sur"].problems}
    assert sur == {"2026/05/01/ambulantes/": "gone"}
    assert heraldo.status == "new" and "not fetched" in heraldo.summary()


def test_failures_stay_per_outlet_and_the_pass_is_bounded(passes):
    colgado = passes["first"]["colgado"]
    assert colgado.status == "failed" and "timed out" in colgado.error
    assert colgado.summary().startswith("colgado: failed: ")
    gto = passes["first"]["noticias-gto"]
    assert gto.status == "new"  # its second feed is an HTML page: a line, not a failure of the outlet
    (portada,) = [f for f in gto.feeds if f.url.endswith("/portada/")]
    assert "HTML page, not a feed" in portada.error
    # The hanging host holds its request until the server stops (120 s); the pass is bounded far below.
    assert passes["first_seconds"] < CollectOptions(deadline=8.0).deadline + options().read_timeout + 10


def test_the_wire_story_on_two_outlets_is_one_story(passes):
    articles = [a for r in passes["first"].values() for a in r.articles]
    stories = group([(a.key, a.simhash, a.published) for a in articles])
    sur_agua = next(a.key for a in passes["first"]["diario-sur"].articles if "agua-zona-centro" in a.key)
    heraldo_agua = next(a.key for a in passes["first"]["el-heraldo"].articles if "sin-agua-centro" in a.key)
    assert stories[sur_agua] == stories[heraldo_agua]
    assert len(set(stories.values())) == len(articles) - 1  # nothing else grouped


# -- the client alone -----------------------------------------------------------


@pytest.fixture(scope="module")
def misbehaving():
    site = PressSite("misbehaving")
    calls = {"limited": 0}

    def limited(request):
        calls["limited"] += 1
        if calls["limited"] == 1:
            site.send(request, 429, b"", "text/plain", Retry_After="1")
        else:
            site.send(request, 200, b"<html><body>ok</body></html>", "text/html")

    def trickle(request):
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.end_headers()
        while not site.stop.wait(0.2):  # a byte every 0.2 s: no read ever times out
            request.wfile.write(b"x")
            request.wfile.flush()

    slow_lock = threading.Lock()

    def slow(request):
        # Counted here, not by the site: an earlier test's handler may still be writing to a closed socket.
        with slow_lock:
            calls["slow_active"] = calls.get("slow_active", 0) + 1
            calls["slow_max"] = max(calls.get("slow_max", 0), calls["slow_active"])
        time.sleep(0.3)
        with slow_lock:
            calls["slow_active"] -= 1
        site.send(request, 200, b"<html><body>lento</body></html>", "text/html")

    site.routes.update({"/limited": limited, "/trickle": trickle, "/slow": slow})
    site.routes["/unavailable"] = lambda r: site.send(r, 503, b"", "text/plain", Retry_After="3600")
    site.routes["/robots.txt"] = lambda r: site.send(r, 200, b"User-agent: *\nDisallow:\n", "text/plain")
    site.huge("/huge")
    site.calls = calls
    yield site.start()
    site.close()


def test_retry_after_honoured_then_the_answer(misbehaving):
    with PoliteClient(options()) as client:
        result = client.get(misbehaving.url("/limited"))
    assert result.outcome == OK and result.body == b"<html><body>ok</body></html>"
    times = [t for (p, _), t in zip(misbehaving.requests, misbehaving.times) if p == "/limited"]
    assert len(times) == 2 and times[1] - times[0] >= 1.0


def test_a_long_retry_after_is_not_waited_for(misbehaving):
    with PoliteClient(options(max_retry_after=60)) as client:
        result = client.get(misbehaving.url("/unavailable"))
    assert result.outcome == ERROR and result.status == 503 and result.retry_after == 3600
    assert "Retry-After 3600 s" in result.error
    assert misbehaving.seen("/unavailable") == 1


def test_total_deadline_cuts_a_trickling_body(misbehaving):
    started = time.monotonic()
    with PoliteClient(options(deadline=2.0, read_timeout=1.0)) as client:
        result = client.get(misbehaving.url("/trickle"))
    assert result.outcome == ERROR and "deadline" in result.error
    assert time.monotonic() - started < 2.0 + 1.0 + 5  # the server would trickle for 120 s


def test_size_cap_keeps_memory_flat(misbehaving):
    with PoliteClient(options(max_bytes=1_000_000)) as client:
        client.allowed(misbehaving.url("/huge"))  # robots.txt read first, outside the measure
        tracemalloc.start()
        try:
            result = client.get(misbehaving.url("/huge"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.outcome == ERROR and "cap" in result.error and result.body == b""
    assert peak < 5_000_000  # the server offers 30 MB


def test_one_request_at_a_time_per_host_and_an_honest_user_agent(misbehaving):
    with PoliteClient(options()) as client:
        threads = [threading.Thread(target=client.get, args=(misbehaving.url("/slow"),)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert misbehaving.seen("/slow") == 4 and misbehaving.calls["slow_max"] == 1
    agent = dict(misbehaving.requests[0][1])["user-agent"]
    assert agent.startswith("radiomon/") and CONTACT in agent


def test_robots_disallow_and_sitemaps(press_sites):
    heraldo = press_sites["el-heraldo"]
    with PoliteClient(options()) as client:
        result = client.get(heraldo.url("/privado/exclusiva/"))
        assert result.outcome == DISALLOWED and "robots.txt" in result.error
        expected = [heraldo.url("/sitemap_index.xml"), heraldo.url("/news-sitemap.xml")]
        assert client.sitemaps(heraldo.url("/")) == expected
        assert client.get(heraldo.url("/nota/retirada/")).outcome == GONE
    assert "/privado/exclusiva/" not in heraldo.paths()
