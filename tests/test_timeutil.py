"""Time: UTC strings in the archive, user instants in the office's zone, starts from file names."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from radiomon.errors import QueryError
from radiomon.timeutil import (
    UTC,
    local,
    minutes_in_words,
    parse_duration,
    parse_iso,
    parse_user_instant,
    shift,
    start_from_filename,
    to_iso,
)

MEXICO = ZoneInfo("America/Mexico_City")  # UTC-6 all year: no DST since 2022
TIJUANA = ZoneInfo("America/Tijuana")  # UTC-8, UTC-7 from March to November


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_to_iso_is_utc_with_milliseconds_and_z() -> None:
    assert to_iso(datetime(2026, 11, 25, 14, 0, 0, 123456, tzinfo=MEXICO)) == "2026-11-25T20:00:00.123Z"
    assert to_iso(utc(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000Z"


def test_to_iso_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        to_iso(datetime(2026, 11, 25, 14, 0))


def test_parse_iso_accepts_z_and_offsets() -> None:
    assert parse_iso("2026-11-25T20:00:00.000Z") == utc(2026, 11, 25, 20)
    assert parse_iso("2026-11-25T14:00:00-06:00") == utc(2026, 11, 25, 20)
    assert parse_iso("2026-11-25T20:00:00.000Z").tzinfo is UTC
    with pytest.raises(ValueError, match="has no time zone"):
        parse_iso("2026-11-25T20:00:00")


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones(),
                    allow_imaginary=False))  # wall times skipped by a DST change name no instant
def test_iso_round_trip_to_the_millisecond(instant: datetime) -> None:
    text = to_iso(instant)
    assert len(text) == 24 and text.endswith("Z")
    back = parse_iso(text)
    # Compared in UTC: PEP 495 makes an ambiguous wall time unequal to every other zone's.
    in_utc = instant.astimezone(UTC)
    assert back == in_utc.replace(microsecond=in_utc.microsecond // 1000 * 1000)
    assert to_iso(back) == text


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_iso_strings_sort_like_the_instants(a: datetime, b: datetime) -> None:
    a, b = a.replace(tzinfo=UTC, microsecond=0), b.replace(tzinfo=UTC, microsecond=0)
    assert (to_iso(a) < to_iso(b)) == (a < b)


def test_shift_is_recording_start_plus_offset() -> None:
    assert shift("2026-11-25T20:00:00.000Z", 12.345) == "2026-11-25T20:00:12.345Z"
    assert shift("2026-11-25T23:59:59.500Z", 0.5) == "2026-11-26T00:00:00.000Z"


def test_local_shows_the_instant_in_a_zone() -> None:
    assert local("2026-11-25T20:00:00.000Z", MEXICO).strftime("%Y-%m-%d %H:%M %z") == "2026-11-25 14:00 -0600"
    assert local(utc(2026, 7, 1, 19), TIJUANA).strftime("%H:%M %z") == "12:00 -0700"


@pytest.mark.parametrize(
    "text, zone, expected",
    [
        # Mexico City has no DST: the same wall time is 6 hours behind UTC in July and December.
        ("2026-07-01 12:00", MEXICO, "2026-07-01T18:00:00.000Z"),
        ("2026-12-01 12:00", MEXICO, "2026-12-01T18:00:00.000Z"),
        ("2026-07-01T12:00:00", MEXICO, "2026-07-01T18:00:00.000Z"),
        # Tijuana does: -07:00 in summer, -08:00 in winter.
        ("2026-07-01 12:00", TIJUANA, "2026-07-01T19:00:00.000Z"),
        ("2026-12-01 12:00", TIJUANA, "2026-12-01T20:00:00.000Z"),
        # A date is the start of that local day.
        ("2026-11-25", MEXICO, "2026-11-25T06:00:00.000Z"),
        ("2026-07-04", TIJUANA, "2026-07-04T07:00:00.000Z"),
        # An explicit offset or Z wins over the zone.
        ("2026-11-25T20:30:00Z", TIJUANA, "2026-11-25T20:30:00.000Z"),
        ("2026-11-25T14:30:00-06:00", TIJUANA, "2026-11-25T20:30:00.000Z"),
        ("  2026-11-25 14:30  ", MEXICO, "2026-11-25T20:30:00.000Z"),
    ],
)
def test_user_instants_are_read_in_the_configured_zone(text, zone, expected) -> None:
    assert to_iso(parse_user_instant(text, zone)) == expected


def test_until_a_date_includes_the_whole_local_day() -> None:
    assert to_iso(parse_user_instant("2026-11-25", MEXICO, end_of_day=True)) == "2026-11-26T06:00:00.000Z"
    # The day DST ends in Tijuana has 25 hours: it ends at 08:00Z, not 07:00Z.
    start = parse_user_instant("2026-11-01", TIJUANA)
    end = parse_user_instant("2026-11-01", TIJUANA, end_of_day=True)
    assert (to_iso(start), to_iso(end)) == ("2026-11-01T07:00:00.000Z", "2026-11-02T08:00:00.000Z")
    assert end - start == timedelta(hours=25)


@pytest.mark.parametrize("word, days_back", [("today", 0), ("hoy", 0), ("yesterday", 1), ("Ayer", 1)])
def test_today_and_yesterday(word, days_back) -> None:
    day = datetime.now(MEXICO).date() - timedelta(days=days_back)
    expected = datetime(day.year, day.month, day.day, tzinfo=MEXICO)
    assert parse_user_instant(word, MEXICO) == expected


@pytest.mark.parametrize("text", ["25/11/2026", "mañana", "2026-13-01", "2026-11-25 25:00", ""])
def test_unreadable_user_instant_says_what_to_type(text) -> None:
    with pytest.raises(QueryError) as err:
        parse_user_instant(text, MEXICO)
    assert str(err.value) == (
        f"{text!r} is not a date or time; use 2026-11-25, '2026-11-25 14:30' or 2026-11-25T20:30:00Z"
    )


@pytest.mark.parametrize(
    "name, expected",
    [
        ("20261125T140000.mp3", "2026-11-25T20:00:00.000Z"),
        ("2026-11-25_14-00-00.mp3", "2026-11-25T20:00:00.000Z"),
        ("estacion-20261125-1400.mp3", "2026-11-25T20:00:00.000Z"),
        ("radio uno 2026-11-25 14.30.aac", "2026-11-25T20:30:00.000Z"),
        ("xhmo_20261125_143015.wav", "2026-11-25T20:30:15.000Z"),
        # The recorder's own layout: recordings/<station>/<YYYY-MM-DD>/<HHMMSS>.<ext>
        ("recordings/radio-uno/2026-11-25/140000.mp3", "2026-11-25T20:00:00.000Z"),
        ("/srv/radiomon/recordings/radio-uno/2026-11-25/235959.ogg", "2026-11-26T05:59:59.000Z"),
        # The name of the file wins over a date-like folder it was copied into.
        ("/respaldo/2025-01-01_12-00/radio-20261125T140000.mp3", "2026-11-25T20:00:00.000Z"),
    ],
)
def test_start_from_file_name(name, expected) -> None:
    found = start_from_filename(name, MEXICO)
    assert found is not None and to_iso(found) == expected


def test_start_from_file_name_uses_the_stations_zone() -> None:
    assert to_iso(start_from_filename("20260701T120000.mp3", TIJUANA)) == "2026-07-01T19:00:00.000Z"
    assert to_iso(start_from_filename("20261201T120000.mp3", TIJUANA)) == "2026-12-01T20:00:00.000Z"


@pytest.mark.parametrize(
    "name",
    [
        "programa.mp3",
        "2026-11-25.mp3",  # a date without a time of day
        "20261325T140000.mp3",  # month 13
        "20261125T250000.mp3",  # hour 25
        "18000101T120000.mp3",  # not a plausible recording year
        "track-1234567890123.mp3",
    ],
)
def test_no_start_in_the_name_gives_none(name) -> None:
    assert start_from_filename(name, MEXICO) is None


@pytest.mark.parametrize(
    "text, seconds",
    [("80", 80), ("90s", 90), ("10m", 600), ("1.5h", 5400), ("1d", 86400), (" 2 H ", 7200)],
)
def test_durations(text, seconds) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["0", "0s", "-5m", "1w", "una hora", "", "1h30m"])
def test_bad_durations(text) -> None:
    with pytest.raises(ValueError) as err:
        parse_duration(text)
    assert str(err.value) == f"{text!r} is not a duration; use e.g. 90s, 10m or 1h"


def test_a_span_in_words_is_minutes_then_hours_then_whole_days() -> None:
    assert [minutes_in_words(m) for m in (0, 59, 60, 125, 48 * 60 - 1)] == [
        "0 min", "59 min", "1 h 0 min", "2 h 5 min", "47 h 59 min"]
    assert [minutes_in_words(m) for m in (48 * 60, 3 * 1440 + 700)] == ["2 days", "3 days"]
    assert minutes_in_words(3 * 1440 + 700, "días") == "3 días"
