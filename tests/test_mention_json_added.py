"""A mention's JSON says who added it by hand and when (``added_by``, ``added_utc``; null for what the matcher
found), the same in ``radiomon mentions --format json``, ``/api/mentions`` and ``/api/recordings/<id>``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from conftest import RADIOMON_YML, invoke, write_deployment
from factories import spoken

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.hand_mentions import add_hand_mention
from radiomon.web import create_app

KEYWORDS = """\
groups:
  municipio:
    label: Municipio de Moroleón
    terms: [Moroleón]
  dependencias:
    label: Dependencias municipales
    terms: [DIF Moroleón]
"""
START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)


@pytest.fixture
def office(tmp_path):
    folder = tmp_path / "oficina"
    folder.mkdir()
    config = load_config(write_deployment(folder, RADIOMON_YML, KEYWORDS))
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        rec, _ = archive.add_recording(station="radio-uno", start=START, duration=60)
        archive.replace_segments(rec, [spoken("Hoy el DIF entregó despensas", 1.0, 6.0, spread=True, space=""),
                                       spoken("Seguimos en Moroleón con el clima", 7.0, 10.0, spread=True,
                                              space="")], engine="test")
        jobs.rematch(config, archive)
        segment = archive.transcript_rows(rec)[0]
        hand = add_hand_mention(config, archive, segment_id=segment["id"], group="dependencias",
                                term="DIF Moroleón", by="ana", offset=2.0, words="el DIF")
        added_utc = archive.mention(hand.id).added_utc
    return config, rec, added_utc


def _check(mentions: list[dict], added_utc: str) -> None:
    by_keyword = {m["keyword"]: m for m in mentions}
    assert set(by_keyword) == {"DIF Moroleón", "Moroleón"}
    hand, matched = by_keyword["DIF Moroleón"], by_keyword["Moroleón"]
    assert (hand["added_by"], hand["added_utc"]) == ("ana", added_utc)
    assert added_utc.endswith("Z") and added_utc > "2026"
    assert "added_by" in matched and (matched["added_by"], matched["added_utc"]) == (None, None)


def test_the_cli_json_says_who_added_a_mention_by_hand_and_when(office):
    config, _, added_utc = office
    result = invoke(["--config", str(config.path), "mentions", "--format", "json"])
    assert result.exit_code == 0, result.output
    _check(json.loads(result.output), added_utc)
    header = invoke(["--config", str(config.path), "mentions", "--format", "csv"]).output.splitlines()[0]
    assert {"added_by", "added_utc"} <= set(header.split(","))  # CSV carries every field


def test_the_api_says_who_added_a_mention_by_hand_and_when(office):
    config, rec, added_utc = office
    client = create_app(config).test_client()
    _check(client.get("/api/mentions").get_json(), added_utc)
    _check(client.get(f"/api/recordings/{rec}").get_json()["mentions"], added_utc)
    assert datetime.fromisoformat(added_utc.replace("Z", "+00:00")) > datetime.now(timezone.utc) - timedelta(hours=1)
