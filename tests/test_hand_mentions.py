"""Mentions added by hand (radiomon/hand_mentions.py): stored confirmed with who and when, alerting like
a matched mention, kept by a full re-match and never doubled by it, seen by the síntesis."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import RADIOMON_YML, write_deployment
from factories import spoken

from radiomon import events, jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.errors import QueryError
from radiomon.hand_mentions import add_hand_mention
from radiomon.reports.digest import collect_digest

KEYWORDS = """\
defaults: {threshold: 88}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}
  dependencias:
    label: Dependencias municipales
    terms: [DIF Moroleón]
  emergencias:
    label: Emergencias
    priority: crisis
    terms: [fuga de gas]
"""
# A story of the DIF that names no term of keywords.yml, and a line the matcher finds.
MISSED = "Hoy el DIF entregó despensas en la colonia centro"
FOUND = "Seguimos en Moroleón con el clima"


@pytest.fixture
def office(tmp_path):
    folder = tmp_path / "oficina"
    folder.mkdir()
    config = load_config(write_deployment(folder, RADIOMON_YML, KEYWORDS))
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
    return config


def _recording(config, start: datetime) -> tuple[int, list[dict]]:
    with Archive(config.archive) as archive:
        rec, _ = archive.add_recording(station="radio-uno", start=start, duration=60)
        archive.replace_segments(rec, [spoken(MISSED, 1.0, 6.0, spread=True, space=""),
                                       spoken(FOUND, 7.0, 10.0, spread=True, space="")], engine="test")
        jobs.rematch(config, archive)
        return rec, archive.transcript_rows(rec)


def test_a_hand_mention_is_confirmed_with_who_and_when_at_the_marked_words(office):
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    rec, segments = _recording(office, start)
    with Archive(office.archive) as archive:
        assert [m.keyword for m in archive.mentions_of(rec)] == ["Moroleón"]  # the matcher missed the DIF
        mention = add_hand_mention(office, archive, segment_id=segments[0]["id"], group="dependencias",
                                   term="dif moroleón", by="ana", offset=2.0, words="el  DIF")
        stored = archive.mention(mention.id)
    assert (stored.keyword, stored.group_id, stored.matched, stored.offset) == ("DIF Moroleón", "dependencias",
                                                                                 "el DIF", 2.0)
    assert (stored.review, stored.reviewed_by, stored.added_by) == ("confirmed", "ana", "ana")
    assert stored.added_utc and stored.reviewed_utc and stored.context == MISSED
    assert stored.at_utc.startswith((start + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_crisis_term_added_by_hand_raises_an_alert_event_like_a_matched_one(office):
    rec, segments = _recording(office, datetime.now(timezone.utc) - timedelta(hours=1))
    heard = []
    handler = events.subscribe(heard.append)
    try:
        with Archive(office.archive) as archive:
            before = len(archive.pending_events(events.CRISIS_MENTION))
            mention = add_hand_mention(office, archive, segment_id=segments[0]["id"], group="emergencias",
                                       term="fuga de gas", by="luis")
            crisis = archive.pending_events(events.CRISIS_MENTION)
    finally:
        events.unsubscribe(handler)
    assert len(crisis) == before + 1 and crisis[-1]["mention_id"] == mention.id
    assert crisis[-1]["payload"]["keyword"] == "fuga de gas" and crisis[-1]["payload"]["station"] == "radio-uno"
    assert [e.mention_id for e in heard] == [mention.id]


def test_marking_last_months_story_pages_nobody(office):
    rec, segments = _recording(office, datetime.now(timezone.utc) - timedelta(days=30))
    with Archive(office.archive) as archive:
        add_hand_mention(office, archive, segment_id=segments[0]["id"], group="emergencias", term="fuga de gas",
                         by="luis")
        assert archive.pending_events(events.CRISIS_MENTION) == []


def test_a_hand_mention_survives_match_all_and_the_matcher_never_doubles_it(office):
    rec, segments = _recording(office, datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc))
    with Archive(office.archive) as archive:
        hand = add_hand_mention(office, archive, segment_id=segments[0]["id"], group="dependencias",
                                term="DIF Moroleón", by="ana", words="el DIF")
        jobs.rematch(office, archive, everything=True)
        assert archive.mention(hand.id) == hand
        # Now keywords.yml learns the spelling: the matcher finds what the person marked, and keeps theirs.
        office.keywords.write_text(KEYWORDS.replace("terms: [DIF Moroleón]",
                                                    "terms: [{term: DIF Moroleón, aliases: [el DIF]}]"))
        jobs.rematch(office, archive, everything=True)
        dif = [m for m in archive.mentions_of(rec) if m.keyword == "DIF Moroleón"]
        assert dif == [hand]
        day = collect_digest(office, archive, day=datetime(2026, 11, 25).date())
    assert hand.id in {i for section in day.sections for item in section.items for i in item.mention_ids}


def test_adding_what_the_matcher_found_confirms_it_instead_of_a_second_row(office):
    rec, segments = _recording(office, datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc))
    with Archive(office.archive) as archive:
        found = archive.mentions_of(rec)[0]
        again = add_hand_mention(office, archive, segment_id=found.segment_id, group="municipio", term="Moroleón",
                                 by="ana")
        assert again.id == found.id and again.review == "confirmed" and again.added_by is None
        assert len(archive.mentions_of(rec)) == 1


@pytest.mark.parametrize("change, message", [
    (dict(group="nadie"), "no group 'nadie'"),
    (dict(term="Celaya"), "no term 'Celaya'"),
    (dict(words="Celaya entregó"), "not in segment"),
    (dict(segment_id=999_999), "no transcribed segment 999999"),
])
def test_what_keywords_yml_or_the_line_does_not_have_is_refused(office, change, message):
    rec, segments = _recording(office, datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc))
    args = dict(segment_id=segments[0]["id"], group="dependencias", term="DIF Moroleón", by="ana", words=None)
    with Archive(office.archive) as archive:
        with pytest.raises(QueryError, match=message):
            add_hand_mention(office, archive, **{**args, **change})
        assert [m.keyword for m in archive.mentions_of(rec)] == ["Moroleón"]
