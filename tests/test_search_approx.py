"""Approximate search ("búsqueda aproximada"): what Whisper misspelled, found by ear.

The office's own examples: "DIF" written "deef" or "diff", the alcaldesa
heard "calmesa", the tianguis written "tiangis". The matcher's phonetic key
and a fuzzy ratio over the archive's vocabulary propose the words; the
search index finds the sentences, so a word no segment has any more finds
nothing. Through the library, `radiomon search --approx`, the API's
``approx=1`` and the Buscar page.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from factories import START, on_air, segment

from radiomon.archive import Archive, vocabulary
from radiomon.config import load_config
from radiomon.keywords.phonetic import word_key
from radiomon.search import search, search_results
from radiomon.search.approximate import SoundIndex, acceptable, sound_index
from radiomon.web import create_app

MISHEARD = [
    "Hoy el deef de Moroleón entrega despensas.",  # DIF
    "La calmesa inauguró la obra del mercado.",  # la alcaldesa
    "El tiangis de los lunes cambia de calle.",  # el tianguis
]
WRITTEN_RIGHT = [
    "El DIF municipal abre el lunes.",
    "La alcaldesa visitó la colonia Centro.",
    "El tianguis del martes se instala temprano.",
    "El tianguis de las flores llega el domingo.",
    "Los comerciantes del tianguis piden luz.",
    "El alcalde de Uriangato visitó el tianguis.",
]


def fill(archive: Archive) -> None:
    on_air(archive, [segment(text, 6.0 * i, 6.0 * i + 5) for i, text in enumerate(MISHEARD)])
    on_air(archive, [segment(text, 6.0 * i, 6.0 * i + 5) for i, text in enumerate(WRITTEN_RIGHT)],
           start=START + timedelta(hours=1))
    archive.update_vocabulary()


@pytest.fixture
def filled(archive: Archive) -> Archive:
    fill(archive)
    return archive


def texts(hits) -> list[str]:
    return [hit.text for hit in hits]


# --- which words may be which -------------------------------------------------------------


def index_of(*words: str) -> SoundIndex:
    index = SoundIndex()
    index.add([(word, word_key(word), 1) for word in words])
    return index


def test_variants_are_the_misheard_spellings_closest_first():
    index = index_of("deef", "diff", "dio", "dis", "de", "del", "calmesa", "alcalde", "alcaldes", "tiangis",
                     "tianguis", "mercado")
    assert [v.word for v in index.variants("dif")] == ["diff", "deef"]
    assert [v.word for v in index.variants("alcaldesa")] == ["calmesa"]  # alcalde(s): other words
    assert [v.word for v in index.variants("tianguis")] == ["tiangis"]
    # Typed as Whisper wrote it, the real word is proposed.
    assert [v.word for v in index.variants("tiangis")] == ["tianguis"]


def test_a_stopword_or_a_short_word_has_no_variants():
    index = index_of("del", "dé", "do", "da", "des", "la", "las", "lo")
    assert index.variants("de") == []
    assert index.variants("la") == []
    assert index.variants("el") == []
    assert not acceptable("dif", "dif", "de", "de")  # a stopword is never proposed


# --- the search ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed, found", [
    ("DIF", "Hoy el deef de Moroleón entrega despensas."),
    ("alcaldesa", "La calmesa inauguró la obra del mercado."),
    ("tianguis", "El tiangis de los lunes cambia de calle."),
])
def test_approximate_search_finds_what_whisper_misspelled_after_every_exact_hit(filled, typed, found):
    assert found not in texts(search(filled, typed))  # exact search cannot
    results = search_results(filled, typed, approx=True)
    *exact, last = results.hits
    assert last.text == found and last.approximate == typed
    assert exact and all(hit.approximate is None for hit in exact)
    assert results.total == len(results.hits) and results.approximate == 1
    assert "\x02" in last.snippet  # the misheard word is highlighted


def test_two_words_heard_as_one_are_found_by_both_typed_glued_an_acronym_spelled_out(archive):
    # "DIF Moroleón" said as letters and a name, written by Whisper as one word (the office's broadcast).
    on_air(archive, [segment("La presidenta y neyefemoreón entregaron apoyos a las familias.", 0, 5),
                     segment("Moroleón amaneció nublado.", 6, 10), segment("El DIF abre el lunes.", 11, 15)])
    archive.update_vocabulary()
    assert [v.word for v in sound_index(archive).glued_variants(["dif", "moroleon"])] == ["neyefemoreon"]
    assert sound_index(archive).variants("dif") == []  # alone, "dif" is nothing like it
    results = search_results(archive, "DIF Moroleón", approx=True)
    [hit] = results.hits
    assert hit.text.startswith("La presidenta y neyefemoreón")
    assert (hit.heard, hit.approximate) == ("neyefemoreón", "DIF Moroleón")
    assert search_results(archive, "DIF Moroleón", approx=True, suggest=True).did_you_mean is None
    # A stopword glued to a name proposes nothing ("de moroleon" is no mishearing of anything).
    assert sound_index(archive).glued_variants(["de", "moroleon"]) == []


def test_the_mark_says_what_was_written_and_what_it_may_be(filled):
    hit = search_results(filled, "alcaldesa", approx=True).hits[-1]
    assert (hit.heard, hit.approximate) == ("calmesa", "alcaldesa")
    assert hit.snippet == "La \x02calmesa\x03 inauguró la obra del mercado."
    assert hit.as_json()["approximate"] == "alcaldesa" and hit.as_json()["heard"] == "calmesa"


def test_a_common_word_does_not_flood(filled):
    on_air(filled, [segment("Dé la vuelta, da igual, del centro, des de dos.", 0, 5)], start=START + timedelta(hours=3))
    filled.update_vocabulary()
    results = search_results(filled, "de", approx=True)
    assert results.approximate == 0 and all(hit.approximate is None for hit in results.hits)


def test_without_approx_nothing_changes_and_with_none_it_joins_only_when_exact_finds_little(filled):
    assert search_results(filled, "alcaldesa").approximate == 0
    assert search_results(filled, "alcaldesa", approx=None).approximate == 1  # one exact hit: little
    many = search_results(filled, "el", approx=None)  # plenty of exact hits
    assert not many.approximated and many.approximate == 0


def test_order_by_time_puts_the_newest_first_approximate_or_not(filled):
    hits = search_results(filled, "tianguis", approx=True, order="time").hits
    starts = [hit.start for hit in hits]
    assert starts == sorted(starts, reverse=True)
    assert hits[-1].approximate == "tianguis"  # the misheard one aired an hour earlier


def test_did_you_mean_offers_the_word_the_archive_says_far_more_often(filled):
    assert search_results(filled, "tiangis").did_you_mean == "tianguis"
    assert search_results(filled, "tianguis").did_you_mean is None  # the rarer spelling is not offered


# --- the vocabulary, incrementally --------------------------------------------------------


def counts(archive: Archive) -> dict[str, int]:
    return {r["word"]: r["n"] for r in archive.query("SELECT word, n FROM vocabulary")}


def test_the_vocabulary_grows_with_each_recording_stored(archive: Archive):
    on_air(archive, [segment("El tianguis abre.", 0, 3)])
    assert archive.update_vocabulary() == 1
    assert counts(archive)["tianguis"] == 1 and archive.vocabulary_done() == 1
    assert archive.update_vocabulary() == 0  # up to date: nothing read again
    on_air(archive, [segment("Otro tianguis, el de Piñícuaro.", 0, 3), segment("Y la calmesa.", 3, 6)],
           start=START + timedelta(hours=1))
    assert archive.update_vocabulary() == 2
    found = counts(archive)
    assert (found["tianguis"], found["pinicuaro"], found["calmesa"]) == (2, 1, 1)
    # The in-memory copy picks up only what was added.
    index = sound_index(archive)
    assert index.words.count("calmesa") == 1 and "pinicuaro" in index.words


def test_a_large_first_backlog_is_read_from_the_index_with_the_same_counts(archive: Archive, monkeypatch):
    fill(archive)
    by_segments = counts(archive)
    archive.conn.execute("DELETE FROM vocabulary")
    archive.conn.execute("UPDATE vocabulary_done SET segment_rowid = 0")
    monkeypatch.setattr(vocabulary, "BULK_FROM", 2)
    assert archive.update_vocabulary() == archive.max_segment_id()
    assert counts(archive) == by_segments


def test_importing_a_transcript_updates_the_vocabulary(run, deployment, config, archive):
    path = deployment / "t.json"
    path.write_text(json.dumps({"segments": [{"start": 0, "end": 4, "text": "La calmesa habló del tiangis."}]}),
                    encoding="utf-8")
    assert run("import", "--transcript", path, "--station", "radio-uno", "--start", "2026-11-25 14:00").exit_code == 0
    with Archive(config.archive) as archive:
        assert {"calmesa", "tiangis"} <= set(counts(archive))
        assert archive.vocabulary_done() == archive.max_segment_id()


def test_a_recording_transcribed_again_or_deleted_leaves_no_phantom_hits(filled):
    assert search_results(filled, "alcaldesa", approx=True).approximate == 1
    recording = filled.query("SELECT recording_id FROM segments WHERE text LIKE '%calmesa%'")[0]["recording_id"]
    # Transcribed again: the segments are replaced, "calmesa" is said no more (its count stays).
    filled.replace_segments(recording, [segment("La alcaldesa inauguró la obra del mercado.", 0, 5)])
    filled.update_vocabulary()
    assert counts(filled)["calmesa"] == 1
    results = search_results(filled, "alcaldesa", approx=True)
    assert results.approximate == 0 and not any("calmesa" in hit.text for hit in results.hits)
    # Deleted outright (an operator's sqlite3): the sentences go, nothing is found by their words.
    with filled.write() as conn:
        conn.execute("DELETE FROM mentions")
        conn.execute("DELETE FROM segments")
    assert search_results(filled, "tianguis", approx=True).hits == []
    assert search_results(filled, "tiangis").did_you_mean is None  # not offered: no segment says it


# --- the command line, the API, the page ---------------------------------------------------


@pytest.fixture
def office(archive: Archive, config_path):
    fill(archive)
    return config_path


def test_cli_approx_marks_the_approximate_hits_and_counts_them(run, office):
    plain = run("search", "alcaldesa")
    assert plain.exit_code == 0 and "calmesa" not in plain.output
    result = run("search", "alcaldesa", "--approx")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "La alcaldesa visitó la colonia Centro." in lines[1]
    assert "≈ alcaldesa: La calmesa inauguró la obra del mercado." in lines[2]
    assert result.stderr == "2 result(s), 1 approximate\n"
    data = json.loads(run("search", "alcaldesa", "--approx", "--format", "json").stdout)
    assert [(h["text"], h["approximate"], h["heard"]) for h in data] == [
        ("La alcaldesa visitó la colonia Centro.", None, None),
        ("La calmesa inauguró la obra del mercado.", "alcaldesa", "calmesa")]


def test_cli_says_did_you_mean(run, office):
    result = run("search", "tiangis")
    assert 'did you mean: tianguis?' in result.stderr


@pytest.fixture
def client(office):
    return create_app(load_config(office)).test_client()


def test_api_approx_1_adds_the_approximate_hits(client):
    exact = client.get("/api/search?q=tianguis").get_json()
    assert all("tiangis" not in hit["text"] for hit in exact)
    found = client.get("/api/search?q=tianguis&approx=1").get_json()
    assert found[-1]["text"] == "El tiangis de los lunes cambia de calle."
    assert (found[-1]["approximate"], found[-1]["heard"]) == ("tianguis", "tiangis")
    assert len(found) == len(exact) + 1
    bad = client.get("/api/search?q=tianguis&approx=2")
    assert bad.status_code == 400 and "approx" in bad.get_json()["error"]


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))


def test_the_page_counts_marks_and_offers_to_copy(client):
    page = client.get("/?q=DIF&aprox=1")
    text = page_text(page)
    assert "2 resultados (1 por búsqueda aproximada)." in text
    assert "aproximada: «deef» ≈ DIF" in text
    html = page.get_data(as_text=True)
    assert html.count('class="share"') == 2
    assert ("data-share=\"*Radio Uno Moroleón* · mié 25/11/2026 14:00\n_«Hoy el deef de Moroleón entrega "
            "despensas.»_\nhttp://localhost/grabacion/1?t=0#s1\"") in html


def test_the_page_searches_approximately_by_itself_when_exact_finds_little(client):
    # Whisper's spelling typed back: its one sentence, then the one that says "alcaldesa".
    text = page_text(client.get("/?q=calmesa"))
    assert "2 resultados (1 por búsqueda aproximada)." in text and "aproximada: «alcaldesa» ≈ calmesa" in text
    text = page_text(client.get("/?q=tiangis"))
    assert "¿Quiso decir «tianguis»?" in text
    assert "por búsqueda aproximada" in text  # few exact hits: the tianguis sentences come too


def test_the_page_orders_by_time(client):
    html = client.get("/?q=tianguis&aprox=1&orden=recientes").get_data(as_text=True)
    assert html.index("Los comerciantes del tianguis") < html.index("El tianguis del martes")
    assert client.get("/?q=tianguis&orden=viejo").status_code == 400


def test_a_search_error_reads_in_spanish_without_option_names(client):
    text = page_text(client.get("/?q=OR+mercado"))
    assert "OR necesita una palabra a cada lado" in text and "needs" not in text
    text = page_text(client.get("/?q=mercado&desde=26/11/2026&hasta=25/11/2026"))
    assert "debe ser anterior" in text and "--since" not in text
