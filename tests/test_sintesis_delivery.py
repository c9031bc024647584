"""The approved síntesis delivered through the outbox to a real SMTP server (aiosmtpd), as the office
runs it: each recipient's part with the PDF and DOCX attached, once; nothing before approval or before
send_at; nothing twice after a kill -9 between the send and its commit; the late-approval alert; a
recipient that is down retried; radiomon.yml's mistakes said in one line."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from docx import Document

from radiomon.alerts import deliver_due
from radiomon.archive import Archive
from radiomon.archive.sintesis_outbox import sintesis_deliveries
from radiomon.config import load_config
from radiomon.sintesis.delivery import check_late, send_due
from radiomon.timeutil import UTC, to_iso

sys.path.insert(0, str(Path(__file__).parent))
from alert_servers import SmtpServer, receiver, smtp_server  # noqa: E402,F401
from daemon_kit import Process  # noqa: E402
from test_sintesis_render import edition_doc  # noqa: E402

TZ = ZoneInfo("America/Mexico_City")
KEYWORDS = """\
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms: [Moroleón]
  dependencias:
    label: Dependencias municipales
    terms: [Obras Públicas, DIF Moroleón]
  seguridad:
    label: Seguridad
    terms: [Seguridad Pública]
"""
ADDRESSES = {"Presidencia": "presidenta@moroleon.example", "Obras Públicas": "obras@moroleon.example",
             "DIF": "dif@moroleon.example", "Seguridad": "seguridad@moroleon.example"}
# Who gets what of edition_doc(): Presidencia everything; Obras Públicas the pothole complaint (its term);
# DIF the vaccination (its term); Seguridad nothing, so no e-mail at all.
FILTERS = {"Presidencia": "", "Obras Públicas": ", terms: [Obras Públicas]", "DIF": ", terms: [DIF Moroleón]",
           "Seguridad": ", groups: [seguridad]"}
HEADLINES = {"Presidenta": "Presidenta inaugura la pavimentación", "Vecinos": "Vecinos de la colonia Centro",
             "Tianguis": "Tianguis del domingo", "DIF": "DIF Moroleón abre campaña", "Nota": "feria del rebozo"}
EXPECTED = {"Presidencia": set(HEADLINES), "Obras Públicas": {"Vecinos"}, "DIF": {"DIF"}}


def radiomon_yml(urls: dict[str, str], *, channels: str = "", extra: str = "") -> str:
    recipients = "\n".join(f"    - {{name: {name}, url: '{url}'{FILTERS[name]}}}" for name, url in urls.items())
    alerts = f"alerts:\n  timeout_seconds: 10\n{channels}" if channels else "alerts: {timeout_seconds: 10}\n"
    return (f"timezone: America/Mexico_City\noffice: {{base_url: 'http://radiomon.local:8080/'}}\n{alerts}"
            f"sintesis:\n  send_at: '07:30'\n{extra}  recipients:\n{recipients}\n"
            "stations:\n  - {id: radio-uno, name: Radio Uno Moroleón, url: 'http://127.0.0.1:8000/uno.mp3'}\n")


@pytest.fixture
def office(deployment: Path, smtp_server):
    """``office(urls=None, **kw)``: radiomon.yml with the four recipients at the SMTP server (or ``urls``),
    keywords.yml, the archive; returns the config."""
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")

    def write(urls: dict[str, str] | None = None, **kw):
        urls = urls or {name: smtp_server.url(to=address) for name, address in ADDRESSES.items()}
        (deployment / "radiomon.yml").write_text(radiomon_yml(urls, **kw), encoding="utf-8")
        config = load_config(deployment / "radiomon.yml")
        with Archive(config.archive) as archive:
            archive.sync_stations(config.stations, str(config.timezone))
        return config

    return write


def at(day: date, clock: str, days: int = 0) -> datetime:
    """``clock`` (HH:MM, office time) on ``day`` + ``days``, in UTC."""
    hour, minute = map(int, clock.split(":"))
    return datetime.combine(day + timedelta(days=days), datetime.min.time(), tzinfo=TZ).replace(
        hour=hour, minute=minute).astimezone(UTC)


def add_edition(config, day: date, *, approved: datetime | None, version: int = 1, cut: str = "") -> int:
    """An edition row as the editor leaves it: approved at ``approved`` (a draft when None), the document frozen."""
    doc = edition_doc(day=day.isoformat(), version=version, cut_text=f"Corte de las {cut}" if cut else "")
    now = to_iso(approved or datetime.now(UTC))
    with Archive(config.archive) as archive, archive.write() as conn:
        return conn.execute(
            "INSERT INTO editions (day, cut, version, state, created_utc, updated_utc, approved_utc, approved_by, "
            "frozen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (day.isoformat(), cut, version, "approved" if approved else "draft", now, now,
             to_iso(approved) if approved else None, "Luz Pérez" if approved else None,
             doc.dumps() if approved else None)).lastrowid


def approve(config, edition_id: int, when: datetime) -> None:
    with Archive(config.archive) as archive, archive.write() as conn:
        day, version, cut = conn.execute("SELECT day, version, cut FROM editions WHERE id = ?",
                                         (edition_id,)).fetchone()
        doc = edition_doc(day=day, version=version, cut_text=f"Corte de las {cut}" if cut else "")
        conn.execute("UPDATE editions SET state = 'approved', approved_utc = ?, approved_by = 'Luz Pérez', "
                     "frozen = ? WHERE id = ?", (to_iso(when), doc.dumps(), edition_id))


def pass_at(config, when: datetime, **kw):
    with Archive(config.archive) as archive:
        return send_due(config, archive, when, **kw)


def received(server) -> dict[str, list]:
    """Each recipient's e-mails, by name."""
    names = {address: name for name, address in ADDRESSES.items()}
    mails: dict[str, list] = {}
    for mail in server.messages:
        mails.setdefault(names[mail["To"].addresses[0].addr_spec], []).append(mail)
    return mails


