"""The síntesis in the outbox: one event per approved edition version, one delivery per recipient.

The alerts' tables carry it (radiomon/archive/outbox.py, deliveries.py):
an ``events`` row of kind :data:`SINTESIS_EVENT` is written when an approved
edition falls due, already routed (``routed_utc`` set) together with its
``deliveries`` rows, channel ``sintesis:<recipient name>``, in one
transaction, so the alerts' router never sees it and a crash leaves either
all of them or none. Claiming, recording a send and a failure are the
alerts' own methods (:class:`~radiomon.archive.deliveries.DeliveriesMixin`);
what is particular to the síntesis is here, as functions of an open
archive (radiomon/sintesis/delivery.py calls them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from radiomon.archive.db import ArchiveBase
from radiomon.archive.deliveries import _COLUMNS, Delivery, _delivery

SINTESIS_EVENT = "sintesis"
CHANNEL_PREFIX = "sintesis:"
HEALTH_PROBLEM = "health-problem"  # radiomon.events.HEALTH_PROBLEM (the archive does not import the events module)


def edition_events(archive: ArchiveBase, edition_ids: Sequence[int]) -> dict[int, int]:
    """``{edition id: event id}`` of the editions already put in the outbox."""
    if not edition_ids:
        return {}
    rows = archive.query(
        "SELECT id, json_extract(payload, '$.edition_id') AS edition_id FROM events WHERE kind = ? "
        f"AND json_extract(payload, '$.edition_id') IN ({', '.join('?' for _ in edition_ids)})",
        (SINTESIS_EVENT, *edition_ids))
    return {r["edition_id"]: r["id"] for r in rows}


def add_edition_event(archive: ArchiveBase, payload: dict, channels: Sequence[str], now: str) -> int | None:
    """Put an approved edition in the outbox with one pending delivery per channel; once.

    One transaction: an edition another deliverer put in the outbox meanwhile
    is left as it is (None returned)."""
    with archive.write() as conn:
        taken = conn.execute("SELECT 1 FROM events WHERE kind = ? AND json_extract(payload, '$.edition_id') = ?",
                             (SINTESIS_EVENT, payload["edition_id"])).fetchone()
        if taken:
            return None
        event_id = conn.execute(
            "INSERT INTO events (kind, created_utc, payload, routed_utc, delivered_utc) VALUES (?, ?, ?, ?, ?)",
            (SINTESIS_EVENT, now, json.dumps(payload, ensure_ascii=False), now, None if channels else now)).lastrowid
        conn.executemany("INSERT INTO deliveries (event_id, channel, state, next_utc, created_utc) "
                         "VALUES (?, ?, 'pending', ?, ?)", [(event_id, c, now, now) for c in channels])
        return event_id


def sintesis_deliveries(archive: ArchiveBase, *, states: Sequence[str] = (), due_by: str | None = None,
                        day: str | None = None, channel: str | None = None) -> list[Delivery]:
    """Deliveries of síntesis editions: in ``states``, due by an instant, of one day, to one channel."""
    where, params = ["e.kind = ?"], [SINTESIS_EVENT]
    if states:
        where.append(f"d.state IN ({', '.join('?' for _ in states)})")
        params += list(states)
    for clause, value in (("d.next_utc <= ?", due_by), ("json_extract(e.payload, '$.day') = ?", day),
                          ("d.channel = ?", channel)):
        if value is not None:
            where.append(clause)
            params.append(value)
    return [_delivery(r) for r in archive.query(
        f"SELECT {_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE {' AND '.join(where)} "
        "ORDER BY d.event_id, d.id", tuple(params))]


def send_again(archive: ArchiveBase, event_id: int, channel: str, now: str, stale_before: str) -> bool:
    """Make the delivery of ``event_id`` to ``channel`` pending again (created when it has none): a person
    asked for it. False when it is being sent right now (claimed since ``stale_before``)."""
    with archive.write() as conn:
        row = conn.execute("SELECT id, state, claimed_utc FROM deliveries WHERE event_id = ? AND channel = ?",
                           (event_id, channel)).fetchone()
        if row is None:
            conn.execute("INSERT INTO deliveries (event_id, channel, state, next_utc, created_utc) "
                         "VALUES (?, ?, 'pending', ?, ?)", (event_id, channel, now, now))
        elif row[1] == "sending" and (row[2] or "") >= stale_before:
            return False
        else:
            # A fresh start: the give-up clock (``created_utc``) and the backoff begin again.
            conn.execute("UPDATE deliveries SET state = 'pending', next_utc = ?, created_utc = ?, attempts = 0, "
                         "last_error = NULL WHERE id = ?", (now, now, row[0]))
        conn.execute("UPDATE events SET delivered_utc = NULL WHERE id = ?", (event_id,))
        return True


def mark_unknown(archive: ArchiveBase, delivery: Delivery, why: str, health: dict, now: str) -> bool:
    """A delivery left ``sending`` by a process that died mid-send: ``failed`` with ``why``, and a health
    event (``health``, the payload) to tell the coordinator, in one transaction; False when another pass
    did it first or the row moved on."""
    with archive.write() as conn:
        changed = conn.execute("UPDATE deliveries SET state = 'failed', last_error = ? WHERE id = ? "
                               "AND state = 'sending' AND claimed_utc IS ?",
                               (why, delivery.id, delivery.claimed_utc)).rowcount
        if changed:
            conn.execute("INSERT INTO events (kind, created_utc, payload) VALUES (?, ?, ?)",
                         (HEALTH_PROBLEM, now, json.dumps(health, ensure_ascii=False)))
        return bool(changed)


def health_event_once(archive: ArchiveBase, payload: dict, now: str) -> bool:
    """Write a health event whose ``key`` no event has had yet (one transaction); True when written."""
    with archive.write() as conn:
        if conn.execute("SELECT 1 FROM events WHERE kind = ? AND json_extract(payload, '$.key') = ?",
                        (HEALTH_PROBLEM, payload["key"])).fetchone():
            return False
        conn.execute("INSERT INTO events (kind, created_utc, payload) VALUES (?, ?, ?)",
                     (HEALTH_PROBLEM, now, json.dumps(payload, ensure_ascii=False)))
        return True
