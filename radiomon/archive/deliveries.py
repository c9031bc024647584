"""Deliveries: each event of the outbox, per alert channel, and whether that channel has it.

The alerting stage (radiomon/alerts/delivery.py) routes a new event once
(one row per channel that takes its priority), claims a row just before it
calls the channel and records the outcome just after; the claim is a
conditional update, so two deliverers running at once (the daemon and a
cron `radiomon alerts send`) never both send the same row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from radiomon.archive.db import ArchiveBase

# The ``last_error`` of a delivery never sent because what it was about aired
# too long ago (alerts.max_age_minutes). It is a ``failed`` row: the table's
# CHECK allows no other final state, and to `alerts list` it is "expired".
EXPIRED = "expired: "


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one channel, with the event it carries."""

    id: int
    event_id: int
    channel: str
    state: str  # pending, sending, sent, failed
    attempts: int
    next_utc: str
    claimed_utc: str | None
    sent_utc: str | None
    last_error: str | None
    created_utc: str
    kind: str  # the event's
    event_utc: str  # when the event was made
    payload: dict

    @property
    def expired(self) -> bool:
        """Not sent because it aired too long ago (alerts.max_age_minutes)."""
        return self.state == "failed" and (self.last_error or "").startswith(EXPIRED)

    @property
    def shown_state(self) -> str:
        """The state as `alerts list` shows it: ``expired`` apart from the other failures."""
        return "expired" if self.expired else self.state


_COLUMNS = ("d.id, d.event_id, d.channel, d.state, d.attempts, d.next_utc, d.claimed_utc, d.sent_utc, d.last_error, "
            "d.created_utc, e.kind, e.created_utc AS event_utc, e.payload")


class _Taken(Exception):
    """Another deliverer claimed one of the rows first."""


def _delivery(row: dict) -> Delivery:
    return Delivery(**{**row, "payload": json.loads(row["payload"])})


