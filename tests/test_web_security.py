"""The web UI's access control: the login throttle under real concurrency, sessions the
server can end, where a login may send a person, DNS rebinding, cookies, tokens, names.

Each test has its own deployment and archive (the login state lives in the
archive, so nothing leaks from one test to the next).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
import requests
import waitress.server

from radiomon import timeutil
from radiomon.archive import Archive, schema
from radiomon.config import load_config
from radiomon.web import accounts, create_app
from radiomon.web.redirects import site_path
from radiomon.web.throttle import FREE_TRIES, FREE_TRIES_PER_ADDRESS, LoginThrottle

try:
    from icecast import free_port
except ImportError:  # tests/ is a package in some layouts
    from tests.icecast import free_port

PASSWORD = "contraseña-segura"
START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)


class FrozenClock:
    """The throttle's clock, moved by hand: no test waits for a real second to pass."""

    def __init__(self) -> None:
        self.now = START.timestamp()

    def __call__(self) -> float:
        return self.now


def app_for(config, clock: FrozenClock | None = None, **kwargs):
    app = create_app(config, **kwargs)
    if clock is not None:
        app.extensions["radiomon"].throttle = LoginThrottle(clock=clock)
    return app


@pytest.fixture
def token(config):
    with Archive(config.archive) as archive:
        return accounts.add_user(archive, "ana", PASSWORD)


def csrf_of(page: bytes | str) -> str:
    text = page.decode() if isinstance(page, bytes) else page
    return re.search(r'name="csrf-token" content="([^"]+)"', text).group(1)


def sign_in(client, name="ana", password=PASSWORD, **extra):
    csrf = csrf_of(client.get("/entrar").data)
    return client.post("/entrar", data={"csrf": csrf, "usuario": name, "contrasena": password, **extra})


