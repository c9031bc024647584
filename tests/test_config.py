"""radiomon.yml: typed settings, and errors that point at file:line, key and fix."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from radiomon.config import Config, find_config_path, load_config
from radiomon.errors import ConfigError


def test_the_fixture_deployment_loads_with_defaults(config: Config, deployment: Path) -> None:
    assert config.path == deployment / "radiomon.yml"
    assert config.timezone == ZoneInfo("America/Mexico_City")
    assert [s.id for s in config.stations] == ["radio-uno", "fm-oficina"]
    uno, fm = config.stations
    assert (uno.name, uno.source, uno.segment_minutes, uno.schedule) == (
        "Radio Uno Moroleón", "http://127.0.0.1:8000/uno.mp3", 10.0, ())
    assert (fm.url, fm.input, fm.source) == (None, "alsa:hw:1", "alsa:hw:1")
    assert config.transcription.engine == "faster-whisper"
    assert config.transcription.model == "base"
    assert config.retention.audio_days == 90


def test_relative_paths_resolve_against_the_config_folder(write_config, tmp_path, monkeypatch) -> None:
    path = write_config("""\
        archive: datos/archivo.db
        recordings_dir: /srv/audio
        stations: []
    """)
    monkeypatch.chdir(tmp_path)  # somewhere else entirely
    config = load_config(os.path.relpath(path, tmp_path))
    folder = path.parent
    assert config.archive == folder / "datos" / "archivo.db"
    assert config.recordings_dir == Path("/srv/audio")
    assert config.transcripts_dir == folder / "transcripts"
    assert config.keywords == folder / "keywords.yml"


def test_an_empty_file_is_all_defaults(write_config) -> None:
    config = load_config(write_config(""))
    assert config.stations == ()
    assert config.timezone.key == "America/Mexico_City"


def test_station_options_schedule_and_timezone(write_config) -> None:
    config = load_config(write_config("""\
        timezone: America/Mexico_City
        transcription: {model: small, device: cpu, formats: "srt, vtt"}
        stations:
          - id: xhmo
            url: http://example.invalid/xhmo
            segment_minutes: 0.5
            timezone: America/Tijuana
            schedule:
              - {days: mon-fri, from: 06:00, to: 24:00}
              - {days: "sat,sun", from: "22:00", to: "02:00"}
              - {days: daily}
    """))
    (station,) = config.stations
    assert station.name == "xhmo"  # the id when no name is given
    assert station.segment_minutes == 0.5
    assert config.station_tz("xhmo") == ZoneInfo("America/Tijuana")
    weekdays, weekend, daily = station.schedule
    # Unquoted 06:00 is the YAML 1.1 sexagesimal 360; it still means six o'clock.
    assert (weekdays.days, weekdays.start, weekdays.end) == (frozenset(range(5)), time(6, 0), time.max)
    assert (weekend.days, weekend.start, weekend.end) == (frozenset({5, 6}), time(22, 0), time(2, 0))
    assert daily.days == frozenset(range(7))
    assert config.transcription.model == "small"
    assert config.transcription.formats == ("srt", "vtt")


def test_fri_to_mon_wraps_around_the_week(write_config) -> None:
    config = load_config(write_config("""\
        stations:
          - {id: a, url: "http://x", schedule: [{days: fri-mon}]}
    """))
    assert config.stations[0].schedule[0].days == frozenset({4, 5, 6, 0})


def test_unknown_station_lists_the_configured_ones(config: Config) -> None:
    with pytest.raises(ConfigError) as err:
        config.station("radio-dos")
    assert str(err.value) == (
        f"unknown station 'radio-dos' (configured in {config.path}: radio-uno, fm-oficina)"
    )


# Each bad radiomon.yml, and the exact line a person gets: file:line, the key, what to do.
BAD_CONFIGS = {
    "unknown top-level key": (
        "timezone: America/Mexico_City\ntimezon: UTC\n",
        "{f}:2: timezon: unknown key; expected one of: alerts, archive, daemon, health, keywords, nightly, office, "
        "press, record, recordings_dir, retention, sintesis, stations, timezone, transcription, transcripts_dir, web",
    ),
    "unknown time zone": (
        "stations: []\ntimezone: Mars/Olympus\n",
        "{f}:2: timezone: unknown time zone 'Mars/Olympus'; use an IANA name like America/Mexico_City",
    ),
    "unknown station key": (
        "stations:\n  - id: uno\n    url: http://x\n    urll: http://y\n",
        "{f}:4: stations[0].urll: unknown key; expected one of: bitrate, codec, id, input, name, "
        "schedule, segment_minutes, timezone, url",
    ),
    "station without id": (
        "stations:\n  - id: uno\n    url: http://x\n  - name: Dos\n    url: http://y\n",
        "{f}:4: stations[1]: missing id; give the station a short slug like radio-moroleon",
    ),
    "id that is not a slug": (
        "stations:\n  - id: Radio Uno\n    url: http://x\n",
        "{f}:2: stations[0].id: 'Radio Uno' is not a slug; use lowercase letters, digits, - and _",
    ),
    "duplicate id": (
        "stations:\n  - id: uno\n    url: http://x\n  - id: uno\n    url: http://y\n",
        "{f}:4: stations[1].id: duplicate station id 'uno'; ids must be unique",
    ),
    "neither url nor input": (
        "stations:\n  - id: uno\n",
        "{f}:2: stations[0]: station 'uno' has neither url nor input; give one of them",
    ),
    "both url and input": (
        "stations:\n  - id: uno\n    url: http://x\n    input: alsa:hw:1\n",
        "{f}:2: stations[0]: station 'uno' has both url and input; keep one",
    ),
    "zero-length segments": (
        "stations:\n  - id: uno\n    url: http://x\n    segment_minutes: 0\n",
        "{f}:4: stations[0].segment_minutes: must be a positive number of minutes",
    ),
    "text where a number goes": (
        "stations:\n  - id: uno\n    url: http://x\n    segment_minutes: diez\n",
        "{f}:4: stations[0].segment_minutes: expected a number, got 'diez'",
    ),
    "station time zone": (
        "stations:\n  - id: uno\n    url: http://x\n    timezone: Nowhere/City\n",
        "{f}:4: stations[0].timezone: unknown time zone 'Nowhere/City'; use an IANA name like America/Mexico_City",
    ),
    "days in Spanish": (
        "stations:\n  - id: uno\n    url: http://x\n    schedule:\n      - {days: lun-vie}\n",
        "{f}:5: stations[0].schedule[0].days: 'lun-vie' is not a set of days; use e.g. mon-fri, sat,sun or daily",
    ),
    "hour 25": (
        "stations:\n  - id: uno\n    url: http://x\n    schedule:\n      - {from: '25:00'}\n",
        "{f}:5: stations[0].schedule[0].from: '25:00' is not a time of day; use HH:MM like '06:00'",
    ),
    "stations as a mapping": (
        "stations:\n  uno: http://x\n",
        "{f}:2: stations: expected a list of stations (- id: …, url: …)",
    ),
    "unknown engine": (
        "transcription:\n  engine: whisperx\n",
        "{f}:2: transcription.engine: unknown engine 'whisperx'; use faster-whisper or openai-whisper",
    ),
    "unknown device": (
        "transcription:\n  device: tpu\n",
        "{f}:2: transcription.device: unknown device 'tpu'; use cpu, cuda or auto",
    ),
    "fractional beam": (
        "transcription:\n  beam_size: 2.5\n",
        "{f}:2: transcription.beam_size: expected a whole number, got 2.5",
    ),
    "yes/no as text": (
        "transcription:\n  vad: maybe\n",
        "{f}:2: transcription.vad: expected true or false, got 'maybe'",
    ),
    "quoted number of days": (
        "retention:\n  audio_days: '90'\n",
        "{f}:2: retention.audio_days: expected a whole number, got '90'",
    ),
    "a list instead of settings": (
        "- timezone\n- stations\n",
        "{f}:1: (top level): expected a mapping of settings (timezone:, stations:, …)",
    ),
    "unknown outlet key": (
        "press:\n  outlets:\n    - id: diario-sur\n      feeds: [http://a.example/feed]\n      feed: x\n",
        "{f}:5: press.outlets[0].feed: unknown key; expected one of: feeds, id, name, scope",
    ),
    "outlet without id": (
        "press:\n  outlets:\n    - name: Diario\n      feeds: [http://a.example/feed]\n",
        "{f}:3: press.outlets[0]: missing id; give the outlet a short slug like diario-sur",
    ),
    "outlet id that is not a slug": (
        "press:\n  outlets:\n    - id: Diario Sur\n      feeds: [http://a.example/feed]\n",
        "{f}:3: press.outlets[0].id: 'Diario Sur' is not a slug; use lowercase letters, digits, - and _",
    ),
    "duplicate outlet id": (
        "press:\n  outlets:\n    - {id: uno, feeds: [http://a.example/feed]}\n"
        "    - {id: uno, feeds: [http://b.example/feed]}\n",
        "{f}:4: press.outlets[1].id: duplicate outlet id 'uno'; ids must be unique",
    ),
    "feed that is not http": (
        "press:\n  outlets:\n    - id: uno\n      feeds:\n        - http://a.example/feed\n"
        "        - ftp://b.example/feed.xml\n",
        "{f}:6: press.outlets[0].feeds[1]: 'ftp://b.example/feed.xml' is not a web address; "
        "use an http:// or https:// URL of a feed or sitemap",
    ),
    "outlet without feeds": (
        "press:\n  outlets:\n    - id: uno\n",
        "{f}:3: press.outlets[0]: outlet 'uno' has no feeds; list its RSS, Atom or sitemap URLs "
        "(`radiomon press add URL` finds them)",
    ),
    "unknown scope": (
        "press:\n  outlets:\n    - id: uno\n      feeds: [http://a.example/feed]\n      scope: municipal\n",
        "{f}:5: press.outlets[0].scope: unknown scope 'municipal'; use local, regional, estatal or nacional",
    ),
    "zero poll minutes": (
        "press:\n  poll_minutes: 0\n",
        "{f}:2: press.poll_minutes: must be a positive number, got 0",
    ),
    "broken indentation": (
        "stations:\n  - id: uno\n   url: x\n",
        "{f}:3: invalid YAML (expected <block end>, but found '<block mapping start>'); fix the syntax there",
    ),
}


@pytest.mark.parametrize("text, expected", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_invalid_config_names_file_line_key_and_fix(write_config, text, expected) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == expected.format(f=path)


def test_missing_config_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "radiomon.yml")
    assert str(err.value) == (
        f"{tmp_path / 'radiomon.yml'}: file not found; create it with `radiomon init` or pass --config"
    )


def test_config_that_is_not_utf8(write_config) -> None:
    path = write_config("")
    path.write_bytes(b"timezone: Am\xe9rica\n")
    with pytest.raises(ConfigError, match=r"cannot read it .*; check the file and its permissions$"):
        load_config(path)


def test_config_is_found_from_option_then_environment_then_cwd(monkeypatch) -> None:
    assert find_config_path("/etc/radiomon/a.yml") == Path("/etc/radiomon/a.yml")
    monkeypatch.setenv("RADIOMON_CONFIG", "/etc/radiomon/b.yml")
    assert find_config_path(None) == Path("/etc/radiomon/b.yml")
    assert find_config_path("c.yml") == Path("c.yml")
    monkeypatch.delenv("RADIOMON_CONFIG")
    assert find_config_path(None) == Path("radiomon.yml")


def test_the_shipped_example_config_is_valid(tmp_path: Path) -> None:
    from importlib import resources

    example = tmp_path / "radiomon.yml"
    example.write_text((resources.files("radiomon") / "data" / "radiomon.yml").read_text(encoding="utf-8"))
    config = load_config(example)
    assert [s.id for s in config.stations] == ["ejemplo-am"]
    assert config.archive == tmp_path / "radiomon.db"
    assert config.press.poll_minutes == 30 and config.press.outlets == ()
    assert config.health.outlet_quiet_hours == 24


def test_press_outlets_are_read_with_their_defaults(write_config) -> None:
    config = load_config(write_config(
        "press:\n  poll_minutes: 15\n  contact: prensa@moroleon.gob.mx\n  outlets:\n"
        "    - id: diario-sur\n      name: Diario del Sur\n      feeds: [https://diariodelsur.example/feed/]\n"
        "      scope: estatal\n    - id: el-correo\n      feeds: https://a.example/feed, https://a.example/news.xml\n"
    ))
    assert config.press.poll_minutes == 15.0
    assert config.press.contact == "prensa@moroleon.gob.mx"
    assert [(o.id, o.name, o.scope, o.feeds) for o in config.press.outlets] == [
        ("diario-sur", "Diario del Sur", "estatal", ("https://diariodelsur.example/feed/",)),
        ("el-correo", "el-correo", "regional", ("https://a.example/feed", "https://a.example/news.xml")),
    ]
    assert config.press.outlet("el-correo").name == "el-correo"
    with pytest.raises(ConfigError, match=r"unknown outlet .otro. \(configured under press.outlets: diario-sur, el-"):
        config.press.outlet("otro")
