"""The recorder's segment clock and gap tracker, without ffmpeg: where each
closed file sits in time, and which outages are on record."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from radiomon.archive import Archive
from radiomon.filters import Filters
from radiomon.pipeline.record.gap_tracker import GapTracker
from radiomon.pipeline.record.segment_clock import (
    DRIFT_SECONDS,
    MIN_SEGMENT_SECONDS,
    TRIM_TOLERANCE,
    SegmentClock,
    end_instant,
)

T0 = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)
TZ = ZoneInfo("America/Mexico_City")


def at(seconds: float) -> float:
    """Epoch seconds ``seconds`` after T0 (when ffmpeg closed a file)."""
    return (T0 + timedelta(seconds=seconds)).timestamp()


def t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# -- the segment clock ------------------------------------------------------------

def test_a_first_segment_is_end_anchored_on_its_close():
    placed = SegmentClock().place(at(600), 598.5, first=True)
    assert (placed.start, placed.end, placed.duration, placed.drop, placed.trim) == (t(1.5), t(600), 598.5, None, 0.0)


def test_the_next_file_of_one_ffmpeg_starts_where_the_last_ended():
    clock = SegmentClock()
    clock.commit(clock.place(at(600), 600.0, first=True))
    jittered = clock.place(at(1200.04), 600.0, first=False)  # closed 40 ms late
    assert (jittered.start, jittered.end, jittered.drift) == (t(600), t(1200), None)


def test_a_stream_clock_drifted_from_the_wall_clock_is_re_anchored():
    clock = SegmentClock()
    clock.commit(clock.place(at(600), 600.0, first=True))
    drifted = clock.place(at(1200 + DRIFT_SECONDS + 0.5), 600.0, first=False)
    assert drifted.start == t(600 + DRIFT_SECONDS + 0.5) and drifted.drift == pytest.approx(DRIFT_SECONDS + 0.5)


def test_an_empty_leftover_is_dropped():
    assert SegmentClock().place(at(10), MIN_SEGMENT_SECONDS / 2, first=True).drop == "empty"


def test_after_a_restart_the_replayed_head_is_trimmed_and_what_is_left_follows_on():
    clock = SegmentClock(last_end=t(600))
    placed = clock.place(at(630), 32.0, first=True)  # the server's burst replayed 2 s we have
    assert placed.trim == pytest.approx(2.0) and placed.drop is None
    kept = clock.trimmed(placed, 30.02)  # what ffprobe measures once the head is cut
    assert (kept.start, kept.duration) == (t(600), 30.02) and kept.end == t(600) + timedelta(seconds=30.02)


def test_an_overlap_within_jitter_is_not_trimmed_but_does_not_overlap_either():
    clock = SegmentClock(last_end=t(600))
    placed = clock.place(at(630), 30.0 + TRIM_TOLERANCE / 2, first=True)
    assert placed.trim == 0.0 and placed.start == t(600)


def test_a_file_holding_only_audio_already_recorded_is_dropped():
    assert SegmentClock(last_end=t(600)).place(at(599), 5.0, first=True).drop == "replayed"


def test_a_segment_ends_when_its_file_last_grew_if_that_was_a_while_before_the_close():
    assert end_instant(1000.0, 999.8) == 1000.0  # clock cut or stop at the live edge
    assert end_instant(1000.0, 990.0) == 990.0  # stalled 10 s before we stopped it


# -- the gap tracker ----------------------------------------------------------------

@pytest.fixture
def store(tmp_path):
    with Archive(tmp_path / "radiomon.db") as archive:
        archive.ensure_station("uno", "America/Mexico_City")
        yield archive


def gaps(store) -> list[tuple[str, str, str | None]]:
    return [(g["reason"], g["start_utc"], g["end_utc"]) for g in store.gaps(Filters(stations=("uno",)))]


def iso(seconds: float) -> str:
    return t(seconds).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_one_outage_keeps_its_first_reason_and_a_deliberate_state_takes_over(store):
    tracker = GapTracker(store, "uno", TZ)
    tracker.open("network", t(0))
    tracker.open("stall", t(5))  # the drop then failed to reconnect in time: still the network gap
    tracker.open("network", t(6))
    assert gaps(store) == [("network", iso(0), None)]
    tracker.open("off-schedule", t(10))
    assert gaps(store) == [("network", iso(0), iso(10)), ("off-schedule", iso(10), None)]
    assert tracker.opened == 2 and tracker.reason == "off-schedule"


def test_a_gap_ends_where_the_first_segment_after_it_really_starts(store):
    tracker = GapTracker(store, "uno", TZ)
    tracker.open("network", t(0))
    tracker.close(t(30))  # ffmpeg opened a file when it reconnected…
    assert gaps(store) == [("network", iso(0), iso(30))]
    tracker.audio_resumed_at(t(28))  # …whose measured start is the server's burst, 2 s earlier
    assert gaps(store) == [("network", iso(0), iso(28))]
    tracker.audio_resumed_at(t(50))  # only the first segment corrects it
    assert gaps(store) == [("network", iso(0), iso(28))]


def test_a_gap_never_ends_before_it_began(store):
    tracker = GapTracker(store, "uno", TZ)
    tracker.open("network", t(10))
    tracker.close(t(5))
    tracker.audio_resumed_at(t(2))
    assert gaps(store) == [("network", iso(10), iso(10))]


def test_a_recorder_takes_over_the_gaps_a_crashed_one_left_open(store):
    first, second = store.open_gap("uno", t(0), "network"), store.open_gap("uno", t(60), "stopped")
    tracker = GapTracker(store, "uno", TZ)
    tracker.adopt(store.open_gaps("uno"), last_audio_end=t(-5))
    assert gaps(store) == [("network", iso(0), iso(60)), ("stopped", iso(60), None)]
    assert tracker.gap == (second, "stopped") and tracker.opened == 0 and first != second


def test_audio_on_record_but_no_gap_open_means_the_last_run_was_killed(store):
    tracker = GapTracker(store, "uno", TZ)
    tracker.adopt([], last_audio_end=t(42))
    assert gaps(store) == [("stopped", iso(42), None)]
    fresh = GapTracker(store, "uno", TZ)
    fresh.adopt([], last_audio_end=None)  # a station never recorded: nothing to say
    assert fresh.gap is None and fresh.opened == 0
