"""Delivering the approved síntesis: each recipient their part, once, through the alerts' outbox.

:func:`send_due` is one pass, safe to run as often as one likes (the daemon
every :data:`EVERY_SECONDS`, cron, ``radiomon digest send --date D``) and
from several processes at once:

1. **settle** deliveries left ``sending`` by a process that died mid-send
   (see below);
2. **queue** each approved edition that is due: the newest approved
   version of a day (``cut`` '') at ``sintesis.send_at`` on the next day,
   or at once when approved later; an intraday cut, and a correction (a new
   version) approved after its day's send time, at once. Queuing writes one
   ``sintesis`` event with one delivery per recipient something in it
   concerns (radiomon/sintesis/recipients.py), in one transaction
   (radiomon/archive/sintesis_outbox.py). An older version never sent
   because a correction was approved before the send time is not sent;
3. **send** each due delivery: the recipient's filtered document as an HTML
   body with the PDF/DOCX attached (a channel that takes no attachment
   gets the text and a link); a failure is retried after the alerts'
   backoff (``alerts.retry_*``), until ``alerts.give_up_hours``;
4. **late**: nothing approved for yesterday by ``send_at`` +
   ``late_minutes`` today: one health event (the alerts' channels that take
   ``health`` tell the coordinator), once per day.

Exactly once per recipient and version. Per delivery the order is: render
the attachments, claim the row (``sending``, committed), hand the message
to Apprise, record ``sent`` (committed). A process killed between the
server taking the e-mail and that commit leaves the row ``sending``, and
nothing can tell whether the reader got it. The alerts resend such a row
(a second crisis alert is better than none); the síntesis does **not**: a
second copy of the morning's document in the mayor's inbox is the wrong
default, and the office can ask. Once the claim is older than a send could
take (``alerts.timeout_seconds`` + :data:`CLAIM_SLACK_SECONDS`) the row is
marked ``failed`` with "unknown: …" saying what to do, and a health alert
tells the coordinator; ``radiomon digest send --date D --again NAME``
sends it once more when the reader did not get it.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from radiomon import timeutil
from radiomon.alerts.delivery import CLAIM_SLACK_SECONDS
from radiomon.archive import Archive, Delivery
from radiomon.archive import sintesis_outbox as outbox
from radiomon.archive.sintesis_outbox import CHANNEL_PREFIX
from radiomon.config import Config, SintesisRecipient
from radiomon.errors import ConfigError, QueryError
from radiomon.reports import spanish
from radiomon.sintesis import render
from radiomon.sintesis.model import Edition, SintesisDocument
from radiomon.sintesis.recipients import for_recipient

log = logging.getLogger(__name__)

# Editions of days this far back are still queued by the daemon's pass when they fall due (an edition
# approved two days late still goes out); older ones only by `radiomon digest send --date D`.
LOOKBACK_DAYS = 3
UNKNOWN = "unknown: "
SKIPPED = "skipped: "


@dataclass
class Attempt:
    """One delivery tried in a pass."""

    recipient: str
    edition: str  # "2026-11-25 v1", "2026-11-25 14:00 v2"
    ok: bool
    error: str = ""
    retry_utc: str | None = None


@dataclass
class SendReport:
    """What one :func:`send_due` pass did."""

    queued: list[str] = field(default_factory=list)  # editions put in the outbox
    attempts: list[Attempt] = field(default_factory=list)
    not_due: list[tuple[str, str]] = field(default_factory=list)  # (edition, due ISO UTC)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (recipient, edition) settled as unknown
    in_flight: list[tuple[str, str]] = field(default_factory=list)  # being sent by another process
    given_up: list[tuple[str, str, str]] = field(default_factory=list)  # (recipient, edition, why)
    already_sent: int = 0  # deliveries of the day sent before this pass (``day`` given)
    approved: int = 0  # approved editions of the day (``day`` given)
    late_alert: bool = False  # the late-approval health event was written in this pass

    @property
    def sent(self) -> list[Attempt]:
        return [a for a in self.attempts if a.ok]

    @property
    def failed(self) -> list[Attempt]:
        return [a for a in self.attempts if not a.ok]


def label(day: str, cut: str, version: int) -> str:
    """An edition as the CLI and the logs name it: "2026-11-25 v1", "2026-11-25 14:00 v2"."""
    return f"{day}{' ' + cut if cut else ''} v{version}"


def _edition_label(edition: Edition) -> str:
    return label(edition.day, edition.cut, edition.version)


def _delivery_label(delivery: Delivery) -> str:
    payload = delivery.payload
    return label(payload["day"], payload["cut"], payload["version"])


def due_at(config: Config, edition: Edition) -> datetime:
    """When an approved edition goes out (UTC): its day's at ``send_at`` the next morning, else when approved."""
    approved = timeutil.parse_iso(edition.approved_utc)
    if edition.cut:
        return approved
    morning = datetime.combine(date.fromisoformat(edition.day) + timedelta(days=1), config.sintesis.send_time,
                               tzinfo=config.timezone)
    return max(morning.astimezone(timeutil.UTC), approved)


