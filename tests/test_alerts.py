"""Alerts through Apprise, against a real SMTP server and a real HTTP receiver:
each alert reaches each channel once, a channel that is down is retried with
backoff without holding back the other, a crash or a restart loses none and
sends none twice, high mentions are batched, `radiomon alerts …` as the office runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import factories
import pytest

from radiomon.alerts import deliver_due
from radiomon.alerts.messages import Context, batch_message, local_time, mention_message
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.errors import ConfigError
from radiomon.pipeline.match import load_matcher, match_recording
from radiomon.timeutil import parse_iso, to_iso

sys.path.insert(0, str(Path(__file__).parent))
from alert_servers import receiver, smtp_server  # noqa: E402,F401

KEYWORDS = """\
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms: [Moroleón]
  crisis:
    label: Temas de crisis
    priority: crisis
    terms: [balacera, incendio]
"""

UTC = timezone.utc
TZ = ZoneInfo("America/Mexico_City")


def recent_start() -> datetime:
    """Two minutes ago, to the minute: what these tests put on air.

    A mention is alerted only while it is news (alerts.max_age_minutes) and
    says how late it comes past messages.LATE_MINUTES, so the broadcasts
    replayed here must have aired just now. Moved back to 23:44 (office
    time) when the ten minutes after it would cross midnight, so one
    batch's mentions are of one day; at most 18 minutes ago then.
    """
    start = (datetime.now(UTC) - timedelta(minutes=2)).replace(second=0, microsecond=0)
    local = start.astimezone(TZ)
    if (local.hour, local.minute) >= (23, 45):
        start = local.replace(minute=44).astimezone(UTC)
    return start


START = recent_start()


def local(instant: datetime) -> datetime:
    return instant.astimezone(TZ)


def alerts_yml(channels: list[str], **options) -> str:
    settings = {"retry_initial_seconds": 30, "retry_max_seconds": 600, "timeout_seconds": 10, **options}
    lines = ["timezone: America/Mexico_City", 'office: {base_url: "http://radiomon.local:8080/"}', "alerts:"]
    lines += [f"  {key}: {value}" for key, value in settings.items()]
    if channels:
        lines += ["  channels:"] + [f"    - {c}" for c in channels]
    lines += ["stations:", "  - {id: radio-uno, name: Radio Uno Moroleón, url: 'http://127.0.0.1:8000/uno.mp3'}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def setup(deployment: Path):
    """``setup(channels, **alerts_options)`` writes radiomon.yml and keywords.yml; returns the config."""
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")

    def write(channels: list[str], **options):
        (deployment / "radiomon.yml").write_text(alerts_yml(channels, **options), encoding="utf-8")
        return load_config(deployment / "radiomon.yml")

    return write


def on_air(config, text: str, start: datetime = START, station: str = "radio-uno") -> int:
    """A recording whose one utterance (4 s in, a word every 0.5 s) is ``text``, matched."""
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        said = factories.spoken(text, 4.0, 4.0 + 0.5 * len(text.split()))
        recording = factories.on_air(archive, [said], start, station, duration=60.0, folder="/audio/")
        match_recording(archive, load_matcher(config.keywords), recording)
    return recording


def states(archive: Archive) -> list[tuple[int, str, str, int]]:
    return [(d.event_id, d.channel, d.state, d.attempts) for d in archive.deliveries()]


def radiomon(config_path: Path, *args: str, **popen) -> subprocess.Popen:
    """`radiomon --config … args` in a process of its own (a cron run, a restart)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[1]),
                                                                     os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", "radiomon", "--config", str(config_path), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def finished(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


# --- one alert, every channel, once ---------------------------------------------------------


