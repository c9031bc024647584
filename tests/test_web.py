"""The web UI through Flask's test client: pages, parameters, audio, reviews, the API, security.

One archive is built for the module: real audio files (ffmpeg), segments
stored as a transcription would store them, mentions found by the real
matcher. What a real browser does with the pages is in test_web_browser.py.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import docx
import pytest
from conftest import invoke
from factories import spoken

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.cli.web_cmds import is_loopback
from radiomon.config import load_config
from radiomon.web import accounts, create_app
from radiomon.web.throttle import FREE_TRIES, LoginThrottle

START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)  # 10:00 in Mexico City
DAY = "2026-11-25"
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> mercado'
PAGING_HITS = 24  # more than a page of 20


#: Stored as a transcription would store them: words spread over each segment, decoded as clear speech.
segment = partial(spoken, spread=True, space="", avg_logprob=-0.2, no_speech_prob=0.01)


def tone(path: Path, seconds: float) -> Path:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", "-ac", "1", "-b:a", "64k", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def office(build_office) -> Path:
    """radio-uno: two consecutive recordings (the first with audio), a gap; fm-oficina: one recording."""

    def fill(config, archive):
        audio = tone(config.path.parent / "uno-1000.mp3", 120)
        first, _ = archive.add_recording(station="radio-uno", start=START, duration=120, path=str(audio))
        segments = [segment("Buenos días Moroleón hoy abre el mercado nuevo", 1.0, 5.0), segment(XSS, 6.0, 9.0)]
        segments += [segment(f"El mercado número {i} de la semana", 10.0 + 4 * i, 13.0 + 4 * i)
                     for i in range(PAGING_HITS - 2)]
        archive.replace_segments(first, segments, engine="test")
        second, _ = archive.add_recording(station="radio-uno", start=START + timedelta(seconds=120), duration=60)
        archive.replace_segments(second, [segment("Seguimos en Moroleón con el clima", 2.0, 6.0)], engine="test")
        other, _ = archive.add_recording(station="fm-oficina", start=START + timedelta(minutes=30), duration=60)
        archive.replace_segments(other, [segment("Reportan lluvia en Moroleón esta tarde", 1.0, 4.0)], engine="test")
        archive.add_gap("radio-uno", START + timedelta(seconds=150), START + timedelta(seconds=170), "network")
        jobs.rematch(config, archive)

    return build_office("web", fill)


@pytest.fixture
def config(office):
    return load_config(office / "radiomon.yml")


@pytest.fixture
def client(config):
    return create_app(config).test_client()


def csrf_of(page: bytes) -> str:
    return re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()


def mentions_of(config, **filters):
    with Archive(config.archive) as archive:
        return archive.list_mentions(jobs.Filters(**filters))


def moroleon_mention(config, station="radio-uno"):
    return next(m for m in mentions_of(config) if m.station == station and m.keyword == "Moroleón")


@pytest.fixture
def undo_reviews(config):
    yield
    with Archive(config.archive) as archive:
        for mention in archive.list_mentions():
            archive.set_review(mention.id, None)


# -- Buscar -----------------------------------------------------------------------------------
def test_search_shows_station_local_time_highlight_badges_and_a_play_control(client, config):
    page = client.get("/?q=moroleon").get_data(as_text=True)
    assert "Radio Uno Moroleón" in page and "Receptor FM de la oficina" in page
    assert f"{DAY} 10:00:01" in page  # local time, not UTC
    assert "<mark>Moroleón</mark>" in page
    assert 'class="badge group-municipio"' in page and "Municipio de Moroleón" in page
    first = moroleon_mention(config)
    play = re.search(r'class="play" data-src="/audio/(\d+)" data-t="([\d.]+)" data-offset="([\d.]+)"', page)
    assert int(play.group(1)) == first.recording_id
    assert float(play.group(2)) == pytest.approx(max(float(play.group(3)) - 2.0, 0.0))


def test_the_url_holds_the_whole_query_and_pages_through_hits(client):
    first = client.get("/?q=mercado&estacion=radio-uno&desde=2026-11-25&hasta=2026-11-25").get_data(as_text=True)
    assert first.count('class="hit"') == 20
    following = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    for part in ("q=mercado", "estacion=radio-uno", "desde=2026-11-25", "hasta=2026-11-25", "pagina=2"):
        assert part in following
    second = client.get(following).get_data(as_text=True)
    assert second.count('class="hit"') == PAGING_HITS - 20 and 'rel="prev"' in second and 'rel="next"' not in second


def test_search_filters_by_station_date_group_and_review(client, config, undo_reviews):
    assert client.get("/?q=moroleon&estacion=fm-oficina").get_data(as_text=True).count('class="hit"') == 1
    assert client.get("/?q=moroleon&desde=2026-11-26").get_data(as_text=True).count('class="hit"') == 0
    assert client.get("/?q=mercado&grupo=municipio").get_data(as_text=True).count('class="hit"') == 1
    assert client.get("/?q=moroleon&revision=confirmadas").get_data(as_text=True).count('class="hit"') == 0
    with Archive(config.archive) as archive:
        archive.set_review(moroleon_mention(config, "fm-oficina").id, "confirmed")
    confirmed = client.get("/?q=moroleon&revision=confirmadas").get_data(as_text=True)
    assert confirmed.count('class="hit"') == 1 and "Reportan lluvia" in confirmed
    assert client.get("/?q=moroleon&revision=pendientes").get_data(as_text=True).count('class="hit"') == 2


def test_a_malformed_query_shows_the_command_lines_explanation_in_spanish_in_the_page(client, config):
    response = client.get('/?q="mercado')
    assert response.status_code == 200
    with Archive(config.archive) as archive:
        with pytest.raises(Exception) as raised:
            jobs.search(config, archive, '"mercado', jobs.Filters())
    text = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    assert "unclosed quote" in str(raised.value) and str(raised.value) not in text  # the CLI's words stay the CLI's
    assert 'Faltan comillas de cierre en «"mercado»' in text


@pytest.mark.parametrize("url, needle", [
    ("/?q=x&desde=2026-13-45", "AAAA-MM-DD"),
    ("/?q=x&pagina=cero", "pagina"),
    ("/?q=x&revision=todas", "revision"),
    ("/menciones?dia=ayer-no", "AAAA-MM-DD"),
    ("/menciones?estado=raro", "estado"),
    ("/grabacion/abc", "número"),
    ("/grabacion/1?t=nan", "segundos"),
    ("/mencion/1/clip?antes=-3", "segundos"),
    ("/mencion/1/clip?antes=0&despues=0", "más de 0"),
    ("/sintesis?dia=2026-02-30", "AAAA-MM-DD"),
    ("/sintesis/documento?formato=odt", "formato"),
    ("/sintesis?corte=7pm", "HH:MM"),
    ("/api/search?q=x&since=mañana", "mañana"),
])
def test_bad_parameters_are_a_400_page_in_spanish(client, url, needle):
    response = client.get(url)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert needle in text and "Traceback" not in text
    if url.startswith("/api/"):
        assert set(response.get_json()) == {"error"}
    else:
        assert "Solicitud no válida" in text and 'lang="es-MX"' in text


def test_unknown_things_are_a_404_page_in_spanish(client):
    for url in ("/grabacion/999", "/mencion/999", "/no-existe", "/audio/999"):
        response = client.get(url)
        assert response.status_code == 404 and "No encontrado" in response.get_data(as_text=True)


# -- audio ---------------------------------------------------------------------------------------
def test_audio_answers_range_requests_with_206(client, config):
    recording_id = moroleon_mention(config).recording_id
    whole = client.get(f"/audio/{recording_id}")
    assert whole.status_code == 200 and whole.mimetype == "audio/mpeg" and whole.headers["Accept-Ranges"] == "bytes"
    size = len(whole.data)
    part = client.get(f"/audio/{recording_id}", headers={"Range": f"bytes={size // 2}-"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes {size // 2}-{size - 1}/{size}"
    assert part.data == whole.data[size // 2:]


@pytest.mark.parametrize("url", ["/audio/..%2F..%2Fetc%2Fpasswd", "/audio/../../etc/passwd",
                                 "/audio/1/../../radiomon.db", "/audio/%2Fetc%2Fpasswd", "/audio/-1",
                                 "/static/../radiomon.db"])
def test_audio_is_served_by_recording_id_only(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"root:" not in response.data and b"SQLite" not in response.data


def test_a_recording_without_an_audio_file_has_no_audio(client, config):
    with Archive(config.archive) as archive:
        no_file = next(r for r in archive.recordings(jobs.Filters()) if r.path is None)
    assert client.get(f"/audio/{no_file.id}").status_code == 404
    assert "ya no está disponible" in client.get(f"/grabacion/{no_file.id}").get_data(as_text=True)


# -- Grabación ------------------------------------------------------------------------------------
def test_the_recording_page_has_lines_words_mentions_gaps_and_neighbours(client, config):
    mention = moroleon_mention(config)
    page = client.get(f"/grabacion/{mention.recording_id}?t=12.5").get_data(as_text=True)
    lines = re.findall(r'<li class="seg[^"]*" id="s(\d+)" data-start="([\d.]+)"', page)
    assert len(lines) == PAGING_HITS and float(lines[0][1]) == 1.0
    assert f'{DAY[:4]}' in page and "10:00:01" in page  # each line's local time
    # Each word's start and length, for the browser to find it in the line.
    assert '<span class="text" data-w="1.0:6 1.5:4 2.0:8 2.5:3 3.0:4 3.5:2 4.0:7 4.5:5">' \
           "Buenos días Moroleón hoy abre el mercado nuevo</span>" in page
    assert 'data-start="12.500"' in page  # the player starts at ?t=
    assert "has-mention" in page and "Municipio de Moroleón: Moroleón" in page
    assert "10:02:30 – 10:02:50" in page and "sin señal" in page  # the station's gap that day
    assert "gap-line" not in page  # … which is not inside this recording
    following = re.search(r'rel="next" href="/grabacion/(\d+)"', page)
    assert following and 'rel="prev"' not in page
    back = client.get(f"/grabacion/{following.group(1)}").get_data(as_text=True)
    assert f'rel="prev" href="/grabacion/{mention.recording_id}"' in back
    # In the next recording the gap shows where it falls: after the line heard before it.
    assert re.search(r'Seguimos en Moroleón con el clima</span>.*?</li>\s*'
                     r'<li class="gap-line">Hueco: 10:02:30 – 10:02:50 \(sin señal\); no se grabó</li>', back, re.S)


def test_untrusted_text_is_escaped_everywhere(client, config):
    with Archive(config.archive) as archive:
        xss_recording = archive.recordings(jobs.Filters(stations=("radio-uno",)))[0].id
    for url in ("/?q=mercado", f"/grabacion/{xss_recording}", "/menciones?dia=2026-11-25"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>window.__xss" not in body and "<img src=x" not in body
    api = client.get(f"/api/recordings/{xss_recording}")  # data, never rendered as a page
    assert api.mimetype == "application/json" and api.headers["X-Content-Type-Options"] == "nosniff"
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in client.get(f"/grabacion/{xss_recording}").get_data(
        as_text=True)


# -- Menciones and reviews ------------------------------------------------------------------------
def test_the_mentions_page_counts_by_group_and_station(client, config):
    page = client.get(f"/menciones?dia={DAY}").get_data(as_text=True)
    assert re.search(r'<strong data-group="municipio">3</strong>', page)
    assert re.search(r'<strong data-station="radio-uno">2</strong>', page)
    assert re.search(r'<strong data-station="fm-oficina">1</strong>', page)
    assert "hx-trigger" not in page  # another day: nothing new will come
    today = client.get("/menciones?dia=hoy").get_data(as_text=True)
    assert 'hx-trigger="every 20s"' in today  # today's list refreshes itself


def test_a_review_is_stored_with_who_and_when_leaves_the_counts_and_can_be_undone(client, config, undo_reviews):
    mention = moroleon_mention(config)
    page = client.get(f"/menciones?dia={DAY}")
    token = csrf_of(page.data)
    response = client.post(f"/menciones/{mention.id}/revision",
                           data={"csrf": token, "revision": "rejected", "volver": f"/menciones?dia={DAY}"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/menciones?dia={DAY}#m{mention.id}")
    with Archive(config.archive) as archive:
        stored = archive.mention(mention.id)
    assert (stored.review, stored.reviewed_by) == ("rejected", "local") and stored.reviewed_utc
    page = client.get(f"/menciones?dia={DAY}").get_data(as_text=True)
    assert re.search(r'<strong data-group="municipio">2</strong>', page)
    assert re.search(r'<strong data-station="radio-uno">1</strong>', page)
    shown = client.get(f"/menciones?dia={DAY}&estado=falsos-positivos").get_data(as_text=True)
    assert f'id="m{mention.id}"' in shown and shown.count('class="mencion') == 1
    assert '<span class="review-state">Falso positivo · local' in shown
    assert '<option value="falsos-positivos" selected>Falsos positivos</option>' in shown
    # A link shared before the review states had one word each still shows the same list.
    old_link = client.get(f"/menciones?dia={DAY}&estado=descartadas").get_data(as_text=True)
    assert f'id="m{mention.id}"' in old_link and old_link.count('class="mencion') == 1
    assert '<option value="falsos-positivos" selected>Falsos positivos</option>' in old_link
    client.post(f"/menciones/{mention.id}/revision", data={"csrf": token, "revision": ""})
    with Archive(config.archive) as archive:
        undone = archive.mention(mention.id)
    assert (undone.review, undone.reviewed_by, undone.reviewed_utc) == (None, None, None)


def test_a_rejected_mention_leaves_the_digest(client, config, undo_reviews):
    before = client.get(f"/sintesis?dia={DAY}").get_data(as_text=True)
    assert "Seguimos en Moroleón con el clima" in before and "de 3 notas incluidas" in before
    with Archive(config.archive) as archive:
        archive.set_review(moroleon_mention(config).id, "rejected", by="ana")
    after = client.get(f"/sintesis?dia={DAY}").get_data(as_text=True)
    assert "de 2 notas incluidas" in after


def test_state_changing_requests_need_the_csrf_token(client, config):
    mention = moroleon_mention(config)
    client.get("/menciones")
    for data in ({"revision": "confirmed"}, {"revision": "confirmed", "csrf": "forged"}):
        response = client.post(f"/menciones/{mention.id}/revision", data=data)
        assert response.status_code == 403 and "CSRF" in response.get_data(as_text=True)
    api = client.post(f"/api/mentions/{mention.id}/review", json={"review": "confirmed"})
    assert api.status_code == 403
    with Archive(config.archive) as archive:
        assert archive.mention(mention.id).review is None


# -- Una mención: the clip ---------------------------------------------------------------------
def test_a_clip_around_a_mention_previews_and_downloads(client, config, tmp_path):
    mention = moroleon_mention(config)
    page = client.get(f"/mencion/{mention.id}?antes=1&despues=4").get_data(as_text=True)
    src = re.search(r'id="clip-preview" controls preload="none" src="([^"]+)"', page).group(1).replace("&amp;", "&")
    preview = client.get(src)
    assert preview.status_code == 200 and preview.mimetype == "audio/mpeg"
    (tmp_path / "clip.mp3").write_bytes(preview.data)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                            str(tmp_path / "clip.mp3")], capture_output=True, check=True)
    assert float(probe.stdout) == pytest.approx(5.0, abs=0.5)
    assert client.get(src, headers={"Range": "bytes=0-9"}).status_code == 206
    download = client.get(src + "&descargar=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert re.fullmatch(r"attachment; filename=20261125_1000\d\d_radio-uno_moroleon\.mp3",
                        download.headers["Content-Disposition"])
    assert download.data == preview.data


def test_a_clip_where_there_is_no_audio_is_a_404_page(client, config):
    mention = moroleon_mention(config, "fm-oficina")
    response = client.get(f"/mencion/{mention.id}/clip")
    assert response.status_code == 404 and "Ya no hay audio" in response.get_data(as_text=True)


# -- Síntesis --------------------------------------------------------------------------------------
def test_the_digest_page_and_its_documents(client):
    page = client.get(f"/sintesis?dia={DAY}").get_data(as_text=True)
    assert "miércoles 25 de noviembre de 2026" in page and "Municipio de Moroleón" in page
    assert 'href="/sintesis/vista-previa?dia=2026-11-25"' in page  # the editor's own tests: test_web_sintesis.py
    word = client.get(f"/sintesis/documento?dia={DAY}&formato=docx")
    assert word.headers["Content-Disposition"] == f'attachment; filename="sintesis-{DAY}.docx"'
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert "Seguimos en Moroleón" in text or "Reportan lluvia" in text
    html = client.get(f"/sintesis/documento?dia={DAY}&formato=html")
    assert html.mimetype == "text/html" and "Síntesis informativa" in html.get_data(as_text=True)
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]  # its own styles, no script at all


# -- Estado ----------------------------------------------------------------------------------------
def test_the_status_page_shows_the_same_as_radiomon_status(client, config):
    page = client.get("/estado").get_data(as_text=True)
    with Archive(config.archive) as archive:
        report = jobs.status(config, archive)
    for station in report.stations:
        assert station.name in page
    assert f'<strong id="pendientes">{report.recordings.get("pending", 0)}</strong>' in page
    # "Todo en orden" only over rows that are all in order: the health check's problems and every red row
    # are named in the headline (tests/test_web_status.py).
    in_order = report.healthy and all(s.state.kind in ("recording", "off-schedule") for s in report.stations)
    assert ("Todo en orden." in page) is in_order
    assert page.count('<li class="state bad"><strong>') >= len(report.problems)
    assert "sin canales configurados" in page and "nunca se ha ejecutado" in page


# -- the JSON API ----------------------------------------------------------------------------------
def test_the_api_speaks_the_command_lines_field_names(client, office, config):
    cli = invoke(["--config", str(office / "radiomon.yml"), "search", "moroleon", "--format", "json"])
    assert client.get("/api/search?q=moroleon").get_json() == json.loads(cli.stdout)
    cli = invoke(["--config", str(office / "radiomon.yml"), "mentions", "--format", "json"])
    assert client.get("/api/mentions").get_json() == json.loads(cli.stdout)
    mention = moroleon_mention(config)
    recording = client.get(f"/api/recordings/{mention.recording_id}").get_json()
    assert recording["station"] == "radio-uno" and len(recording["segments"]) == PAGING_HITS
    assert recording["segments"][0]["words"][0]["word"] == "Buenos"
    assert {m["id"] for m in recording["mentions"]} >= {mention.id}
    status = client.get("/api/status").get_json()
    assert {s["id"] for s in status["stations"]} == {"radio-uno", "fm-oficina"}


def test_the_api_sets_a_review_with_the_csrf_header(client, config, undo_reviews):
    mention = moroleon_mention(config)
    token = csrf_of(client.get("/menciones").data)
    response = client.post(f"/api/mentions/{mention.id}/review", json={"review": "confirmed"},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 200 and response.get_json()["review"] == "confirmed"
    bad = client.post(f"/api/mentions/{mention.id}/review", json={"review": "maybe"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 400 and "confirmed, rejected o null" in bad.get_json()["error"]
    missing = client.post("/api/mentions/999999/review", json={"review": None}, headers={"X-CSRF-Token": token})
    assert missing.status_code == 404


# -- accounts and sign-in --------------------------------------------------------------------------
@pytest.fixture
def with_user(config):
    with Archive(config.archive) as archive:
        token = accounts.add_user(archive, "ana", "contraseña-segura")
    yield token
    with Archive(config.archive) as archive:
        archive.remove_user("ana")


def test_with_a_user_every_page_audio_and_api_call_needs_a_login(config, with_user):
    client = create_app(config).test_client()
    for url in ("/", "/menciones", "/estado", "/sintesis", "/audio/1", "/grabacion/1", "/mencion/1/clip"):
        response = client.get(url)
        assert response.status_code == 302 and "/entrar" in response.headers["Location"], url
    assert client.get("/api/search?q=x").status_code == 401
    assert client.get("/api/search?q=x", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/search?q=x", headers={"Authorization": f"Bearer {with_user}"}).status_code == 200
    page = client.get("/entrar")
    token = csrf_of(page.data)
    wrong = client.post("/entrar", data={"csrf": token, "usuario": "ana", "contrasena": "otra"})
    assert wrong.status_code == 401 and "incorrectos" in wrong.get_data(as_text=True)
    right = client.post("/entrar", data={"csrf": token, "usuario": "ana", "contrasena": "contraseña-segura",
                                         "siguiente": "/menciones"})
    assert right.status_code == 302 and right.headers["Location"] == "/menciones"
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/menciones").status_code == 200


def test_a_bearer_token_sets_a_review_without_a_csrf_token(config, with_user, undo_reviews):
    client = create_app(config).test_client()
    mention = moroleon_mention(config)
    response = client.post(f"/api/mentions/{mention.id}/review", json={"review": "rejected"},
                           headers={"Authorization": f"Bearer {with_user}"})
    assert response.status_code == 200 and response.get_json()["reviewed_by"] == "ana"


def test_after_signing_in_a_link_never_leads_off_the_site(config, with_user):
    client = create_app(config).test_client()
    token = csrf_of(client.get("/entrar").data)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/entrar", data={"csrf": token, "usuario": "ana", "contrasena": "contraseña-segura",
                                                "siguiente": target})
        assert response.headers["Location"] == "/"
        token = csrf_of(client.get("/entrar").data)


def test_repeated_failed_logins_are_slowed_down(config, with_user):
    client = create_app(config).test_client()
    token = csrf_of(client.get("/entrar").data)
    codes = [client.post("/entrar", data={"csrf": token, "usuario": "ana", "contrasena": f"mal{i}"}).status_code
             for i in range(FREE_TRIES + 1)]
    assert codes[:FREE_TRIES] == [401] * FREE_TRIES and codes[FREE_TRIES] == 429
    # Even the right password waits its turn.
    right = client.post("/entrar", data={"csrf": token, "usuario": "ana", "contrasena": "contraseña-segura"})
    assert right.status_code == 429 and "espere" in right.get_data(as_text=True)


def test_the_throttle_doubles_the_wait_and_forgets_on_success(tmp_path):
    now = [1_800_000_000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    with Archive(tmp_path / "radiomon.db") as archive:  # kept in the archive: shared by every web worker
        assert [throttle.reserve(archive, "ana", "10.0.0.2") for _ in range(FREE_TRIES)] == [0.0] * FREE_TRIES
        assert throttle.reserve(archive, "ana", "10.0.0.2") == 1.0
        now[0] += 1.0
        assert throttle.reserve(archive, "ana", "10.0.0.2") == 0.0
        assert throttle.reserve(archive, "ana", "10.0.0.2") == 2.0
        assert throttle.reserve(archive, "beto", "10.0.0.3") == 0.0
        now[0] += 10.0
        assert throttle.reserve(archive, "ana", "10.0.0.2") == 0.0
        throttle.succeeded(archive, "ana", "10.0.0.2")
        assert throttle.reserve(archive, "ana", "10.0.0.2") == 0.0


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.get_data(as_text=True)  # every script is a file
    assert response.headers["X-Frame-Options"] == "DENY"


def test_assets_ship_in_the_package(client):
    page = client.get("/").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert {"/static/htmx.min.js", "/static/radiomon.js", "/static/radiomon.css"} <= set(assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
    assert "http" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', page))


# -- the commands ----------------------------------------------------------------------------------
def test_users_add_list_and_remove(office):
    args = ["--config", str(office / "radiomon.yml"), "users"]
    added = invoke([*args, "add", "beto", "--password-stdin"], input="otra-contraseña\n")
    assert added.exit_code == 0 and re.search(r"API token \(shown only now; keep it safe\): \S{40,}", added.stdout)
    assert "beto" in invoke([*args, "list"]).stdout
    again = invoke([*args, "add", "beto", "--password-stdin"], input="otra-contraseña\n")
    assert again.exit_code == 1 and "already exists" in again.output and "Traceback" not in again.output
    short = invoke([*args, "add", "carla", "--password-stdin"], input="corta\n")
    assert short.exit_code == 1 and "at least 8" in short.output
    with Archive(load_config(office / "radiomon.yml").archive) as archive:
        stored = archive.user("beto")
    assert stored["password_hash"].startswith("$argon2id$") and "otra-contraseña" not in json.dumps(stored)
    assert invoke([*args, "remove", "beto"]).exit_code == 0
    gone = invoke([*args, "remove", "beto"])
    assert gone.exit_code == 1 and "radiomon users list" in gone.output


def test_serve_refuses_other_addresses_without_a_user(office):
    result = invoke(["--config", str(office / "radiomon.yml"), "serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 1 and "radiomon users add NAME" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_serve_help_and_bad_options():
    assert "--host" in invoke(["serve", "--help"]).stdout
    bad = invoke(["serve", "--port", "99999"])
    assert bad.exit_code == 2 and "99999" in bad.output


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                            ("127.1.2.3", True), ("0.0.0.0", False), ("192.168.1.20", False),
                                            ("::", False), ("radiomon.local", False)])
def test_which_addresses_only_this_machine_reaches(host, loopback):
    assert is_loopback(host) is loopback


def test_pages_are_gzipped_for_browsers_that_ask_and_say_how_long_they_took(client):
    plain = client.get("/?q=mercado")
    packed = client.get("/?q=mercado", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 2
    assert re.fullmatch(r"app;dur=\d+\.\d", plain.headers["Server-Timing"])
    audio = client.get("/audio/1", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in audio.headers  # audio is sent as it is on disk


def test_the_status_page_words_the_health_problems_in_spanish(client, config):
    from radiomon.health import Problem
    from radiomon.web.views.status import problems_in_spanish

    with Archive(config.archive) as archive:
        report = jobs.status(config, archive)
    report.healthy, report.problems = False, [Problem(
        "station:radio-uno", "station", "radio-uno", "2026-11-25T16:00:00.000Z", "radio-uno down",
        {"reason": "network", "minutes": 20})]
    with client.application.test_request_context("/estado"):
        [message] = problems_in_spanish(report)
    assert message.title == "Estación sin grabar: Radio Uno Moroleón"
    assert "No se graba Radio Uno Moroleón desde" in message.body
