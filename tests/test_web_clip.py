"""A clip's own page: a stable address that plays and downloads one mention's clip, and «Copiar enlace»."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from radiomon import jobs
from radiomon.config import load_config
from radiomon.transcript import Segment
from radiomon.web import create_app

START = datetime(2026, 11, 25, 14, 1, tzinfo=timezone.utc)  # 08:01 in Moroleón


@pytest.fixture(scope="module")
def office(build_office, tmp_path_factory):
    """One recording of 12 s of real audio whose line names Moroleón at second 4."""
    import subprocess

    audio = tmp_path_factory.mktemp("audio") / "uno.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000",
                    "-t", "12", str(audio)], check=True)

    def fill(config, archive):
        recording, _ = archive.add_recording(station="radio-uno", start=START, duration=12.0, path=str(audio))
        archive.replace_segments(recording, [Segment(4.0, 8.0, "Buenos días Moroleón, el mercado abre hoy",
                                                     avg_logprob=-0.2, no_speech_prob=0.01)], engine="test")
        jobs.rematch(config, archive)
        assert archive.list_mentions()

    return build_office("clip-page", fill)


@pytest.fixture
def config(office):
    return load_config(office / "radiomon.yml")


def _mention_id(config) -> int:
    from radiomon.archive import Archive

    with Archive(config.archive) as archive:
        return archive.list_mentions()[0].id


def test_a_clips_page_has_its_own_link_that_plays_and_downloads_that_clip(config):
    mention = _mention_id(config)
    # served on the office's network without accounts: the address the page came to is a LAN one
    client = create_app(config, host="192.168.1.20").test_client()
    response = client.get(f"/clip/{mention}?antes=2&despues=3", base_url="http://192.168.1.20:8080")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    link = f"http://192.168.1.20:8080/clip/{mention}?antes=2&despues=3"
    # the link copied is this page's own address as the colleague will open it
    assert f'data-share="{link}"' in page and f'value="{link}"' in page and ">Copiar enlace</button>" in page
    assert "Radio Uno Moroleón · 25/11/2026 08:01:0" in page and "Buenos días Moroleón" in page
    audio = re.search(r'<audio id="clip-audio"[^>]* src="([^"]+)"', page).group(1)
    download = re.search(r'<a class="download" href="([^"]+)"', page).group(1)
    assert audio == f"/mencion/{mention}/clip?antes=2&despues=3"
    assert download == f"/mencion/{mention}/clip?antes=2&despues=3&descargar=1"
    played = client.get(audio)
    assert played.status_code == 200 and played.mimetype == "audio/mpeg" and len(played.data) > 1000
    saved = client.get(download)
    assert saved.status_code == 200 and saved.headers["Content-Disposition"].startswith("attachment")
    # the same address opens the same clip again
    again = html.unescape(client.get(link.removeprefix("http://192.168.1.20:8080")).get_data(as_text=True))
    assert f'src="{audio}"' in again


def test_the_mention_page_links_its_clip_page_with_the_window_chosen(config):
    mention = _mention_id(config)
    client = create_app(config).test_client()
    page = html.unescape(client.get(f"/mencion/{mention}?antes=4&despues=9").get_data(as_text=True))
    link = re.search(r'<a class="clip-page" href="([^"]+)"', page).group(1)
    assert link == f"/clip/{mention}?antes=4&despues=9"
    assert client.get(link).status_code == 200


def test_the_link_uses_office_base_url_when_it_is_set(config):
    configured = replace(config, office=replace(config.office, base_url="https://radiomon.moroleon.gob.mx/"))
    mention = _mention_id(config)
    page = html.unescape(create_app(configured).test_client().get(f"/clip/{mention}").get_data(as_text=True))
    assert f'data-share="https://radiomon.moroleon.gob.mx/clip/{mention}?antes=5&despues=20"' in page


@pytest.mark.parametrize("url, status, needle", [
    ("/clip/999", 404, "No existe esa mención"),
    ("/clip/abc", 400, "no es un número de mención"),
    ("/clip/{id}?antes=0&despues=0", 400, "más de 0 segundos"),
    ("/clip/{id}?antes=nan", 400, "segundos"),
])
def test_a_clip_page_that_cannot_be_is_a_spanish_error(config, url, status, needle):
    response = create_app(config).test_client().get(url.format(id=_mention_id(config)))
    assert response.status_code == status and needle in response.get_data(as_text=True)