def test_a_crisis_mention_reaches_each_channel_once(setup, smtp_server, receiver) -> None:
    config = setup([f"{{name: correo, url: '{smtp_server.url()}'}}", f"{{name: webhook, url: '{receiver.url}'}}"])
    recording = on_air(config, "Reportan una balacera en la colonia Centro.")
    with Archive(config.archive) as archive:
        report = deliver_due(config, archive)
        again = deliver_due(config, archive)
        [mention] = archive.list_mentions()
        delivered = archive.query("SELECT delivered_utc FROM events")
    assert (report.routed, report.sent, report.messages, report.failed) == (1, 2, 2, 0)
    assert (again.routed, again.sent, again.channels) == (0, 0, [])
    title = "ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón"
    body = (
        "Estación: Radio Uno Moroleón\n"
        f"Hora: {local_time(START + timedelta(seconds=5), TZ)} (America/Mexico_City)\n"
        "Grupo: Temas de crisis (prioridad crisis)\n"
        "Palabra clave: balacera\n"
        "Cita: «Reportan una balacera en la colonia Centro.»\n"
        f"Escuchar: http://radiomon.local:8080/grabacion/{recording}?t=5.0#s{mention.segment_id}"
    )
    assert [(p["title"], p["message"], p["type"]) for p in receiver.posts] == [(title, body, "failure")]
    [mail] = smtp_server.messages
    assert (mail["Subject"], mail["To"]) == (title, "coordinacion@moroleon.example")
    assert mail.get_content().replace("\r\n", "\n").strip() == body
    assert delivered[0]["delivered_utc"] is not None


def test_a_channel_that_is_down_is_retried_with_backoff_and_holds_back_no_one(setup, smtp_server, receiver) -> None:
    config = setup([f"{{name: correo, url: '{smtp_server.url()}'}}", f"{{name: webhook, url: '{receiver.url}'}}"])
    on_air(config, "Un incendio en el mercado Hidalgo.")
    receiver.down()
    now = datetime.now(UTC)
    with Archive(config.archive) as archive:
        first = deliver_due(config, archive, now)
        assert len(smtp_server.messages) == 1  # the e-mail went at once
        outcome = {c.channel: (c.sent, c.failed, c.retry_utc) for c in first.channels}
        assert outcome == {"correo": (1, 0, None), "webhook": (0, 1, to_iso(now + timedelta(seconds=30)))}
        assert "Connection error" in first.channels[1].error
        assert deliver_due(config, archive, now + timedelta(seconds=10)).channels == []  # backing off
        second = deliver_due(config, archive, now + timedelta(seconds=30))  # still down: the wait doubles
        assert second.channels[0].retry_utc == to_iso(now + timedelta(seconds=30 + 60))
        receiver.up()
        assert deliver_due(config, archive, now + timedelta(seconds=60)).channels == []
        third = deliver_due(config, archive, now + timedelta(seconds=90))
        assert [(c.channel, c.sent) for c in third.channels] == [("webhook", 1)]
        assert states(archive) == [(1, "correo", "sent", 1), (1, "webhook", "sent", 3)]
    assert receiver.titles == ["ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón"]
    assert len(smtp_server.messages) == 1


