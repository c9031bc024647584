"""The event outbox: what the pipeline has to tell someone, kept until it is told.

An event (radiomon/events.py) is written in the same transaction as what it
is about (a crisis or high-priority mention, a health episode), with
``delivered_utc`` NULL, so none is lost in a crash and none is made for a
mention that was rolled back. Delivery to each channel is tracked in
``deliveries`` (archive/deliveries.py); ``delivered_utc`` is set once every
channel has it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from radiomon.archive.db import ArchiveBase, now_iso


class OutboxMixin(ArchiveBase):
    def add_events(self, conn: sqlite3.Connection, kind: str, rows: Iterable[tuple[int | None, dict]]) -> None:
        """Append events inside the caller's transaction: ``(mention_id, payload)`` pairs."""
        created = now_iso()
        conn.executemany(
            "INSERT INTO events (kind, created_utc, mention_id, payload) VALUES (?, ?, ?, ?)",
            [(kind, created, mention_id, json.dumps(payload, ensure_ascii=False)) for mention_id, payload in rows],
        )

    def add_event(self, conn: sqlite3.Connection, kind: str, payload: dict, mention_id: int | None = None) -> int:
        """Append one event inside the caller's transaction; returns its id."""
        return conn.execute(
            "INSERT INTO events (kind, created_utc, mention_id, payload) VALUES (?, ?, ?, ?)",
            (kind, now_iso(), mention_id, json.dumps(payload, ensure_ascii=False))).lastrowid

    def pending_events(self, kind: str | None = None) -> list[dict]:
        """Events nobody has delivered yet, oldest first (the alerting stage's queue)."""
        sql = "SELECT id, kind, created_utc, mention_id, payload FROM events WHERE delivered_utc IS NULL"
        params: tuple = ()
        if kind:
            sql += " AND kind = ?"
            params = (kind,)
        rows = self.query(sql + " ORDER BY id", params)
        for row in rows:
            row["payload"] = json.loads(row["payload"])
        return rows

    def mark_delivered(self, event_ids: Iterable[int]) -> None:
        with self.write() as conn:
            conn.executemany("UPDATE events SET delivered_utc = ? WHERE id = ?",
                             [(now_iso(), i) for i in event_ids])