def html_of(mail) -> str:
    return mail.get_body(preferencelist=("html",)).get_content()


def shown(text: str) -> set[str]:
    return {key for key, headline in HEADLINES.items() if headline in text}


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "adjunto.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def past_day() -> date:
    """A day whose síntesis was due yesterday morning: what `digest send` run now sends at once."""
    return datetime.now(TZ).date() - timedelta(days=2)


# --- each recipient, their part, once ----------------------------------------------------------------------
def test_each_recipient_gets_their_part_with_the_pdf_and_docx_once(office, run, smtp_server, tmp_path) -> None:
    config = office()
    day = past_day()
    add_edition(config, day, approved=at(day, "22:00"))
    result = run("digest", "send", "--date", day.isoformat())
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == sorted(f"sent síntesis {day} v1 to {name}" for name in EXPECTED)
    mails = received(smtp_server)
    assert set(mails) == set(EXPECTED)  # Seguridad: nothing concerned them, no e-mail at all
    for name, (mail,) in mails.items():
        assert mail["Subject"].startswith("Síntesis informativa — ")
        body = html_of(mail)
        assert shown(body) == EXPECTED[name], name
        assert 'href="https://radiomon.moroleon.example/sintesis?dia=2026-11-25"' in body  # the web UI
        files = {part.get_filename(): part for part in mail.iter_attachments()}
        assert set(files) == {f"sintesis-{day}-v1.pdf", f"sintesis-{day}-v1.docx"}
        pdf = files[f"sintesis-{day}-v1.pdf"]
        assert pdf.get_content_type() == "application/pdf"
        text = pdftotext(pdf.get_content(), tmp_path)
        assert shown(text) == EXPECTED[name] and f"Para: {name}" in text
        docx = Document(io.BytesIO(files[f"sintesis-{day}-v1.docx"].get_content()))
        assert shown("\n".join(p.text for p in docx.paragraphs)) == EXPECTED[name]

    again = run("digest", "send", "--date", day.isoformat())
    assert again.exit_code == 0, again.output
    assert again.stdout == f"nothing to send for {day}: 3 delivery(ies) already sent\n"
    assert len(smtp_server.messages) == 3


def test_nothing_is_sent_before_approval_nor_before_send_at(office, smtp_server) -> None:
    config = office()
    day = date(2026, 11, 25)
    edition = add_edition(config, day, approved=None)
    report = pass_at(config, at(day, "08:00", 1), day=day)
    assert report.approved == 0 and not report.attempts and smtp_server.messages == []
    approve(config, edition, at(day, "21:40"))
    report = pass_at(config, at(day, "07:29", 1))
    assert report.not_due == [(f"{day} v1", to_iso(at(day, "07:30", 1)))]
    assert smtp_server.messages == []
    report = pass_at(config, at(day, "07:30", 1))
    assert sorted(a.recipient for a in report.sent) == sorted(EXPECTED)
    assert pass_at(config, at(day, "07:31", 1)).attempts == []  # the daemon's next pass: nothing twice
    assert len(smtp_server.messages) == 3


