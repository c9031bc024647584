"""The health check: one evaluation (radiomon/health.py) behind `radiomon status`'s
exit status and the health alerts; episodes announced once when they begin and
once when they end; a real 8 MB file system filled past the disk threshold."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import own_tmpfs

from radiomon.alerts import check_health, deliver_due, messages
from radiomon.archive import Archive
from radiomon.config import HealthConfig, ScheduleWindow, Station, load_config
from radiomon.events import HEALTH_PROBLEM
from radiomon.health import ChannelFacts, DiskFacts, Facts, RunFacts, StationFacts, evaluate, station_outage
from radiomon.reports.status import collect_status
from radiomon.schedule import previous_change
from radiomon.timeutil import parse_iso, to_iso

sys.path.insert(0, str(Path(__file__).parent))
from alert_servers import receiver  # noqa: E402,F401

NOW = parse_iso("2026-11-25T18:05:00Z")  # Wednesday 12:05 in Mexico City
TZ = ZoneInfo("America/Mexico_City")
OPTIONS = HealthConfig()


def station(**changes) -> StationFacts:
    values = {"id": "uno", "name": "Radio Uno", "watched": True, "scheduled": True, "scheduled_since": None,
              "segment_minutes": 10.0, "last_audio_end": NOW - timedelta(minutes=5)}
    return StationFacts(**{**values, **changes})


def problems(**facts) -> list[tuple[str, str, str]]:
    return [(p.key, p.since, p.summary) for p in evaluate(Facts(now=NOW, tz=TZ, **facts), OPTIONS)]


# --- the evaluation (pure) ------------------------------------------------------------------


def test_an_outage_the_recorder_reports_counts_after_the_threshold() -> None:
    def gap(minutes):
        return station(open_gap=(NOW - timedelta(minutes=minutes), "network"),
                       last_audio_end=NOW - timedelta(minutes=minutes))

    assert problems(stations=(gap(15),)) == []
    assert problems(stations=(gap(16),)) == [
        ("station:uno", "2026-11-25T17:49:00.000Z", "uno not recorded since 2026-11-25 11:49 (network, 16 min)")]


def test_silence_without_an_outage_counts_after_one_segment_more() -> None:
    # The newest file registers when it closes: 10 min of segment + 15 min of threshold.
    assert problems(stations=(station(last_audio_end=NOW - timedelta(minutes=25)),)) == []
    assert problems(stations=(station(last_audio_end=NOW - timedelta(minutes=26)),)) == [
        ("station:uno", "2026-11-25T17:39:00.000Z", "uno not recorded since 2026-11-25 11:39 (no-audio, 26 min)")]


def test_a_schedule_window_that_just_began_is_counted_from_its_start() -> None:
    yesterday = NOW - timedelta(hours=22)
    assert problems(stations=(station(last_audio_end=yesterday, scheduled_since=NOW - timedelta(minutes=20)),)) == []
    assert problems(stations=(station(last_audio_end=yesterday, scheduled_since=NOW - timedelta(minutes=26)),)) == [
        ("station:uno", "2026-11-25T17:39:00.000Z", "uno not recorded since 2026-11-25 11:39 (no-audio, 26 min)")]


def test_stations_off_schedule_or_never_recorded_are_not_down() -> None:
    old = NOW - timedelta(days=3)
    assert problems(stations=(station(scheduled=False, last_audio_end=old),
                              station(watched=False, last_audio_end=old),
                              station(last_audio_end=None))) == []
    # An off-schedule gap left open while the station should be on air: down since the window began.
    stuck = station(open_gap=(old, "off-schedule"), last_audio_end=old, scheduled_since=NOW - timedelta(hours=6))
    assert station_outage(stuck, OPTIONS, NOW) == (NOW - timedelta(hours=6), "no-audio")


def test_backlog_disk_nightly_and_alerts() -> None:
    assert problems(pending_seconds=24 * 3600, disks=(DiskFacts("/srv", 90, 10),),
                    nightly=RunFacts(NOW - timedelta(hours=11), None),
                    channels=(ChannelFacts("correo", 3, NOW - timedelta(minutes=30)),)) == []
    found = problems(
        pending_seconds=25 * 3600, oldest_pending=NOW - timedelta(hours=30),
        disks=(DiskFacts("/srv", 91, 9), DiskFacts("/audio", 50, 50)),
        nightly=RunFacts(NOW - timedelta(hours=10), NOW - timedelta(hours=9), ("recording 7: unreadable audio",)),
        channels=(ChannelFacts("correo", 3, NOW - timedelta(minutes=31), "connection refused"),
                  ChannelFacts("webhook", 0, None)))
    assert found == [
        ("backlog", "2026-11-24T12:05:00.000Z", "transcription backlog of 25.0 h of audio (limit 24 h)"),
        ("disk:/srv", "2026-11-25T18:05:00.000Z", "disk of /srv 91% full, 0.0 MB free (limit 90%)"),
        ("nightly", "2026-11-25T08:05:00.000Z",
         "the nightly run of 2026-11-25 02:05 ended with 1 error(s): recording 7: unreadable audio"),
        ("alerts:correo", "2026-11-25T17:34:00.000Z",
         "3 alert(s) not delivered to correo since 2026-11-25 11:34: connection refused"),
    ]
    assert problems(nightly=RunFacts(NOW - timedelta(hours=13), None)) == [
        ("nightly", "2026-11-25T05:05:00.000Z", "the nightly run of 2026-11-24 23:05 never finished")]


def test_the_window_a_scheduled_station_is_in_began_at_its_last_change() -> None:
    weekdays = Station("m", url="http://x", schedule=(
        ScheduleWindow(frozenset(range(5)), datetime.strptime("06:00", "%H:%M").time(),
                       datetime.strptime("14:00", "%H:%M").time()),))
    local = datetime(2026, 11, 25, 12, 5, tzinfo=TZ)  # a Wednesday
    assert previous_change(weekdays, local, TZ) == datetime(2026, 11, 25, 6, 0, tzinfo=TZ)
    assert previous_change(weekdays, local.replace(hour=15), TZ) == datetime(2026, 11, 25, 14, 0, tzinfo=TZ)
    assert previous_change(weekdays, datetime(2026, 11, 28, 9, 0, tzinfo=TZ), TZ) == datetime(
        2026, 11, 27, 14, 0, tzinfo=TZ)  # Saturday: off since Friday 14:00
    assert previous_change(Station("s", url="http://x"), local, TZ) is None


# --- the archive, status and the episodes ---------------------------------------------------


@pytest.fixture
def office(deployment: Path, write_config):
    """``office(channel_url=None)``: radiomon.yml (24/7 radio-uno, fm-oficina; a webhook
    channel when given) and its archive, open."""

    def make(channel_url: str | None = None):
        alerts = f"alerts:\n  channels:\n    - {{name: webhook, url: '{channel_url}'}}\n" if channel_url else ""
        path = write_config(
            "timezone: America/Mexico_City\n"
            "stations:\n"
            '  - {id: radio-uno, name: Radio Uno Moroleón, url: "http://127.0.0.1:8000/uno.mp3"}\n'
            '  - {id: fm-oficina, input: "alsa:hw:1"}\n' + alerts)
        config = load_config(path)
        archive = Archive(config.archive)
        archive.sync_stations(config.stations, "America/Mexico_City")
        return config, archive

    return make


def recorded(archive: Archive, config, end: datetime, station: str = "radio-uno") -> int:
    """A 10-minute file the recorder registered, ending at ``end``."""
    start = end - timedelta(minutes=10)
    path = config.recordings_dir / station / f"{start:%Y-%m-%d}" / f"{start:%H%M%S}.mp3"
    return archive.add_recording(station=station, start=start, duration=600.0, path=str(path))[0]


def kinds(archive: Archive) -> list[tuple[str, str]]:
    return [(r["kind"], json.loads(r["payload"])["key"]) for r in archive.query(
        "SELECT kind, payload FROM events ORDER BY id")]


def test_a_station_down_is_announced_once_and_its_return_once(office, receiver) -> None:
    config, archive = office(receiver.url)
    with archive:
        recorded(archive, config, NOW - timedelta(minutes=40))
        gap = archive.open_gap("radio-uno", NOW - timedelta(minutes=40), "network")
        assert check_health(config, archive, NOW - timedelta(minutes=30)).opened == []  # 10 min: not yet
        first = check_health(config, archive, NOW)
        assert [p.key for p in first.opened] == ["station:radio-uno"]
        assert check_health(config, archive, NOW + timedelta(minutes=1)).opened == []
        deliver_due(config, archive, NOW + timedelta(minutes=1))
        archive.close_gap(gap, NOW + timedelta(minutes=2))
        recorded(archive, config, NOW + timedelta(minutes=12))
        back = check_health(config, archive, NOW + timedelta(minutes=13))
        assert (back.opened, back.recovered, back.healthy) == ([], ["station:radio-uno"], True)
        assert check_health(config, archive, NOW + timedelta(minutes=14)).recovered == []
        deliver_due(config, archive, NOW + timedelta(minutes=14))
        assert kinds(archive) == [("health-problem", "station:radio-uno"), ("health-recovered", "station:radio-uno")]
        [episode] = archive.episodes()
        assert (episode["started_utc"], episode["ended_utc"]) == (to_iso(NOW - timedelta(minutes=40)),
                                                                 to_iso(NOW + timedelta(minutes=13)))
    assert [(p["title"], p["message"], p["type"]) for p in receiver.posts] == [
        ("Estación sin grabar: Radio Uno Moroleón",
         "No se graba Radio Uno Moroleón desde miércoles 25 de noviembre de 2026, 11:25 (40 min).\n"
         "Motivo: sin conexión con el stream.\n"
         "Revise el stream o el receptor y que `radiomon record` esté corriendo.", "warning"),
        ("Resuelto: Estación sin grabar: Radio Uno Moroleón",
         "Resuelto: Estación sin grabar: Radio Uno Moroleón.\n"
         "Normal de nuevo desde miércoles 25 de noviembre de 2026, 12:18, tras 53 min "
         "(desde miércoles 25 de noviembre de 2026, 11:25).", "success"),
    ]


def test_the_backlog_and_the_nightly_run_are_episodes_too(office) -> None:
    config, archive = office()
    with archive:
        for hour in range(3):  # 3 × 9 h of imported audio waiting for Whisper
            archive.add_recording(station="fm-oficina", start=NOW - timedelta(hours=30 - 9 * hour),
                                  duration=9 * 3600.0, path=f"/archivo/fm-{hour}.mp3")
        run = archive.start_run("nightly")
        archive.finish_run(run, {"transcribed": 0}, ["recording 7: unreadable audio"])
        now = datetime.now(timezone.utc)
        checked = check_health(config, archive, now)
        assert [p.key for p in checked.opened] == ["backlog", "nightly"]
        assert check_health(config, archive, now).opened == []
        status = collect_status(archive, config, now)
        assert status.backlog["recordings"] == 3 and status.backlog["hours"] == 27.0
        assert status.backlog["recorded_hours_24h"] == 27.0 and status.backlog["shrinking_hours_per_hour"] == -1.125
        # Whisper catches up on one recording, and the next nightly run goes well.
        first = archive.recordings(status="pending")[0]
        archive.replace_segments(first.id, [], engine="faster-whisper", model="base")
        archive.finish_run(archive.start_run("nightly"), {"transcribed": 1}, [])
        later = check_health(config, archive, now)
        assert sorted(later.recovered) == ["backlog", "nightly"] and later.healthy
        status = collect_status(archive, config, now)
        assert (status.backlog["hours"], status.backlog["transcribed_hours_24h"]) == (18.0, 9.0)
        assert status.nightly["errors"] == [] and status.nightly["counts"] == {"transcribed": 1}


def test_status_exits_non_zero_and_says_why_on_one_line(office, run, config_path) -> None:
    config, archive = office()
    now = datetime.now(timezone.utc)
    with archive:
        recorded(archive, config, now - timedelta(minutes=70))
        gap = archive.open_gap("radio-uno", now - timedelta(minutes=70), "network")
    since = (now - timedelta(minutes=70)).astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    down = run("status", "--format", "json")
    assert down.exit_code == 1
    assert re.fullmatch(rf"unhealthy: radio-uno not recorded since {since} \(network, 1 h 10 min\)\n", down.stderr)
    report = json.loads(down.stdout)
    assert report["healthy"] is False
    [problem] = report["problems"]
    assert (problem["key"], problem["kind"], problem["subject"], problem["details"]["reason"]) == (
        "station:radio-uno", "station", "radio-uno", "network")
    uno = report["stations"][0]
    assert (uno["monitored"], uno["down_since_utc"], uno["gaps_today"] >= 1) == (True, problem["since"], True)
    table = run("status")
    assert table.exit_code == 1 and table.stderr == down.stderr
    assert table.stdout.splitlines()[-2:] == ["health:   1 problem(s)", f"  - {problem['summary']}"]
    with Archive(config.archive) as archive:
        archive.close_gap(gap, now - timedelta(minutes=8))
        recorded(archive, config, now - timedelta(minutes=1))
    well = run("status", "--format", "json")
    assert (well.exit_code, well.stderr) == (0, "")
    assert json.loads(well.stdout)["stations"][0]["state"] == "recording"


def test_alerts_send_checks_health_then_delivers(office, run, receiver) -> None:
    config, archive = office(receiver.url)
    now = datetime.now(timezone.utc)
    with archive:
        recorded(archive, config, now - timedelta(hours=2))
        archive.open_gap("radio-uno", now - timedelta(hours=2), "stopped")
    result = run("alerts", "send")
    assert (result.exit_code, result.output) == (0, "health: 1 problem(s); 1 new, 0 recovered\n"
                                                    "sent 1 alert(s) in 1 message(s); 0 to retry, 0 given up, "
                                                    "0 waiting\n  webhook: 1 sent\n")
    assert run("alerts", "send").output == ("health: 1 problem(s); 0 new, 0 recovered\n"
                                            "sent 0 alert(s) in 0 message(s); 0 to retry, 0 given up, 0 waiting\n")
    assert receiver.titles == ["Estación sin grabar: Radio Uno Moroleón"]
    assert "Motivo: el grabador está detenido." in receiver.posts[0]["message"]


# --- a real small disk ----------------------------------------------------------------------


@pytest.fixture
def small_disk(deployment: Path):
    """recordings/ on an 8 MB tmpfs of its own (the suite runs as root, as `make test` does)."""
    with own_tmpfs(deployment / "recordings", "8m") as folder:
        yield folder


def test_a_filling_disk_is_announced_once_and_its_relief_once(office, small_disk, receiver, run) -> None:
    config, archive = office(receiver.url)
    filler = small_disk / "relleno.bin"
    with archive:
        assert [p.key for p in check_health(config, archive).problems] == []
        filler.write_bytes(b"\0" * (7_700 * 1024))  # of 8 MiB: 94 %
        status = json.loads(run("status", "--format", "json").stdout)
        assert [d["path"] for d in status["disks"]] == [str(config.archive.parent), str(small_disk)]
        assert status["disks"][1]["used_percent"] > 90
        first = check_health(config, archive)
        assert [(p.key, p.kind) for p in first.opened] == [(f"disk:{small_disk}", "disk")]
        assert check_health(config, archive).opened == []
        deliver_due(config, archive)
        filler.unlink()
        assert check_health(config, archive).recovered == [f"disk:{small_disk}"]
        deliver_due(config, archive)
    assert receiver.titles == [f"Disco casi lleno: {small_disk}", f"Resuelto: Disco casi lleno: {small_disk}"]
    assert re.fullmatch(rf"El disco de {re.escape(str(small_disk))} está al 9\d % \(0\.0 GB libres; umbral 90 %\)\.\n"
                        r"Libere espacio o revise `retention.audio_days` y `radiomon prune`\.",
                        receiver.posts[0]["message"])


def test_a_long_outage_is_said_in_days_in_the_summary_and_in_the_alert() -> None:
    gap = station(open_gap=(NOW - timedelta(days=3, hours=2), "network"), last_audio_end=NOW - timedelta(days=4))
    [problem] = evaluate(Facts(now=NOW, tz=TZ, stations=(gap,)), OPTIONS)
    assert problem.summary == "uno not recorded since 2026-11-22 10:05 (network, 3 days)"
    alert = messages.health_message(HEALTH_PROBLEM, asdict(problem), messages.Context(tz=TZ))
    assert "(3 días)" in alert.body


def test_a_newspaper_that_cannot_be_read_or_is_quiet_is_said_in_spanish() -> None:
    from radiomon.health import OutletFacts

    failing = OutletFacts("diario-sur", "Diario del Sur", last_fetch=NOW - timedelta(hours=30),
                          last_checked=NOW - timedelta(minutes=5), last_new=NOW - timedelta(hours=31),
                          error="HTTP 503 from https://diariodelsur.example/feed/")
    quiet = OutletFacts("el-sol", "El Sol del Bajío", last_fetch=NOW - timedelta(minutes=5),
                        last_checked=NOW - timedelta(minutes=5), last_new=NOW - timedelta(hours=50))
    problems = {p.subject: p for p in evaluate(Facts(now=NOW, tz=TZ, outlets=(failing, quiet)), OPTIONS)}
    context = messages.Context(tz=TZ)
    unread = messages.health_message(HEALTH_PROBLEM, asdict(problems["diario-sur"]), context)
    assert unread.title.endswith("Periódico sin leer: Diario del Sur")
    assert unread.body.startswith("No se pudo leer Diario del Sur desde martes 24 de noviembre de 2026, 06:05 (")
    assert "HTTP 503" in unread.body and "newspaper" not in unread.body
    silent = messages.health_message(HEALTH_PROBLEM, asdict(problems["el-sol"]), context)
    assert silent.title.endswith("Periódico sin notas nuevas: El Sol del Bajío")
    assert silent.body.startswith("El Sol del Bajío no ha publicado notas nuevas desde lunes 23 de noviembre de "
                                  "2026, 10:05 (2 días")