class DeliveriesMixin(ArchiveBase):
    def unrouted_events(self, limit: int = 1000) -> list[dict]:
        """Events no channel has been chosen for yet, oldest first; never the síntesis' (written already
        routed to their recipients, radiomon/archive/sintesis_outbox.py)."""
        rows = self.query("SELECT id, kind, created_utc, payload FROM events WHERE routed_utc IS NULL "
                          "AND kind != 'sintesis' ORDER BY id LIMIT ?", (limit,))
        for row in rows:
            row["payload"] = json.loads(row["payload"])
        return rows

    def route_event(self, event_id: int, deliveries: Sequence[tuple[str, str, str, str | None]], now: str) -> bool:
        """Give an event its ``(channel, state, next_utc, last_error)`` rows, once.

        One transaction; an event already routed (by another deliverer
        meanwhile) is left as it is, and False returned.
        """
        with self.write() as conn:
            claimed = conn.execute("UPDATE events SET routed_utc = ? WHERE id = ? AND routed_utc IS NULL",
                                   (now, event_id)).rowcount
            if not claimed:
                return False
            conn.executemany(
                "INSERT INTO deliveries (event_id, channel, state, next_utc, last_error, created_utc) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(event_id, channel, state, next_utc, error, now) for channel, state, next_utc, error in deliveries])
            if not deliveries:  # no channel takes it: nothing left to deliver
                conn.execute("UPDATE events SET delivered_utc = ? WHERE id = ?", (now, event_id))
        return True

    def deliveries(self, *, states: Sequence[str] = (), channel: str | None = None, due_by: str | None = None,
                   limit: int | None = None) -> list[Delivery]:
        """Deliveries in ``states`` (all when empty), of one channel, due by an instant; oldest event first."""
        where, params = [], []
        if states:
            where.append(f"d.state IN ({', '.join('?' for _ in states)})")
            params += list(states)
        if channel is not None:
            where.append("d.channel = ?")
            params.append(channel)
        if due_by is not None:
            where.append("d.next_utc <= ?")
            params.append(due_by)
        sql = f"SELECT {_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY d.event_id, d.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_delivery(row) for row in self.query(sql, tuple(params))]

    def claim_deliveries(self, ids: Sequence[int], now: str, stale_before: str) -> bool:
        """Mark ``ids`` as being sent now; all or none.

        A row can be claimed when it is pending, or when it is ``sending`` but
        its claim began before ``stale_before`` (the process that claimed it
        died mid-send). False when another deliverer holds any of them.
        """
        try:
            with self.write() as conn:
                for delivery_id in ids:
                    if not conn.execute(
                        "UPDATE deliveries SET state = 'sending', claimed_utc = ?, attempts = attempts + 1 "
                        "WHERE id = ? AND (state = 'pending' OR (state = 'sending' AND claimed_utc < ?))",
                        (now, delivery_id, stale_before)).rowcount:
                        raise _Taken  # rolls the other claims of this message back
        except _Taken:
            return False
        return True

    def record_sent(self, ids: Sequence[int], now: str) -> None:
        """The channel took the message carrying ``ids``; events whose every delivery is sent are delivered."""
        if not ids:
            return
        with self.write() as conn:
            conn.executemany("UPDATE deliveries SET state = 'sent', sent_utc = ?, last_error = NULL WHERE id = ?",
                             [(now, i) for i in ids])
            conn.execute(
                f"UPDATE events SET delivered_utc = ? WHERE delivered_utc IS NULL AND id IN "
                f"(SELECT event_id FROM deliveries WHERE id IN ({', '.join('?' for _ in ids)})) "
                "AND NOT EXISTS (SELECT 1 FROM deliveries WHERE event_id = events.id AND state != 'sent')",
                (now, *ids))

    def record_failed(self, retries: Iterable[tuple[int, str, str]]) -> None:
        """``(id, next_utc, error)``: the channel did not take them; try again from ``next_utc``."""
        with self.write() as conn:
            conn.executemany("UPDATE deliveries SET state = 'pending', next_utc = ?, last_error = ? WHERE id = ?",
                             [(next_utc, error, i) for i, next_utc, error in retries])

    def postpone_deliveries(self, ids: Sequence[int], next_utc: str) -> None:
        """Pending ``ids`` are not to be tried before ``next_utc`` (their channel is down)."""
        with self.write() as conn:
            conn.executemany("UPDATE deliveries SET next_utc = max(next_utc, ?) WHERE id = ? AND state = 'pending'",
                             [(next_utc, i) for i in ids])

    def give_up_deliveries(self, ids: Iterable[tuple[int, str]]) -> None:
        """``(id, why)``: never to be sent; they stay listed as failed."""
        with self.write() as conn:
            conn.executemany("UPDATE deliveries SET state = 'failed', last_error = ? WHERE id = ?",
                             [(why, i) for i, why in ids])

    def undelivered_by_channel(self) -> list[dict]:
        """Per channel: deliveries not sent yet (pending or sending), those given up and those expired
        (:data:`EXPIRED`: not a failure, nothing to repair), oldest event time."""
        expired = f"(d.state = 'failed' AND coalesce(d.last_error, '') LIKE '{EXPIRED}%')"
        return self.query(
            f"SELECT d.channel, sum(d.state IN ('pending', 'sending')) AS waiting, "
            f"sum(d.state = 'failed' AND NOT {expired}) AS failed, sum({expired}) AS expired, "
            "min(CASE WHEN d.state IN ('pending', 'sending') THEN e.created_utc END) AS oldest_utc, "
            "max(CASE WHEN d.state IN ('pending', 'sending') THEN d.attempts END) AS attempts "
            "FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.state != 'sent' "
            "GROUP BY d.channel ORDER BY d.channel")

    def last_error_of(self, channel: str) -> str | None:
        row = self.conn.execute(
            "SELECT last_error FROM deliveries WHERE channel = ? AND state IN ('pending', 'sending') "
            "AND last_error IS NOT NULL ORDER BY claimed_utc DESC LIMIT 1", (channel,)).fetchone()
        return row[0] if row else None