# -- 6. the login throttle ---------------------------------------------------------------------------
def _serve(app) -> tuple[waitress.server.BaseWSGIServer, threading.Thread]:
    server = waitress.server.create_server(app, host="127.0.0.1", port=free_port(), threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, thread


def test_forty_parallel_guesses_on_two_workers_check_only_the_free_tries(config, token):
    """Two apps on two real waitress servers share one archive, as two workers of `serve --workers 2` do."""
    clock = FrozenClock()  # frozen: the first wait never ends during the test, however slow the machine
    servers = [_serve(app_for(config, clock)) for _ in range(2)]
    try:
        urls = [f"http://127.0.0.1:{server.effective_port}" for server, _ in servers]
        first = requests.get(f"{urls[0]}/entrar", timeout=30)
        csrf, cookies = csrf_of(first.text), first.cookies  # signed with the key both workers share
        start = threading.Barrier(40)
        codes: list[int] = []

        def guess(number: int) -> None:
            start.wait()
            answer = requests.post(f"{urls[number % 2]}/entrar", cookies=cookies, allow_redirects=False, timeout=120,
                                   data={"csrf": csrf, "usuario": "ana", "contrasena": f"mal-{number}"})
            codes.append(answer.status_code)

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for server, thread in servers:
            server.close()
            thread.join(timeout=10)
    assert sorted(codes) == [401] * FREE_TRIES + [429] * (40 - FREE_TRIES)
    with Archive(config.archive) as archive:
        failures = {row["key"]: row["failures"] for row in archive.query("SELECT key, failures FROM login_failures")}
    assert failures == {"account:ana": FREE_TRIES, "address:127.0.0.1": FREE_TRIES}


def test_workers_share_the_count_the_wait_doubles_and_a_success_forgets_the_account(config, token):
    clock = FrozenClock()
    one, two = app_for(config, clock).test_client(), app_for(config, clock).test_client()
    assert [sign_in(one, password=f"mal{i}").status_code for i in range(FREE_TRIES)] == [401] * FREE_TRIES
    refused = sign_in(two)  # the other worker knows, and even the right password waits its turn
    assert refused.status_code == 429 and "espere 1 s" in refused.get_data(as_text=True)
    clock.now += 1
    assert sign_in(two, password="mal").status_code == 401
    assert "espere 2 s" in sign_in(one).get_data(as_text=True)
    clock.now += 2
    assert sign_in(one, name="ANA").status_code == 302  # names are one account whatever their case
    assert [sign_in(two, password=f"otra{i}").status_code for i in range(FREE_TRIES)] == [401] * FREE_TRIES


def test_many_names_from_one_address_are_slowed_down_and_the_count_survives_a_restart(config, token):
    clock = FrozenClock()
    client = app_for(config, clock).test_client()
    codes = [sign_in(client, name=f"nadie{i}", password="x" * 8).status_code for i in range(FREE_TRIES_PER_ADDRESS)]
    assert codes == [401] * FREE_TRIES_PER_ADDRESS
    restarted = app_for(config, clock).test_client()
    assert sign_in(restarted, name="otro-nombre").status_code == 429
    clock.now += 2 * 3600  # an hour without tries is forgotten
    assert sign_in(restarted).status_code == 302


# -- 7. sessions the server can end ------------------------------------------------------------------
def _cookie(client) -> str:
    return client.get_cookie("radiomon_session").value


def _with_cookie(config, cookie: str):
    client = create_app(config).test_client()
    client.set_cookie("radiomon_session", cookie)
    return client


def test_logout_ends_the_session_even_for_a_copy_of_the_cookie(config, token):
    client = create_app(config).test_client()
    assert sign_in(client).status_code == 302
    stolen = _cookie(client)
    assert _with_cookie(config, stolen).get("/menciones").status_code == 200
    csrf = csrf_of(client.get("/menciones").data)
    assert client.post("/salir", data={"csrf": csrf}).status_code == 302
    again = _with_cookie(config, stolen).get("/menciones")
    assert again.status_code == 302 and "/entrar" in again.headers["Location"]


def test_remove_passwd_and_logout_all_end_sessions_and_re_adding_does_not_revive_them(config, config_path, token,
                                                                                     run):
    def signed_in() -> str:
        client = create_app(config).test_client()
        assert sign_in(client).status_code == 302
        return _cookie(client)

    def works(cookie: str) -> bool:
        return _with_cookie(config, cookie).get("/menciones").status_code == 200

    before = signed_in()
    assert run("users", "remove", "ana").exit_code == 0
    assert run("users", "add", "ana", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    assert not works(before)

    before = signed_in()
    changed = run("users", "passwd", "ANA", "--password-stdin", input="nueva-contraseña\n")
    assert changed.exit_code == 0 and changed.stdout == "password of ana changed; its web sessions ended\n"
    assert not works(before)
    ana = [signed_in_as(config, "ana", "nueva-contraseña") for _ in range(2)]
    with Archive(config.archive) as archive:
        accounts.add_user(archive, "beto", PASSWORD)
    beto = signed_in_as(config, "beto", PASSWORD)
    assert run("users", "logout-all", "ana").stdout == "2 web sessions ended for ana\n"
    assert not any(works(cookie) for cookie in ana) and works(beto)
    assert run("users", "logout-all").stdout == "1 web session ended\n"
    assert not works(beto)
    unknown = run("users", "logout-all", "carla")
    assert unknown.exit_code == 1 and "no user 'carla'" in unknown.output and "Traceback" not in unknown.output
    short = run("users", "passwd", "ana", "--password-stdin", input="corta\n")
    assert short.exit_code == 1 and "at least 8" in short.output


def signed_in_as(config, name: str, password: str) -> str:
    client = create_app(config).test_client()
    assert sign_in(client, name=name, password=password).status_code == 302
    return _cookie(client)


@pytest.mark.parametrize("column, age", [("seen_utc", timedelta(hours=13)), ("created_utc", timedelta(days=32))])
def test_sessions_end_when_idle_or_too_old(config, token, column, age):
    client = create_app(config).test_client()
    assert sign_in(client).status_code == 302
    assert client.get("/menciones").status_code == 200
    # Defaults: 12 hours idle, 31 days in all (web.session_idle_hours, web.session_max_days).
    with sqlite3.connect(config.archive) as conn:
        conn.execute(f"UPDATE web_sessions SET {column} = ?", (timeutil.to_iso(datetime.now(timezone.utc) - age),))
    expired = client.get("/menciones")
    assert expired.status_code == 302 and "/entrar" in expired.headers["Location"]
    with Archive(config.archive) as archive:
        assert archive.query("SELECT count(*) AS n FROM web_sessions")[0]["n"] == 0


def test_the_session_lifetimes_come_from_radiomon_yml(config_path, write_config, token):
    write_config(config_path.read_text() + "web:\n  session_idle_hours: 0.5\n  session_max_days: 2\n")
    config = load_config(config_path)
    client = create_app(config).test_client()
    assert sign_in(client).status_code == 302
    with sqlite3.connect(config.archive) as conn:
        conn.execute("UPDATE web_sessions SET seen_utc = ?",
                     (timeutil.to_iso(datetime.now(timezone.utc) - timedelta(minutes=40)),))
    assert client.get("/menciones").status_code == 302
    assert "Expires=" in sign_in(client).headers["Set-Cookie"]


# -- 8. where a login may send a person --------------------------------------------------------------
@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/x", "/\r\n/x", "//evil.example", "/\\evil.example",
                                    "https://evil.example/", "/ /evil.example", "/\x00x", "/\u2028/evil.example",
                                    "http:/evil.example", "evil.example", ""])