def channel_of(recipient: SintesisRecipient) -> str:
    return f"{CHANNEL_PREFIX}{recipient.name}"


def send_due(config: Config, archive: Archive, now: datetime | None = None, *, day: date | None = None,
             again: str | None = None, notify: Callable | None = None) -> SendReport:
    """One delivery pass (see the module's doc); ``day``: only that day's editions (any age); ``again``:
    a recipient's name, whose delivery of the day's newest approved editions is made once more.
    ``notify`` replaces :func:`apprise_notify` (tests)."""
    now = now or datetime.now(timeutil.UTC)
    notify = notify or apprise_notify
    report = SendReport()
    options = config.sintesis
    recipients = {r.name: r for r in options.recipients}
    if day is not None and not recipients:
        raise ConfigError(f"{config.path}: sintesis.recipients: none configured; list who gets the síntesis "
                          "(- {name: Presidencia, url: 'mailtos://…'})")
    if again is not None and again not in recipients:
        raise QueryError(f"--again {again}: no such recipient under sintesis.recipients "
                         f"(known: {', '.join(recipients) or 'none'})")
    stale = timeutil.to_iso(now - timedelta(seconds=config.alerts.timeout_seconds + CLAIM_SLACK_SECONDS))
    _settle_unknown(config, archive, now, stale, report)
    newest = _newest_approved(config, archive, now, day)
    if day is not None:
        report.approved = len(newest)
        report.already_sent = len(outbox.sintesis_deliveries(archive, states=("sent",), day=day.isoformat()))
    if recipients:
        _queue(config, archive, newest, now, report)
        if again is not None:
            _again(archive, newest, recipients[again], now, stale)
        _send(config, archive, now, day, notify, report)
        report.late_alert = check_late(config, archive, now)
    return report


# -- settling, queuing ------------------------------------------------------------------------------
def _settle_unknown(config: Config, archive: Archive, now: datetime, stale: str, report: SendReport) -> None:
    for delivery in outbox.sintesis_deliveries(archive, states=("sending",)):
        name, edition = delivery.channel[len(CHANNEL_PREFIX):], _delivery_label(delivery)
        if (delivery.claimed_utc or "") >= stale:
            report.in_flight.append((name, edition))  # another process may still be sending it
            continue
        day = delivery.payload["day"]
        why = (f"{UNKNOWN}the process stopped while sending (el proceso se detuvo al enviar); check with the "
               f"recipient, then `radiomon digest send --date {day} --again {name}`")
        since = timeutil.local(delivery.claimed_utc, config.timezone)
        health = {"key": f"sintesis-unknown:{delivery.id}", "kind": "sintesis", "subject": name,
                  "since": delivery.claimed_utc,
                  "summary": (f"Síntesis {edition} a {name}: no se sabe si llegó (el envío de las "
                              f"{since:%H:%M} se interrumpió). Pregunte a {name}; si no la recibió: "
                              f"radiomon digest send --date {day} --again \"{name}\""),
                  "details": {"delivery_id": delivery.id, "edition": edition}}
        if outbox.mark_unknown(archive, delivery, why, health, timeutil.to_iso(now)):
            log.warning("síntesis %s to %s: the process stopped while sending it; not sent again "
                        "(`radiomon digest send --date %s --again %s` if it did not arrive)", edition, name, day, name)
            report.unknown.append((name, edition))


def _newest_approved(config: Config, archive: Archive, now: datetime, day: date | None) -> list[Edition]:
    """The newest approved version of each (day, cut): of ``day``, else of the last :data:`LOOKBACK_DAYS`."""
    if day is not None:
        found = archive.editions(day=day.isoformat(), state="approved")
    else:
        since = now.astimezone(config.timezone).date() - timedelta(days=LOOKBACK_DAYS)
        found = archive.editions(state="approved", since_day=since.isoformat())
    newest: dict[tuple[str, str], Edition] = {}
    for edition in found:
        key = (edition.day, edition.cut)
        if key not in newest or edition.version > newest[key].version:
            newest[key] = edition
    return list(newest.values())


def _payload(edition: Edition) -> dict:
    return {"edition_id": edition.id, "day": edition.day, "cut": edition.cut, "version": edition.version,
            "summary": f"Síntesis {_edition_label(edition)}"}


