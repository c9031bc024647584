"""Delivering the outbox: every event to every channel that takes it, once.

:func:`deliver_due` is one pass, safe to run as often as one likes (the
daemon every few seconds, cron every minute, the nightly job once) and from
several processes at once:

1. **route** events not routed yet: one ``deliveries`` row per channel whose
   ``priorities`` take the event's (crisis, high, health), due at once or,
   for high mentions in ``batch`` mode, at the next ``batch_minutes``
   boundary of the office's clock;
2. **give up** deliveries older than ``give_up_hours`` and those of channels
   no longer in radiomon.yml (they stay listed, as failed), and **expire**
   those of mentions aired more than ``max_age_minutes`` ago (listed as
   expired: a crisis alert about this morning is no alert at all; this
   happens when a channel is added to an archive full of mentions, or a
   backlog is matched late);
3. **send** what is due, each channel on a thread of its own, so a channel
   that is down or slow holds back nobody else: crisis first, then health,
   then high (one message for a due batch). A failed message postpones the
   channel's due deliveries by an exponential backoff (``retry_*``).

Per message the order is: claim its rows (``sending``, committed), call the
channel, record the outcome (committed). A second deliverer skips claimed
rows, so the same message is never sent by two passes at once, and a row
recorded ``sent`` is never sent again.

The window between the channel taking a message and ``sent`` being
committed is a few milliseconds of Python and one SQLite commit. A crash
inside it leaves the rows ``sending``: they are left alone while a send of
another process could still be under way (``timeout_seconds`` plus
:data:`CLAIM_SLACK_SECONDS`), then sent again, and the channel may receive
that one message twice. It is the only duplicate possible, and only for
the message in flight; the alternative, dropping it, could lose an alert.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from radiomon import events as events_mod
from radiomon import timeutil
from radiomon.alerts import channels as channels_mod
from radiomon.alerts import messages
from radiomon.archive import Archive, Delivery
from radiomon.archive.deliveries import EXPIRED
from radiomon.archive.sintesis_outbox import SINTESIS_EVENT
from radiomon.config import AlertChannel, AlertsConfig, Config
from radiomon.schedule import next_boundary

log = logging.getLogger(__name__)

# How long after a claim its send may still be running in another process,
# beyond the send timeout itself (a process that is slow to start or to commit).
CLAIM_SLACK_SECONDS = 60.0
# Which messages go first when a channel has several due.
_ORDER = {"crisis": 0, "health": 1, "high": 2}


@dataclass
class ChannelResult:
    """What one channel got in one pass."""

    channel: str
    sent: int = 0  # alerts (deliveries) it took
    messages: int = 0  # messages it took (a batch carries several alerts)
    failed: int = 0  # alerts whose message it did not take; retried later
    error: str = ""  # why, one line
    retry_utc: str | None = None  # when it is tried again

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class DeliveryReport:
    """What one :func:`deliver_due` pass did."""

    routed: int = 0  # events given their deliveries
    gave_up: int = 0  # deliveries marked failed for good
    expired: int = 0  # deliveries of mentions that aired too long ago to be news (alerts.max_age_minutes)
    waiting: int = 0  # deliveries not sent yet after the pass (backoff, batch, claimed elsewhere)
    channels: list[ChannelResult] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(c.sent for c in self.channels)

    @property
    def messages(self) -> int:
        return sum(c.messages for c in self.channels)

    @property
    def failed(self) -> int:
        return sum(c.failed for c in self.channels)


@dataclass(frozen=True)
class _Outgoing:
    """One message and the deliveries it carries."""

    deliveries: tuple[Delivery, ...]
    priority: str


def deliver_due(config: Config, archive: Archive, now: datetime | None = None) -> DeliveryReport:
    """One delivery pass (see the module's doc); returns what it did.

    With no channel in radiomon.yml it does nothing: events wait in the
    outbox for the first channel to be configured (those older than
    ``give_up_hours`` by then are listed as failed, not sent).
    """
    now = now or datetime.now(timeutil.UTC)
    options = config.alerts
    report = DeliveryReport()
    if not options.channels:
        return report
    report.routed, expired_at_once = route_events(config, archive, now)
    report.gave_up, report.expired = _give_up(config, archive, now)
    report.expired += expired_at_once
    context = message_context(config, archive, now)
    stale = timeutil.to_iso(now - timedelta(seconds=options.timeout_seconds + CLAIM_SLACK_SECONDS))
    due = {c.name: _outgoing(config, archive.deliveries(states=("pending", "sending"), channel=c.name,
                                                        due_by=timeutil.to_iso(now)), stale)
           for c in options.channels}
    busy = [c for c in options.channels if due[c.name]]
    lock = threading.Lock()  # one connection, one transaction at a time
    if busy:
        with ThreadPoolExecutor(max_workers=len(busy), thread_name_prefix="alerts") as pool:
            futures = [pool.submit(_send_channel, archive, lock, channel, due[channel.name], context, now, stale,
                                   options) for channel in busy]
            report.channels = [f.result() for f in futures]
    report.waiting = sum(r["waiting"] for r in archive.undelivered_by_channel())
    return report


def route_events(config: Config, archive: Archive, now: datetime) -> tuple[int, int]:
    """Give each new event one delivery per channel that takes its priority:
    ``(events routed, deliveries expired at once)``."""
    options, routed, expired_rows = config.alerts, 0, 0
    too_old = timeutil.to_iso(now - timedelta(hours=options.give_up_hours))
    while True:
        batch = archive.unrouted_events()
        if not batch:
            return routed, expired_rows
        for event in batch:
            priority = events_mod.PRIORITY_OF_KIND.get(event["kind"])
            expired = expiry(event["kind"], event["payload"], now, options.max_age_minutes)
            rows = []
            for channel in options.channels:
                if priority not in channel.priorities:
                    continue
                if event["created_utc"] < too_old:
                    rows.append((channel.name, "failed", event["created_utc"],
                                 "older than alerts.give_up_hours when it was first routed; not sent"))
                elif expired:
                    rows.append((channel.name, "failed", event["created_utc"], expired))
                else:
                    rows.append((channel.name, "pending", _due_time(config, priority, event["created_utc"], now),
                                 None))
            if archive.route_event(event["id"], rows, timeutil.to_iso(now)):
                routed += 1
                expired_rows += sum(1 for row in rows if expired and row[3] == expired)


def expiry(kind: str, payload: dict, now: datetime, max_age_minutes: float) -> str | None:
    """Why an event is too old to send now (a delivery's ``last_error``), or None.

    A mention's age counts from when it aired (``at_utc``), not from when its
    event was written: matching a backlog writes today's events about last
    week's broadcasts. Health events never expire: a problem is about now
    (its episode is still open, or its recovery would have followed it),
    and its recovery must follow the problem that was announced.
    """
    if kind not in (events_mod.CRISIS_MENTION, events_mod.HIGH_MENTION):
        return None
    minutes = (now - timeutil.parse_iso(payload["at_utc"])).total_seconds() / 60
    if minutes <= max_age_minutes:
        return None
    return (f"{EXPIRED}aired {minutes:.0f} min before it could be sent "
            f"(alerts.max_age_minutes is {max_age_minutes:g}); not sent")


def message_context(config: Config, archive: Archive, now: datetime | None = None) -> messages.Context:
    """What messages need besides their events; ``now`` (the pass's clock) lets them say how late they are."""
    names = archive.station_names()
    names.update({s.id: s.name for s in config.stations})
    options = config.alerts
    return messages.Context(tz=config.timezone, base_url=options.base_url or config.office.base_url,
                            station_names=names, outlet_names=archive.outlet_names(),
                            office=config.office.office, now=now,
                            batch_minutes=options.batch_minutes if options.high == "batch" else 0.0)


def render(outgoing: Sequence[Delivery], context: messages.Context) -> channels_mod.Message:
    """The message that carries these deliveries (one event, or a batch of high mentions)."""
    first = outgoing[0]
    if first.kind in (events_mod.HEALTH_PROBLEM, events_mod.HEALTH_RECOVERED):
        return messages.health_message(first.kind, first.payload, context)
    if len(outgoing) > 1:
        return messages.batch_message([d.payload for d in outgoing], context)
    return messages.mention_message(first.payload, context)


def _due_time(config: Config, priority: str | None, created_utc: str, now: datetime) -> str:
    if priority == "high" and config.alerts.high == "batch":
        boundary = next_boundary(timeutil.parse_iso(created_utc), config.alerts.batch_minutes * 60, config.timezone)
        return timeutil.to_iso(boundary)
    return timeutil.to_iso(now)


def _give_up(config: Config, archive: Archive, now: datetime) -> tuple[int, int]:
    """Pending deliveries that will never be sent, marked so: ``(given up, expired)``."""
    options = config.alerts
    configured = {c.name for c in options.channels}
    too_old = timeutil.to_iso(now - timedelta(hours=options.give_up_hours))
    doomed, expired = [], []
    for delivery in archive.deliveries(states=("pending",)):
        if delivery.kind == SINTESIS_EVENT:  # the síntesis' own pass gives up on its deliveries
            continue
        if delivery.channel not in configured:
            doomed.append((delivery.id, f"channel {delivery.channel!r} is no longer in radiomon.yml; not sent"))
        elif delivery.event_utc < too_old:
            why = f"; last error: {delivery.last_error}" if delivery.last_error else ""
            doomed.append((delivery.id, f"gave up after {delivery.attempts} attempt(s) over "
                                        f"{options.give_up_hours:g} h{why}"))
        elif why := expiry(delivery.kind, delivery.payload, now, options.max_age_minutes):
            # Waited out a channel's backoff or a batch until it is no longer news.
            expired.append((delivery.id, why))
    if doomed:
        archive.give_up_deliveries(doomed)
        log.warning("gave up %d alert delivery(ies); `radiomon alerts list` shows them", len(doomed))
    if expired:
        archive.give_up_deliveries(expired)
        log.warning("%d alert delivery(ies) expired (aired more than alerts.max_age_minutes ago); not sent",
                    len(expired))
    return len(doomed), len(expired)


def _outgoing(config: Config, due: list[Delivery], stale: str) -> list[_Outgoing]:
    """The messages for one channel's due deliveries, in the order they go."""
    # A row another deliverer is sending right now is not ours to send.
    due = [d for d in due if d.state == "pending" or (d.claimed_utc or "") < stale]
    out, batch = [], []
    for delivery in due:
        priority = events_mod.PRIORITY_OF_KIND.get(delivery.kind, "high")
        if priority == "high" and config.alerts.high == "batch":
            batch.append(delivery)
        else:
            out.append(_Outgoing((delivery,), priority))
    if batch:
        out.append(_Outgoing(tuple(batch), "high"))
    return sorted(out, key=lambda o: (_ORDER.get(o.priority, 3), o.deliveries[0].event_id))


def _send_channel(archive: Archive, lock: threading.Lock, channel: AlertChannel, outgoing: list[_Outgoing],
                  context: messages.Context, now: datetime, stale: str, options: AlertsConfig) -> ChannelResult:
    result = ChannelResult(channel.name)
    for n, message in enumerate(outgoing):
        ids = [d.id for d in message.deliveries]
        with lock:
            # The claim carries the wall clock, not the pass's ``now``: it tells
            # other processes whether this one may still be sending.
            if not archive.claim_deliveries(ids, timeutil.to_iso(datetime.now(timeutil.UTC)), stale):
                continue  # another deliverer took it meanwhile
        outcome = channels_mod.send(channel.url, render(message.deliveries, context), timeout=options.timeout_seconds)
        if outcome.ok:
            with lock:
                archive.record_sent(ids, timeutil.to_iso(datetime.now(timeutil.UTC)))
            result.sent += len(ids)
            result.messages += 1
            continue
        # The channel is down (or refuses): this message and everything else
        # due for it wait out the backoff, so a dead channel is called once a
        # pass at most, and never more often than the backoff allows.
        attempts = max(d.attempts for d in message.deliveries) + 1
        delay = min(options.retry_initial_seconds * 2 ** (attempts - 1), options.retry_max_seconds)
        retry = timeutil.to_iso(now + timedelta(seconds=delay))
        later = [d.id for m in outgoing[n + 1:] for d in m.deliveries]
        with lock:
            archive.record_failed([(i, retry, outcome.error) for i in ids])
            archive.postpone_deliveries(later, retry)
        log.warning("alert channel %s failed (%s); %d alert(s) retried from %s", channel.name, outcome.error,
                    len(ids) + len(later), retry)
        result.failed += len(ids) + len(later)
        result.error, result.retry_utc = outcome.error, retry
        break
    return result


def send_test(config: Config, now: datetime | None = None) -> list[ChannelResult]:
    """Send a test message to every channel at once (nothing is stored); one result per channel."""
    now = now or datetime.now(timeutil.UTC)
    options = config.alerts
    context = messages.Context(tz=config.timezone, office=config.office.office)
    message = messages.test_message(context, now)

    def one(channel: AlertChannel) -> ChannelResult:
        outcome = channels_mod.send(channel.url, message, timeout=options.timeout_seconds)
        return ChannelResult(channel.name, sent=int(outcome.ok), messages=int(outcome.ok),
                             failed=int(not outcome.ok), error=outcome.error)

    if not options.channels:
        return []
    with ThreadPoolExecutor(max_workers=len(options.channels), thread_name_prefix="alerts-test") as pool:
        return list(pool.map(one, options.channels))
