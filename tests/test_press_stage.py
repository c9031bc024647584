"""The press stage wired up: `radiomon press fetch|list|add`, matching, events, status and health.

Real components throughout: the fixture outlets on loopback (tests/press_sites.py),
the deployment's archive, keywords.yml and the CLI through CliRunner.
"""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta, timezone

import pytest
from conftest import RADIOMON_YML
from press_sites import PressSite, press_sites  # noqa: F401 (fixture)

from radiomon import events as events_mod
from radiomon.alerts.health import check_health
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.pipeline.match.press import reading_text

UTC = timezone.utc
# The fixtures are dated May 2026: a first pass must look back that far.
MAX_AGE_DAYS = (datetime.now(UTC) - datetime(2026, 4, 1, tzinfo=UTC)).days + 1

KEYWORDS = """\
defaults: {threshold: 88}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: normal
    terms:
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}
  emergencias:
    label: Emergencias
    priority: crisis
    terms: [fuga]
"""


def press_yml(sites, *, extra: str = "") -> str:
    sur, gto = press_sites_of(sites)
    return RADIOMON_YML + f"""\
press:
  contact: comunicacion@moroleon.example
  delay_seconds: 0
  deadline_seconds: 20
  max_age_days: {MAX_AGE_DAYS}
  outlets:
    - id: diario-sur
      name: Diario del Sur
      feeds: ["{sur.url('/feed/')}", "{sur.url('/category/municipios/feed/')}"]
      scope: regional
    - id: noticias-gto
      name: Noticias Guanajuato
      feeds: ["{gto.url('/atom.xml')}"]
      scope: estatal
{extra}"""


def press_sites_of(sites):
    return sites["diario-sur"], sites["noticias-gto"]


