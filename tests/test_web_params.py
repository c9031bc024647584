"""Hostile parameters: dates at the ends of the calendar, ids past SQLite's integers, digits int()
accepts but a person does not type, JSON nested past the parser's stack, nan seconds.

Each is a 400 in Spanish (``{"error": …}`` from the API) from the web UI, and one line from the
command line; never a 500 or a traceback.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.errors import QueryError
from radiomon.timeutil import parse_user_instant
from radiomon.transcript import Segment
from radiomon.web import create_app

START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
BIG = "99999999999999999999"  # 20 digits: past SQLite's int64 (OverflowError in the driver)
INT64_MAX = 2**63 - 1


@pytest.fixture(scope="module")
def office(build_office):
    """One recording without audio whose text mentions Moroleón."""

    def fill(config, archive):
        recording, _ = archive.add_recording(station="radio-uno", start=START, duration=60)
        archive.replace_segments(recording, [Segment(1.0, 5.0, "Buenos días Moroleón", avg_logprob=-0.2,
                                                     no_speech_prob=0.01)], engine="test")
        jobs.rematch(config, archive)
        assert archive.list_mentions()

    return build_office("params", fill)


@pytest.fixture
def client(office):
    return create_app(load_config(office / "radiomon.yml")).test_client()


def csrf(client) -> str:
    page = client.get("/").data
    return re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()


def assert_spanish_400(response, needle: str, *, api: bool) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:300]
    assert "Traceback" not in text
    if api:
        body = response.get_json()
        assert set(body) == {"error"} and needle in body["error"]
    else:
        assert "Solicitud no válida" in text and 'lang="es-MX"' in text and needle in text


@pytest.mark.parametrize("url, needle", [
    # Dates: year 1 and 9999 overflow the day's UTC bounds and the previous/next-day links.
    ("/menciones?dia=0001-01-01", "fuera de rango"),
    ("/menciones?dia=9999-12-31", "fuera de rango"),
    ("/sintesis?dia=0001-01-01", "fuera de rango"),
    ("/sintesis?dia=9999-12-31", "fuera de rango"),
    ("/sintesis/documento?dia=9999-12-31&formato=md", "fuera de rango"),
    ("/?q=mercado&hasta=9999-12-31", "fuera de rango"),
    ("/?q=mercado&desde=0001-01-01", "fuera de rango"),
    ("/menciones?dia=٢٠٢٦-١١-٢٥", "AAAA-MM-DD"),  # Arabic-Indic digits date.fromisoformat does not take anyway
    # Ids: past int64, or digits other than 0-9.
    (f"/grabacion/{BIG}", "número de grabación"),
    (f"/grabacion/{INT64_MAX + 1}", "número de grabación"),
    ("/grabacion/١", "número de grabación"),
    ("/grabacion/²", "número de grabación"),
    (f"/mencion/{BIG}", "número de mención"),
    (f"/mencion/{BIG}/clip", "número de mención"),
    ("/mencion/²", "número de mención"),
    (f"/audio/{BIG}", "número de grabación"),
    # Numbers int() and float() accept but a person does not type.
    ("/?q=mercado&pagina=²", "pagina"),
    ("/?q=mercado&pagina=١", "pagina"),
    ("/?q=mercado&pagina=1_0", "pagina"),
    ("/?q=mercado&pagina=" + "9" * 5000, "pagina"),  # int() of over 4300 digits is a ValueError
    ("/grabacion/1?t=١", "segundos"),
    ("/grabacion/1?t=1e400", "segundos"),
    ("/grabacion/1?t=infinity", "segundos"),
    ("/mencion/1?antes=٥", "segundos"),
    ("/mencion/1?despues=inf", "segundos"),
])
def test_hostile_page_parameters_are_a_400_page_in_spanish(client, url, needle):
    assert_spanish_400(client.get(url), needle, api=False)


@pytest.mark.parametrize("url, needle", [
    ("/api/mentions?until=9999-12-31", "9999-12-31"),
    ("/api/mentions?since=0001-01-01", "0001-01-01"),
    ("/api/mentions?since=0001-01-01T00:00:00%2B05:00", "entre 1970 y 2200"),
    ("/api/search?q=mercado&until=9999-12-31T23:59:59-05:00", "entre 1970 y 2200"),
    ("/api/mentions?limit=²", "limit"),
    ("/api/mentions?limit=١٠", "limit"),
    ("/api/search?q=mercado&limit=²", "limit"),
    (f"/api/recordings/{BIG}", "número de grabación"),
    ("/api/recordings/١", "número de grabación"),
])
def test_hostile_api_parameters_are_a_json_400_in_spanish(client, url, needle):
    assert_spanish_400(client.get(url), needle, api=True)


def test_the_largest_id_sqlite_holds_is_a_plain_404(client):
    for url in (f"/grabacion/{INT64_MAX}", f"/mencion/{INT64_MAX}", f"/audio/{INT64_MAX}"):
        assert client.get(url).status_code == 404
    assert client.get(f"/api/recordings/{INT64_MAX}").status_code == 404


def test_a_json_body_nested_past_the_parsers_stack_is_a_400(client):
    token = csrf(client)
    response = client.post("/api/mentions/1/review", data="[" * 60_000, content_type="application/json",
                           headers={"X-CSRF-Token": token})
    assert_spanish_400(response, "anidado", api=True)
    response = client.post("/api/mentions/1/review", json=[1, 2], headers={"X-CSRF-Token": token})
    assert_spanish_400(response, "objeto JSON", api=True)


def test_reviews_of_ids_past_sqlites_integers_are_a_400(client):
    token = csrf(client)
    response = client.post(f"/api/mentions/{BIG}/review", json={"review": "confirmed"},
                           headers={"X-CSRF-Token": token})
    assert_spanish_400(response, "número de mención", api=True)
    response = client.post(f"/menciones/{BIG}/revision", data={"csrf": token, "revision": "confirmed"})
    assert_spanish_400(response, "número de mención", api=False)


def test_the_mentions_page_still_reads_the_edges_of_the_range(client):
    assert client.get("/menciones?dia=1970-01-01").status_code == 200
    assert client.get("/menciones?dia=2200-12-31").status_code == 200
    assert client.get("/api/mentions?since=1970-01-01&until=2200-12-31").status_code == 200


# -- the command line ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, end_of_day", [
    ("0001-01-01", False), ("9999-12-31", True), ("9999-12-31", False), ("1969-12-31", False),
    ("0001-01-01T00:00:00+05:00", False), ("9999-12-31T23:59:59-05:00", False), ("2201-01-01 10:00", False),
])
def test_user_instants_outside_1970_2200_are_a_query_error(text, end_of_day):
    with pytest.raises(QueryError, match="between 1970 and 2200"):
        parse_user_instant(text, ZoneInfo("Asia/Tokyo"), end_of_day=end_of_day)


def test_user_instants_at_the_edges_of_the_range_are_read():
    assert parse_user_instant("2200-12-31", ZoneInfo("America/Mexico_City"), end_of_day=True).year == 2201
    assert parse_user_instant("1970-01-01", ZoneInfo("Asia/Tokyo")).year == 1969


@pytest.mark.parametrize("args", [
    ["mentions", "--since", "0001-01-01"],
    ["mentions", "--until", "9999-12-31"],
    ["search", "mercado", "--until", "9999-12-31"],
])
def test_dates_outside_the_range_are_one_line_on_the_command_line(run, archive, args):
    result = run(*args)
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert "between 1970 and 2200" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("option, value", [("--after", "nan"), ("--after", "inf"), ("--before", "nan"),
                                           ("--before", "inf")])
def test_clip_windows_of_nan_or_inf_seconds_are_one_line(run, archive, tmp_path, option, value):
    result = run("clip", "1", option, value, "-o", tmp_path / "clip.mp3")
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert "not nan or inf" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "clip.mp3").exists()


@pytest.mark.parametrize("before, after", [(float("nan"), 20.0), (5.0, float("inf")), (5.0, 1e300)])
def test_the_clip_window_is_checked_by_the_library(office, tmp_path, before, after):
    config = load_config(office / "radiomon.yml")
    with Archive(config.archive) as archive:
        mention = archive.list_mentions()[0]
        with pytest.raises(QueryError, match="--before"):
            jobs.clip(config, archive, mention.id, out=tmp_path / "clip.mp3", before=before, after=after)
