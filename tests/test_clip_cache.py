"""The web UI's clip cache: whole-second windows, a size cap (least recently used first), clips gone with
their audio, and two cuts of one clip at once that leave a whole file.

Real ffmpeg audio and cuts, the real archive and matcher, Flask's test client.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from radiomon import jobs, media, retention, timeutil
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.errors import ConfigError
from radiomon.reports import clip_cache, clips
from radiomon.reports.clip_cache import Entry, cache_folder, cached_clip, choose_evictions, clip_name
from radiomon.transcript import Segment
from radiomon.web import create_app

START = datetime(2026, 11, 25, 16, 0, tzinfo=timeutil.UTC)


def add_recording(archive, deployment, make_tone, start: datetime, seconds: float = 30.0, offset: float = 10.0,
                  station: str = "radio-uno") -> int:
    """A real audio file under recordings/ whose text mentions Moroleón ``offset`` seconds in."""
    path = make_tone(deployment / "recordings" / station / f"{start:%Y-%m-%d}" / f"{start:%H%M%S}.mp3", seconds)
    recording_id, _ = archive.add_recording(station=station, start=start, duration=media.probe_duration(path),
                                            path=str(path.resolve()))
    archive.replace_segments(recording_id, [Segment(offset, offset + 3.0, "Buenos días Moroleón")])
    return recording_id


@pytest.fixture
def mention(config, archive, deployment, make_tone):
    add_recording(archive, deployment, make_tone, START)
    jobs.rematch(config, archive)
    [found] = archive.list_mentions()
    return found


def cached_files(config) -> list[str]:
    folder = cache_folder(config)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def seconds_of(path) -> float:
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                            str(path)], capture_output=True, text=True, check=True)
    return float(probe.stdout)


# -- windows -----------------------------------------------------------------------------------------------
def test_windows_are_whole_seconds_so_nearby_windows_share_one_cut(config, mention):
    client = create_app(config).test_client()
    first = client.get(f"/mencion/{mention.id}/clip?antes=5.01&despues=20")
    assert first.status_code == 200
    for antes in ("5.02", "4.6", "5", "5.49"):
        response = client.get(f"/mencion/{mention.id}/clip?antes={antes}&despues=20")
        assert response.status_code == 200 and response.data == first.data
    assert cached_files(config) == [clip_name(mention, 5, 20)]
    page = client.get(f"/mencion/{mention.id}?antes=4.6&despues=19.5").get_data(as_text=True)
    assert f"/mencion/{mention.id}/clip?antes=5&amp;despues=20" in page


@pytest.mark.parametrize("query", ["antes=61", "despues=121", "antes=60.6", "antes=-1"])
def test_windows_past_the_bounds_are_a_400_in_spanish(config, mention, query):
    response = create_app(config).test_client().get(f"/mencion/{mention.id}/clip?{query}")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "segundos entre 0 y" in text and "Solicitud no válida" in text
    assert cached_files(config) == []


def test_the_widest_window_is_offered_on_the_page(config, mention):
    page = create_app(config).test_client().get(f"/mencion/{mention.id}?antes=60&despues=120")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="antes" min="0" max="60"' in text and 'name="despues" min="0" max="120"' in text


# -- size ----------------------------------------------------------------------------------------------------
def test_choose_evictions_takes_the_least_recently_used_first_and_spares_what_is_in_use():
    now = 10_000.0
    entries = [Entry("a.mp3", 100, now - 500), Entry("b.mp3", 100, now - 400), Entry("c.mp3", 100, now - 300),
               Entry("d.mp3", 100, now - 10), Entry(".x.mp3.1-ab.tmp", 50, now - 7200),
               Entry(".y.mp3.2-cd.tmp", 50, now - 5)]
    # 500 bytes of which 50 are a stale temporary file; 300 fit: the stale one, a, and b go.
    assert choose_evictions(entries, 300, now) == [".x.mp3.1-ab.tmp", "a.mp3", "b.mp3"]
    assert choose_evictions(entries, 300, now, keep={"a.mp3"}) == [".x.mp3.1-ab.tmp", "b.mp3", "c.mp3"]
    # d was served 10 s ago and a cut is writing .y: neither goes, even over the size.
    assert choose_evictions(entries, 0, now) == [".x.mp3.1-ab.tmp", "a.mp3", "b.mp3", "c.mp3"]
    assert choose_evictions(entries, 10_000, now) == [".x.mp3.1-ab.tmp"]


def test_the_cache_stays_within_its_size_and_evicts_the_least_recently_served(config, archive, mention):
    roomy = replace(config, web=replace(config.web, clip_cache_mb=100.0))
    folder = cache_folder(config)
    a, b, c = (cached_clip(roomy, archive, mention, 1, after) for after in (2, 3, 4))
    sizes = {p.name: p.stat().st_size for p in (a, b, c)}
    now = time.time()
    for path, age in ((a, 300), (b, 200), (c, 100)):
        os.utime(path, (now - age, now - age))
    assert cached_clip(roomy, archive, mention, 1, 2) == a  # served again: now the most recent
    assert a.stat().st_mtime > now - 60

    # Room for a, b and c; the new 1-second clip d pushes it over: b, the least recently served, goes.
    tight = replace(config, web=replace(config.web, clip_cache_mb=(sum(sizes.values()) + 1) / 1e6))
    d = cached_clip(tight, archive, mention, 1, 0)
    assert sorted(cached_files(config)) == sorted([a.name, c.name, d.name])
    assert sum(p.stat().st_size for p in folder.iterdir()) <= tight.web.clip_cache_mb * 1e6


def test_the_cache_size_is_a_setting_with_a_default(write_config, config):
    assert config.web.clip_cache_mb == 200.0
    text = (config.path.read_text(encoding="utf-8") + "web:\n  clip_cache_mb: 50\n")
    assert load_config(write_config(text)).web.clip_cache_mb == 50.0
    with pytest.raises(ConfigError, match="clip_cache_mb"):
        load_config(write_config(config.path.read_text(encoding="utf-8").replace("web:\n  clip_cache_mb: 50\n", "")
                                 + "web:\n  clip_cache_mb: 0\n"))


# -- at once -------------------------------------------------------------------------------------------------
def _cut_in_threads(config, mention, count: int) -> list:
    results, errors = [], []
    barrier = threading.Barrier(count)

    def cut():
        try:
            with Archive(config.archive) as own:  # a connection per thread, as the web server has
                barrier.wait()
                results.append(cached_clip(config, own, mention, 2, 3))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=cut) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_requests_for_one_clip_at_once_cut_it_once(config, mention, monkeypatch):
    cuts = []
    real = clips.cut_clip

    def counting(*args, **kwargs):
        cuts.append(kwargs["out"])
        return real(*args, **kwargs)

    monkeypatch.setattr(clips, "cut_clip", counting)
    results = _cut_in_threads(config, mention, 3)
    assert len(cuts) == 1 and len(set(results)) == 1
    assert seconds_of(results[0]) == pytest.approx(5.0, abs=0.5)


def test_two_processes_cutting_one_clip_at_once_leave_a_whole_file(config, mention, monkeypatch):
    class EachItsOwn:
        """No lock shared between the two cuts: what two server processes have."""

        def __len__(self):
            return 1

        def __getitem__(self, _index):
            return threading.Lock()

    monkeypatch.setattr(clip_cache, "_LOCKS", EachItsOwn())
    results = _cut_in_threads(config, mention, 2)
    assert len(set(results)) == 1
    assert seconds_of(results[0]) == pytest.approx(5.0, abs=0.5)
    assert cached_files(config) == [clip_name(mention, 2, 3)]  # no temporary file left behind


# -- retention -------------------------------------------------------------------------------------------
def test_prune_drops_the_cached_clips_that_hold_pruned_audio(config, archive, deployment, make_tone):
    now = datetime(2026, 11, 25, 12, 0, tzinfo=timeutil.UTC)
    cutoff = now - timedelta(days=config.retention.audio_days)
    old = add_recording(archive, deployment, make_tone, cutoff - timedelta(seconds=40), offset=3.0)
    # Right after the old one and not past retention itself, but its mention's clip can start in the old file.
    following = add_recording(archive, deployment, make_tone, cutoff - timedelta(seconds=10), offset=3.0)
    recent = add_recording(archive, deployment, make_tone, now - timedelta(days=1))
    jobs.rematch(config, archive)
    by_recording = {m.recording_id: m for m in archive.list_mentions()}
    folder = cache_folder(config)
    folder.mkdir()
    for m in by_recording.values():
        for before, after in ((5, 20), (60, 120)):
            (folder / clip_name(m, before, after)).write_bytes(b"ID3 cached clip")
    confirmed = by_recording[old]
    archive.set_review(confirmed.id, "confirmed")

    result = retention.prune(config, archive, now=now)

    assert result.errors == [] and result.pruned == 1 and result.clips_kept == 1
    assert archive.recording(old).status == "pruned" and archive.recording(following).status == "transcribed"
    assert result.cached_clips_removed == 4
    assert cached_files(config) == sorted(clip_name(by_recording[recent], b, a) for b, a in ((5, 20), (60, 120)))
    assert retention.kept_clip_path(config, confirmed).is_file()  # what retention keeps is elsewhere


def test_a_cached_clip_of_audio_pruned_meanwhile_is_not_served(config, archive, mention):
    client = create_app(config).test_client()
    assert client.get(f"/mencion/{mention.id}/clip").status_code == 200
    assert cached_files(config) == [clip_name(mention, 5, 20)]
    # A prune stopped between marking the recording and dropping its cached clips.
    archive.mark_pruned(mention.recording_id)
    response = client.get(f"/mencion/{mention.id}/clip")
    assert response.status_code == 404 and "Ya no hay audio" in response.get_data(as_text=True)
    assert cached_files(config) == []