def test_only_paths_of_this_site_are_followed(target):
    assert site_path(target, "/") == "/"


def test_every_back_link_of_the_site_follows_the_same_rules():
    from radiomon.web.common import local_path  # the review form's "volver" and other back links

    assert local_path("/\t/evil.example", "/menciones") == "/menciones"
    assert local_path("/menciones?dia=hoy", "/") == "/menciones?dia=hoy"


@pytest.mark.parametrize("target", ["/menciones?dia=hoy&revision=pendientes", "/grabacion/12?t=30", "/",
                                    "/?q=Moroleón"])
def test_paths_of_this_site_are_kept(target):
    assert site_path(target, "/x") == target


@pytest.mark.parametrize("query, expected", [("siguiente=/%09/evil.example", "/"), ("siguiente=/%0A/x", "/"),
                                             ("siguiente=/menciones", "/menciones")])
def test_a_login_never_redirects_off_the_site_nor_fails(config, token, query, expected):
    client = create_app(config).test_client()
    page = client.get(f"/entrar?{query}")
    assert page.status_code == 200
    csrf = csrf_of(page.data)
    answer = client.post(f"/entrar?{query}", data={"csrf": csrf, "usuario": "ana", "contrasena": PASSWORD})
    assert answer.status_code == 302 and answer.headers["Location"] == expected


# -- 9. DNS rebinding without login ------------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example:8080", "evil.example", "127.0.0.1.evil.example", "localhost.evil"])
def test_without_users_only_requests_naming_this_machine_are_answered(config, host):
    client = create_app(config, host="127.0.0.1").test_client()
    page = client.get("/", headers={"Host": host})
    assert page.status_code == 400 and "solo a esta computadora" in page.get_data(as_text=True)
    api = client.get("/api/search?q=x", headers={"Host": host})
    assert api.status_code == 400 and "error" in api.get_json()
    csrf = csrf_of(client.get("/").data)
    review = client.post("/api/mentions/1/review", json={"review": "rejected"},
                         headers={"Host": host, "X-CSRF-Token": csrf})
    assert review.status_code == 400


@pytest.mark.parametrize("host", ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST", "localhost.",
                                  "127.0.0.2:9000", "radiomon.oficina:8080"])
def test_names_of_this_machine_the_bound_address_and_allowed_hosts_are_answered(config_path, write_config, host):
    write_config(config_path.read_text() + "web:\n  allowed_hosts: [radiomon.oficina]\n")
    client = create_app(load_config(config_path), host="127.0.0.2").test_client()
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_with_users_any_host_reaches_the_login(config, token):
    client = create_app(config, require_login=True, host="0.0.0.0").test_client()
    assert client.get("/entrar", headers={"Host": "radiomon.moroleon.gob.mx"}).status_code == 200


# -- 10. cookies, tokens, passwords, names -----------------------------------------------------------
@pytest.mark.parametrize("web, secure", [("", False), ("office:\n  base_url: https://radiomon.local\n", True),
                                         ("office:\n  base_url: http://192.168.1.20:8080\n", False),
                                         ("office:\n  base_url: https://radiomon.local\nweb:\n  secure_cookie: false\n",
                                          False),
                                         ("web:\n  secure_cookie: true\n", True)])
