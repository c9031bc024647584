"""The web speaks the office's Spanish: dates as dd/mm/aaaa (shown and typed), and every library
error (English, in the command line's words) translated at the web's edge, the CLI keeping its own."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string

from radiomon import jobs
from radiomon.config import load_config
from radiomon.errors import QueryError, RadiomonError
from radiomon.filters import Filters
from radiomon.reports.clips import check_window
from radiomon.reports.digest import day_period
from radiomon.reports.digest import parse_day as digest_day
from radiomon.reports.weekly import parse_week
from radiomon.search.query import parse_query
from radiomon.timeutil import parse_user_instant
from radiomon.transcript import Segment
from radiomon.web import create_app
from radiomon.web.dates import PATTERN, PATTERN_WORDS, fecha, parse_day
from radiomon.web.errors_es import API_NAMES, FALLBACK, is_translated, spanish

MEXICO = ZoneInfo("America/Mexico_City")
START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)


# -- dates --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, day", [
    ("25/11/2026", date(2026, 11, 25)), ("5/3/2026", date(2026, 3, 5)), ("05/03/2026", date(2026, 3, 5)),
    (" 25-11-2026 ", date(2026, 11, 25)), ("25.11.2026", date(2026, 11, 25)), ("2026-11-25", date(2026, 11, 25)),
    ("29/02/2028", date(2028, 2, 29)),
])
def test_a_date_is_read_day_first_or_iso(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["30/02/2026", "25/13/2026", "1/1/26", "2026/11/25", "11/25/2026", "25/11",
                                  "١٢/١١/٢٠٢٦", "hoy", "", "2026-1-5"])
def test_what_is_not_a_day_first_or_iso_date_is_refused(text):
    with pytest.raises(ValueError):
        parse_day(text)


def test_dates_are_shown_day_first_in_the_offices_zone():
    assert fecha(date(2026, 3, 5)) == "05/03/2026"
    # 03:00 UTC on the 26th is still the evening of the 25th in Mexico City
    assert fecha("2026-11-26T03:00:00Z", MEXICO) == "25/11/2026"
    assert fecha(datetime(2026, 11, 26, 3, 0, tzinfo=timezone.utc), MEXICO) == "25/11/2026"
    assert fecha("2026-11-25") == "25/11/2026" and fecha("5/3/2026") == "05/03/2026"
    assert fecha(None) == "" and fecha("") == "" and fecha("mañana") == "mañana"  # what was typed, kept


@pytest.mark.parametrize("text, words, ok", [
    ("25/11/2026", False, True), ("5/3/2026", False, True), ("25-11-2026", False, True),
    ("2026-11-25", False, True), ("hoy", False, False), ("Ayer", True, True), ("25/11/26", False, False),
    ("11/25/2026x", False, False),
])
def test_the_forms_pattern_takes_what_the_server_takes(text, words, ok):
    # The browser anchors the pattern (^(?:…)$); Python's re reads this one the same way.
    assert bool(re.fullmatch(f"(?:{PATTERN_WORDS if words else PATTERN})", text)) is ok


# -- error lines: each the library raises, in Spanish without a command-line option -----------------
def _raised(call) -> RadiomonError:
    with pytest.raises(RadiomonError) as raised:
        call()
    return raised.value


def _library_errors(config) -> list[RadiomonError]:
    with_station = load_config(config.path)
    errors = [_raised(lambda q=q: parse_query(q)) for q in
              ['"mercado', "OR mercado", "mercado OR", "a OR -b", "-futbol", "", "*", "mo*ro"]]
    errors += [
        _raised(lambda: Filters.parse(with_station, since="2026-11-26", until="2026-11-25")),
        _raised(lambda: Filters.parse(with_station, stations=["radio-dos"])),
        _raised(lambda: Filters.parse(with_station, medium="tv")),
        _raised(lambda: Filters.parse(with_station, medium="press", stations=["radio-uno"])),
        _raised(lambda: Filters.parse(with_station, medium="radio", outlets=["x"])),
        _raised(lambda: Filters.parse(with_station, review="quizas")),
        _raised(lambda: parse_user_instant("ayer por la tarde", MEXICO)),
        _raised(lambda: parse_user_instant("9999-12-31", MEXICO)),
        _raised(lambda: digest_day("mañana", MEXICO)),
        _raised(lambda: day_period(date(2026, 11, 25), MEXICO, since="25:00")),
        _raised(lambda: day_period(date(2026, 11, 25), MEXICO, since="24:00")),
        _raised(lambda: day_period(date(2026, 11, 25), MEXICO, since="10:00", until="09:00")),
        _raised(lambda: parse_week("semana 47", today=date(2026, 11, 25))),
        _raised(lambda: check_window(float("nan"), 5, "mp3")),
        _raised(lambda: check_window(100_000, 5, "mp3")),
        _raised(lambda: check_window(-1, 5, "mp3")),
        _raised(lambda: check_window(0, 0, "mp3")),
    ]
    return errors


def test_every_error_a_person_can_cause_has_its_spanish(config):
    errors = _library_errors(config)
    assert len(errors) == 25
    for err in errors:
        assert is_translated(err), str(err)
        for names in (None, API_NAMES):
            text = spanish(err) if names is None else spanish(err, names)
            assert "--" not in text and text != FALLBACK, (str(err), text)
            assert not re.search(r"\b(must|needs|only|unknown|configured|not a|between)\b", text), text
            assert str(config.path) not in text  # the unknown station's radiomon.yml is not for the page


def test_the_spanish_keeps_the_values_and_names_the_fields_as_the_page_or_the_api():
    err = QueryError("--since must be before --until")
    assert spanish(err) == "La fecha «Desde» debe ser anterior a «Hasta»; corrija una de las dos."
    assert spanish(err, API_NAMES) == "La fecha since debe ser anterior a until; corrija una de las dos."
    assert spanish(QueryError("OR needs a word on each side in \"it's OR\"")) == \
        "OR necesita una palabra a cada lado en «it's OR»; p. ej. mercado OR tianguis."
    assert spanish(QueryError("something new the library says")) == FALLBACK


def test_the_command_line_keeps_its_own_words(run, archive):
    result = run("search", "moroleon", "--since", "2026-11-26", "--until", "2026-11-25")
    assert result.output == "Error: --since must be before --until\n"


# -- the web ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def office(build_office):
    def fill(config, archive):
        recording, _ = archive.add_recording(station="radio-uno", start=START, duration=60)
        archive.replace_segments(recording, [Segment(1.0, 5.0, "Buenos días Moroleón, el mercado abre",
                                                     avg_logprob=-0.2, no_speech_prob=0.01)], engine="test")
        jobs.rematch(config, archive)

    return build_office("spanish", fill)


@pytest.fixture
def app(office):
    return create_app(load_config(office / "radiomon.yml"))


@pytest.fixture
def client(app):
    return app.test_client()


def _page_error(response) -> str:
    text = response.get_data(as_text=True)
    found = re.search(r'class="error-message"[^>]*>(.*?)</p>', text, re.DOTALL)
    assert found, text[:500]
    return found.group(1).replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")


@pytest.mark.parametrize("query, needle", [
    # the range's order, typed day first
    ("q=mercado&desde=26/11/2026&hasta=25/11/2026", "La fecha «Desde» debe ser anterior a «Hasta»"),
    ("q=OR+mercado", "OR necesita una palabra a cada lado en «OR mercado»"),
    ("q=mo*ro", "«mo*ro»: el * solo va al final de una palabra"),
    ("q=-futbol", "«-futbol» solo excluye palabras"),
    ("q=mercado&estacion=radio-dos", "La estación «radio-dos» no existe; las configuradas son: radio-uno, fm-oficina"),
])
def test_search_page_errors_read_in_spanish(client, office, query, needle):
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    message = _page_error(response)
    assert needle in message and "--" not in message and str(office) not in message


@pytest.mark.parametrize("query, needle", [
    ("q=mercado&since=2026-11-26&until=2026-11-25", "La fecha since debe ser anterior a until"),
    ("q=OR+mercado", "OR necesita una palabra a cada lado en «OR mercado»"),
    ("q=%22mercado", "Faltan comillas de cierre en «\"mercado»"),
    ("q=mercado&station=radio-dos", "La estación «radio-dos» no existe"),
    ("q=mercado&medium=press&station=radio-uno", "station es de radio"),
    ("q=mercado&group=nada", "El grupo «nada» no existe"),
])
def test_api_errors_read_in_spanish(client, office, query, needle):
    for path in ("/api/search", "/api/mentions"):
        if path == "/api/mentions" and "q=%22" in query or "OR" in query and path == "/api/mentions":
            continue  # the mentions take no query
        response = client.get(f"{path}?{query}")
        body = response.get_json()
        assert response.status_code == 400 and set(body) == {"error"}, (path, body)
        assert needle in body["error"] and "--" not in body["error"] and str(office) not in body["error"]


@pytest.mark.parametrize("url, needle", [
    ("/?q=mercado&desde=31/02/2026", "La fecha «Desde» no es válida"),
    ("/?q=mercado&hasta=25/11/26", "La fecha «Hasta» no es válida"),
    ("/?q=mercado&desde=01/01/9999", "La fecha «Desde» está fuera de rango"),
    ("/sintesis?dia=2026-02-30", "La fecha «Día» no es válida"),
    ("/grabacion/abc", "«abc» no es un número de grabación"),
    ("/mencion/1x", "«1x» no es un número de mención"),
])
def test_bad_dates_and_ids_name_the_field_and_the_form(client, url, needle):
    response = client.get(url)
    assert response.status_code == 400
    message = _page_error(response)
    assert needle in message
    if "fecha" in needle:
        assert "dd/mm/aaaa" in message


def test_the_mentions_page_reads_its_errors_in_spanish(client):
    response = client.get("/menciones?dia=25/11/2026&grupo=nada")
    assert response.status_code == 200
    message = _page_error(response)
    assert message.startswith("El grupo «nada» no existe en las palabras clave; los grupos son: ")
    assert "--" not in message


def test_bad_ids_in_the_api_are_spanish(client):
    body = client.get("/api/recordings/abc").get_json()
    assert body == {"error": "«abc» no es un número de grabación; use solo dígitos (0-9), p. ej. 12."}


def test_dates_typed_day_first_are_read(client):
    assert client.get("/?q=mercado&desde=25/11/2026&hasta=25/11/2026").status_code == 200
    by_iso = client.get("/?q=mercado&desde=2026-11-25&hasta=2026-11-25").get_data(as_text=True)
    by_day_first = client.get("/?q=mercado&desde=25/11/2026&hasta=25/11/2026").get_data(as_text=True)
    assert by_iso.count('class="hit"') == by_day_first.count('class="hit"') == 1
    assert client.get("/?q=mercado&desde=26/11/2026").get_data(as_text=True).count('class="hit"') == 0


def test_a_query_error_no_page_caught_is_a_spanish_400_not_a_500(app):
    def broken():
        raise QueryError("--since must be before --until")

    app.add_url_rule("/prueba-error", view_func=broken)
    app.add_url_rule("/api/prueba-error", "api_broken", view_func=broken)
    client = app.test_client()
    page = client.get("/prueba-error")
    assert page.status_code == 400 and "La fecha «Desde» debe ser anterior a «Hasta»" in page.get_data(as_text=True)
    api = client.get("/api/prueba-error")
    assert api.status_code == 400 and api.get_json() == {
        "error": "La fecha since debe ser anterior a until; corrija una de las dos."}


def test_templates_show_dates_day_first_and_share_one_date_field(app):
    with app.test_request_context("/"):
        app.preprocess_request()
        assert render_template_string("{{ d|fecha }} {{ i|fecha }}", d=date(2026, 3, 5),
                                      i="2026-11-26T03:00:00Z") == "05/03/2026 25/11/2026"
        html = render_template_string('{% from "fields.html" import date_field %}'
                                      '{{ date_field("desde", "Desde", "2026-11-25", words=true) }}')
    assert html.startswith('<label class="date-field">Desde <input type="text"')
    assert 'name="desde"' in html and 'value="25/11/2026"' in html and 'inputmode="numeric"' in html
    assert 'placeholder="dd/mm/aaaa"' in html
    pattern = re.search(r'pattern="([^"]+)"', html).group(1)
    assert pattern.replace("&amp;", "&") == PATTERN_WORDS