def closed_port() -> int:
    """A loopback port nothing listens on: a connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def no_traceback_of_ours(result) -> bool:
    """No radiomon frame in the output (the fixture servers' threads may print a client's reset)."""
    return "/radiomon/" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))


@pytest.fixture
def press_deployment(deployment, press_sites):
    (deployment / "radiomon.yml").write_text(press_yml(press_sites), encoding="utf-8")
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    return deployment


def test_fetch_twice_stores_each_article_once_and_says_unchanged(press_deployment, run):
    assert run("init", str(press_deployment)).exit_code == 0
    first = run("press", "fetch")
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0] == "diario-sur: 3 new, 1 not fetched (gone)"  # /2026/05/01/ambulantes/ answers 404
    assert lines[1] == "noticias-gto: 1 new"
    second = run("press", "fetch")
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines() == ["diario-sur: unchanged", "noticias-gto: unchanged"]
    listed = run("press", "list", "--format", "json")
    articles = json.loads(listed.stdout)
    assert sorted(a["url"].split("/", 3)[3] for a in articles) == [
        "2026/05/03/feria-del-sueter/", "2026/05/04/agua-zona-centro/", "2026/05/04/mercado-hidalgo/",
        "estado/patrullas-sur.html"]
    mercado = next(a for a in articles if a["url"].endswith("/mercado-hidalgo/"))
    assert mercado["medium"] == "press" and mercado["outlet"] == "diario-sur"
    assert mercado["title"] == "Rehabilitarán el mercado Hidalgo de Moroleón; inversión de 12 millones"
    assert mercado["published"] == "2026-05-04T16:00:00.000Z"
    assert isinstance(mercado["article_id"], int) and isinstance(mercado["story"], int)
    only = json.loads(run("press", "list", "--outlet", "noticias-gto", "--format", "json").stdout)
    assert [a["title"] for a in only] == ["Gobierno estatal entrega patrullas a municipios del sur"]
    with Archive(load_config(press_deployment / "radiomon.yml").archive) as archive:
        assert len(archive.article_ids()) == 4
        sur_feed = archive.feed_state(press_sites_of_url(press_deployment), "diario-sur")
        assert sur_feed.etag == '"feed-v1"' and sur_feed.error is None and sur_feed.failures == 0
        assert sur_feed.ok_utc and sur_feed.new_utc and sur_feed.checked_utc >= sur_feed.new_utc


def press_sites_of_url(deployment) -> str:
    return load_config(deployment / "radiomon.yml").press.outlet("diario-sur").feeds[0]


def test_article_mentions_are_press_mentions_with_the_contract_fields(press_deployment, run):
    run("init", str(press_deployment))
    assert run("press", "fetch").exit_code == 0
    config = load_config(press_deployment / "radiomon.yml")
    with Archive(config.archive) as archive:
        mentions = archive.list_mentions()
        assert mentions and all(m.medium == "press" and m.article_id for m in mentions)
        mercado_id = next(a.id for a in archive.list_articles() if a.url.endswith("/mercado-hidalgo/"))
        mercado = archive.article(mercado_id)
        title_mention = next(m for m in archive.article_mentions(mercado_id) if m.offset < len(mercado.title))
        reading = reading_text(mercado.title, mercado.text)
        # The offset points at the matched words in the text the matcher read.
        assert reading[int(title_mention.offset):].startswith(title_mention.matched)
        assert title_mention.at_utc == mercado.published_utc == "2026-05-04T16:00:00.000Z"
        assert title_mention.context == mercado.title
    listed = json.loads(run("mentions", "--format", "json").stdout)
    press = [m for m in listed if m["medium"] == "press"]
    assert press
    for mention in press:
        for key in ("article_id", "group", "keyword", "matched", "score", "at", "context"):
            assert mention[key] is not None, key


def test_a_crisis_term_in_an_article_makes_an_event_with_its_link(press_deployment, run):
    run("init", str(press_deployment))
    seen = []
    handler = events_mod.subscribe(seen.append)
    try:
        result = run("press", "fetch")
    finally:
        events_mod.unsubscribe(handler)
    assert result.exit_code == 0, result.output
    # The water note says "fuga" twice: two mentions, two events.
    assert "2 crisis event(s) recorded" in result.stdout
    assert len(seen) == 2
    event = seen[0]
    assert (event.kind, event.medium, event.outlet, event.outlet_name) == (
        events_mod.CRISIS_MENTION, "press", "diario-sur", "Diario del Sur")
    assert event.url.endswith("/2026/05/04/agua-zona-centro/")
    assert event.title == "Suspenderán el servicio de agua en la zona centro por reparación de la red"
    assert event.matched == "fuga" and event.station is None and event.recording_id is None
    assert "se detectó una fuga que desperdiciaba" in event.context
    config = load_config(press_deployment / "radiomon.yml")
    with Archive(config.archive) as archive:
        payload, _ = [json.loads(r[0]) for r in archive.conn.execute(
            "SELECT payload FROM events WHERE kind = ? ORDER BY id", (events_mod.CRISIS_MENTION,))]
    assert payload["article_id"] == event.article_id and payload["url"] == event.url
    # A second pass and a re-match alert nobody again.
    assert "event" not in run("press", "fetch").stdout
    assert "event" not in run("match", "--all").stdout


def test_match_all_rematches_articles_keeping_reviews(press_deployment, run):
    run("init", str(press_deployment))
    run("press", "fetch")
    config = load_config(press_deployment / "radiomon.yml")
    with Archive(config.archive) as archive:
        before = {m.id: m for m in archive.list_mentions()}
    result = run("match", "--all")
    assert result.exit_code == 0, result.output
    assert "4 article(s)" in result.stdout and "0 new mention(s), 0 removed" in result.stdout
    with Archive(config.archive) as archive:
        assert {m.id: m for m in archive.list_mentions()} == before


def test_an_unknown_outlet_and_no_outlets_are_one_line_errors(press_deployment, run, write_config):
    run("init", str(press_deployment))
    result = run("press", "fetch", "--outlet", "otro")
    assert result.exit_code != 0
    assert result.output.strip().splitlines()[-1] == (
        "Error: unknown outlet 'otro' (configured under press.outlets: diario-sur, noticias-gto)")
    write_config(RADIOMON_YML)
    result = run("press", "fetch")
    assert result.exit_code != 0 and no_traceback_of_ours(result)
    assert "no outlets under press.outlets" in result.output


def test_a_failing_outlet_is_a_line_an_error_in_status_and_one_health_episode(press_deployment, press_sites, run):
    port = closed_port()
    extra = f"""\
    - id: caido
      name: El Caído
      feeds: ["http://127.0.0.1:{port}/feed/"]
