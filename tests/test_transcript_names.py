"""A transcript is named as the recorder names its audio: the recording's local start to the nearest second."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from radiomon.pipeline.record.segment_clock import file_name
from radiomon.pipeline.transcribe.output import transcript_path

TZ = ZoneInfo("America/Mexico_City")


def test_a_start_a_hair_before_the_cut_is_named_after_the_cut() -> None:
    start = datetime(2026, 11, 25, 15, 59, 59, 980_000, tzinfo=ZoneInfo("UTC"))  # 09:59:59.98 in Moroleón
    assert file_name(start, TZ, "mp3") == "2026-11-25/100000.mp3"
    assert transcript_path(Path("t"), "radio-uno", start, TZ) == Path("t/radio-uno/2026-11-25/100000.json")


def test_the_names_agree_for_any_fraction_of_a_second_and_across_midnight() -> None:
    for micro in (0, 1, 499_999, 500_000, 999_999):
        start = datetime(2026, 11, 26, 5, 59, 59, micro, tzinfo=ZoneInfo("UTC"))  # 23:59:59.x the day before
        audio = file_name(start, TZ, "mp3")
        transcript = transcript_path(Path("t"), "radio-uno", start, TZ)
        assert transcript.parent.name + "/" + transcript.stem == audio.removesuffix(".mp3")