def test_a_cut_goes_at_once_and_a_correction_as_a_new_version(office, smtp_server) -> None:
    config = office()
    day = date(2026, 11, 25)
    add_edition(config, day, approved=at(day, "14:10"), cut="14:00")
    report = pass_at(config, at(day, "14:11"))
    assert {a.edition for a in report.sent} == {f"{day} 14:00 v1"} and len(report.sent) == 3
    # The day's edition: version 1 corrected before send_at; only version 2 goes out.
    add_edition(config, day, approved=at(day, "22:00"))
    add_edition(config, day, approved=at(day, "06:50", 1), version=2)
    report = pass_at(config, at(day, "07:30", 1))
    assert {a.edition for a in report.sent} == {f"{day} v2"}
    # A correction after it was sent goes out at once, as its own version.
    add_edition(config, day, approved=at(day, "09:15", 1), version=3)
    report = pass_at(config, at(day, "09:16", 1))
    assert {a.edition for a in report.sent} == {f"{day} v3"} and len(report.sent) == 3
    subjects = [m["Subject"] for m in received(smtp_server)["Presidencia"]]
    assert [s.split(" — ", 1)[1] for s in subjects] == [
        "Miércoles 25 de noviembre de 2026 · Corte de las 14:00",
        "Miércoles 25 de noviembre de 2026 — versión 2 (corrección)",
        "Miércoles 25 de noviembre de 2026 — versión 3 (corrección)"]


# --- a crash between the send and its commit ------------------------------------------------------------
def test_a_kill_between_the_send_and_its_commit_never_sends_twice(office, deployment, smtp_server, receiver,
                                                                  run) -> None:
    config = office(channels=f"  channels:\n    - {{name: coordinacion, url: '{receiver.url}', "
                             "priorities: [health]}\n")
    day = past_day()
    add_edition(config, day, approved=at(day, "22:00"))
    # kill -9 just before `sent` is recorded: the SMTP server has the first e-mail, the archive says `sending`.
    crashed = Process(deployment / "radiomon.yml", "digest", "send", "--date", day.isoformat(),
                      crashpoint="UPDATE deliveries SET state = 'sent'@1")
    assert crashed.wait(120) == -9
    assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == [ADDRESSES["Presidencia"]]
    with Archive(config.archive) as archive:
        assert {d.channel: d.state for d in sintesis_deliveries(archive)} == {
            "sintesis:Presidencia": "sending", "sintesis:Obras Públicas": "pending", "sintesis:DIF": "pending"}

    # The restart sends the others, never the one that may have arrived.
    restart = run("digest", "send", "--date", day.isoformat())
    assert restart.exit_code == 0, restart.output
    assert f"síntesis {day} v1 to Presidencia is being sent by another process; not sent again" in restart.stdout
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages) == sorted(
        ADDRESSES[n] for n in EXPECTED)
    # Once no send could still be under way, the row is settled as unknown and the coordinator told.
    later = datetime.now(UTC) + timedelta(minutes=10)
    report = pass_at(config, later)
    assert report.unknown == [("Presidencia", f"{day} v1")] and report.attempts == []
    assert pass_at(config, later + timedelta(minutes=1)).unknown == []  # told once
    with Archive(config.archive) as archive:
        [settled] = sintesis_deliveries(archive, channel="sintesis:Presidencia")
        assert settled.state == "failed"
        assert settled.last_error.startswith("unknown: the process stopped while sending")
        assert f"radiomon digest send --date {day} --again Presidencia" in settled.last_error
        deliver_due(config, archive, later)
    # (Yesterday's síntesis, never approved here, may have its own late alert beside it.)
    [alert] = [post for post in receiver.posts if "no se sabe si llegó" in post["title"]]
    assert alert["title"].startswith(f"Síntesis {day} v1 a Presidencia")
    assert f"--date {day} --again" in alert["message"]
    assert len(smtp_server.messages) == 3

    # The office checked: it did not arrive. --again sends it once more, once.
    assert run("digest", "send", "--date", day.isoformat(), "--again", "Presidencia").exit_code == 0
    assert run("digest", "send", "--date", day.isoformat()).exit_code == 0
    assert len(received(smtp_server)["Presidencia"]) == 2 and len(smtp_server.messages) == 4


# --- a recipient that is down, a chat, the alerts' own passes -------------------------------------------------
def test_a_recipient_down_is_retried_with_backoff_and_the_alerts_leave_it_alone(office, smtp_server,
                                                                                 receiver) -> None:
    down = SmtpServer()
    down.stop()
    urls = {"Presidencia": smtp_server.url(to=ADDRESSES["Presidencia"]),
            "Obras Públicas": down.url(to=ADDRESSES["Obras Públicas"])}
    config = office(urls, channels=f"  channels:\n    - {{name: coordinacion, url: '{receiver.url}'}}\n")
    day = date(2026, 11, 25)
    add_edition(config, day, approved=at(day, "22:00"))
    start = at(day, "07:30", 1)
    report = pass_at(config, start)
    assert [a.recipient for a in report.sent] == ["Presidencia"]
    [failed] = report.failed
    assert failed.recipient == "Obras Públicas" and failed.retry_utc == to_iso(start + timedelta(seconds=30))
    with Archive(config.archive) as archive:
        deliver_due(config, archive, start)  # the alerts' pass neither routes nor gives up a síntesis delivery
        assert {d.channel: d.state for d in sintesis_deliveries(archive)} == {
            "sintesis:Presidencia": "sent", "sintesis:Obras Públicas": "pending"}
    assert receiver.posts == []
    assert pass_at(config, start + timedelta(seconds=20)).attempts == []  # waits out the backoff
    down._controller = Controller(down, hostname="127.0.0.1", port=down.port)
    down._controller.start()
    try:
        report = pass_at(config, start + timedelta(seconds=31))
        assert [a.recipient for a in report.sent] == ["Obras Públicas"]
        assert shown(html_of(down.messages[0])) == {"Vecinos"}
    finally:
        down.stop()


