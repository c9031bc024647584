"""Estado as the staff read it: the headline agrees with the rows below it, in their words, with no paths."""

from __future__ import annotations

from datetime import datetime, timedelta

from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.health import Problem
from radiomon.reports.status import NOT_RECORDING, OUTAGE, Activity, StationReport, StatusReport
from radiomon.timeutil import UTC, parse_iso
from radiomon.web import create_app
from radiomon.web.views.status import Notice, headline

NOW = parse_iso("2026-11-25T18:05:00Z")  # Wednesday 12:05 in Mexico City


def _report(*stations: StationReport, problems=()) -> StatusReport:
    return StatusReport(config="/srv/radiomon/radiomon.yml", archive="/srv/radiomon/radiomon.db", archive_bytes=0,
                        schema_version=7, recordings={}, segments=0, stations=list(stations),
                        healthy=not problems, problems=list(problems))


def _station(id: str, name: str, state: Activity) -> StationReport:
    return StationReport(id, name, "http://x", state=state)


def _headline(report, alerts=None):
    alerts = alerts if alerts is not None else [None] * len(report.problems)
    return headline(report, alerts, today=datetime(2026, 11, 25).date(), archive_folder="/srv/radiomon",
                    recordings_folder="/mnt/audio")


def test_a_red_row_the_health_check_does_not_count_yet_is_named_in_the_headline():
    since = datetime(2026, 11, 25, 8, 12)
    report = _report(_station("uno", "Radio Uno", Activity(NOT_RECORDING, since=since)),
                     _station("dos", "Radio Dos", Activity("recording")))
    assert report.healthy  # the check waits for a recorder that has run: that is not what staff read
    [notice] = _headline(report)
    assert notice.level == "bad" and notice.title == "No se graba Radio Uno desde 08:12"


def test_an_outage_of_another_day_says_its_date_and_why_in_words():
    report = _report(_station("uno", "Radio Uno", Activity(OUTAGE, since=datetime(2026, 11, 24, 23, 50),
                                                           reason="network")))
    [notice] = _headline(report)
    assert notice.title == "No se graba Radio Uno desde 24/11/2026 23:50"
    assert "sin conexión con el stream" in notice.body


def test_all_in_order_only_when_every_row_is():
    assert _headline(_report(_station("uno", "Radio Uno", Activity("recording")),
                             _station("m", "Matutina", Activity("off-schedule")))) == [Notice("ok", "Todo en orden.")]
    [notice] = _headline(_report(_station("uno", "Radio Uno", Activity("never-recorded"))))
    assert notice == Notice("warn", "Radio Uno aún no tiene grabaciones")


def test_a_station_problem_and_its_row_make_one_line_and_a_disk_is_named_without_its_path():
    station = _station("uno", "Radio Uno", Activity(OUTAGE, since=datetime(2026, 11, 25, 9, 0), reason="stall"))
    problems = [Problem("station:uno", "station", "uno", "2026-11-25T15:00:00Z", "uno down", {"reason": "stall"}),
                Problem("disk:/mnt/audio", "disk", "/mnt/audio", "2026-11-25T15:00:00Z", "disk full",
                        {"used_percent": 97.0, "free_bytes": 2e9, "limit_percent": 90}),
                Problem("archive", "archive", "/srv/radiomon/radiomon.db", "2026-11-25T15:00:00Z", "damaged",
                        {"damage": ["row 3 missing"]})]
    notices = _headline(_report(station, problems=problems), [None, None, None])
    assert [n.title for n in notices] == ["No se graba Radio Uno desde 09:00",
                                          "Casi no queda espacio en el disco de las grabaciones",
                                          "El archivo está dañado"]
    assert not any("/srv" in n.title + n.body or "/mnt" in n.title + n.body for n in notices)


# -- the page ------------------------------------------------------------------------------------------
def test_the_page_names_the_station_not_recording_above_its_red_row(config_path, deployment):
    config = load_config(config_path)
    now = datetime.now(UTC)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        # Radio Uno's newest audio ended 3 hours ago; `radiomon record` never ran here, so the health
        # check does not count it: the row is red all the same.
        archive.add_recording(station="radio-uno", start=now - timedelta(hours=3, minutes=10), duration=600,
                              path=str(deployment / "recordings" / "uno.mp3"))
        archive.add_recording(station="fm-oficina", start=now - timedelta(minutes=5), duration=300,
                              path=str(deployment / "recordings" / "fm.mp3"))
    page = create_app(config).test_client().get("/estado").get_data(as_text=True)
    header = page[page.index('id="salud"'):page.index('<table class="stations">')]
    assert "Todo en orden" not in page
    assert "No se graba Radio Uno Moroleón desde" in header and 'class="state bad"' in header
    row = page[page.index("<td>Radio Uno Moroleón</td>"):]
    assert row.startswith('<td>Radio Uno Moroleón</td><td class="state bad">sin grabar desde ')
    assert "Receptor FM de la oficina</td><td class=\"state ok\">grabando" in page
    # no internal words nor paths for staff (`radiomon status` keeps them)
    assert "fragmentos" not in page and str(deployment) not in page and "/tmp" not in page
    assert "el disco del archivo:" in page


def test_the_page_says_all_is_in_order_when_every_station_records(config_path, deployment):
    config = load_config(config_path)
    now = datetime.now(UTC)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        for station in ("radio-uno", "fm-oficina"):
            archive.add_recording(station=station, start=now - timedelta(minutes=5), duration=300, path=f"/a/{station}")
    page = create_app(config).test_client().get("/estado").get_data(as_text=True)
    assert '<p class="state ok" id="titular">Todo en orden.</p>' in page
