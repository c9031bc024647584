"""Stations as configured, mirrored into the archive for joins and Datasette."""

from __future__ import annotations

from typing import Iterable

from radiomon.archive.db import ArchiveBase


class StationsMixin(ArchiveBase):
    def sync_stations(self, stations: Iterable, default_tz: str) -> None:
        """Upsert the configured stations; stations removed from config keep their
        rows (their recordings refer to them)."""
        rows = [
            (s.id, s.name or s.id, s.url, s.input, str(s.timezone or default_tz))
            for s in stations
        ]
        with self.write() as conn:
            conn.executemany(
                "INSERT INTO stations (id, name, url, input, timezone) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name=excluded.name, url=excluded.url, "
                "input=excluded.input, timezone=excluded.timezone",
                rows,
            )

    def ensure_station(self, station_id: str, timezone: str) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO stations (id, name, timezone) VALUES (?, ?, ?)",
                (station_id, station_id, timezone),
            )