def _queue(config: Config, archive: Archive, editions: list[Edition], now: datetime, report: SendReport) -> None:
    queued = outbox.edition_events(archive, [e.id for e in editions])
    for edition in editions:
        if edition.id in queued:
            continue
        due = due_at(config, edition)
        if due > now:
            report.not_due.append((_edition_label(edition), timeutil.to_iso(due)))
            continue
        doc = _document(archive, edition.id)
        channels = [channel_of(r) for r in config.sintesis.recipients if doc and for_recipient(doc, r) is not None]
        if outbox.add_edition_event(archive, _payload(edition), channels, timeutil.to_iso(now)) is not None:
            log.info("síntesis %s is due: queued for %d recipient(s)", _edition_label(edition), len(channels))
            report.queued.append(_edition_label(edition))


def _again(archive: Archive, editions: list[Edition], recipient: SintesisRecipient, now: datetime,
           stale: str) -> None:
    queued = outbox.edition_events(archive, [e.id for e in editions])
    if not queued:
        raise QueryError(f"--again {recipient.name}: nothing of that day has been sent yet; "
                         "`radiomon digest send --date D` sends it when it is due")
    for edition in editions:
        if edition.id in queued and not outbox.send_again(archive, queued[edition.id], channel_of(recipient),
                                                          timeutil.to_iso(now), stale):
            raise QueryError(f"--again {recipient.name}: síntesis {_edition_label(edition)} is being sent to "
                             "them right now; wait a minute and look again")


def _document(archive: Archive, edition_id: int) -> SintesisDocument | None:
    edition = archive.edition(edition_id)
    if edition is None or not edition.frozen:
        return None
    return SintesisDocument.from_json(edition.frozen)


# -- sending ----------------------------------------------------------------------------------------
def _send(config: Config, archive: Archive, now: datetime, day: date | None, notify: Callable,
          report: SendReport) -> None:
    recipients = {channel_of(r): r for r in config.sintesis.recipients}
    too_old = timeutil.to_iso(now - timedelta(hours=config.alerts.give_up_hours))
    due = outbox.sintesis_deliveries(archive, states=("pending",), due_by=timeutil.to_iso(now),
                                     day=day.isoformat() if day else None)
    documents: dict[int, SintesisDocument | None] = {}
    for delivery in due:
        name, edition = delivery.channel[len(CHANNEL_PREFIX):], _delivery_label(delivery)
        recipient = recipients.get(delivery.channel)
        edition_id = delivery.payload["edition_id"]
        if edition_id not in documents:
            documents[edition_id] = _document(archive, edition_id)
        doc = documents[edition_id]
        filtered = for_recipient(doc, recipient) if doc is not None and recipient is not None else None
        why = None
        if recipient is None:
            why = f"recipient {name!r} is no longer under sintesis.recipients in radiomon.yml; not sent"
        elif doc is None:
            why = f"edition {edition_id} is gone from the archive; not sent"
        elif delivery.created_utc < too_old:
            last = f"; last error: {delivery.last_error}" if delivery.last_error else ""
            why = f"gave up after {delivery.attempts} attempt(s) over {config.alerts.give_up_hours:g} h{last}"
        elif filtered is None:
            why = f"{SKIPPED}nothing in this edition concerns {name} (sintesis.recipients groups/terms); not sent"
        if why:
            archive.give_up_deliveries([(delivery.id, why)])
            report.given_up.append((name, edition, why))
            continue
        attempt = _send_one(config, archive, delivery, recipient, filtered, now, notify)
        if attempt is None:
            report.in_flight.append((name, edition))
        else:
            report.attempts.append(attempt)


def _send_one(config: Config, archive: Archive, delivery: Delivery, recipient: SintesisRecipient,
              doc: SintesisDocument, now: datetime, notify: Callable) -> Attempt | None:
    edition = _delivery_label(delivery)
    options = config.alerts
    with tempfile.TemporaryDirectory(prefix="radiomon-sintesis-") as folder:
        takes_files = accepts_attachments(recipient.url)
        files = write_attachments(doc, Path(folder), config.sintesis.formats) if takes_files else []
        if takes_files:
            body, html = render.email_html(doc, config.sintesis.formats if files else ()), True
        else:
            body, html = render.email_text(doc), False
        # The claim carries the wall clock: it tells other processes whether this one may still be sending.
        if not archive.claim_deliveries([delivery.id], timeutil.to_iso(datetime.now(timeutil.UTC)), ""):
            return None  # another deliverer took it meanwhile
        ok, error = notify(recipient.url, render.subject(doc), body, html=html, attachments=files,
                           timeout=options.timeout_seconds)
    if ok:
        archive.record_sent([delivery.id], timeutil.to_iso(datetime.now(timeutil.UTC)))
        log.info("síntesis %s sent to %s", edition, recipient.name)
        return Attempt(recipient.name, edition, ok=True)
    attempts = delivery.attempts + 1
    delay = min(options.retry_initial_seconds * 2 ** (attempts - 1), options.retry_max_seconds)
    retry = timeutil.to_iso(now + timedelta(seconds=delay))
    archive.record_failed([(delivery.id, retry, error)])
    log.warning("síntesis %s to %s failed (%s); retried from %s", edition, recipient.name, error, retry)
    return Attempt(recipient.name, edition, ok=False, error=error, retry_utc=retry)


