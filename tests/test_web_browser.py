"""The web UI in a real browser: Debian's Chromium driven by Playwright against `radiomon serve`.

The archive is the bundled demo programme transcribed by the bundled model
and matched with the bundled keywords (what `make demo` builds), plus one
imported transcript carrying a script-injection payload. The server is the
real command on waitress, on a free loopback port.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from icecast import free_port
from playwright.sync_api import Page, expect, sync_playwright

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.pipeline.ingest import import_transcript_data

ROOT = Path(__file__).resolve().parent.parent
DEMO_AUDIO = ROOT / "examples" / "demo" / "radio-demo-20261125T080000.mp3"
DAY = "2026-11-25"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> inyección'
RADIOMON = [sys.executable, "-m", "radiomon"]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def radiomon(config: Path, *args: str) -> str:
    done = subprocess.run([*RADIOMON, "--config", str(config), *args], env=ENV, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


class Server:
    """`radiomon serve` as a child process, stopped at the end."""

    def __init__(self, config: Path, host: str = "127.0.0.1", workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([*RADIOMON, "--config", str(config), "serve", "--host", host,
                                         "--port", str(self.port), "--workers", str(workers)],
                                        env=ENV, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"radiomon serve exited: {self.process.stderr.read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("radiomon serve did not start listening within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    """The demo deployment, transcribed and matched, plus a transcript with an injection payload."""
    folder = tmp_path_factory.mktemp("browser") / "demo"
    subprocess.run([*RADIOMON, "init", str(folder)], env=ENV, check=True, capture_output=True)
    config_path = folder / "radiomon.yml"
    radiomon(config_path, "import", str(DEMO_AUDIO), "--station", "ejemplo-am")
    radiomon(config_path, "transcribe")
    radiomon(config_path, "match")
    config = load_config(config_path)
    with Archive(config.archive) as archive:
        payload = {"segments": [{"start": 1.0, "end": 4.0, "text": XSS}]}
        import_transcript_data(archive, payload, source="xss.json", sha256="xss", station="ejemplo-am",
                               start=datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc))
    return config_path


# The Chromium and the `radiomon serve` of a module's ``office``; the other browser test modules import
# both fixtures from here.
@pytest.fixture(scope="module")
def server(office):
    running = Server(office)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server) -> Page:
    # bypass_csp lets Playwright evaluate its own probes; it also means an injected script
    # would run if escaping failed, so the injection test checks escaping on its own.
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    yield tab
    context.close()


def mentions(office: Path, **filters):
    with Archive(load_config(office).archive) as archive:
        return archive.list_mentions(jobs.Filters(**filters))


def current_time(page: Page) -> float:
    return page.evaluate("document.getElementById('player').currentTime")


def test_pressing_play_on_a_hit_plays_it_from_just_before_the_hit(page: Page):
    page.goto("/?q=mercado")
    play = page.locator("button.play").first
    offset = float(play.get_attribute("data-offset"))
    assert offset > 3  # the hit is not at the start of the file: seeking is what is tested
    play.click()
    playing = "() => { const a = document.getElementById('player'); return !a.paused && a.currentTime > 0 }"
    page.wait_for_function(playing, timeout=20_000)
    assert offset - 2.5 <= current_time(page) <= offset + 1.0  # started ~2 s before, not from 0
    page.wait_for_function(f"document.getElementById('player').currentTime >= {offset - 1.0}", timeout=20_000)
    assert abs(current_time(page) - offset) <= 1.0


def test_clicking_a_transcript_line_seeks_and_the_word_being_heard_is_highlighted(page: Page, office: Path):
    recording_id = mentions(office)[0].recording_id
    page.goto(f"/grabacion/{recording_id}")
    line = page.locator("#transcript li.seg").nth(3)
    start = float(line.get_attribute("data-start"))
    line.locator(".text").click()
    page.wait_for_function("() => !document.getElementById('player').paused", timeout=20_000)
    assert abs(current_time(page) - start) <= 1.0
    expect(line).to_have_class(re.compile(r"\bcurrent\b"))
    seen = set()
    deadline = time.monotonic() + 20
    while len(seen) < 3 and time.monotonic() < deadline:
        word = page.evaluate("""() => { const w = document.querySelector('#transcript .current-word');
                                        return w && [w.textContent, parseFloat(w.dataset.s),
                                                     document.getElementById('player').currentTime]; }""")
        if word:
            text, word_start, now = word
            assert word_start <= now + 0.1  # never a word that is still to come
            seen.add((text, word_start))
        time.sleep(0.15)
    assert len(seen) >= 3, f"the highlight did not follow playback: {seen}"


def test_a_review_persists_after_a_reload_and_leaves_the_days_counts(page: Page, office: Path):
    first = mentions(office)[0]
    page.goto(f"/menciones?dia={DAY}")
    count = page.locator(f'#por-grupo strong[data-group="{first.group_id}"]')
    before = int(count.text_content())
    page.keyboard.press("j")
    expect(page.locator(f"#m{first.id}")).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("f")
    expect(page.locator(f"#m{first.id}")).to_have_class(re.compile(r"review-rejected"))
    page.reload()
    expect(page.locator(f"#m{first.id}")).to_have_class(re.compile(r"review-rejected"))
    expect(page.locator(f"#m{first.id} .review-state")).to_contain_text("Falso positivo")
    after = page.locator(f'#por-grupo strong[data-group="{first.group_id}"]')
    assert (int(after.text_content()) if after.count() else 0) == before - 1
    # The selection moved on to the next row to review, and is kept in the address (#m…): back up one.
    expect(page.locator(f"#m{first.id}")).not_to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator("#lista li.mencion.selected")).to_have_count(1)
    page.keyboard.press("k")
    expect(page.locator(f"#m{first.id}")).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("u")
    expect(page.locator(f"#m{first.id}")).to_have_class(re.compile(r"review-none"))
    assert next(m for m in mentions(office) if m.id == first.id).review is None


def test_todays_list_shows_new_mentions_without_a_reload(page: Page, office: Path):
    page.goto("/menciones?dia=hoy")
    assert page.locator("#lista li.mencion").count() == 0
    config = load_config(office)
    with Archive(config.archive) as archive:
        now = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=2)
        import_transcript_data(archive, {"segments": [{"start": 0.5, "end": 3.0, "text": "Hoy en Moroleón llueve."}]},
                               source="hoy.json", sha256=f"hoy-{now.isoformat()}", station="ejemplo-am", start=now)
        jobs.rematch(config, archive)
    expect(page.locator("#lista li.mencion")).to_have_count(1, timeout=30_000)
    expect(page.locator("#lista")).to_contain_text("Hoy en Moroleón llueve.")


def test_an_injected_transcript_renders_as_text(page: Page, office: Path):
    page.goto("/?q=inyeccion")
    expect(page.locator(".hit .snippet")).to_contain_text("<script>window.__xss=1</script>")
    assert page.locator(".hit .snippet img, .hit .snippet script").count() == 0
    page.locator(".hit a", has_text="Ver transcripción").click()
    expect(page.locator("#transcript")).to_contain_text('<img src=x onerror="window.__xss=2">')
    assert page.locator("#transcript img, #transcript script").count() == 0
    assert page.evaluate("window.__xss === undefined")


def test_a_post_without_the_csrf_token_is_refused(page: Page, office: Path):
    first = mentions(office)[0]
    page.goto(f"/menciones?dia={DAY}")  # a session exists: only the token is missing
    refused = page.request.post(f"/menciones/{first.id}/revision", form={"revision": "confirmed"},
                                max_redirects=0)
    assert refused.status == 403 and "CSRF" in refused.text()
    assert next(m for m in mentions(office) if m.id == first.id).review is None


def test_path_traversal_on_the_audio_route_is_a_404(page: Page):
    for path in ("/audio/..%2F..%2F..%2Fetc%2Fpasswd", "/audio/%2e%2e/%2e%2e/etc/passwd",
                 "/audio/1%2F..%2Fradiomon.db"):
        response = page.request.get(path)
        assert response.status == 404 and "root:" not in response.text()
    page.goto("/audio/../../etc/passwd")
    assert "root:" not in page.content()


def test_bound_to_all_addresses_a_login_is_demanded_and_a_wrong_password_refused(browser, office, tmp_path):
    # A copy of the archive with a user, so the loopback server above stays without login.
    folder = tmp_path / "lan"
    shutil.copytree(office.parent, folder, ignore=shutil.ignore_patterns("radiomon.db*", "*.clips"))
    with sqlite3.connect(office.parent / "radiomon.db") as source, sqlite3.connect(folder / "radiomon.db") as copy:
        source.backup(copy)
    config = folder / "radiomon.yml"
    subprocess.run([*RADIOMON, "--config", str(config), "users", "add", "ana", "--password-stdin"], env=ENV,
                   input="contraseña-segura\n", text=True, check=True, capture_output=True)
    lan = Server(config, host="0.0.0.0")
    try:
        context = browser.new_context(base_url=lan.url)
        page = context.new_page()
        page.goto("/?q=mercado")
        expect(page).to_have_url(re.compile(r"/entrar\?siguiente="))
        assert page.request.get("/api/status").status == 401
        audio = page.request.get("/audio/1", max_redirects=0)
        assert audio.status == 302 and "/entrar" in audio.headers["location"]
        page.fill("input[name=usuario]", "ana")
        page.fill("input[name=contrasena]", "incorrecta")
        page.click("button[type=submit]")
        expect(page.locator(".error-message")).to_contain_text("incorrectos")
        expect(page).to_have_url(re.compile(r"/entrar"))
        page.fill("input[name=contrasena]", "contraseña-segura")
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/\?q=mercado$"))
        expect(page.locator(".hit").first).to_be_visible()
        expect(page.locator(".who")).to_have_text("ana")
        context.close()
    finally:
        lan.stop()


def test_the_api_gives_the_recording_with_its_segments(page: Page, office: Path):
    recording_id = mentions(office)[0].recording_id
    data = json.loads(page.request.get(f"/api/recordings/{recording_id}").text())
    assert data["id"] == recording_id and data["segments"] and data["segments"][0]["words"]


def children_of(pid: int) -> set[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return {int(p) for p in found.split()}


def test_several_workers_share_the_port_a_dead_one_comes_back_and_sigterm_stops_them_all(office):
    running = Server(office, workers=2)
    try:
        workers = children_of(running.process.pid)
        assert len(workers) == 2
        with urllib.request.urlopen(f"{running.url}/?q=mercado", timeout=30) as page:
            assert page.status == 200 and b"mercado" in page.read().lower()
        os.kill(next(iter(workers)), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (len(children_of(running.process.pid)) < 2
                                               or children_of(running.process.pid) == workers):
            time.sleep(0.2)
        again = children_of(running.process.pid)
        assert len(again) == 2 and again != workers
    finally:
        running.process.terminate()
        running.process.wait(timeout=20)
    assert running.process.returncode is not None
    for pid in workers | again:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_searching_the_name_finds_it_however_whisper_spelled_it(page: Page):
    # The demo's "Buenos días, Morreón." is a mention of Moroleón (the matcher heard it).
    page.goto("/?q=moroleón")
    hit = page.locator(".hit", has_text="Buenos días, Morreón.")
    expect(hit).to_have_count(1)
    expect(hit.locator(".via")).to_contain_text("se oyó «Morreón»")
    expect(hit.locator(".snippet mark")).to_have_text("Morreón")
