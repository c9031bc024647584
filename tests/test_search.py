"""Search: the query language, the search() function and `radiomon search` as staff use it."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from factories import START
from hypothesis import given, settings
from hypothesis import strategies as st

from radiomon.archive import Archive
from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.search import search, to_fts_query
from radiomon.timeutil import UTC
from radiomon.transcript import Segment

# --- the query language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, fts",
    [
        ("mercado", '"mercado"'),
        ("mercado nuevo", '"mercado" AND "nuevo"'),
        ('"mercado nuevo"', '"mercado nuevo"'),
        ("DIF OR Obras", '("DIF" OR "Obras")'),
        ("DIF | Obras", '("DIF" OR "Obras")'),
        ("a OR b c", '("a" OR "b") AND "c"'),
        ("a OR b OR c", '("a" OR "b" OR "c")'),
        ("moro*", '"moro"*'),
        ('"presidenta muni"*', '"presidenta muni"*'),
        ("mercado -futbol", '("mercado") NOT ("futbol")'),
        ('mercado -futbol -"liga mx"', '("mercado") NOT ("futbol" OR "liga mx")'),
        ("-futbol mercado", '("mercado") NOT ("futbol")'),
        ("Moroleón", '"Moroleón"'),
        # FTS5 syntax typed by a person is taken as text, never as operators.
        ("NEAR(a b)", '"NEAR a" AND "b"'),
        ("text:moroleon", '"text moroleon"'),
        ("^inicio", '"inicio"'),
        ("AND NOT", '"AND" AND "NOT"'),
        ("Obras - Públicas", '"Obras" AND "Públicas"'),
        ("seguridad_publica", '"seguridad publica"'),
        ('dijo "" algo', '"dijo" AND "algo"'),
        ("  espacios   de   más  ", '"espacios" AND "de" AND "más"'),
    ],
)
def test_query_translation(typed: str, fts: str) -> None:
    assert to_fts_query(typed) == fts


@pytest.mark.parametrize(
    "typed, message",
    [
        ('"mercado nuevo', "unclosed quote in '\"mercado nuevo'; close the phrase with another \""),
        ("", "empty search; type at least one word"),
        ("   ", "empty search; type at least one word"),
        ("¿?", "empty search; type at least one word"),
        ("-futbol", "'-futbol' only excludes words; add at least one word to look for"),
        ("OR mercado", "OR needs a word on each side in 'OR mercado'"),
        ("mercado OR", "OR needs a word on each side in 'mercado OR'"),
        ("a OR OR b", "OR needs a word on each side in 'a OR OR b'"),
        ("mercado OR -futbol", "OR cannot join an exclusion (-word) in 'mercado OR -futbol'"),
        ("*", "'*': put at least one letter before * (e.g. moro*)"),
        ("mo*ro", "'mo*ro': * only goes at the end of a word (e.g. moro*)"),
    ],
)
def test_malformed_queries_say_what_to_change(typed: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        to_fts_query(typed)
    assert str(err.value) == message


@pytest.fixture(scope="module")
def fts5() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t (text) VALUES ('Buenos días, Moroleón'), ('NEAR OR AND NOT \"x\" *')")
    return conn


QUERY_ALPHABET = st.sampled_from(
    list('abcñáéÓü01 -*"|():^+.,_\\\'\t') + ["OR", " OR ", "AND", "NOT", "NEAR", " - ", "ß", "ﬁ", "\u0301", "日本"]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(QUERY_ALPHABET, max_size=12).map("".join), st.text(max_size=20)))
def test_any_query_is_a_clean_error_or_valid_fts5(fts5: sqlite3.Connection, typed: str) -> None:
    try:
        expression = to_fts_query(typed)
    except QueryError:
        return
    fts5.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


# --- search() over an archive -----------------------------------------------------------------



@pytest.fixture
def filled(archive: Archive) -> Archive:
    rec, _ = archive.add_recording(station="radio-uno", start=START, duration=600.0, path="/grab/uno/140000.mp3")
    archive.replace_segments(rec, [
        Segment(0.0, 4.0, "Buenos días, Moroleón."),
        Segment(4.0, 9.5, "El mercado nuevo de Moroleón abre el lunes."),
        Segment(9.5, 12.0, "Resultados del futbol en el mercado de pases."),
        Segment(12.0, 15.0, "La presidenta municipal visitó Piñícuaro."),
    ])
    return archive


@pytest.mark.parametrize(
    "typed, texts",
    [
        ("moroleon", {"Buenos días, Moroleón.", "El mercado nuevo de Moroleón abre el lunes."}),
        ('"mercado nuevo"', {"El mercado nuevo de Moroleón abre el lunes."}),
        ('"nuevo mercado"', set()),
        ("mercado -futbol", {"El mercado nuevo de Moroleón abre el lunes."}),
        ("futbol OR piñicuaro", {"Resultados del futbol en el mercado de pases.",
                                 "La presidenta municipal visitó Piñícuaro."}),
        ("presi* visito", {"La presidenta municipal visitó Piñícuaro."}),
        ("PIÑÍCUARO", {"La presidenta municipal visitó Piñícuaro."}),
        ("moroleón mercado lunes", {"El mercado nuevo de Moroleón abre el lunes."}),
    ],
)
def test_search_finds_what_staff_type(filled: Archive, typed: str, texts: set[str]) -> None:
    assert {hit.text for hit in search(filled, typed)} == texts


def test_a_hit_is_recording_start_plus_offset(filled: Archive) -> None:
    (hit,) = search(filled, '"mercado nuevo"')
    assert hit.as_json() == {
        "station": "radio-uno", "recording_id": 1, "segment_id": 2,
        "start": "2026-11-25T20:00:04.000Z", "end": "2026-11-25T20:00:09.500Z", "offset": 4.0,
        "text": "El mercado nuevo de Moroleón abre el lunes.", "audio": "/grab/uno/140000.mp3",
        "score": hit.score, "snippet": "El mercado nuevo de Moroleón abre el lunes.",
        "via_mention": None, "heard": None,  # found by its text, not through a mention
        "approximate": None,  # nor by words that sound like it
        "medium": "radio",
    }
    assert hit.score > 0
    assert hit.snippet == "El \x02mercado nuevo\x03 de Moroleón abre el lunes."


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"limit": 0}, "--limit 0: use a number from 1 to 10000"),
        ({"limit": 10_001}, "--limit 10001: use a number from 1 to 10000"),
        ({"filters": Filters(since=START, until=START)}, "--since must be before --until"),
        ({"filters": Filters(since=START + timedelta(hours=1), until=START)}, "--since must be before --until"),
    ],
)
def test_bad_search_options(filled: Archive, kwargs, message) -> None:
    with pytest.raises(QueryError) as err:
        search(filled, "moroleon", **kwargs)
    assert str(err.value) == message


# --- `radiomon search` ------------------------------------------------------------------------

TRANSCRIPT_UNO = {
    "segments": [
        {"start": 0.0, "end": 4.0, "text": " Buenos días, Moroleón."},
        {"start": 4.0, "end": 9.5, "text": " El mercado nuevo de Moroleón abre el lunes."},
        {"start": 9.5, "end": 12.0, "text": " Y ahora, la música."},
    ]
}
TRANSCRIPT_FM = {"segments": [{"start": 1.25, "end": 6.0, "text": "Noche de noticias: Moroleón, Guanajuato."}]}


@pytest.fixture
def session(run, deployment: Path, archive):
    """Two transcripts imported the way a person would: one on the 25th at 14:00
    local, one on the same local day at 23:30 (already the 26th in UTC)."""
    for name, data, station, start in [
        ("uno.json", TRANSCRIPT_UNO, "radio-uno", "2026-11-25 14:00"),
        ("fm.json", TRANSCRIPT_FM, "fm-oficina", "2026-11-25 23:30"),
    ]:
        path = deployment / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        result = run("import", "--transcript", path, "--station", station, "--start", start)
        assert result.exit_code == 0, result.output
    return run


def test_search_table_shows_local_time_station_and_text(session) -> None:
    result = session("search", "moroleon")
    assert result.exit_code == 0
    # One "Moroleón" each: bm25 ranks the shorter utterance, where it weighs more, first.
    assert result.output == (
        "when (America/Mexico_City)  station     text\n"
        "2026-11-25 14:00:00         radio-uno   Buenos días, Moroleón.\n"
        "2026-11-25 23:30:01         fm-oficina  Noche de noticias: Moroleón, Guanajuato.\n"
        "2026-11-25 14:00:04         radio-uno   El mercado nuevo de Moroleón abre el lunes.\n"
    )


def test_search_json_has_the_contract_fields(session, deployment: Path) -> None:
    result = session("search", "mercado", "--format", "json")
    assert result.exit_code == 0
    (hit,) = json.loads(result.output)
    assert {
        k: hit[k] for k in ("station", "recording_id", "segment_id", "start", "end", "offset", "text", "audio")
    } == {
        "station": "radio-uno",
        "recording_id": 1,
        "segment_id": 2,
        "start": "2026-11-25T20:00:04.000Z",
        "end": "2026-11-25T20:00:09.500Z",
        "offset": 4.0,
        "text": "El mercado nuevo de Moroleón abre el lunes.",
        "audio": None,  # a transcript has no audio
    }


def test_search_json_start_is_utc_recording_start_plus_offset(session) -> None:
    (hit,) = json.loads(session("search", "guanajuato", "--format", "json").output)
    assert (hit["start"], hit["end"], hit["offset"]) == ("2026-11-26T05:30:01.250Z", "2026-11-26T05:30:06.000Z", 1.25)


def test_search_csv_has_a_header_and_every_field(session) -> None:
    result = session("search", "musica", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0])[:8] == ["station", "recording_id", "segment_id", "start", "end", "offset", "text", "audio"]
    assert [(r["station"], r["start"], r["text"]) for r in rows] == [
        ("radio-uno", "2026-11-25T20:00:09.500Z", "Y ahora, la música.")]


def test_search_with_no_hits(session) -> None:
    result = session("search", "uriangato")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "no results\n")
    assert json.loads(session("search", "uriangato", "--format", "json").output) == []
    assert session("search", "uriangato", "--format", "csv").output == ""


@pytest.mark.parametrize(
    "options, stations",
    [
        # The 23:30 item is on the 25th in Moroleón although it is the 26th in UTC.
        (["--since", "2026-11-25", "--until", "2026-11-25"], ["fm-oficina", "radio-uno", "radio-uno"]),
        (["--since", "2026-11-26"], []),
        (["--until", "2026-11-24"], []),
        (["--since", "2026-11-25 14:00:01"], ["fm-oficina", "radio-uno"]),
        (["--until", "2026-11-25 20:00"], ["radio-uno", "radio-uno"]),
        (["--since", "2026-11-26T05:00:00Z"], ["fm-oficina"]),
        (["--station", "fm-oficina"], ["fm-oficina"]),
        (["--station", "radio-uno", "--station", "fm-oficina"], ["fm-oficina", "radio-uno", "radio-uno"]),
        (["--limit", "1"], ["radio-uno"]),
    ],
)
def test_search_filters(session, options, stations) -> None:
    result = session("search", "moroleon", "--format", "json", *options)
    assert result.exit_code == 0, result.output
    assert sorted(hit["station"] for hit in json.loads(result.output)) == stations


def test_search_by_group_needs_a_mention_of_that_group(session, config) -> None:
    with Archive(config.archive) as archive, archive.write() as conn:
        conn.execute("DELETE FROM mentions")  # those the import flagged; keep one, by hand
        conn.execute(
            "INSERT INTO mentions (segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, "
            "offset)"
            " VALUES (2, 1, 'radio-uno', 'municipio', 'Moroleón', 'Moroleón', 97, '2026-11-25T20:00:05.000Z', 5.0)"
        )
    hits = json.loads(session("search", "moroleon", "--group", "municipio", "--format", "json").output)
    assert [h["segment_id"] for h in hits] == [2]
    assert session("search", "pavimentacion", "--group", "municipio").stderr == "no results\n"
    unknown = session("search", "moroleon", "--group", "dependencias")
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    assert unknown.stderr == (
        "Error: --group dependencias: no such keyword group (known: municipio)\n"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["moroleon", "--station", "radio-dos"],
            "Error: unknown station 'radio-dos' (configured in {config}: radio-uno, fm-oficina)\n",
        ),
        (['"mercado nuevo'], "Error: unclosed quote in '\"mercado nuevo'; close the phrase with another \"\n"),
        (["-futbol"], None),  # click reads it as an option: its own usage error
        (["--", "-futbol"], "Error: '-futbol' only excludes words; add at least one word to look for\n"),
        (
            ["moroleon", "--since", "ayer por la tarde"],
            "Error: 'ayer por la tarde' is not a date or time; use 2026-11-25, '2026-11-25 14:30' "
            "or 2026-11-25T20:30:00Z\n",
        ),
        (["moroleon", "--since", "2026-11-26", "--until", "2026-11-25"], "Error: --since must be before --until\n"),
        (["moroleon", "--limit", "0"], "Error: --limit 0: use a number from 1 to 10000\n"),
        (["moroleon", "--format", "xml"], None),
    ],
)
def test_search_errors_are_one_clean_line(session, config_path, args, message) -> None:
    result = session("search", *args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    if message is None:
        assert result.exit_code == 2 and "Usage: radiomon search" in result.output
    else:
        assert result.output == message.format(config=config_path)


# -- date filters as segment id ranges ---------------------------------------------------------------
@pytest.mark.parametrize("ranges, joined", [
    ([], []),
    ([(1, 10), (11, 20)], [(1, 20)]),
    ([(1, 10), (5, 8)], [(1, 10)]),
    ([(1, 10), (100_000, 100_010)], [(100_000, 100_010), (1, 10)]),
    ([(100_000, 100_010), (1, 10), (15_000, 15_010)], [(100_000, 100_010), (1, 15_010)]),
])
def test_id_ranges_are_joined_when_close_and_kept_apart_when_far(ranges, joined) -> None:
    from radiomon.archive.fts import join_id_ranges

    assert join_id_ranges(ranges) == joined


def test_no_more_than_a_few_id_ranges_are_searched() -> None:
    from radiomon.archive.fts import join_id_ranges

    far = [(k * 1_000_000, k * 1_000_000 + 10) for k in range(20)]
    joined = join_id_ranges(far, most=8)
    assert len(joined) == 8 and joined[0][1] == far[-1][1] and joined[-1][0] == 0
    assert all(any(lo <= a and b <= hi for lo, hi in joined) for a, b in far)


@given(st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=12), st.integers(0, 40),
       st.integers(1, 12))
@settings(max_examples=40)
def test_a_date_range_finds_what_a_scan_finds_whatever_the_order_recordings_were_stored_in(
        tmp_path_factory, hours, since_hour, span_hours) -> None:
    """Recordings stored out of time order (an import of old audio, a backlog transcribed newest
    first): a date-filtered search finds exactly the segments in the range, newest first."""
    archive = Archive(tmp_path_factory.mktemp("ranges") / "a.db")
    archive.ensure_station("uno", "UTC")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    expected = []
    for n, (hour, second_half) in enumerate(hours):
        start = t0 + timedelta(hours=hour, minutes=30 if second_half else 0)
        recording, created = archive.add_recording(station="uno", start=start, duration=600, path=f"{n}.mp3")
        if created:
            archive.replace_segments(recording, [Segment(10.0 * k, 10.0 * k + 5, f"mercado {n} {k}")
                                                 for k in range(3)])
    since, until = t0 + timedelta(hours=since_hour), t0 + timedelta(hours=since_hour + span_hours)
    for row in archive.query("SELECT id, start_utc FROM segments"):
        if since <= datetime.fromisoformat(row["start_utc"].replace("Z", "+00:00")) < until:
            expected.append(row["id"])
    # Ranges kept apart however close (gap 0), and capped low, so every path is taken.
    with mock.patch("radiomon.archive.fts.ID_RANGE_JOIN_GAP", 0), mock.patch("radiomon.archive.fts.MAX_ID_RANGES", 3):
        found = [hit.segment_id for hit in search(archive, "mercado", Filters(since=since, until=until), limit=1000)]
    assert sorted(found) == sorted(expected)
    archive.close()