"""
    (press_deployment / "radiomon.yml").write_text(press_yml(press_sites, extra=extra), encoding="utf-8")
    run("init", str(press_deployment))
    result = run("press", "fetch")
    assert result.exit_code == 0, result.output  # the pass ran
    failed = [line for line in result.stdout.splitlines() if line.startswith("caido: ")]
    assert len(failed) == 1 and failed[0].startswith("caido: failed: ")
    status = run("status", "--format", "json")
    outlets = {o["id"]: o for o in json.loads(status.stdout)["outlets"]}
    assert set(outlets) == {"diario-sur", "noticias-gto", "caido"}
    assert outlets["diario-sur"]["error"] is None and outlets["diario-sur"]["last_fetch"]
    assert outlets["diario-sur"]["last_new"] == outlets["diario-sur"]["last_fetch"]  # this pass stored some
    assert outlets["caido"]["error"] and outlets["caido"]["last_fetch"] is None
    assert outlets["caido"]["name"] == "El Caído"
    assert status.exit_code != 0  # unhealthy
    config = load_config(press_deployment / "radiomon.yml")
    with Archive(config.archive) as archive:
        first = check_health(config, archive)
        again = check_health(config, archive)
    assert [p.key for p in first.opened if p.kind == "outlet"] == ["outlet:caido"]
    assert not again.opened  # announced once
    table = run("status")
    assert "Periódicos" not in table.output  # the terminal speaks English
    assert "caido" in table.output and "failed" in table.output
    from radiomon.web import create_app

    page = create_app(config).test_client().get("/estado").get_data(as_text=True)
    estado = page[page.index("<h2>Periódicos</h2>"):]
    assert "<td>El Caído</td>" in estado and "no se pudo leer: " in estado
    assert "<td>Diario del Sur</td>" in estado and "al día" in estado


def test_press_add_finds_the_feeds_and_keeps_the_comments(deployment, run):
    site = PressSite("diario-sur")
    home = (b'<!DOCTYPE html><html><head><title>Diario del Sur | Noticias</title>'
            b'<meta property="og:site_name" content="Diario del Sur">'
            b'<link rel="alternate" type="application/rss+xml" href="/category/municipios/feed/">'
            b'<link rel="alternate" type="application/rss+xml" href="/comments/feed/">'
            b'</head><body>Portada</body></html>')
    site.serve("/", lambda: home, "text/html; charset=utf-8")
    rss = "application/rss+xml; charset=UTF-8"
    site.serve("/feed/", lambda: site.file("feed.xml"), rss)
    site.serve("/category/municipios/feed/", lambda: site.file("category-feed.xml"), rss)
    site.start()
    try:
        run("init", str(deployment))
        before = (deployment / "radiomon.yml").read_text(encoding="utf-8")
        result = run("press", "add", site.url("/"), "--id", "diario-sur")
    finally:
        site.close()
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("added outlet diario-sur (Diario del Sur) to ")
    after = (deployment / "radiomon.yml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # nothing before changed, comments included
    assert "# Who the documents are from" not in after or before.count("#") == after.count("#")
    config = load_config(deployment / "radiomon.yml")
    (outlet,) = config.press.outlets
    assert (outlet.id, outlet.name, outlet.scope) == ("diario-sur", "Diario del Sur", "regional")
    assert outlet.feeds == (site.url("/category/municipios/feed/"), site.url("/feed/"))
    again = run("press", "add", site.url("/"), "--id", "diario-sur")
    assert again.exit_code != 0 and no_traceback_of_ours(again)


def test_press_add_into_the_shipped_example_keeps_every_comment(deployment, run):
    from importlib import resources

    shipped = (resources.files("radiomon") / "data" / "radiomon.yml").read_text(encoding="utf-8")
    (deployment / "radiomon.yml").write_text(shipped, encoding="utf-8")
    site = PressSite("noticias-gto")
    site.serve("/atom.xml", lambda: site.file("feed.atom"), "application/atom+xml")
    site.start()
    try:
        result = run("press", "add", site.url("/atom.xml"), "--id", "noticias-gto", "--name", "Noticias GTO",
                     "--scope", "estatal")
    finally:
        site.close()
    assert result.exit_code == 0, result.output
    after = (deployment / "radiomon.yml").read_text(encoding="utf-8")
    comments = [line.strip() for line in shipped.splitlines() if line.strip().startswith("#")]
    assert [line.strip() for line in after.splitlines() if line.strip().startswith("#")] == comments
    (outlet,) = load_config(deployment / "radiomon.yml").press.outlets
    assert (outlet.id, outlet.name, outlet.scope, outlet.feeds) == (
        "noticias-gto", "Noticias GTO", "estatal", (site.url("/atom.xml"),))


def test_a_site_without_feeds_is_one_line(deployment, run):
    site = PressSite("diario-sur")
    site.serve("/", lambda: b"<html><head><title>Sin feeds</title></head><body>hola</body></html>", "text/html")
    site.start()
    try:
        run("init", str(deployment))
        before = (deployment / "radiomon.yml").read_bytes()
        result = run("press", "add", site.url("/"))
    finally:
        site.close()
    assert result.exit_code != 0 and no_traceback_of_ours(result)
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"Error: {site.url('/')}: no RSS, Atom or sitemap found (")
    assert (deployment / "radiomon.yml").read_bytes() == before


def test_backoff_leaves_a_failing_feed_alone_in_the_daemons_polls(press_deployment, press_sites):
    from radiomon.pipeline.press.store import BACKOFF_AFTER, press_pass

    port = closed_port()
    extra = f"""\
    - id: caido
      feeds: ["http://127.0.0.1:{port}/feed/"]
