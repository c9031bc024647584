"""Search through mentions: a query naming a keyword term finds what the matcher heard as it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from radiomon.archive import Archive, MentionRow
from radiomon.filters import Filters
from radiomon.search import search
from radiomon.search.via_mention import as_heard, named_terms
from radiomon.transcript import Segment

SPELLINGS = (("Moroleón", "Moroleón"), ("Moroleón", "Moro León"), ("DIF Moroleón", "DIF Moroleón"),
             ("Seguridad Pública", "Seguridad Pública"))
START = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("words, named", [
    (("moroleon",), ("Moroleón",)),
    (("moro", "leon"), ("Moroleón",)),
    (("dif", "moroleon"), ("Moroleón", "DIF Moroleón")),
    (("mercado", "moroleon", "nuevo"), ("Moroleón",)),
    (("moro",), ()),
    (("seguridad",), ()),  # half a term is a plain word
    (("seguridad", "publica"), ("Seguridad Pública",)),
])
def test_which_terms_a_query_names(words, named):
    assert named_terms(words, SPELLINGS) == named


@pytest.mark.parametrize("text, heard, term, reads", [
    ("Buenos días, Morreón.", "Morreón", "Moroleón", "Buenos días, Moroleón."),
    ("el sistema de EF Moroleón invita", "EF Moroleón", "DIF Moroleón", "el sistema de DIF Moroleón invita"),
    ("MORREÓN y Uriangato", "morreon", "Moroleón", "Moroleón y Uriangato"),
    ("nada que ver", "Morreón", "Moroleón", "nada que ver Moroleón"),  # not found again: the term is added
])
def test_a_segment_reads_as_heard(text, heard, term, reads):
    assert as_heard(text, heard, term) == reads


@pytest.fixture
def heard(tmp_path):
    """Segments whose text misspells the name, with and without the matcher's mention of it."""
    archive = Archive(tmp_path / "a.db")
    archive.ensure_station("uno", "America/Mexico_City")
    archive.ensure_station("dos", "America/Mexico_City")
    texts = {
        "uno": ["Buenos días, Morreón.", "Morreón y el mercado nuevo.", "Moroleón estrena mercado.",
                "Morreón sin mención.", "Morreón descartado."],
        "dos": ["En Morreón llueve."],
    }
    ids = {}
    for station, lines in texts.items():
        recording, _ = archive.add_recording(station=station, start=START, duration=60, path=f"{station}.mp3")
        archive.replace_segments(recording, [Segment(5.0 * i, 5.0 * i + 4, line) for i, line in enumerate(lines)])
        rows = archive.transcript_rows(recording)
        ids.update({row["text"]: row["id"] for row in rows})
        mentions = []
        for row in rows:
            if row["text"] == "Morreón sin mención.":
                continue
            matched = "Moroleón" if row["text"].startswith("Moroleón") else "Morreón"
            mentions.append(MentionRow(row["id"], recording, station, "municipio", "Moroleón", matched, 86.0,
                                       row["start_utc"], row["start"] + 0.2, row["text"]))
        archive.replace_mentions(recording, mentions)
    rejected = next(m for m in archive.list_mentions() if m.context == "Morreón descartado.")
    archive.set_review(rejected.id, "rejected")
    yield archive, ids
    archive.close()


def texts(hits):
    return {hit.text for hit in hits}


def test_the_name_finds_the_segments_the_matcher_heard_it_in(heard):
    archive, _ = heard
    hits = search(archive, "moroleón", spellings=SPELLINGS)
    assert texts(hits) == {"Buenos días, Morreón.", "Morreón y el mercado nuevo.", "Moroleón estrena mercado.",
                           "En Morreón llueve."}  # not the one without a mention, not the false positive
    by_text = {hit.text: hit for hit in hits}
    through = by_text["Buenos días, Morreón."]
    assert (through.via_mention, through.heard) == ("Moroleón", "Morreón")
    assert through.snippet == "Buenos días, \x02Morreón\x03." and through.score > 0
    literal = by_text["Moroleón estrena mercado."]
    assert (literal.via_mention, literal.heard) == (None, None)
    assert len(hits) == len({hit.segment_id for hit in hits})  # a segment found both ways is one hit


def test_the_rest_of_the_query_still_holds(heard):
    archive, _ = heard
    assert texts(search(archive, "moroleón mercado", spellings=SPELLINGS)) == {
        "Morreón y el mercado nuevo.", "Moroleón estrena mercado."}
    assert texts(search(archive, "moroleón -mercado", spellings=SPELLINGS)) == {
        "Buenos días, Morreón.", "En Morreón llueve."}
    assert texts(search(archive, '"moroleón y el"', spellings=SPELLINGS)) == {"Morreón y el mercado nuevo."}
    assert texts(search(archive, "moroleón OR uriangato", spellings=SPELLINGS)) >= {"Buenos días, Morreón."}


def test_filters_apply_to_what_comes_through_mentions(heard):
    archive, _ = heard
    assert texts(search(archive, "moroleón", Filters(stations=("dos",)), spellings=SPELLINGS)) == {
        "En Morreón llueve."}
    assert texts(search(archive, "moroleón", Filters(review="rejected"), spellings=SPELLINGS)) == set()
    later = Filters(since=datetime(2026, 11, 26, tzinfo=timezone.utc))
    assert texts(search(archive, "moroleón", later, spellings=SPELLINGS)) == set()


def test_plain_words_search_as_before(heard):
    archive, _ = heard
    for query in ("mercado", "morreón", '"buenos días"', "llueve -mercado"):
        assert search(archive, query, spellings=SPELLINGS) == search(archive, query)
