"""Fuzzing the edges a person (or a broken tool) feeds: Whisper JSON transcripts, the search box, the web
UI's query parameters and the review API's JSON bodies.

Whatever comes in, the answer is a result or ONE clear error (a RadiomonError, one CLI line, a Spanish
4xx page or ``{"error": …}``), never a traceback or a 500, and nothing stored changes on an error.
Examples are derandomized so CI sees the same ones every run.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import invoke
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.errors import QueryError, RadiomonError
from radiomon.search import ParsedQuery, parse_query, search
from radiomon.transcript import Segment
from radiomon.web import create_app

START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def office(build_office) -> Path:
    """A deployment whose archive holds one recording that mentions Moroleón (so searches find something)."""

    def fill(config, archive):
        recording, _ = archive.add_recording(station="radio-uno", start=START, duration=60)
        archive.replace_segments(recording, [
            Segment(1.0, 5.0, "Buenos días Moroleón, hoy abre el mercado nuevo", avg_logprob=-0.2,
                    no_speech_prob=0.01),
            Segment(6.0, 9.0, "El DIF y Obras Públicas informan", avg_logprob=-0.3, no_speech_prob=0.02),
        ], engine="test")
        jobs.rematch(config, archive)
        assert archive.list_mentions()

    return build_office("fuzz", fill)


def counts(config) -> dict[str, int]:
    with Archive(config.archive) as archive:
        return {table: archive.query(f"SELECT count(*) AS n FROM {table}")[0]["n"]
                for table in ("recordings", "segments", "mentions")}


# -- 1. Whisper JSON transcripts ---------------------------------------------------------------------------
# Text with what breaks naive code: controls, NUL, lone surrogates (json.loads reads "\ud800" escapes).
hostile_text = st.text(st.characters(exclude_categories=()), max_size=12) | st.sampled_from(
    ["", " ", "\x00", "\x1b[31m", "\r\n", "\ud800", "Moroleón", "\u202e", "\ufeff", "a\x00b"])
junk = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.just(10**400), st.just(-(10**400)),
    st.floats(), st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -0.0, 5e-324]),
    hostile_text, st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)
seconds = st.floats(0, 200, allow_nan=False)


@st.composite
def segment_like(draw, start: float | None = None):
    """A segment that is plausible (from ``start`` on, when given), except where a field is swapped for junk
    (or left out)."""
    start = draw(seconds) if start is None else start
    end = start + draw(st.floats(0, 30))
    words = st.sampled_from(["Moroleón", " hoy el DIF", ""])
    item = {"start": start, "end": end, "text": draw(st.tuples(hostile_text, words).map("".join) | hostile_text)}
    if draw(st.booleans()):
        within = st.floats(start - 2, end + 2, allow_nan=False)
        item["words"] = draw(st.lists(st.fixed_dictionaries(
            {"word": hostile_text, "start": within, "end": within},
            optional={"probability": junk}) | junk, max_size=3) | junk)
    for key in ("avg_logprob", "no_speech_prob"):
        if draw(st.booleans()):
            item[key] = draw(junk)
    if draw(st.integers(0, 3)) == 0:
        key = draw(st.sampled_from(["start", "end", "text", "words"]))
        if draw(st.booleans()):
            item.pop(key, None)
        else:
            item[key] = draw(junk)
    return item


@st.composite
def segment_run(draw):
    """Segments one after another (overlapping by up to 1.5 s at times), so that many are stored."""
    items, at = [], draw(seconds)
    for _ in range(draw(st.integers(1, 4))):
        items.append(draw(segment_like(start=at)))
        end = items[-1].get("end")
        at = max(at, end if isinstance(end, float) else at) + draw(st.floats(-1.5, 5))
    return items


transcripts = st.one_of(
    st.fixed_dictionaries({"segments": segment_run()}),  # about half of these are stored
    st.fixed_dictionaries({"segments": segment_run()}, optional={"duration": junk | seconds, "language": junk}),
    st.fixed_dictionaries({"segments": st.lists(segment_like() | junk, max_size=5)},
                          optional={"duration": junk | seconds, "text": junk, "language": junk}),
    st.lists(segment_like(), max_size=4),  # a bare list of segments is accepted too
    junk,
    st.recursive(junk, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["segments", "start", "end", "text", "words"]), inner, max_size=3), max_leaves=8),
)


@FUZZ
@given(data=transcripts)
@example(data={"segments": [{"start": 10**400, "end": 1, "text": "a"}]})  # json.loads gives an int float() cannot take
@example(data={"segments": [{"start": 0, "end": 1, "text": "Moroleón", "avg_logprob": 10**400}]})
@example(data={"segments": [{"start": 0, "end": 1, "text": "a", "words": [{"word": "\ud800", "start": 0, "end": 1,
                                                                          "probability": -(10**400)}]}]})
def test_a_transcript_of_any_shape_is_imported_or_refused_in_one_error(office, data) -> None:
    config = load_config(office / "radiomon.yml")
    before = counts(config)
    text = json.dumps(data)  # nan and inf as NaN/Infinity, lone surrogates as escapes: json.loads reads both back
    path = office / "fuzz.json"
    path.write_text(text, encoding="utf-8")
    try:
        with Archive(config.archive) as archive:
            imported = jobs.import_and_match(config, archive, [path], station="radio-uno", start=START,
                                             transcript=True)
    except RadiomonError as err:
        message = str(err)
        assert message and "\n" not in message.strip() and "Traceback" not in message
        assert counts(config) == before, message
        return
    (result,) = imported.results
    assert result.error is None and result.recording_id
    after = counts(config)
    assert after["recordings"] == before["recordings"] + (1 if result.created else 0)
    assert after["segments"] == before["segments"] + result.segments


@settings(FUZZ, max_examples=50)
@given(content=st.binary(max_size=40) | transcripts.map(lambda d: json.dumps(d).encode()))
@example(content=b'{"segments": [{"start": ' + b"1" * 5000 + b', "end": 1, "text": "a"}]}')  # past int's 4300 digits
@example(content=b'{"segments": [{"start": 0, "end": 1, "text": "a", "no_speech_prob": 1' + b"0" * 400 + b"}]}")
@example(content=b'{"segments": [{"start": 0, "end": 1, "text": "a", "words": [{"word": "a", "start": -1' + b"0" * 400
         + b', "end": 1}]}]}')
def test_the_import_command_answers_any_file_in_one_line(office, content) -> None:
    config = load_config(office / "radiomon.yml")
    before = counts(config)
    path = office / "fuzz-cli.json"
    path.write_bytes(content)
    result = invoke(["--config", office / "radiomon.yml", "import", "--transcript", path, "--station", "radio-uno",
                     "--start", "2026-11-25 10:00"])
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert result.exception is None
        return
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert counts(config) == before


# -- 2. The search box -------------------------------------------------------------------------------------
pieces = st.sampled_from(['"', "-", "*", "OR", "or", "NOT", "AND", "NEAR", "NEAR(", "(", ")", ":", "^", "+",
                          "mercado", "moro*", "Moroleón", '-"', '""', "-*", "*-", "'", "\x00", "🙂", "ǅ", "ß", " "])
queries = st.text(max_size=30) | st.lists(pieces | st.text(max_size=3), max_size=10).map(" ".join) | st.lists(
    pieces, max_size=10).map("".join)


@FUZZ
@given(query=queries)
@example(query="\ud800 mercado")  # a non-UTF-8 byte on the command line arrives as a lone surrogate
@example(query='"mercado" OR -"" NEAR(moro* ^x)')
def test_any_query_parses_or_is_a_query_error_and_searching_it_never_fails_otherwise(office, query) -> None:
    try:
        parsed = parse_query(query)
    except QueryError as err:
        assert str(err) and "\n" not in str(err)
        return
    assert isinstance(parsed, ParsedQuery)
    config = load_config(office / "radiomon.yml")
    with Archive(config.archive) as archive:
        try:
            hits = search(archive, query, limit=5)
        except QueryError:
            return
    assert len(hits) <= 5


# -- 3. The web UI's query parameters ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def web(office):
    return create_app(load_config(office / "radiomon.yml")).test_client()


PARAMS = ["q", "desde", "hasta", "dia", "limit", "estacion", "grupo", "since", "until", "review", "revision",
          "estado", "pagina", "station", "group", "formato", "confirmadas",
          "corte",  # Síntesis: the intraday cut
          "aprox", "orden", "medio", "periodico",  # Buscar
          "approx", "medium", "outlet",  # /api/search
          "semana", "de",  # Informe semanal and its charts
          "cambio"]  # Palabras clave: the change just made
values = st.one_of(
    st.text(max_size=15),  # the test client encodes URLs as UTF-8: no lone surrogates here
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-11-25", "hoy", "ayer", "-1", "0", "²", "١",
                     "1e400", "nan", "9" * 30, "radio-uno", "municipio", "confirmed", "pendiente", "md", "docx",
                     "2026-11-25T10:00:00+99:00", "T", "\x00", "%", "1_0", " 5 ",
                     "25/11/2026", "31/02/2026", "1", "relevancia", "recientes", "prensa", "press", "diario-sur",
                     "10:00", "24:00", "9:5", "2026-W48", "2026-W53", "9999-W52", "0001-W01", "W48", "semana"]),
    st.integers(-(10**25), 10**25).map(str),
)
PAGES = ["/", "/menciones", "/sintesis", "/sintesis/documento", "/sintesis/vista-previa", "/api/search",
         "/api/mentions", "/informe-semanal", "/informe-semanal/grafica.png", "/informe-semanal/documento",
         "/palabras-clave", "/palabras-clave/sugerencias", "/estado"]


def assert_clear_answer(response, path: str) -> None:
    text = response.get_data().decode("utf-8", "replace")  # a document or a chart is bytes
    assert response.status_code in (200, 302, 400, 404), (response.status_code, text[:500])
    assert "Traceback" not in text
    if response.status_code >= 400:
        if path.startswith("/api/"):
            body = response.get_json()
            assert set(body) == {"error"} and body["error"], text[:300]
        else:
            assert 'lang="es-MX"' in text, text[:300]


@FUZZ
@given(path=st.sampled_from(PAGES), params=st.dictionaries(st.sampled_from(PARAMS), values | st.lists(
    values, min_size=2, max_size=3), max_size=5))
@example(path="/sintesis", params={"dia": "9999-12-31"})
@example(path="/api/mentions", params={"limit": "9" * 30, "since": "2026-11-26", "until": "2026-11-25"})
@example(path="/palabras-clave", params={"cambio": "²"})  # str.isdigit() is true of "²", int() refuses it
@example(path="/palabras-clave/sugerencias", params={"cambio": "²"})
@example(path="/sintesis", params={"dia": "25/11/2026", "corte": "24:00"})
@example(path="/informe-semanal", params={"semana": "9999-W52"})
@example(path="/", params={"q": "mercado", "aprox": "1", "orden": "recientes"})
def test_any_query_parameters_are_a_page_or_a_spanish_4xx_never_a_500(web, path, params) -> None:
    assert_clear_answer(web.get(path, query_string=params), path)


# -- 4. The review API's JSON bodies -----------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
    | st.sampled_from(["confirmed", "rejected", "CONFIRMED", " confirmed", "review"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(["review", "revision", "by", "id"]) | st.text(max_size=6), json_values,
                    max_size=3).map(lambda d: (json.dumps(d).encode(), "application/json")),
    json_values.map(lambda v: (json.dumps(v).encode(), "application/json")),
    st.tuples(st.binary(max_size=30),
              st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"])),
)


@FUZZ
@given(body=bodies, which=st.sampled_from(["mention", "missing", "huge", "text"]))
@example(body=(b'{"review": "confirmed"}', "application/json"), which="mention")
@example(body=(b'{"review": NaN}', "application/json"), which="mention")
@example(body=(b'{"review": ["confirmed"]}', "application/json"), which="mention")
@example(body=(b'{"review": ' + b"1" * 5000 + b"}", "application/json"), which="mention")
def test_any_review_body_sets_a_valid_review_or_is_a_4xx_leaving_it_unchanged(office, web, body, which) -> None:
    config = load_config(office / "radiomon.yml")
    with Archive(config.archive) as archive:
        mention = archive.list_mentions()[0]
        archive.set_review(mention.id, None)
    token = re.search(rb'name="csrf-token" content="([^"]+)"', web.get("/").data).group(1).decode()
    target = {"mention": str(mention.id), "missing": "999999", "huge": "9" * 25, "text": "uno"}[which]
    data, content_type = body
    response = web.post(f"/api/mentions/{target}/review", data=data, content_type=content_type,
                        headers={"X-CSRF-Token": token})
    assert_clear_answer(response, "/api/")
    try:
        sent = json.loads(data)
    except ValueError:
        sent = None
    valid = (content_type == "application/json" and isinstance(sent, dict) and "review" in sent
             and sent["review"] in (None, "confirmed", "rejected") and isinstance(sent["review"], (str, type(None))))
    with Archive(config.archive) as archive:
        stored = archive.mention(mention.id).review
    if which == "mention" and valid:
        assert response.status_code == 200 and stored == sent["review"]
    else:
        assert response.status_code in (400, 404) and stored is None
