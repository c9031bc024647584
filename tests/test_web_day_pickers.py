"""The day pickers of Menciones and Síntesis take and show dd/mm/aaaa, like every other date of the web.

Chromium's ``<input type="date">`` shows mm/dd/yyyy on a computer set up in English, so both pages use the
shared text field of templates/fields.html; their parameter stays ``dia`` (links and bookmarks keep working).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from radiomon import jobs
from radiomon.config import load_config
from radiomon.transcript import Segment
from radiomon.web import create_app

START = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)  # 10:00 in Moroleón
SAID = "Buenos días Moroleón, hoy abre el mercado nuevo"


@pytest.fixture(scope="module")
def office(build_office) -> Path:
    def fill(config, archive):
        recording, _ = archive.add_recording(station="radio-uno", start=START, duration=60)
        archive.replace_segments(recording, [Segment(1.0, 5.0, SAID, avg_logprob=-0.2, no_speech_prob=0.01)],
                                 engine="test")
        jobs.rematch(config, archive)

    return build_office("day-pickers", fill)


@pytest.fixture(scope="module")
def client(office):
    return create_app(load_config(office / "radiomon.yml")).test_client()


def day_field(page: str) -> str:
    """The ``dia`` input a person types in (the Síntesis' cut form carries the day hidden); exactly one."""
    (field,) = [f for f in re.findall(r'<input[^>]*name="dia"[^>]*>', page) if 'type="hidden"' not in f]
    return field


@pytest.mark.parametrize("path", ["/menciones", "/sintesis"])
def test_a_day_typed_day_first_opens_that_day_and_the_field_shows_it_day_first(client, path):
    response = client.get(f"{path}?dia=25/11/2026")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert SAID in page  # the 25th's mention, so the typed day was read as the 25th of November
    assert page.count(SAID) == client.get(f"{path}?dia=2026-11-25").get_data(as_text=True).count(SAID) > 0
    field = day_field(page)
    assert 'type="date"' not in field and 'type="text"' in field
    assert 'value="25/11/2026"' in field and 'placeholder="dd/mm/aaaa"' in field
    assert client.get(f"{path}?dia=26/11/2026").get_data(as_text=True).count(SAID) == 0


@pytest.mark.parametrize("path", ["/menciones", "/sintesis"])
def test_the_words_hoy_and_ayer_still_open_a_day(client, path):
    assert client.get(f"{path}?dia=ayer").status_code == 200 and client.get(f"{path}?dia=Hoy").status_code == 200


@pytest.mark.parametrize("path", ["/menciones", "/sintesis"])
def test_a_day_the_calendar_lacks_is_a_spanish_400_naming_the_form(client, path):
    response = client.get(f"{path}?dia=31/02/2026")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "La fecha «Día» no es válida" in page and "dd/mm/aaaa" in page


def test_the_mentions_page_heading_shows_the_day_first(client):
    page = client.get("/menciones?dia=25/11/2026").get_data(as_text=True)
    assert re.search(r"<h1>Menciones <small>25/11/2026</small></h1>", page)
    assert "<title>Menciones 25/11/2026" in page