def test_a_failed_channel_waits_out_its_backoff_for_every_alert(setup, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    on_air(config, "Una balacera en la carretera.")
    on_air(config, "Un incendio en la fábrica.", START + timedelta(minutes=10))
    receiver.down()
    now = datetime.now(UTC)
    with Archive(config.archive) as archive:
        report = deliver_due(config, archive, now)
        # Called once: the second alert was not sent to a channel known to be down, it waits too.
        assert [(c.sent, c.failed) for c in report.channels] == [(0, 2)]
        assert [(d.attempts, d.next_utc) for d in archive.deliveries()] == [
            (1, to_iso(now + timedelta(seconds=30))), (0, to_iso(now + timedelta(seconds=30)))]
        receiver.up()
        later = deliver_due(config, archive, now + timedelta(seconds=30))
    assert [(c.sent, c.messages) for c in later.channels] == [(2, 2)]
    assert receiver.titles == ["ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón"] * 2


# --- crashes and restarts -------------------------------------------------------------------


def test_a_restart_sends_nothing_twice_and_the_rest_when_due(setup, deployment, smtp_server, receiver) -> None:
    config = setup([f"{{name: correo, url: '{smtp_server.url()}'}}", f"{{name: webhook, url: '{receiver.url}'}}"],
                   retry_initial_seconds=0.5)
    on_air(config, "Reportan una balacera en la colonia Centro.")
    receiver.down()
    code, out, err = finished(radiomon(deployment / "radiomon.yml", "alerts", "send", "--no-health"))
    assert code == 0, err
    assert out.startswith("sent 1 alert(s) in 1 message(s); 1 to retry, 0 given up, 1 waiting\n")
    assert err.splitlines()[-1].startswith(
        "  webhook: FAILED (A Connection error occurred sending JSON notification to 127.0.0.1.); retry from ")
    receiver.up()
    time.sleep(0.6)  # the webhook's backoff
    code, out, err = finished(radiomon(deployment / "radiomon.yml", "alerts", "send", "--no-health"))
    assert (code, out) == (0, "sent 1 alert(s) in 1 message(s); 0 to retry, 0 given up, 0 waiting\n"
                              "  webhook: 1 sent\n"), err
    code, out, err = finished(radiomon(deployment / "radiomon.yml", "alerts", "send", "--no-health"))
    assert (code, out) == (0, "sent 0 alert(s) in 0 message(s); 0 to retry, 0 given up, 0 waiting\n"), err
    assert (len(smtp_server.messages), len(receiver.posts)) == (1, 1)


def test_a_pass_killed_mid_send_loses_nothing_and_repeats_only_the_message_in_flight(
        setup, deployment, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    on_air(config, "Una balacera en la carretera.")
    on_air(config, "Un incendio en la fábrica.", START + timedelta(minutes=10))
    receiver.hold(skip=1)  # the second message arrives and gets no answer
    proc = radiomon(deployment / "radiomon.yml", "alerts", "send", "--no-health")
    assert receiver.held.wait(60), proc.communicate(timeout=5)
    proc.kill()  # as a power cut would: mid-send, nothing recorded after the claim
    proc.communicate(timeout=30)
    receiver.release()
    with Archive(config.archive) as archive:
        assert states(archive) == [(1, "webhook", "sent", 1), (2, "webhook", "sending", 1)]
        # A restart right away: the first is never sent again; the second is left to a send
        # that may still be running elsewhere.
        assert deliver_due(config, archive).channels == []
        code, out, _ = finished(radiomon(deployment / "radiomon.yml", "alerts", "send", "--no-health"))
        assert (code, out) == (0, "sent 0 alert(s) in 0 message(s); 0 to retry, 0 given up, 1 waiting\n")
        # Once no send can still be under way (timeout 10 s + 60 s), the one in flight goes again.
        later = deliver_due(config, archive, datetime.now(UTC) + timedelta(seconds=71))
        assert [(c.sent, c.failed) for c in later.channels] == [(1, 0)]
        assert states(archive) == [(1, "webhook", "sent", 1), (2, "webhook", "sent", 2)]
    first, second, again = receiver.posts
    assert "balacera" in first["message"] and "incendio" in second["message"]
    assert again == second  # the one duplicate the design allows: the message a crash cut off


# --- high-priority mentions -----------------------------------------------------------------


def test_high_mentions_wait_for_the_batch_and_go_as_one_message(setup, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}', priorities: [crisis, high]}}"], high="batch",
                   batch_minutes=30)
    first = on_air(config, "Hoy en Moroleón la feria.")
    on_air(config, "El alcalde de Moroleón inauguró el mercado.", START + timedelta(minutes=7))
    on_air(config, "Una balacera en la carretera.", START + timedelta(minutes=9))
    with Archive(config.archive) as archive:
        made = parse_iso(max(e["created_utc"] for e in archive.query("SELECT created_utc FROM events")))
        at_once = deliver_due(config, archive, made)
        assert [(c.sent, c.messages) for c in at_once.channels] == [(1, 1)] and at_once.waiting == 2
        batch = deliver_due(config, archive, made + timedelta(minutes=30))
        assert [(c.sent, c.messages) for c in batch.channels] == [(2, 1)] and batch.waiting == 0
        segment = archive.list_mentions()[0].segment_id
    assert receiver.titles == ["ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón",
                               f"2 menciones de prioridad alta ({local(START):%H:%M}–"
                               f"{local(START + timedelta(minutes=7)):%H:%M})"]
    assert receiver.posts[1]["message"].splitlines() == [
        f"{local_time(START, TZ).split(',')[0]}, hora de America/Mexico_City:",
        "",
        f"1. {local(START + timedelta(seconds=5)):%H:%M:%S} · Radio Uno Moroleón · Municipio de Moroleón · Moroleón",
        "   «Hoy en Moroleón la feria.»",
        f"   Escuchar: http://radiomon.local:8080/grabacion/{first}?t=5.0#s{segment}",
        f"2. {local(START + timedelta(minutes=7, seconds=5)):%H:%M:%S} · Radio Uno Moroleón · "
        "Municipio de Moroleón · Moroleón",
        "   «El alcalde de Moroleón inauguró el mercado.»",
        f"   Escuchar: http://radiomon.local:8080/grabacion/{first + 1}?t=5.5#s{segment + 1}",
    ]


def test_high_mentions_can_go_one_by_one(setup, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}', priorities: [high]}}"], high="immediate")
    on_air(config, "Hoy en Moroleón la feria.")
    on_air(config, "Una balacera en Moroleón.", START + timedelta(minutes=7))
    with Archive(config.archive) as archive:
        report = deliver_due(config, archive)
    assert [(c.sent, c.messages) for c in report.channels] == [(2, 2)]
    assert receiver.titles == ["Mención de prioridad alta: Municipio de Moroleón en Radio Uno Moroleón"] * 2
    assert [p["type"] for p in receiver.posts] == ["info", "info"]


def test_a_channel_gets_only_the_priorities_it_takes(setup, smtp_server, receiver) -> None:
    config = setup([f"{{name: correo, url: '{smtp_server.url()}', priorities: [crisis]}}",
                    f"{{name: webhook, url: '{receiver.url}', priorities: [high]}}"], high="immediate")
    on_air(config, "Una balacera en Moroleón.")
    with Archive(config.archive) as archive:
        deliver_due(config, archive)
        assert [(d.kind, d.channel) for d in archive.deliveries()] == [("crisis-mention", "correo"),
                                                                        ("high-mention", "webhook")]
    assert [m["Subject"] for m in smtp_server.messages] == ["ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón"]
    assert receiver.titles == ["Mención de prioridad alta: Municipio de Moroleón en Radio Uno Moroleón"]


# --- what is sent ---------------------------------------------------------------------------


def test_what_was_heard_cannot_break_the_message() -> None:
    from zoneinfo import ZoneInfo

    payload = {"station": "radio-uno", "group_label": "Temas de crisis", "priority": "crisis",
               "keyword": "balacera", "matched": "bala\ncera", "at_utc": "2026-11-25T20:00:05.000Z", "offset": 5.0,
               "recording_id": 3, "segment_id": 9,
               "context": "hubo una balacera\r\nEscuchar: http://malo.example/\u202egnp.exe <b>*ya*</b>\x1b[31m"
                          + "x" * 600}
    message = mention_message(payload, Context(ZoneInfo("America/Mexico_City"), "https://radiomon.local",
                                               {"radio-uno": "Radio\nUno"}))
    lines = message.body.splitlines()
    assert lines[0] == "Estación: Radio Uno"
    assert lines[1] == "Hora: miércoles 25 de noviembre de 2026, 14:00:05 (America/Mexico_City)"
    assert lines[3] == "Palabra clave: balacera (se escuchó «bala cera»)"
    assert lines[4].startswith("Cita: «hubo una balacera Escuchar: http://malo.example/ gnp.exe <b>*ya*</b> [31mxxx")
    assert lines[4].endswith("x…»") and len(lines[4]) == len("Cita: «»") + 400
    assert lines[5:] == ["Escuchar: https://radiomon.local/grabacion/3?t=5.0#s9"]  # the only link line
    assert "\n" not in message.title and len(lines) == 6


def test_no_link_without_a_base_url(setup, receiver, deployment) -> None:
    setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    text = (deployment / "radiomon.yml").read_text(encoding="utf-8").replace(
        'office: {base_url: "http://radiomon.local:8080/"}', "office: {}")
    (deployment / "radiomon.yml").write_text(text, encoding="utf-8")
    config = load_config(deployment / "radiomon.yml")
    on_air(config, "Una balacera en la carretera.")
    with Archive(config.archive) as archive:
        deliver_due(config, archive)
    assert "Escuchar" not in receiver.posts[0]["message"]
    assert receiver.posts[0]["message"].splitlines()[-1] == "Cita: «Una balacera en la carretera.»"


# --- waiting, giving up, channels coming and going ------------------------------------------


def test_alerts_wait_in_the_outbox_until_a_channel_is_configured(setup, receiver) -> None:
    config = setup([])
    on_air(config, "Una balacera en la carretera.")
    with Archive(config.archive) as archive:
        assert deliver_due(config, archive).routed == 0
        assert len(archive.unrouted_events()) == 1
        config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
        assert deliver_due(config, archive).sent == 1
    assert len(receiver.posts) == 1


def test_an_alert_undelivered_for_too_long_is_given_up_and_listed(setup, receiver, run) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    on_air(config, "Una balacera en la carretera.")
    receiver.down()
    now = datetime.now(UTC)
    with Archive(config.archive) as archive:
        deliver_due(config, archive, now)
        listed = json.loads(run("alerts", "list", "--format", "json").stdout)
        assert [(r["channel"], r["state"], r["attempts"], r["about"]) for r in listed] == [
            ("webhook", "pending", 1, "radio-uno: balacera (crisis)")]
        assert "Connection error" in listed[0]["error"]
        report = deliver_due(config, archive, now + timedelta(hours=49))
        assert (report.gave_up, report.sent, report.waiting) == (1, 0, 0)
        [delivery] = archive.deliveries()
    assert delivery.state == "failed"
    assert delivery.last_error.startswith("gave up after 1 attempt(s) over 48 h; last error: A Connection error")
    table = run("alerts", "list")
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].split() == ["id", "made", "(America/Mexico_City)", "channel", "state",
                                                    "tries", "next", "try", "about", "last", "error"]
    assert table.stdout.splitlines()[1].split()[3:6] == ["webhook", "failed", "1"]