def test_a_channel_that_takes_no_attachment_gets_the_text_and_a_link(office, receiver) -> None:
    config = office({"Presidencia": f"gotify://127.0.0.1:{receiver.port}/abcdefghijklmno"})
    day = date(2026, 11, 25)
    add_edition(config, day, approved=at(day, "22:00"))
    assert [a.ok for a in pass_at(config, at(day, "07:30", 1)).attempts] == [True]
    [post] = receiver.posts
    assert shown(post["message"]) == set(HEADLINES)
    assert "Documento completo: https://radiomon.moroleon.example/sintesis?dia=2026-11-25" in post["message"]
    assert "<" not in post["message"]


# --- the late approval ----------------------------------------------------------------------------------------
def test_nothing_approved_by_send_at_and_late_minutes_tells_the_coordinator_once(office, receiver) -> None:
    config = office(channels=f"  channels:\n    - {{name: coordinacion, url: '{receiver.url}', "
                             "priorities: [health]}\n")
    day = date(2026, 11, 25)
    add_edition(config, day, approved=None)  # a draft is not enough
    with Archive(config.archive) as archive:
        assert not check_late(config, archive, at(day, "07:59", 1))
        assert check_late(config, archive, at(day, "08:00", 1))
        assert not check_late(config, archive, at(day, "08:30", 1))  # once per day
        deliver_due(config, archive, at(day, "08:01", 1))
    [alert] = receiver.posts
    assert alert["title"].startswith("La síntesis del miércoles 25 de noviembre de 2026 no está aprobada")
    assert "debía enviarse a las 07:30" in alert["message"]
    assert "http://radiomon.local:8080/sintesis?dia=2026-11-25" in alert["message"]
    # An approved day raises nothing.
    add_edition(config, day + timedelta(days=1), approved=at(day, "23:00", 1))
    with Archive(config.archive) as archive:
        assert not check_late(config, archive, at(day, "09:00", 2))


# --- what a person can get wrong ------------------------------------------------------------------------------
@pytest.mark.parametrize("extra, recipient, message", [
    ("", "{name: Obras, url: 'mailto://127.0.0.1:2525?from=r@moroleon.example&to=o@moroleon.example', "
         "groups: [dependecias]}",
     "sintesis.recipients[0].groups[0]: unknown group 'dependecias' (groups in keywords.yml: "
     "municipio, dependencias, seguridad)"),
    ("", "{name: Obras, url: 'mailto//obras@moroleon.example'}",
     "sintesis.recipients[0].url: Apprise cannot use this URL"),
    ("  send_at: '7.30'\n", "{name: Obras, url: 'mailto://127.0.0.1:2525?from=r@moroleon.example&to=o@m.example'}",
     "sintesis.send_at: '7.30' is not a time of day; use HH:MM"),
    ("", "{name: Obras, url: 'mailto://127.0.0.1:2525?from=r@moroleon.example&to=o@moroleon.example'}\n"
         "    - {name: obras, url: 'mailto://127.0.0.1:2525?from=r@moroleon.example&to=p@moroleon.example'}",
     "sintesis.recipients[1].name: two recipients are called 'obras'"),
])
def test_a_mistake_in_radiomon_yml_is_one_clear_line(deployment, run, extra, recipient, message) -> None:
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    (deployment / "radiomon.yml").write_text(
        f"timezone: America/Mexico_City\nsintesis:\n{extra}  recipients:\n    - {recipient}\n", encoding="utf-8")
    result = run("digest", "send", "--date", "2026-11-25")
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("Error: ") and "radiomon.yml:" in line and message in line
    assert "Traceback" not in result.output


def test_again_names_a_configured_recipient_and_a_day_already_sent(office, run) -> None:
    office()
    day = past_day()
    result = run("digest", "send", "--date", day.isoformat(), "--again", "Tesorería")
    assert result.exit_code == 1
    assert result.output.startswith("Error: --again Tesorería: no such recipient under sintesis.recipients")
    result = run("digest", "send", "--date", day.isoformat(), "--again", "DIF")
    assert result.exit_code == 1 and "nothing of that day has been sent yet" in result.output