"""
    (press_deployment / "radiomon.yml").write_text(press_yml(press_sites, extra=extra), encoding="utf-8")
    config = load_config(press_deployment / "radiomon.yml")
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    with Archive(config.archive) as archive:
        for n in range(BACKOFF_AFTER):
            (outcome,) = press_pass(config, archive, ["caido"], respect_backoff=True,
                                    now=now + timedelta(minutes=n)).outlets
            assert outcome.status == "failed"
        state = archive.feed_state(config.press.outlet("caido").feeds[0], "caido")
        assert state.failures == BACKOFF_AFTER and state.retry_utc > "2026-12-01T12:02"
        (waiting,) = press_pass(config, archive, ["caido"], respect_backoff=True,
                                now=now + timedelta(minutes=5)).outlets
        assert waiting.status == "waiting" and waiting.line.startswith("caido: failing, not asked again before ")
        # A person asking (press fetch, nightly) is not held back.
        (asked,) = press_pass(config, archive, ["caido"], now=now + timedelta(minutes=6)).outlets
        assert asked.status == "failed"


def test_the_daemons_poll_is_due_at_once_then_every_poll_minutes():
    from radiomon.pipeline.press.poll import poll_due

    assert poll_due(None, 5.0, 30)
    assert not poll_due(100.0, 100.0 + 29 * 60, 30)
    assert poll_due(100.0, 100.0 + 30 * 60, 30)


def test_the_daemons_hook_polls_on_its_thread_once_per_interval(press_deployment):
    from radiomon.pipeline.press.poll import BackgroundPress

    config = load_config(press_deployment / "radiomon.yml")
    now = [1000.0]
    hook = BackgroundPress(clock=lambda: now[0])
    with Archive(config.archive) as archive:
        hook(config, archive)
        hook.join(30)
        assert len(archive.article_ids()) == 4
        first = archive.feed_state(config.press.outlet("diario-sur").feeds[0], "diario-sur").checked_utc
        now[0] += 29 * 60
        hook(config, archive)  # not due: no thread, nothing asked
        assert hook._thread is not None and not hook._thread.is_alive()
        hook.join(30)
        assert archive.feed_state(config.press.outlet("diario-sur").feeds[0], "diario-sur").checked_utc == first
        now[0] += 60
        hook(config, archive)
        hook.join(30)
        assert archive.feed_state(config.press.outlet("diario-sur").feeds[0], "diario-sur").checked_utc > first
        assert len(archive.article_ids()) == 4


def test_the_nightly_job_reads_the_press_before_the_sintesis(press_deployment, run):
    run("init", str(press_deployment))
    result = run("nightly")
    config = load_config(press_deployment / "radiomon.yml")
    with Archive(config.archive) as archive:
        night = archive.last_run("nightly")
        assert len(archive.article_ids()) == 4
    press = night["counts"]["press"]
    assert press["status"] == "ok" and press["articles"] == 4, (result.output, press)
    assert "  OK       press       2 outlet(s), 4 new article(s), " in result.output
