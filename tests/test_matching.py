"""The matching stage: segments in the archive → mentions, incremental and full, idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from factories import START, on_air, segment, spoken

from radiomon import events
from radiomon.archive import Archive
from radiomon.keywords import Group, KeywordSet, Matcher, Term, words_from_text
from radiomon.pipeline.match import match_pending, match_recording, rematch_all
from radiomon.pipeline.match.core import find_in_segments, sentence_around

KEYWORDS = KeywordSet(groups=(
    Group("municipio", priority="high", terms=(
        Term("Moroleón", aliases=("Moro León",), threshold=80, exclude=("León", "Morelia", "Morelos")),)),
    Group("dependencias", terms=(Term("DIF Moroleón", aliases=("DIF",)), Term("Obras Públicas"))),
    Group("crisis", priority="crisis", terms=(Term("balacera"), Term("incendio"))),
))


@pytest.fixture
def matcher() -> Matcher:
    return Matcher(KEYWORDS)


def found(rows) -> list[tuple]:
    return [(r.group_id, r.keyword, r.matched) for r in rows]


# -- the pure core -----------------------------------------------------------
def test_sentence_around_stops_at_full_stops():
    words = words_from_text("Buenos días. Hoy en Moroleón hay feria. Y ahora música")
    assert sentence_around(words, 4, 4) == "Hoy en Moroleón hay feria."
    assert sentence_around(words, 4, 4, limit=1) == "en Moroleón hay"


def test_a_name_split_across_segments_is_one_mention(matcher):
    segments = [
        {"id": 10, "recording_id": 1, "station": "s", "start": 0.0, "end": 3.0, "epoch0_ms": 0, "words": None,
         "text": "Noticias de Moro"},
        {"id": 11, "recording_id": 1, "station": "s", "start": 3.0, "end": 6.0, "epoch0_ms": 0, "words": None,
         "text": "León y la región."},
    ]
    rows = find_in_segments(matcher, segments)
    assert found(rows) == [("municipio", "Moroleón", "Moro León")]
    assert rows[0].segment_id == 10 and rows[0].offset == 2.0
    assert rows[0].context == "Noticias de Moro León y la región."


# -- one recording -----------------------------------------------------------
def test_match_recording_stores_every_field(archive, matcher):
    rid = on_air(archive, [
        segment("Buenos días.", 0, 4),
        spoken("El DIF Moroleón y Obras Públicas trabajan juntos.", 4, 10),  # word timestamps like Whisper's
    ])
    rows = match_recording(archive, matcher, rid)
    assert found(rows) == [("dependencias", "DIF Moroleón", "DIF Moroleón"),
                           ("municipio", "Moroleón", "Moroleón"),
                           ("dependencias", "Obras Públicas", "Obras Públicas")]
    dif = rows[0]
    seg_id = archive.transcript_rows(rid)[1]["id"]
    assert (dif.segment_id, dif.recording_id, dif.station) == (seg_id, rid, "radio-uno")
    assert dif.offset == 4.5  # the word "DIF" (word timestamps, not the segment start)
    assert dif.at_utc == "2026-11-25T20:00:04.500Z"
    assert dif.context == "El DIF Moroleón y Obras Públicas trabajan juntos."
    assert dif.score == 100.0 and dif.id is not None and dif.review is None
    assert archive.recording(rid).matched_utc is not None


def test_matching_twice_changes_nothing(archive, matcher):
    rid = on_air(archive, [segment("Moroleón celebra su feria. Hubo un incendio en Morelia.", 0, 5)])
    first = match_recording(archive, matcher, rid)
    second = match_recording(archive, matcher, rid)
    assert first == second and len(first) == 2
    # One event for the crisis "incendio", one for the high-priority Moroleón, none more the second time.
    assert archive.query("SELECT kind FROM events ORDER BY id") == [{"kind": "crisis-mention"},
                                                                   {"kind": "high-mention"}]


def test_look_alikes_are_not_mentions(archive, matcher):
    rid = on_air(archive, [segment("En León, Morelia y Morelos llovió; el señor Moreno habló del NIF.", 0, 8)])
    assert match_recording(archive, matcher, rid) == []


def test_retranscribed_recordings_are_matched_again(archive, matcher):
    rid = on_air(archive, [segment("Hoy en Moroleón.", 0, 5)])
    result = match_pending(archive, matcher)
    assert (result.recordings, result.added) == (1, 1)
    assert match_pending(archive, matcher).recordings == 0
    archive.replace_segments(rid, [segment("Obras Públicas informa.", 0, 5)])  # re-transcribed
    assert archive.recording(rid).matched_utc is None
    result = match_pending(archive, matcher)
    assert (result.recordings, result.added) == (1, 1)
    assert found(archive.mentions_of(rid)) == [("dependencias", "Obras Públicas", "Obras Públicas")]


# -- keywords.yml changed: the whole archive ---------------------------------------
TEXTS = [
    "Buenos días Moroleón, arrancamos el noticiero.",
    "El DIF entregó despensas y Obras Públicas bacheó la calle.",
    "Se reportó un incendio en una bodega; no hubo lesionados.",
    "Noticias de Moro",
    "León y la región. En León hubo una balacera.",
    "La música sigue en su estación favorita.",
]


def filled(archive: Archive) -> list[int]:
    ids = []
    for day in range(3):
        start = START - timedelta(days=day)
        ids.append(on_air(archive, [segment(t, i * 5.0, i * 5.0 + 5) for i, t in enumerate(TEXTS)], start=start))
    ids.append(on_air(archive, [segment("Nada que ver aquí.", 0, 5)], start=START + timedelta(hours=1)))
    return ids


def test_rematch_all_finds_what_matching_each_recording_finds(archive, matcher):
    ids = filled(archive)
    for rid in ids:
        match_recording(archive, matcher, rid)
    incremental = {rid: archive.mentions_of(rid) for rid in ids}
    result = rematch_all(archive, matcher)
    assert {rid: archive.mentions_of(rid) for rid in ids} == incremental
    assert (result.added, result.removed, result.updated) == (0, 0, 0)
    assert result.unchanged == sum(len(v) for v in incremental.values()) == 3 * 6
    assert result.segments < archive.conn.execute("SELECT count(*) FROM segments").fetchone()[0]


def test_rematch_all_after_keywords_changed_keeps_reviews(archive, matcher):
    ids = filled(archive)
    for rid in ids:
        match_recording(archive, matcher, rid)
    moroleon = [m for m in archive.mentions_of(ids[0]) if m.keyword == "Moroleón"]
    dif = next(m for m in archive.mentions_of(ids[0]) if m.keyword == "DIF Moroleón")
    archive.set_review(moroleon[0].id, "confirmed")
    archive.set_review(dif.id, "rejected")

    changed = Matcher(KeywordSet(groups=(
        Group("municipio", terms=(Term("Moroleón", aliases=("Moro León",), threshold=80, exclude=("León",)),)),
        Group("crisis", priority="crisis", terms=(Term("balacera"), Term("incendio"), Term("lesionados"))),
    )))
    result = rematch_all(archive, changed)
    after = archive.mentions_of(ids[0])
    assert {m.keyword for m in after} == {"Moroleón", "balacera", "incendio", "lesionados"}
    kept = next(m for m in after if m.id == moroleon[0].id)
    assert kept.review == "confirmed"
    assert archive.mention(dif.id) is None  # the removed term's mention went
    assert result.added == 3 and result.removed == 3 * 2
    # idempotent
    again = rematch_all(archive, changed)
    assert (again.added, again.removed, again.updated) == (0, 0, 0)


def test_rematch_all_on_worker_processes_finds_the_same(archive, matcher, monkeypatch):
    import radiomon.pipeline.match.rematch

    ids = filled(archive)
    rematch_all(archive, matcher, workers=1)
    alone = {rid: archive.mentions_of(rid) for rid in ids}
    archive.conn.execute("DELETE FROM mentions")
    monkeypatch.setattr(radiomon.pipeline.match.rematch, "BATCH_RECORDINGS", 1)  # four batches: the pool is used
    result = rematch_all(archive, matcher, workers=2)
    assert result.added == sum(len(v) for v in alone.values())
    assert {rid: [m.__dict__ | {"id": None} for m in archive.mentions_of(rid)] for rid in ids} == \
        {rid: [m.__dict__ | {"id": None} for m in v] for rid, v in alone.items()}


def test_rematch_all_leaves_nothing_unmatched(archive, matcher):
    ids = filled(archive)
    rematch_all(archive, matcher)
    assert all(archive.recording(rid).matched_utc for rid in ids)
    assert match_pending(archive, matcher).recordings == 0


# -- crisis and high-priority events -----------------------------------------
def test_new_crisis_and_high_mentions_become_events(archive, matcher):
    heard = []
    handler = events.subscribe(heard.append)
    try:
        rid = on_air(archive, [segment("Reportan una balacera en la colonia centro de Moroleón.", 0, 6)])
        match_recording(archive, matcher, rid)
        match_recording(archive, matcher, rid)  # nothing new: no second event
    finally:
        events.unsubscribe(handler)
    assert [(e.kind, e.group_id, e.keyword, e.priority, e.station) for e in heard] == [
        ("crisis-mention", "crisis", "balacera", "crisis", "radio-uno"),
        ("high-mention", "municipio", "Moroleón", "high", "radio-uno")]
    pending = archive.pending_events()
    assert [(p["kind"], p["mention_id"]) for p in pending] == [(e.kind, e.mention_id) for e in heard]
    assert pending[0]["payload"]["context"] == "Reportan una balacera en la colonia centro de Moroleón."
    archive.mark_delivered([p["id"] for p in pending])
    assert archive.pending_events() == []


def test_a_failing_handler_does_not_stop_matching(archive, matcher):
    def broken(event):
        raise RuntimeError("webhook down")

    events.subscribe(broken)
    try:
        rid = on_air(archive, [segment("Un incendio en el mercado.", 0, 4)])
        assert found(match_recording(archive, matcher, rid)) == [("crisis", "incendio", "incendio")]
    finally:
        events.unsubscribe(broken)


def test_rematch_does_not_alert_on_old_news(archive, matcher):
    old = on_air(
        archive, [segment("Una balacera en la carretera.", 0, 4)], start=datetime.now(timezone.utc) - timedelta(days=30)
    )
    new = on_air(
        archive, [segment("Una balacera en la carretera.", 0, 4)],
        start=datetime.now(timezone.utc) - timedelta(minutes=5)
    )
    result = rematch_all(archive, matcher)
    assert result.added == 2 and result.events == 1
    assert [e["payload"]["recording_id"] for e in archive.pending_events()] == [new]
    assert old != new