def file_stem(doc: SintesisDocument) -> str:
    """``sintesis-2026-11-25-v1``, ``sintesis-2026-11-25-corte-1400-v2``."""
    cut = f"-corte-{doc.cut_text[-5:].replace(':', '')}" if doc.cut_text else ""
    return f"sintesis-{doc.day}{cut}-v{doc.version}"


def write_attachments(doc: SintesisDocument, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    """The document in each of ``formats`` (pdf, docx), written into ``folder``."""
    from radiomon.sintesis.docx import document_docx
    from radiomon.sintesis.pdf import document_pdf

    writers = {"pdf": document_pdf, "docx": document_docx}
    paths = []
    for fmt in formats:
        path = folder / f"{file_stem(doc)}.{fmt}"
        path.write_bytes(writers[fmt](doc))
        paths.append(path)
    return paths


# -- Apprise ----------------------------------------------------------------------------------------
def accepts_attachments(url: str) -> bool:
    """Whether the service at ``url`` takes files (e-mail, Telegram…); others get the text and a link."""
    import apprise

    from radiomon.apprise_urls import asset

    plugin = apprise.Apprise.instantiate(url, asset=asset())
    return bool(plugin is not None and getattr(plugin, "attachment_support", False))


def apprise_notify(url: str, title: str, body: str, *, html: bool, attachments: list[Path],
           timeout: float) -> tuple[bool, str]:
    """Send one message through Apprise: ``(ok, why not in one line)``; never raises for a service down."""
    import apprise

    from radiomon.apprise_urls import asset

    sender = apprise.Apprise(asset=asset())
    if not sender.add(url):
        return False, "Apprise cannot use this URL"
    attach = apprise.AppriseAttachment([str(p) for p in attachments], asset=asset()) if attachments else None
    body_format = apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT
    try:
        result = sender.notify(body=body, title=title, notify_type=apprise.NotifyType.INFO, body_format=body_format,
                               attach=attach, timeout=timeout)
    except Exception as err:  # a plugin that raises is one failed recipient, not a failed pass
        return False, f"{type(err).__name__}: {err}"
    with result:
        if result:
            return True, ""
        lines = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR", "CRITICAL")]
        return False, " ".join((lines[-1] if lines else f"Apprise answered {result.status.name}").split())[:300]


# -- late approval ----------------------------------------------------------------------------------
def check_late(config: Config, archive: Archive, now: datetime) -> bool:
    """Nothing approved for yesterday by ``send_at`` + ``late_minutes`` today: one health event, once per
    day (True when written now). Only where the síntesis has recipients."""
    options = config.sintesis
    if not options.recipients:
        return False
    local = now.astimezone(config.timezone)
    deadline = datetime.combine(local.date(), options.send_time, tzinfo=config.timezone) \
        + timedelta(minutes=options.late_minutes)
    if local < deadline:
        return False
    day = local.date() - timedelta(days=1)
    if any(not e.cut for e in archive.editions(day=day.isoformat(), state="approved")):
        return False
    base = config.office.base_url.rstrip("/")
    where = f" en {base}/sintesis?dia={day.isoformat()}" if base else " en la página Síntesis"
    payload = {"key": f"sintesis-late:{day.isoformat()}", "kind": "sintesis", "subject": day.isoformat(),
               "since": timeutil.to_iso(deadline),
               "summary": (f"La síntesis del {spanish.long_date(day)} no está aprobada: debía enviarse a las "
                           f"{options.send_at}. Revísela y apruébela{where}; se enviará en cuanto se apruebe."),
               "details": {"day": day.isoformat(), "send_at": options.send_at}}
    if outbox.health_event_once(archive, payload, timeutil.to_iso(now)):
        log.warning("the síntesis of %s is not approved %g min after sintesis.send_at; the coordinator is told",
                    day, options.late_minutes)
        return True
    return False
