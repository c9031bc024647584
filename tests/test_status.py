"""`radiomon status`: whether each station is being recorded right now, and why not."""

from __future__ import annotations

from datetime import timedelta

from radiomon.archive import Archive
from radiomon.config import Station, load_config
from radiomon.reports.status import Activity, collect_status, describe
from radiomon.timeutil import parse_iso
from radiomon.web.views.status import spanish_state, state_kind

NOW = parse_iso("2026-11-25T18:05:00Z")  # Wednesday 12:05 in Mexico City


def _states(config_path):
    config = load_config(config_path)
    with Archive(config.archive) as archive:
        return {s.id: describe(s.state) for s in collect_status(archive, config, now=NOW).stations}, config


def test_fresh_audio_means_recording_and_an_open_gap_is_an_outage(write_config, deployment) -> None:
    path = write_config("""\
        stations:
          - {id: uno, url: "http://127.0.0.1:8000/uno.mp3", segment_minutes: 10}
          - {id: dos, url: "http://127.0.0.1:8000/dos.mp3"}
          - {id: tres, url: "http://127.0.0.1:8000/tres.mp3"}
    """)
    config = load_config(path)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, "America/Mexico_City")
        archive.add_recording(station="uno", start=NOW - timedelta(minutes=15), duration=600, path="/a/uno.mp3")
        archive.add_recording(station="dos", start=NOW - timedelta(hours=3), duration=600, path="/a/dos.mp3")
        archive.open_gap("dos", NOW - timedelta(hours=2, minutes=50), "network")
    states, _ = _states(path)
    assert states == {
        "uno": "recording",
        "dos": "outage since 2026-11-25 09:15 (network)",
        "tres": "never recorded",
    }


def test_off_schedule_says_until_when(write_config) -> None:
    path = write_config("""\
        stations:
          - id: manana
            url: http://127.0.0.1:8000/m.mp3
            schedule:
              - {days: mon-fri, from: "06:00", to: "11:00"}
    """)
    states, _ = _states(path)
    assert states["manana"].startswith("off-schedule until Thu 2026-11-26 06:00")


def test_each_reader_words_the_same_state(write_config, deployment) -> None:
    # The report hands over a structured state; the terminal and the web page each word it.
    path = write_config("""\
        stations:
          - {id: uno, url: "http://127.0.0.1:8000/uno.mp3"}
          - {id: dos, url: "http://127.0.0.1:8000/dos.mp3"}
          - {id: manana, url: "http://127.0.0.1:8000/m.mp3", schedule: [{days: mon-fri, from: "06:00", to: "11:00"}]}
    """)
    config = load_config(path)
    with Archive(config.archive) as archive:
        # "gone" was in radiomon.yml once: its recordings stay
        archive.sync_stations([*config.stations, Station(id="gone", url="http://x")], "America/Mexico_City")
        archive.add_recording(station="uno", start=NOW - timedelta(hours=2), duration=600, path="/a/uno.mp3")
        archive.add_recording(station="dos", start=NOW - timedelta(minutes=15), duration=600, path="/a/dos.mp3")
        archive.add_recording(station="gone", start=NOW - timedelta(hours=3), duration=600, path="/a/gone.mp3")
        archive.open_gap("dos", NOW - timedelta(minutes=4), "network")
        stations = {s.id: s.state for s in collect_status(archive, config, now=NOW).stations}
    assert {k: (s.kind, s.reason) for k, s in stations.items()} == {
        "uno": ("not-recording", ""), "dos": ("outage", "network"),
        "manana": ("off-schedule", "mon,tue,wed,thu,fri 06:00-11:00"), "gone": ("not-configured", "")}
    assert {k: describe(s) for k, s in stations.items()} == {
        "uno": "not recording (last audio 2026-11-25 10:15)",
        "dos": "outage since 2026-11-25 12:01 (network)",
        "manana": "off-schedule until Thu 2026-11-26 06:00 CST (mon,tue,wed,thu,fri 06:00-11:00)",
        "gone": "not configured",
    }
    # The staff read Spanish, dates day first (the time alone today) and the recorder's reasons in words.
    assert {k: (spanish_state(s, NOW.date()), state_kind(s)) for k, s in stations.items()} == {
        "uno": ("sin grabar desde 10:15", "bad"),
        "dos": ("sin señal desde 12:01 (sin conexión con el stream)", "bad"),
        "manana": ("fuera de horario hasta el jueves 26/11/2026 06:00", "warn"),
        "gone": ("no configurada", "warn"),
    }
    assert spanish_state(stations["uno"]) == "sin grabar desde 25/11/2026 10:15"
    assert [spanish_state(Activity(kind)) for kind in ("recording", "never-recorded")] == ["grabando", "nunca grabada"]
    assert [state_kind(Activity(kind)) for kind in ("recording", "never-recorded")] == ["ok", "warn"]
