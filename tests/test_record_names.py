"""A recorded file's name is the start it is registered with, after a reconnect too.

ffmpeg names a segment when it opens it. After a reconnect the server's burst
replays audio already recorded and that head is trimmed, so the file named
09:54:30 held audio from 09:54:36 on while the row said 09:54:36: the name,
the row and the audio disagreed. These tests register real files (real
ffmpeg, a real archive) through the recorder's registrar; the Icecast
scenarios in test_record.py check the same agreement end to end.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from radiomon import media, timeutil
from radiomon.archive import Archive
from radiomon.filters import Filters
from radiomon.pipeline.record.gap_tracker import GapTracker
from radiomon.pipeline.record.registrar import SegmentRegistrar
from radiomon.pipeline.record.runner import RecorderStatus
from radiomon.pipeline.record.segment_clock import SegmentClock, file_name

TZ = ZoneInfo("America/Mexico_City")
STATION = "radio-uno"


def local(hms: str, day: str = "2026-11-25") -> datetime:
    return datetime.fromisoformat(f"{day}T{hms}").replace(tzinfo=TZ)


def test_a_file_name_is_its_start_to_the_nearest_second_in_the_station_zone():
    assert file_name(local("09:54:36.4"), TZ, ".mp3") == "2026-11-25/095436.mp3"
    assert file_name(local("09:54:35.6"), TZ, "mp3") == "2026-11-25/095436.mp3"
    # a clock cut's chained start 20 ms early keeps the cut's name, at midnight too
    assert file_name(local("09:59:59.98"), TZ, "mp3") == "2026-11-25/100000.mp3"
    assert file_name(local("23:59:59.98"), TZ, "aac") == "2026-11-26/000000.aac"
    assert file_name(local("15:54:36").astimezone(ZoneInfo("UTC")), TZ, "mp3") == "2026-11-25/155436.mp3"


@pytest.fixture
def registrar(archive: Archive, config) -> SegmentRegistrar:
    def make(last_end: datetime | None) -> SegmentRegistrar:
        folder = config.recordings_dir / STATION
        return SegmentRegistrar(archive, STATION, TZ, folder, timeline=SegmentClock(last_end),
                                gaps=GapTracker(archive, STATION, TZ), status=RecorderStatus(STATION))
    return make


def rows(archive: Archive):
    return archive.recordings(Filters(stations=(STATION,)))


def files(config) -> list[str]:
    folder = config.recordings_dir / STATION
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_reconnect_file_trimmed_of_its_replayed_head_is_named_by_its_measured_start(
        registrar, archive, config, make_tone):
    # The last ffmpeg recorded up to 09:54:36. The new one opened 095430.mp3 and
    # closed it at 09:54:45 holding 12 s: 09:54:33 on, its first 3 s replayed.
    planned = make_tone(config.recordings_dir / STATION / "2026-11-25" / "095430.mp3", seconds=12.0)
    segments = registrar(last_end=local("09:54:36"))
    segments.register(planned, local("09:54:45").timestamp(), first=True)

    (row,) = rows(archive)
    # what is left starts where the last recording ended, to a frame of the cut (26 ms here)
    assert abs((row.start - local("09:54:36")).total_seconds()) < 0.1
    assert row.duration == pytest.approx(9.0, abs=0.1)
    assert files(config) == ["2026-11-25/095436.mp3"] and not planned.exists()
    assert row.path == str(config.recordings_dir / STATION / "2026-11-25" / "095436.mp3")
    # what `radiomon import` would read from the name, and what the file holds
    assert abs((timeutil.start_from_filename(row.path, TZ) - row.start).total_seconds()) < 0.5
    assert media.probe_duration(Path(row.path)) == pytest.approx(row.duration)
    assert segments.status.duplicated_trimmed == pytest.approx(3.0, abs=0.1)


def test_a_file_opened_before_its_audio_came_is_named_by_the_audio(registrar, archive, config, make_tone):
    # A stalled stream: ffmpeg opened 095430.mp3, audio flowed from 09:54:41 to 09:54:47.
    planned = make_tone(config.recordings_dir / STATION / "2026-11-25" / "095430.mp3", seconds=6.0)
    registrar(last_end=local("09:50:00")).register(planned, local("09:54:47").timestamp(), first=True)
    (row,) = rows(archive)
    assert Path(row.path).name == "095441.mp3" == Path(file_name(row.start, TZ, "mp3")).name
    assert files(config) == ["2026-11-25/095441.mp3"]


def test_a_clock_cut_file_keeps_its_name(registrar, archive, config, make_tone):
    cut = make_tone(config.recordings_dir / STATION / "2026-11-25" / "100000.mp3", seconds=6.0)
    # its chained start is where the previous file ended, 20 ms before the cut
    segments = registrar(last_end=local("09:59:59.98"))
    segments.register(cut, local("10:00:06.02").timestamp(), first=False)
    (row,) = rows(archive)
    assert row.path == str(cut) and cut.exists() and files(config) == ["2026-11-25/100000.mp3"]


def test_a_name_already_taken_is_never_overwritten(registrar, archive, config, make_tone):
    folder = config.recordings_dir / STATION / "2026-11-25"
    taken = make_tone(folder / "095436.mp3", seconds=1.0, kind="silence")
    before = taken.read_bytes()
    planned = make_tone(folder / "095430.mp3", seconds=12.0)
    registrar(last_end=local("09:54:36")).register(planned, local("09:54:45").timestamp(), first=True)
    (row,) = rows(archive)
    assert taken.read_bytes() == before  # never overwritten
    assert row.path == str(folder / "095437.mp3")  # the other second within one of its start (09:54:36)
    assert Path(row.path).exists() and not planned.exists()


def test_when_both_seconds_are_taken_the_file_keeps_its_name(registrar, archive, config, make_tone):
    folder = config.recordings_dir / STATION / "2026-11-25"
    taken = [make_tone(folder / f"09543{s}.mp3", seconds=1.0, kind="silence") for s in (6, 7)]
    before = [t.read_bytes() for t in taken]
    planned = make_tone(folder / "095430.mp3", seconds=12.0)
    registrar(last_end=local("09:54:36")).register(planned, local("09:54:45").timestamp(), first=True)
    (row,) = rows(archive)
    assert row.path == str(planned) and [t.read_bytes() for t in taken] == before


def test_a_file_left_by_a_killed_run_is_named_by_the_start_it_is_registered_with(
        registrar, archive, config, make_tone):
    today = datetime.now(TZ)
    left = make_tone(config.recordings_dir / STATION / today.strftime("%Y-%m-%d") / "000000.mp3", seconds=4.0)
    written = (today - timedelta(minutes=2)).timestamp()
    os.utime(left, (written, written))
    registrar(last_end=None).recover_orphans(stall_seconds=30)
    (row,) = rows(archive)
    assert abs(row.start.timestamp() + row.duration - written) < 0.01
    assert row.path.endswith(file_name(row.start, TZ, "mp3")) and Path(row.path).exists() and not left.exists()
