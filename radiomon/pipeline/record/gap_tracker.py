"""One station's outages on record: the gap state machine.

At most one gap is open per station. An outage (network, stall, silence,
error) that goes on under another outage's name stays one gap with its first
reason — a network drop that then fails to reconnect in time (stall) is a
network gap — while a deliberate state (off-schedule, disk, stopped) closes
it and opens its own. A gap closes when audio flows again; the first
segment's measured start, which may lie before we reconnected (the server's
burst), then moves the gap's end to where the audio really resumed.

A recorder that starts finds what the last one left: several open gaps
(runs that crashed) end each where the next began, the newest goes on; no
open gap but recorded audio means the last run was killed (power cut,
SIGKILL), so an outage "stopped" began where its audio ended.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from radiomon.timeutil import parse_iso

log = logging.getLogger("radiomon.pipeline.record")

OUTAGE_REASONS = ("network", "stall", "silence", "error")


class GapStore(Protocol):
    """Where gaps are kept (the archive)."""

    def open_gap(self, station: str, start: datetime, reason: str) -> int: ...

    def close_gap(self, gap_id: int, end: datetime) -> None: ...


class GapTracker:
    """The open gap of one station, if any, mirrored into a :class:`GapStore`."""

    def __init__(self, store: GapStore, station: str, tz: ZoneInfo):
        self.store = store
        self.station = station
        self.tz = tz  # for the log
        self.gap: tuple[int, str] | None = None  # (row id, reason) of the open gap
        self.started: datetime | None = None  # when the open gap began
        self.opened = 0  # gaps opened by this tracker
        # (gap id, gap start) of the gap closed when audio resumed, until the
        # first segment's measured start corrects its end.
        self._closed: tuple[int, datetime] | None = None

    @property
    def reason(self) -> str | None:
        return self.gap[1] if self.gap else None

    def adopt(self, open_gaps: list[dict], last_audio_end: datetime | None) -> None:
        """Take over from the previous run: its open gaps (oldest first, as
        ``{id, reason, start_utc}``) and where its audio ended."""
        for older, newer in zip(open_gaps, open_gaps[1:]):
            self.store.close_gap(older["id"], parse_iso(newer["start_utc"]))
        if open_gaps:
            self.gap = (open_gaps[-1]["id"], open_gaps[-1]["reason"])
            self.started = parse_iso(open_gaps[-1]["start_utc"])
        elif last_audio_end is not None:
            self.open("stopped", last_audio_end)

    def open(self, reason: str, start: datetime) -> None:
        """An outage began at ``start`` (or goes on, see the module doc)."""
        if self.gap is not None:
            if self.gap[1] == reason or reason in OUTAGE_REASONS:
                return
            self.store.close_gap(self.gap[0], start)
        self.gap = (self.store.open_gap(self.station, start, reason), reason)
        self.started = start
        self._closed = None
        self.opened += 1
        log.info("%s: gap opened (%s) from %s", self.station, reason,
                 start.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S"))

    def close(self, end: datetime) -> None:
        """Audio flows again (ffmpeg opened a segment at ``end``)."""
        if self.gap is None:
            return
        gap_id, reason = self.gap
        end = max(end, self.started)
        self.store.close_gap(gap_id, end)
        self._closed = (gap_id, self.started)
        self.gap = None
        log.info("%s: gap closed (%s), %.1f s", self.station, reason, (end - self.started).total_seconds())

    def audio_resumed_at(self, start: datetime) -> None:
        """The first segment after a gap begins at ``start``: the gap ended there
        (never before it began)."""
        if self._closed is not None:
            gap_id, gap_start = self._closed
            self.store.close_gap(gap_id, max(start, gap_start))
            self._closed = None


__all__ = ["GapStore", "GapTracker", "OUTAGE_REASONS"]