def test_the_session_cookie_is_secure_behind_https(config_path, write_config, token, web, secure):
    write_config(config_path.read_text().replace("health:", web + "health:", 1))
    client = create_app(load_config(config_path)).test_client()
    cookie = sign_in(client).headers["Set-Cookie"]
    assert ("; Secure" in cookie) is secure and "HttpOnly" in cookie


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_token_scheme_is_case_insensitive_and_opens_the_audio(config, token, make_tone, scheme):
    audio = make_tone(config.archive.parent / "uno.mp3", 2.0)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        recording, _ = archive.add_recording(station="radio-uno", start=START, duration=2.0, path=str(audio))
    client = create_app(config).test_client()
    assert client.get("/api/search?q=x", headers={"Authorization": f"{scheme} {token}"}).status_code == 200
    heard = client.get(f"/audio/{recording}", headers={"Authorization": f"{scheme} {token}"})
    assert heard.status_code == 200 and heard.data == audio.read_bytes()
    assert client.get(f"/audio/{recording}", headers={"Authorization": f"{scheme} nope"}).status_code == 401
    assert client.get(f"/audio/{recording}").status_code == 302  # no token, no session: the login page


def test_passwords_are_one_whatever_their_unicode_form(config):
    composed, decomposed = unicodedata.normalize("NFC", PASSWORD), unicodedata.normalize("NFD", PASSWORD)
    assert composed != decomposed
    with Archive(config.archive) as archive:
        accounts.add_user(archive, "ana", decomposed)
    assert sign_in(create_app(config).test_client(), password=composed).status_code == 302


def test_a_password_hashed_before_normalization_still_works_and_is_rehashed(config):
    decomposed = unicodedata.normalize("NFD", PASSWORD)
    with Archive(config.archive) as archive:
        accounts.add_user(archive, "ana", "provisional")
        archive.set_password_hash("ana", accounts._hasher.hash(decomposed))  # as stored by an older radiomon
        assert accounts.check_password(archive, "ana", unicodedata.normalize("NFC", PASSWORD)) is None
        assert accounts.check_password(archive, "ana", decomposed)["name"] == "ana"
        assert accounts.check_password(archive, "ana", unicodedata.normalize("NFC", PASSWORD))["name"] == "ana"


def test_user_names_are_one_account_whatever_their_case(config, archive, run):
    assert run("users", "add", "Ana", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    again = run("users", "add", "ana", "--password-stdin", input=PASSWORD + "\n")
    assert again.exit_code == 1 and "already exists (as 'Ana'" in again.output
    client = create_app(config).test_client()
    assert sign_in(client, name="ANA").status_code == 302
    csrf = csrf_of(client.get("/menciones").data)
    assert 'Ana' in client.get("/menciones").get_data(as_text=True)  # shown as created
    assert client.post("/salir", data={"csrf": csrf}).status_code == 302
    assert run("users", "remove", "aNA").stdout == "user aNA removed\n"
    assert run("users", "list").stdout == ""


def test_an_archive_with_names_differing_in_case_migrates_keeping_both(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in schema.MIGRATIONS[:3]:  # an archive of the version before
        for statement in statements:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    for name in ("ana", "Ana", "José"):
        conn.execute("INSERT INTO users (name, password_hash, token_sha256, created_utc) VALUES (?, 'x', ?, ?)",
                     (name, f"t-{name}", "2026-01-01T00:00:00.000Z"))
    conn.close()
    with Archive(path) as archive:
        keys = {row["name"]: row["name_key"] for row in archive.query("SELECT name, name_key FROM users")}
        assert keys == {"ana": "ana", "Ana": "ana:2", "José": "josé"}
        assert archive.user("ANA")["name"] == "ana" and archive.user("JOSÉ")["name"] == "José"
        assert archive.remove_user("Ana") and archive.user("ana")["name"] == "ana"


# -- 12. an unreadable session key -------------------------------------------------------------------
@pytest.mark.parametrize("damage, says", [("folder", "cannot read the web session key"),
                                          ("garbage", "not a web session key")])
def test_serve_with_a_session_key_it_cannot_read_fails_at_once_in_one_line(config, archive, run, damage, says):
    secret = config.archive.parent / f"{config.archive.name}.secret"
    if damage == "folder":  # as unreadable as chmod 000 is to anyone but root (tests may run as root)
        secret.mkdir(parents=True)
    else:
        secret.parent.mkdir(parents=True, exist_ok=True)
        secret.write_text("not hex at all")
    result = run("serve", "--port", str(free_port()), "--workers", "1")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert len(result.output.strip().splitlines()) == 1 and says in result.output and str(secret) in result.output
    assert "Traceback" not in result.output
