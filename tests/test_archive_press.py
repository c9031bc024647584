"""The press in the archive (schema v5): articles stored once, searchable, with mentions beside radio's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from factories import START

from radiomon.archive import Archive, ArticleRow, FeedState, MentionRow, schema
from radiomon.transcript import Segment


def article(url: str = "https://diariodelsur.example/2026/11/25/mercado", **kwargs) -> ArticleRow:
    values = dict(outlet="diario-sur", url=url, title="Reabren el mercado Hidalgo de Moroleón",
                  published_utc="2026-11-25T14:00:00.000Z", fetched_utc="2026-11-25T14:30:00.000Z",
                  text="El H. Ayuntamiento de Moroleón reabrió el mercado Hidalgo tras su remodelación.",
                  content_sha256="0" * 64)
    values.update(kwargs)
    return ArticleRow(**values)


def press_mention(offset: float = 3.0, **kwargs) -> MentionRow:
    values = dict(segment_id=None, recording_id=None, station=None, group_id="municipio", keyword="Moroleón",
                  matched="Moroleón", score=100.0, at_utc="2026-11-25T14:00:00.000Z", offset=offset,
                  context="El H. Ayuntamiento de Moroleón reabrió el mercado Hidalgo.")
    values.update(kwargs)
    return MentionRow(**values)


def test_an_archive_of_version_4_migrates_keeping_mentions_ids_and_reviews(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "radiomon.db"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:4])
    monkeypatch.setattr(schema, "CURRENT_VERSION", 4)
    with Archive(path) as archive:  # written as radiomon 0.1 wrote it: the code of today reads v5 only
        archive.ensure_station("radio-uno", "America/Mexico_City")
        recording_id, _ = archive.add_recording(station="radio-uno", start=START, duration=60.0, path="/a.mp3")
        archive.replace_segments(recording_id, [Segment(0.0, 3.0, "Buenos días, Moroleón.")])
        (segment_id,) = [r[0] for r in archive.conn.execute("SELECT id FROM segments")]
        with archive.write() as conn:
            mention_id = conn.execute(
                "INSERT INTO mentions (segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, "
                "offset, review, reviewed_by) VALUES (?, ?, 'radio-uno', 'municipio', 'Moroleón', 'Moroleón', 100, "
                "?, 1.0, 'confirmed', 'ana')", (segment_id, recording_id, START.isoformat())).lastrowid
        assert archive.schema_version == 4
    monkeypatch.undo()
    with Archive(path) as archive:
        assert archive.schema_version == schema.CURRENT_VERSION >= 5
        (after,) = archive.mentions_of(recording_id)
        assert (after.id, after.review, after.reviewed_by, after.medium) == (mention_id, "confirmed", "ana", "radio")
        assert archive.mention(mention_id).as_json()["medium"] == "radio"
        indexes = {r["name"] for r in archive.query("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                    "AND tbl_name = 'mentions'")}
        assert {"mentions_recording", "mentions_at", "mentions_group_at", "mentions_segment",
                "mentions_article"} <= indexes
        assert archive.query("PRAGMA foreign_key_check") == []
        assert archive.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]


def test_an_article_is_stored_once_however_often_it_is_offered(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "radiomon.db")
    key = "diariodelsur.example/2026/11/25/mercado"
    first = archive.add_article(article(), [key, "diariodelsur.example/mercado-hidalgo"])
    assert first is not None
    assert archive.add_article(article(title="Otro título"), [key]) is None  # the same article
    assert archive.add_article(article("https://diariodelsur.example/mercado-hidalgo"),
                               ["diariodelsur.example/mercado-hidalgo"]) is None  # its canonical link
    assert archive.query("SELECT count(*) AS n FROM articles") == [{"n": 1}]
    assert archive.article(first).story == first  # the first of its story
    assert archive.known_keys([key, "otro.example/x"]) == {key}
    assert archive.article_for_key("diariodelsur.example/mercado-hidalgo") == first
    other = archive.add_article(article("https://elsol.example/nota", outlet="el-sol", story=first),
                                ["elsol.example/nota"])
    assert [a.id for a in archive.story_articles(first)] == [first, other]


def test_articles_are_searchable_with_the_segments_tokenizer(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "radiomon.db")
    article_id = archive.add_article(article(), ["diariodelsur.example/2026/11/25/mercado"])
    found = archive.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", ("moroleon remodelacion",))
    assert found == [{"rowid": article_id}]
    assert archive.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'title:hidalgo'") == [
        {"rowid": article_id}]


def test_an_articles_mentions_are_replaced_keeping_reviews(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "radiomon.db")
    article_id = archive.add_article(article(), ["diariodelsur.example/2026/11/25/mercado"])
    changes = archive.replace_article_mentions(article_id, [press_mention()])
    (added,) = changes.added
    assert (added.medium, added.article_id, added.recording_id) == ("press", article_id, None)
    archive.set_review(added.id, "confirmed", by="ana")
    again = archive.replace_article_mentions(article_id, [press_mention(offset=5.0)])
    assert (again.added, again.updated, again.removed) == ((), 1, 0)
    (kept,) = archive.article_mentions(article_id)
    assert (kept.id, kept.review, kept.offset) == (added.id, "confirmed", 5.0)
    assert archive.article(article_id).matched_utc is not None
    assert [m.medium for m in archive.list_mentions()] == ["press"]
    assert archive.replace_article_mentions(article_id, []).removed == 1


def test_a_mention_is_of_a_segment_or_of_an_article_never_both_or_neither(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "radiomon.db")
    with pytest.raises(sqlite3.IntegrityError):
        with archive.write() as conn:
            conn.execute("INSERT INTO mentions (group_id, keyword, matched, score, at_utc, offset) "
                         "VALUES ('municipio', 'Moroleón', 'Moroleón', 100, '2026-11-25T14:00:00Z', 0)")


def test_a_feeds_state_round_trips(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "radiomon.db")
    url = "https://diariodelsur.example/feed/"
    assert archive.feed_state(url, "diario-sur") == FeedState(url, "diario-sur")
    state = FeedState(url, "diario-sur", etag='"abc"', checked_utc="2026-11-25T14:00:00.000Z", failures=2,
                      error="timed out after 30 s")
    archive.save_feed_state(state)
    assert archive.feed_state(url, "diario-sur") == state
    assert archive.feed_states() == [state]