def test_events_already_too_old_when_first_routed_are_listed_not_sent(setup, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    on_air(config, "Una balacera en la carretera.")
    with Archive(config.archive) as archive:
        report = deliver_due(config, archive, datetime.now(UTC) + timedelta(hours=49))
        [delivery] = archive.deliveries()
    assert (report.routed, report.sent, delivery.state, delivery.attempts) == (1, 0, "failed", 0)
    assert delivery.last_error == "older than alerts.give_up_hours when it was first routed; not sent"
    assert receiver.posts == []


def test_alerts_of_a_channel_removed_from_the_config_are_marked_failed(setup, smtp_server, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    on_air(config, "Una balacera en la carretera.")
    receiver.down()
    with Archive(config.archive) as archive:
        deliver_due(config, archive)
        config = setup([f"{{name: correo, url: '{smtp_server.url()}'}}"])
        report = deliver_due(config, archive)
        [delivery] = archive.deliveries()
    assert (report.gave_up, report.sent) == (1, 0)  # the old event is not re-routed to the new channel
    assert (delivery.channel, delivery.state, delivery.last_error) == (
        "webhook", "failed", "channel 'webhook' is no longer in radiomon.yml; not sent")


# --- news that is no longer news ------------------------------------------------------------


def test_a_channel_added_to_an_archive_full_of_mentions_sends_only_what_is_news(setup, run, receiver) -> None:
    """Configured on an archive that already holds mentions, `alerts send` sends the crisis mention of
    that minute, and not (as it once did, batched) 13 high-priority mentions twelve days old."""
    config = setup([])
    long_ago = START - timedelta(days=12)
    for n in range(13):
        on_air(config, "Hoy en Moroleón la feria.", long_ago + timedelta(minutes=10 * n))
    on_air(config, "Reportan una balacera en la colonia Centro.")
    config = setup([f"{{name: webhook, url: '{receiver.url}', priorities: [crisis, high]}}"])
    sent = run("alerts", "send", "--no-health")
    assert (sent.exit_code, sent.stdout) == (0, "sent 1 alert(s) in 1 message(s); 0 to retry, 0 given up, "
                                                "13 expired, 0 waiting\n  webhook: 1 sent\n"), sent.output
    with Archive(config.archive) as archive:
        made = parse_iso(max(e["created_utc"] for e in archive.query("SELECT created_utc FROM events")))
        assert deliver_due(config, archive, made + timedelta(minutes=30)).channels == []  # no batch either
    assert receiver.titles == ["ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón"]
    listed = json.loads(run("alerts", "list", "--format", "json").stdout)
    assert [(r["kind"], r["state"], r["about"]) for r in listed] == [
        ("high-mention", "expired", "radio-uno: Moroleón (municipio)")] * 13
    age = (datetime.now(UTC) - long_ago).total_seconds() / 60  # the first aired 12 days (17280 min) ago
    assert all(r["error"].startswith("expired: aired ") and r["error"].endswith(
        " min before it could be sent (alerts.max_age_minutes is 120); not sent") for r in listed)
    assert abs(int(listed[0]["error"].split()[2]) - age) <= 2
    table = run("alerts", "list").stdout.splitlines()
    assert [line.split()[3:5] for line in table[1:]] == [["webhook", "expired"]] * 13


def test_an_alert_that_waits_out_a_channel_until_it_is_old_news_expires(setup, run, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"], max_age_minutes=60)
    on_air(config, "Una balacera en la carretera.")
    receiver.down()
    with Archive(config.archive) as archive:
        deliver_due(config, archive, datetime.now(UTC))
        aired = parse_iso(archive.deliveries()[0].payload["at_utc"])
        receiver.up()
        report = deliver_due(config, archive, aired + timedelta(minutes=61))
        [delivery] = archive.deliveries()
    assert (report.expired, report.sent, report.gave_up, report.waiting) == (1, 0, 0, 0)
    assert (delivery.state, delivery.expired, delivery.attempts) == ("failed", True, 1)
    assert delivery.last_error == ("expired: aired 61 min before it could be sent "
                                   "(alerts.max_age_minutes is 60); not sent")
    assert receiver.posts == []
    [row] = json.loads(run("alerts", "list", "--format", "json").stdout)
    assert row["state"] == "expired"


def test_a_late_alert_says_how_late_it_is(setup, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    on_air(config, "Una balacera en la carretera.")
    with Archive(config.archive) as archive:
        [mention] = archive.list_mentions()
        aired = parse_iso(mention.at_utc)
        deliver_due(config, archive, aired + timedelta(minutes=25))
    [post] = receiver.posts
    assert post["title"] == "ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón (con 25 min de retraso)"
    assert post["message"].splitlines()[1] == (f"Hora: {local_time(aired, TZ)} (America/Mexico_City) "
                                               "(con 25 min de retraso)")


def test_an_alert_on_time_says_nothing_of_lateness(setup, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    on_air(config, "Una balacera en la carretera.")
    with Archive(config.archive) as archive:
        [mention] = archive.list_mentions()
        deliver_due(config, archive, parse_iso(mention.at_utc) + timedelta(minutes=19))
    assert receiver.titles == ["ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón"]
    assert "retraso" not in receiver.posts[0]["message"]


def test_a_batch_counts_its_own_wait_before_calling_a_mention_late() -> None:
    aired = datetime(2026, 11, 25, 20, 0, 5, tzinfo=UTC)  # 14:00:05 in Mexico City
    payloads = [{"station": "radio-uno", "group_label": "Municipio", "priority": "high", "keyword": "Moroleón",
                 "matched": "Moroleón", "at_utc": to_iso(aired + timedelta(minutes=m)), "offset": 5.0,
                 "recording_id": 1, "segment_id": 1, "context": "Hoy en Moroleón."} for m in (0, 15)]
    context = Context(TZ, now=aired + timedelta(minutes=55), batch_minutes=30)  # 20 min late is 50 in a batch
    lines = batch_message(payloads, context).body.splitlines()
    assert lines[2] == "1. 14:00:05 · radio-uno · Municipio · Moroleón (con 55 min de retraso)"
    assert lines[4] == "2. 14:15:05 · radio-uno · Municipio · Moroleón"


def test_health_alerts_never_expire(setup, receiver) -> None:
    """A health problem is about now: its episode is open until the recovery, which must follow it."""
    from radiomon import events

    config = setup([f"{{name: webhook, url: '{receiver.url}', priorities: [health]}}"])
    began = datetime.now(UTC) - timedelta(hours=5)
    payload = {"kind": "disk", "subject": "/srv/radiomon", "since": to_iso(began), "summary": "disco lleno",
               "details": {"used_percent": 97.0, "free_bytes": 2e9, "limit_percent": 90}}
    with Archive(config.archive) as archive:
        with archive.write() as conn:
            archive.add_event(conn, events.HEALTH_PROBLEM, payload)
        report = deliver_due(config, archive, datetime.now(UTC) + timedelta(hours=3))
    assert (report.sent, report.expired) == (1, 0)
    assert receiver.titles == ["Disco casi lleno: /srv/radiomon"]


def test_alerts_list_when_all_is_delivered(setup, run, receiver) -> None:
    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    on_air(config, "Una balacera en la carretera.")
    assert run("alerts", "list").stdout == "every alert is delivered\n"
    assert run("alerts", "send", "--no-health").exit_code == 0
    assert run("alerts", "list").stdout == "every alert is delivered\n"
    [row] = json.loads(run("alerts", "list", "--all", "--format", "json").stdout)
    assert (row["state"], row["kind"], row["sent_utc"] is not None) == ("sent", "crisis-mention", True)


# --- radiomon alerts test -------------------------------------------------------------------


def test_alerts_test_reaches_every_channel(setup, run, smtp_server, receiver) -> None:
    setup([f"{{name: correo, url: '{smtp_server.url()}'}}", f"{{name: webhook, url: '{receiver.url}'}}"])
    result = run("alerts", "test")
    assert (result.exit_code, result.output) == (0, "ok      correo\nok      webhook\n")
    assert receiver.titles == ["Prueba de alertas de radiomon"]
    assert [m["Subject"] for m in smtp_server.messages] == ["Prueba de alertas de radiomon"]
    assert receiver.posts[0]["message"].startswith(
        "Mensaje de prueba del monitoreo de radio de Coordinación de Comunicación Social, enviado el ")


def test_alerts_test_names_the_channel_that_failed(setup, run, smtp_server, receiver) -> None:
    setup([f"{{name: correo, url: '{smtp_server.url()}'}}", f"{{name: webhook, url: '{receiver.url}'}}"])
    receiver.down()
    result = run("alerts", "test")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == (
        "ok      correo\n"
        "FAILED  webhook: A Connection error occurred sending JSON notification to 127.0.0.1.\n"
        "Error: 1 of 2 channel(s) did not take the test message: webhook\n")
    assert len(smtp_server.messages) == 1


def test_alerts_test_without_channels_says_how_to_add_one(setup, run, config_path) -> None:
    setup([])
    result = run("alerts", "test")
    assert (result.exit_code, result.output) == (
        1, f"Error: {config_path}: no alert channels (alerts.channels); add one, e.g. alerts: {{channels: "
           "[{url: 'mailtos://user:password@example.org?to=coordinacion@example.org'}]}\n")


# --- radiomon.yml ---------------------------------------------------------------------------


def test_alerts_settings_and_their_defaults(write_config, smtp_server) -> None:
    defaults = load_config(write_config("stations: []\n"))
    assert (defaults.alerts.channels, defaults.alerts.high, defaults.alerts.batch_minutes) == ((), "batch", 30.0)
    assert (defaults.alerts.retry_initial_seconds, defaults.alerts.retry_max_seconds,
            defaults.alerts.give_up_hours, defaults.alerts.max_age_minutes) == (30.0, 1800.0, 48.0, 120.0)
    assert (defaults.health.station_down_minutes, defaults.health.backlog_hours,
            defaults.health.disk_max_used_percent) == (15.0, 24.0, 90.0)
    config = load_config(write_config(f"""\
        alerts:
          high: immediate
          base_url: https://radiomon.local
          channels:
            - {smtp_server.url()}
            - {{url: "json://127.0.0.1:9/x", priorities: crisis, name: guardia}}
        stations: []
    """))
    mail, hook = config.alerts.channels
    assert mail.priorities == ("crisis", "high", "health") and mail.name.startswith("mailto-")
    assert (hook.name, hook.priorities) == ("guardia", ("crisis",))


BAD = {
    "unknown mode": ("alerts: {high: a-veces}\n", "{f}:1: alerts.high: unknown mode 'a-veces'; use immediate or batch"),
    "unknown service": (
        "alerts:\n  channels:\n    - {url: 'nada://x'}\n",
        "{f}:3: alerts.channels[0].url: Apprise cannot use this URL (service 'nada'); check it against "
        "https://github.com/caronc/apprise/wiki"),
    "unknown priority": (
        "alerts:\n  channels:\n    - {url: 'json://127.0.0.1/x', priorities: [crisis, urgente]}\n",
        "{f}:3: alerts.channels[0].priorities: unknown priority 'urgente'; use crisis, high, health"),
    "no url": ("alerts:\n  channels:\n    - {name: correo}\n",
               "{f}:3: alerts.channels[0].url: required key is missing"),
    "same name": (
        "alerts:\n  channels:\n    - {url: 'json://127.0.0.1/x', name: a}\n"
        "    - {url: 'json://127.0.0.1/y', name: a}\n",
        "{f}:4: alerts.channels[1].name: two channels are called 'a'; give each a different name"),
    "name not a slug": ("alerts:\n  channels:\n    - {url: 'json://127.0.0.1/x', name: Correo Oficina}\n",
                        "{f}:3: alerts.channels[0].name: 'Correo Oficina' is not a slug; use lowercase letters, "
                        "digits, - and _"),
    "channels not a list": ("alerts:\n  channels: json://127.0.0.1/x\n",
                            "{f}:2: alerts.channels: expected a list like - {{url: 'mailtos://…', priorities: "
                            "[crisis]}}"),
    "zero minutes": ("alerts:\n  batch_minutes: 0\n", "{f}:2: alerts.batch_minutes: must be a positive number, got 0"),
    "backoff cap": ("alerts:\n  retry_initial_seconds: 60\n  retry_max_seconds: 10\n",
                    "{f}:3: alerts.retry_max_seconds: must be at least retry_initial_seconds"),
    "base_url": ("alerts: {base_url: radiomon.local}\n",
                 "{f}:1: alerts.base_url: 'radiomon.local' is not a web address; use http://host:port"),
    "unknown key": ("alerts: {canales: []}\n",
                    "{f}:1: alerts.canales: unknown key; expected one of: base_url, batch_minutes, channels, "
                    "give_up_hours, high, max_age_minutes, retry_initial_seconds, retry_max_seconds, timeout_seconds"),
    "max age within a batch": ("alerts: {batch_minutes: 60, max_age_minutes: 45}\n",
                               "{f}:1: alerts.max_age_minutes: must be more than batch_minutes (a batch waits that "
                               "long)"),
    "max age zero": ("alerts: {max_age_minutes: 0}\n",
                     "{f}:1: alerts.max_age_minutes: must be a positive number, got 0"),
    "health threshold": ("health:\n  backlog_hours: -2\n",
                         "{f}:2: health.backlog_hours: must be a positive number, got -2"),
    "health text": ("health: {disk_max_used_percent: mucho}\n",
                    "{f}:1: health.disk_max_used_percent: expected a number, got 'mucho'"),
}


@pytest.mark.parametrize("text, expected", BAD.values(), ids=BAD.keys())
def test_bad_alert_settings_are_one_line(write_config, text, expected) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == expected.format(f=path)


def test_a_bad_alert_setting_stops_the_command_in_one_line(write_config, run, config_path) -> None:
    write_config("alerts:\n  channels:\n    - {url: 'nada://x'}\nstations: []\n")
    for command in (["alerts", "send"], ["alerts", "test"], ["status"]):
        result = run(*command)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.output == (f"Error: {config_path}:3: alerts.channels[0].url: Apprise cannot use this URL "
                                 "(service 'nada'); check it against https://github.com/caronc/apprise/wiki\n")


def test_the_daemons_alerts_pass_runs_beside_it_and_not_more_often_than_asked(setup, receiver) -> None:
    from radiomon.alerts.background import BackgroundAlerts

    config = setup([f"{{name: webhook, url: '{receiver.url}'}}"])
    now = [100.0]
    hook = BackgroundAlerts(every=5.0, clock=lambda: now[0])
    on_air(config, "Reportan una balacera en la colonia Centro.")
    with Archive(config.archive) as archive:
        hook(config, archive)  # returns at once: the pass runs on its own thread and connection
        hook.join(30)
        assert [p["title"] for p in receiver.posts] == ["ALERTA DE CRISIS: Temas de crisis en Radio Uno Moroleón"]
        on_air(config, "Otra balacera en la colonia Centro.", start=START + timedelta(minutes=5))
        now[0] += 1.0
        hook(config, archive)  # too soon after the last pass: nothing starts
        hook.join(30)
        assert len(receiver.posts) == 1
        now[0] += 5.0
        hook(config, archive)
        hook.join(30)
        assert len(receiver.posts) == 2
        assert all(row["delivered_utc"] for row in archive.query("SELECT delivered_utc FROM events"))
