"""Grabación: a verdict given in the mention panel (opened from a line's badge) redraws that line's badges
out of band, so the badge shows the new state without a reload (the browser side is in
tests/test_web_review_browser.py)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import partial

import pytest
from conftest import RADIOMON_YML, write_deployment
from factories import spoken

from radiomon import jobs
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.web import create_app

START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
KEYWORDS = """\
groups:
  municipio:
    label: Municipio de Moroleón
    terms: [Moroleón]
  dependencias:
    label: Dependencias municipales
    terms: [DIF Moroleón]
"""
segment = partial(spoken, spread=True, space="", avg_logprob=-0.2, no_speech_prob=0.01)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("badges") / "oficina"
    folder.mkdir()
    config = load_config(write_deployment(folder, RADIOMON_YML, KEYWORDS))
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        rec, _ = archive.add_recording(station="radio-uno", start=START, duration=60)
        archive.replace_segments(rec, [segment("Hoy el DIF Moroleón entregó despensas.", 1.0, 5.0)], engine="test")
        jobs.rematch(config, archive)
    return config


@pytest.fixture
def client(config):
    yield create_app(config).test_client()
    with Archive(config.archive) as archive:
        for mention in archive.list_mentions():
            archive.set_review(mention.id, None)


def badges_of(html: str, segment_id: int) -> str:
    found = re.search(rf'<span class="badges" id="b{segment_id}"[^>]*>.*?</span>(?=\s*(?:<a class="add|$))', html,
                      re.DOTALL)
    return found.group(0) if found else ""


def badge(badges: str, mention_id: int) -> str:
    return re.search(rf'<a class="badge[^"]*"[^>]*href="/mencion/{mention_id}"[^>]*>', badges).group(0)


@pytest.mark.parametrize("verdict, mark", [("rejected", "rejected"), ("confirmed", "confirmed")])
def test_a_verdict_in_the_panel_sends_the_lines_badges_back_with_the_new_state(client, config, verdict, mark):
    with Archive(config.archive) as archive:
        dif, other = sorted(archive.list_mentions(), key=lambda m: m.keyword != "DIF Moroleón")
    assert (dif.keyword, other.keyword, dif.segment_id) == ("DIF Moroleón", "Moroleón", other.segment_id)
    page = client.get(f"/grabacion/{dif.recording_id}").get_data(as_text=True)
    before = badge(badges_of(page, dif.segment_id), dif.id)
    assert mark not in before.split('"')[1]
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    panel = client.get(f"/mencion/{dif.id}/panel", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-swap-oob' not in panel  # opening the panel leaves the line as it is
    form = re.search(r'<form class="review actions" method="post" action="([^"]+)"', panel).group(1)
    back = re.search(r'name="volver" value="([^"]+)"', panel).group(1).replace("&amp;", "&")
    answer = client.post(form, data={"csrf": token, "revision": verdict, "volver": back},
                         headers={"HX-Request": "true"}, follow_redirects=True)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Copiar para WhatsApp" in html  # the panel, drawn again with the verdict
    oob = badges_of(html, dif.segment_id)
    assert 'hx-swap-oob="true"' in oob
    changed = badge(oob, dif.id)
    assert mark in changed.split('"')[1] and "title=\"se oyó «DIF Moroleón» · " in changed
    assert mark not in badge(oob, other.id).split('"')[1]  # the line's other mention is as it was
    reloaded = badge(badges_of(client.get(f"/grabacion/{dif.recording_id}").get_data(as_text=True),
                               dif.segment_id), dif.id)
    assert reloaded == changed  # what the swap shows is what a reload shows
