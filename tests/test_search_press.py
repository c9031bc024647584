"""The press in search and in the mentions list: articles found beside utterances, their JSON, the filters."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import PRESS_YML

from radiomon.archive import Archive, ArticleRow, MentionRow
from radiomon.config import load_config
from radiomon.errors import ConfigError, QueryError
from radiomon.filters import Filters
from radiomon.search import search
from radiomon.search.passage import MAX_CHARS, passage
from radiomon.search.ranking import ScoringTerm
from radiomon.timeutil import UTC
from radiomon.transcript import Segment

TEXT = ("El H. Ayuntamiento de Moroleón reabrió el mercado Hidalgo tras su remodelación. "
        "Los comerciantes celebran la obra pública.\nLa presidenta municipal encabezó el acto.")
RADIO_KEYS = {"station", "recording_id", "segment_id", "start", "end", "offset", "text", "audio", "score", "snippet",
              "via_mention", "heard", "approximate", "medium"}
PRESS_KEYS = {"medium", "article_id", "outlet", "url", "title", "published", "story", "text", "snippet", "score"}


def article(url: str, **kwargs) -> ArticleRow:
    values = dict(outlet="diario-sur", url=url, title="Reabren el mercado Hidalgo de Moroleón",
                  published_utc="2026-11-25T14:00:00.000Z", fetched_utc="2026-11-25T14:30:00.000Z", text=TEXT,
                  content_sha256="0" * 64)
    values.update(kwargs)
    return ArticleRow(**values)


@pytest.fixture
def press(deployment: Path) -> dict:
    """radio-uno said "mercado" on the 25th; Diario del Sur printed the note (with a mention of Moroleón),
    El Sol the same story on the 26th; a third note of Diario del Sur says nothing of the market."""
    (deployment / "radiomon.yml").write_text(PRESS_YML, encoding="utf-8")
    config = load_config(deployment / "radiomon.yml")
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        archive.sync_outlets(config.press.outlets)
        recording, _ = archive.add_recording(station="radio-uno", start=datetime(2026, 11, 25, 20, tzinfo=UTC),
                                             duration=60.0, path="/a.mp3")
        archive.replace_segments(recording, [Segment(0.0, 3.0, "Hoy abre el mercado nuevo de Moroleón.")])
        first = archive.add_article(article("https://diariodelsur.example/mercado"), ["diariodelsur.example/mercado"])
        wire = archive.add_article(article("https://elsol.example/mercado", outlet="el-sol", story=first,
                                           published_utc="2026-11-26T15:00:00.000Z"), ["elsol.example/mercado"])
        other = archive.add_article(article("https://diariodelsur.example/lluvia", title="Lluvias en el Bajío",
                                            text="Se esperan lluvias por la tarde."), ["diariodelsur.example/lluvia"])
        archive.replace_article_mentions(first, [MentionRow(
            None, None, None, "municipio", "Moroleón", "Moroleón", 100.0, "2026-11-25T14:00:00.000Z", 25.0,
            "El H. Ayuntamiento de Moroleón reabrió el mercado Hidalgo tras su remodelación.")])
    return {"config": config, "first": first, "wire": wire, "other": other}


@pytest.fixture
def db(press):
    with Archive(press["config"].archive) as archive:
        yield archive


def test_an_article_is_found_by_a_word_of_its_text_or_title_accents_ignored(db, press):
    # "remodelacion" is only in the text (with its accent), "reabren" only in the title.
    for query in ("remodelacion", "REABREN", "hidalgo mercado"):
        found = [h.article_id for h in search(db, query)]
        assert sorted(found) == [press["first"], press["wire"]], query
    assert search(db, "lluvias")[0].article_id == press["other"]
    assert search(db, "celebran")[0].text == "Los comerciantes celebran la obra pública."  # the matched sentence
    # Only the headline matched: the hit shows the lede.
    (hit,) = search(db, "reabren", Filters(outlets=("diario-sur",)))
    assert hit.text == "El H. Ayuntamiento de Moroleón reabrió el mercado Hidalgo tras su remodelación."


def test_radio_and_press_hits_come_in_one_list_and_the_medium_filters(db, press):
    both = search(db, "mercado")
    assert {h.medium for h in both} == {"radio", "press"}
    assert len(both) == 3
    assert [h.medium for h in search(db, "mercado", Filters(medium="radio"))] == ["radio"]
    assert {h.medium for h in search(db, "mercado", Filters(medium="press"))} == {"press"}
    # A station means radio, an outlet the press; both together, those of each.
    assert [h.medium for h in search(db, "mercado", Filters(stations=("radio-uno",)))] == ["radio"]
    assert [h.article_id for h in search(db, "mercado", Filters(outlets=("el-sol",)))] == [press["wire"]]
    mixed = search(db, "mercado", Filters(stations=("radio-uno",), outlets=("el-sol",)))
    assert sorted((h.medium, getattr(h, "article_id", None)) for h in mixed) == [("press", press["wire"]),
                                                                                  ("radio", None)]
    assert search(db, "mercado", Filters(stations=("fm-oficina",))) == []


def test_a_press_hits_range_is_its_published_time_and_groups_need_a_mention(db, press):
    day_26 = Filters(since=datetime(2026, 11, 26, 6, tzinfo=UTC), until=datetime(2026, 11, 27, 6, tzinfo=UTC))
    assert [h.article_id for h in search(db, "mercado", day_26)] == [press["wire"]]
    with_mention = search(db, "mercado", Filters(groups=("municipio",), medium="press"))
    assert [h.article_id for h in with_mention] == [press["first"]]
    assert search(db, "mercado", Filters(groups=("municipio",), review="confirmed", medium="press")) == []


def test_a_press_hits_json_has_exactly_the_contracts_fields(db, press):
    (hit,) = search(db, "comerciantes", Filters(outlets=("diario-sur",)))
    data = hit.as_json()
    assert set(data) == PRESS_KEYS
    assert {k: v for k, v in data.items() if k != "score"} == {
        "medium": "press", "article_id": press["first"], "outlet": "diario-sur",
        "url": "https://diariodelsur.example/mercado", "title": "Reabren el mercado Hidalgo de Moroleón",
        "published": "2026-11-25T14:00:00.000Z", "story": press["first"],
        "text": "Los comerciantes celebran la obra pública.", "snippet": "Los comerciantes celebran la obra pública.",
    }
    assert hit.snippet == "Los \x02comerciantes\x03 celebran la obra pública."
    assert isinstance(data["score"], float)
    (radio,) = search(db, "mercado", Filters(medium="radio"))
    assert set(radio.as_json()) == RADIO_KEYS and radio.as_json()["medium"] == "radio"


def test_filters_that_contradict_themselves_or_name_unknown_outlets_say_so(press):
    config = press["config"]
    assert Filters.parse(config, medium="press", outlets=["el-sol"]) == Filters(medium="press", outlets=("el-sol",))
    with pytest.raises(QueryError, match="--station is a radio station"):
        Filters.parse(config, medium="press", stations=["radio-uno"])
    with pytest.raises(QueryError, match="--outlet is a newspaper"):
        Filters.parse(config, medium="radio", outlets=["el-sol"])
    with pytest.raises(QueryError, match="medium 'tv'"):
        Filters.parse(config, medium="tv")
    with pytest.raises(ConfigError, match="unknown outlet 'el-norte'"):
        Filters.parse(config, outlets=["el-norte"])


# --- the command line -----------------------------------------------------------------------


def test_radiomon_search_lists_both_media_and_filters_by_medium_and_outlet(run, press):
    result = run("search", "mercado", "--format", "json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert sorted(h["medium"] for h in hits) == ["press", "press", "radio"]
    for hit in hits:
        assert set(hit) == (PRESS_KEYS if hit["medium"] == "press" else RADIO_KEYS)
    only_press = json.loads(run("search", "mercado", "--medium", "press", "--format", "json").output)
    assert sorted(h["outlet"] for h in only_press) == ["diario-sur", "el-sol"]
    only_radio = json.loads(run("search", "mercado", "--medium", "radio", "--format", "json").output)
    assert [h["station"] for h in only_radio] == ["radio-uno"]
    one = json.loads(run("search", "mercado", "--outlet", "el-sol", "--format", "json").output)
    assert [(h["outlet"], h["published"]) for h in one] == [("el-sol", "2026-11-26T15:00:00.000Z")]
    table = run("search", "comerciantes", "--outlet", "diario-sur").output
    assert table.splitlines()[1].split() == ["2026-11-25", "08:00:00", "diario-sur", "Reabren", "el", "mercado",
                                             "Hidalgo", "de", "Moroleón", "|", "Los", "comerciantes", "celebran",
                                             "la", "obra", "pública."]


def test_radiomon_search_writes_csv_of_both_media_and_refuses_contradictions(run, press):
    rows = list(csv.DictReader(io.StringIO(run("search", "mercado", "--format", "csv").output)))
    assert sorted(r["medium"] for r in rows) == ["press", "press", "radio"]
    assert {r["url"] for r in rows if r["medium"] == "press"} == {"https://diariodelsur.example/mercado",
                                                                  "https://elsol.example/mercado"}
    refused = run("search", "mercado", "--medium", "press", "--station", "radio-uno")
    assert refused.exit_code != 0
    assert "--station is a radio station" in refused.output and "Traceback" not in refused.output
    unknown = run("search", "mercado", "--outlet", "el-norte")
    assert unknown.exit_code != 0 and "unknown outlet 'el-norte'" in unknown.output


def test_radiomon_mentions_lists_press_mentions_with_their_article(run, press, db):
    radio_segment = db.query("SELECT id, recording_id FROM segments")[0]
    db.replace_mentions(radio_segment["recording_id"], [MentionRow(
        radio_segment["id"], radio_segment["recording_id"], "radio-uno", "municipio", "Moroleón", "Moroleón", 100.0,
        "2026-11-25T20:00:02.000Z", 2.0, "Hoy abre el mercado nuevo de Moroleón.")])
    result = run("mentions", "--format", "json")
    assert result.exit_code == 0, result.output
    press_mention, radio_mention = json.loads(result.output)  # oldest first
    assert press_mention == {
        "id": press_mention["id"], "station": None, "group": "municipio", "keyword": "Moroleón",
        "matched": "Moroleón", "score": 100.0, "at": "2026-11-25T14:00:00.000Z", "offset": 25.0,
        "recording_id": None, "segment_id": None,
        "context": "El H. Ayuntamiento de Moroleón reabrió el mercado Hidalgo tras su remodelación.",
        "review": None, "reviewed_by": None, "reviewed_utc": None, "medium": "press",
        "added_by": None, "added_utc": None,  # found by the matcher, not added by hand
        "article_id": press["first"], "outlet": "diario-sur", "url": "https://diariodelsur.example/mercado",
        "title": "Reabren el mercado Hidalgo de Moroleón", "published": "2026-11-25T14:00:00.000Z",
        "story": press["first"],
    }
    assert radio_mention["medium"] == "radio" and "article_id" not in radio_mention
    assert radio_mention["station"] == "radio-uno"
    only_radio = json.loads(run("mentions", "--station", "radio-uno", "--format", "json").output)
    assert [m["medium"] for m in only_radio] == ["radio"]
    table = run("mentions").output.splitlines()
    assert table[1].split()[3] == "diario-sur" and table[2].split()[3] == "radio-uno"
    rows = list(csv.DictReader(io.StringIO(run("mentions", "--format", "csv").output)))
    assert [(r["medium"], r["outlet"]) for r in rows] == [("press", "diario-sur"), ("radio", "")]


def test_the_mentions_where_speaks_of_outlets_and_media(db, press):
    assert [m.medium for m in db.list_mentions(Filters(outlets=("diario-sur",)))] == ["press"]
    assert db.list_mentions(Filters(outlets=("el-sol",))) == []
    assert db.list_mentions(Filters(medium="radio")) == []
    assert [m.article_id for m in db.list_mentions(Filters(medium="press"))] == [press["first"]]
    assert db.list_mentions(Filters(stations=("radio-uno",))) == []


# --- which words a press hit shows (pure) ---------------------------------------------------------


def test_the_passage_is_the_matched_sentence_abbreviations_kept_long_ones_cut_around_the_match():
    text = "La Lic. Ana Pérez y el H. Ayuntamiento anunciaron la obra. El mercado abre el lunes."
    assert passage(text, [ScoringTerm("mercado")]) == "El mercado abre el lunes."
    assert passage(text, [ScoringTerm("perez")]) == "La Lic. Ana Pérez y el H. Ayuntamiento anunciaron la obra."
    assert passage(text, [ScoringTerm("nada")]) == "La Lic. Ana Pérez y el H. Ayuntamiento anunciaron la obra."
    assert passage(text, [ScoringTerm("merc", prefix=True)]) == "El mercado abre el lunes."
    long = " ".join(["palabra"] * 100 + ["Moroleón"] + ["otra"] * 100)
    cut = passage(long, [ScoringTerm("moroleon")])
    assert cut.startswith("…palabra") and cut.endswith("otra…") and "Moroleón" in cut
    assert len(cut) <= MAX_CHARS + 2
    assert passage("", [ScoringTerm("x")]) == ""
