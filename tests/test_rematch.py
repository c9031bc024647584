"""radiomon/pipeline/match/rematch.py: the archive-wide re-match reads words as the matcher does
and finds what matching each recording finds."""

from __future__ import annotations

from datetime import timedelta

from factories import START, on_air, segment
from hypothesis import given, settings
from hypothesis import strategies as st
from test_matching import KEYWORDS

from radiomon.keywords import Matcher
from radiomon.keywords.normalize import tokenize_words
from radiomon.pipeline.match import match_recording, rematch_all
from radiomon.pipeline.match.narrowing import Narrowing
from radiomon.transcript import Segment, Word

TEXTS = st.lists(st.sampled_from((
    "Dos mil veinticinco", "personas", "en", "Moroleón,", "treinta", "y", "un", "días", "un", "millón", "de", "pesos",
    "Obras-Públicas", "¡DIF!", "ciento", "uno", "mil", "y", "H.", "Ayuntamiento", "1,500", "—", "",
)), max_size=12).map(" ".join)


@settings(max_examples=150)
@given(st.lists(st.lists(TEXTS, min_size=1, max_size=4), min_size=1, max_size=3))
def test_the_word_stream_is_the_matchers_tokenization(recordings):
    rows, expected, segment_id = [], [], 0
    for recording_id, texts in enumerate(recordings, 1):
        for text in texts:
            segment_id += 1
            rows.append((segment_id, recording_id, text))
        expected.append([t.text for t in tokenize_words(" ".join(texts).split())])
    narrowing = Narrowing(Matcher(KEYWORDS))
    stream, owners, *_ = narrowing.stream(rows)
    words = narrowing.tables.words
    got, current = [], None
    for row, owner in zip(stream.tolist(), owners.tolist()):
        if row == 0:  # a wall
            current = None
            continue
        if current is None:
            current = []
            got.append(current)
        current.append(words[row])
    assert got == [e for e in expected if e]


def test_a_name_split_across_segments_is_found_by_the_full_rematch(archive):
    matcher = Matcher(KEYWORDS)
    rid = on_air(archive, [segment("Noticias de Moro", 0, 3), segment("León y la región.", 3, 6),
                           segment("Nada más.", 6, 9)])
    result = rematch_all(archive, matcher)
    assert [(m.keyword, m.matched) for m in archive.mentions_of(rid)] == [("Moroleón", "Moro León")]
    assert result.segments == 2


def test_word_lists_that_disagree_with_the_text_are_matched_on_the_text(archive):
    """An imported transcript may carry words that do not spell its text;
    both ways of matching then read the text, so they agree."""
    matcher = Matcher(KEYWORDS)
    words = (Word(" Hoy", 0, 0.5, 0.9), Word(" hay", 0.5, 1, 0.9), Word(" feria", 1, 1.5, 0.9))
    rid = on_air(archive, [Segment(0, 3, "Hoy en Moroleón hay feria.", words=words)])
    by_recording = [(m.keyword, m.matched) for m in match_recording(archive, matcher, rid)]
    archive.conn.execute("DELETE FROM mentions")
    rematch_all(archive, matcher)
    assert by_recording == [(m.keyword, m.matched) for m in archive.mentions_of(rid)] == [("Moroleón", "Moroleón")]


def test_no_mention_is_read_across_a_sentence_end_by_either_way_of_matching(archive):
    """"…agua potable. En Moroleón…" is not Agua Potable de Moroleón, whether
    the period ends a segment or sits inside one; the full re-match's word
    stream must know where sentences end to agree with the matcher."""
    from radiomon.keywords import Group, KeywordSet, Term

    matcher = Matcher(KeywordSet(groups=(
        Group("dependencias", terms=(Term("SMAPAM", aliases=("Agua Potable de Moroleón",)),)),
        Group("municipio", terms=(Term("Moroleón", threshold=80),)),
    )))
    texts = ["Hubo una fuga de agua potable.", "En Moroleón se espera frío.",
             "Hoy falta agua potable. En Moroleón hace calor.", "Hay agua potable de Moroleón aquí."]
    rid = on_air(archive, [segment(t, i * 4.0, i * 4.0 + 4) for i, t in enumerate(texts)])
    expected = [(m.keyword, m.matched, m.offset) for m in match_recording(archive, matcher, rid)]
    archive.conn.execute("DELETE FROM mentions")
    rematch_all(archive, matcher)
    assert [(m.keyword, m.matched, m.offset) for m in archive.mentions_of(rid)] == expected
    assert [matched for keyword, matched, _ in expected if keyword == "SMAPAM"] == ["agua potable de Moroleón"]


def test_recordings_are_walled_off_from_each_other(archive):
    """Two recordings back to back: "Moro" ending one and "León" starting the
    next are not one name."""
    matcher = Matcher(KEYWORDS)
    first = on_air(archive, [segment("Noticias de Moro", 0, 3)])
    second = on_air(archive, [segment("León y la región.", 0, 3)], start=START + timedelta(hours=1))
    rematch_all(archive, matcher)
    assert archive.mentions_of(first) == archive.mentions_of(second) == []


def test_an_empty_archive_and_odd_texts_are_fine(archive):
    assert rematch_all(archive, Matcher(KEYWORDS)).recordings == 0
    rid = on_air(archive, [segment("Hoy en Moroleón", 0, 3), segment("", 3, 4), segment("¡!", 4, 6),
                           segment("dos mil veinticinco personas del DIF", 6, 9)])
    rematch_all(archive, Matcher(KEYWORDS))
    assert [(m.keyword, m.matched) for m in archive.mentions_of(rid)] == [
        ("Moroleón", "Moroleón"),
        ("DIF Moroleón", "DIF"),
    ]


def test_keywords_without_terms_remove_every_mention(archive):
    from radiomon.keywords import Group, KeywordSet

    rid = on_air(archive, [segment("Hoy en Moroleón", 0, 3)])
    rematch_all(archive, Matcher(KEYWORDS))
    assert archive.mentions_of(rid)
    result = rematch_all(archive, Matcher(KeywordSet(groups=(Group("vacio", terms=()),))))
    assert archive.mentions_of(rid) == [] and result.removed == 1


def test_overlapping_candidates_are_chosen_as_the_matcher_chooses(archive):
    """Windows that need no more checks are resolved without re-reading the
    words; the choice (best spelling per term, longest term per group, both
    groups kept) must be the matcher's."""
    from radiomon.keywords import Group, KeywordSet, Term

    matcher = Matcher(KeywordSet(groups=(
        Group("presidencia", terms=(Term("presidenta municipal"), Term("presidente municipal"), Term("presidenta"),
                                    Term("regidora", aliases=("regidoras",)), Term("regidor"))),
        Group("obras", terms=(Term("obras públicas"), Term("públicas"))),
        Group("otros", terms=(Term("presidenta"),)),
    )))
    texts = ["La presidenta municipal habló con la regidora.", "Obras Públicas y obras publicas.",
             "El presidente municipal y los regidores", "presidenta"]
    rid = on_air(archive, [segment(t, i * 4.0, i * 4.0 + 4) for i, t in enumerate(texts)])
    expected = [(m.group_id, m.keyword, m.matched, m.score, m.offset) for m in match_recording(archive, matcher, rid)]
    archive.conn.execute("DELETE FROM mentions")
    rematch_all(archive, matcher)
    assert [(m.group_id, m.keyword, m.matched, m.score, m.offset) for m in archive.mentions_of(rid)] == expected
    assert ("presidencia", "presidenta municipal", "presidenta municipal") in [e[:3] for e in expected]
    assert ("otros", "presidenta", "presidenta") in [e[:3] for e in expected]


def test_the_work_shared_out_over_processes_finds_the_same(archive, monkeypatch):
    """Vocabulary comparison and batches on two worker processes (forced even
    for this small archive) give what matching each recording gives."""
    import radiomon.pipeline.match.narrowing
    import radiomon.pipeline.match.rematch

    matcher = Matcher(KEYWORDS)
    ids = [on_air(archive, [segment("Hoy en Moroleón hay feria.", 0, 4),
                            segment("El DIF Moroleón y Obras Públicas.", 4, 8),
                            segment("Noticias de Moro", 8, 12), segment("León: un incendio, una balacera.", 12, 16)],
               start=START + timedelta(hours=h)) for h in range(3)]
    expected = {rid: [(m.keyword, m.matched, m.offset, m.context) for m in match_recording(archive, matcher, rid)]
                for rid in ids}
    archive.conn.execute("DELETE FROM mentions")
    monkeypatch.setattr(radiomon.pipeline.match.rematch, "LEARN_PARALLEL_SEGMENTS", 0)
    monkeypatch.setattr(radiomon.pipeline.match.narrowing, "LEARN_CHUNK", 3)
    monkeypatch.setattr(radiomon.pipeline.match.rematch, "BATCH_RECORDINGS", 1)
    result = rematch_all(archive, Matcher(KEYWORDS), workers=2)
    assert {
        rid: [(m.keyword, m.matched, m.offset, m.context) for m in archive.mentions_of(rid)] for rid in ids
    } == expected
    assert result.added == sum(len(v) for v in expected.values()) > 0
