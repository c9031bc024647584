"""Testigos: a clip for every mention of a day (proof of broadcast) and the cue sheet that lists them.

Mentions on one station whose windows overlap share one testigo
(:func:`group_testigos`, pure), named ``YYYYMMDD_HHMMSS_<station>_<keyword>``
in local time so a file browser sorts them by time. Each is cut like any
clip (:mod:`~radiomon.reports.clips`); :func:`write_testigos` keeps those
already in the folder, goes on past a mention whose audio is gone, and
writes ``cue-sheet.csv`` for Excel.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from radiomon import media, outputs, timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.config import Config
from radiomon.errors import AudioError
from radiomon.filters import Filters
from radiomon.reports import clips

log = logging.getLogger(__name__)

# -- naming and grouping (pure) --------------------------------------------------------------------
CUE_SHEET = "cue-sheet.csv"
CUE_COLUMNS = ("archivo", "estación", "programa", "fecha", "horario", "duración", "grupo", "palabra clave", "cita")


def slug(text: str) -> str:
    """``Protección Civil`` → ``proteccion-civil``: safe in a file name on any system."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "mencion"


def testigo_name(mention: MentionRow, tz: ZoneInfo, fmt: str = "mp3") -> str:
    """``YYYYMMDD_HHMMSS_<station>_<keyword>.mp3`` in local time: sorts by time in any file browser."""
    local_at = timeutil.local(mention.at_utc, tz)
    return f"{local_at:%Y%m%d_%H%M%S}_{mention.station}_{slug(mention.keyword)}.{fmt}"


@dataclass(frozen=True)
class Testigo:
    """One clip of the day: the mentions it proves (overlapping ones share it)."""

    name: str
    mentions: tuple[MentionRow, ...]
    start: datetime  # the stretch asked for, before gaps are taken into account
    end: datetime

    @property
    def first(self) -> MentionRow:
        return self.mentions[0]


def group_testigos(mentions: Sequence[MentionRow], tz: ZoneInfo, *, before: float = 5.0, after: float = 20.0,
                   fmt: str = "mp3") -> list[Testigo]:
    """One testigo per stretch of a station in which mentions' windows overlap, in time order (pure).

    A testigo is audio: press mentions (an article's, no station) have none and are left out.
    """
    testigos: list[Testigo] = []
    open_by_station: dict[str, int] = {}
    radio = [m for m in mentions if m.article_id is None]
    for mention in sorted(radio, key=lambda m: (m.at_utc, m.id or 0)):
        at = timeutil.parse_iso(mention.at_utc)
        start, end = at - timedelta(seconds=before), at + timedelta(seconds=after)
        index = open_by_station.get(mention.station)
        if index is not None and start < testigos[index].end:
            current = testigos[index]
            testigos[index] = replace(current, mentions=current.mentions + (mention,), end=max(current.end, end))
            continue
        open_by_station[mention.station] = len(testigos)
        testigos.append(Testigo(testigo_name(mention, tz, fmt), (mention,), start, end))
    return testigos


def testigo_names(mentions: Sequence[MentionRow], tz: ZoneInfo, **window) -> dict[int, str]:
    """Each mention's testigo file name (the digest names them)."""
    return {m.id: t.name for t in group_testigos(mentions, tz, **window) for m in t.mentions}


@dataclass(frozen=True)
class TestigoRow:
    """One line of the cue sheet."""

    file: str
    station: str
    program: str
    date: str
    time: str  # start–end, local
    duration: float
    group: str
    keyword: str
    quote: str
    written: bool  # cut in this run (False: already there, or failed)
    error: str | None = None
    stopped_at_gap: bool = False


@dataclass(frozen=True)
class TestigosResult:
    folder: Path
    cue_sheet: Path
    rows: tuple[TestigoRow, ...]

    @property
    def written(self) -> int:
        return sum(1 for r in self.rows if r.written)

    @property
    def kept(self) -> int:
        return sum(1 for r in self.rows if not r.written and r.error is None)

    @property
    def failed(self) -> tuple[TestigoRow, ...]:
        return tuple(r for r in self.rows if r.error is not None)


def _joined(values) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


def write_testigos(config: Config, archive: Archive, filters: Filters, folder: Path, *, before: float = 5.0,
                   after: float = 20.0, group_labels: dict[str, str] | None = None) -> TestigosResult:
    """A clip for every radio mention ``filters`` selects that staff did not reject, plus ``cue-sheet.csv``.

    Clips already in ``folder`` are kept, not cut again; a mention whose
    audio is gone is reported in the result and the others go on.
    """
    clips.check_window(before, after, "mp3")
    tz = config.timezone
    mentions = [m for m in archive.list_mentions(filters) if m.review != "rejected"]
    labels = group_labels or {}
    rows = []
    folder.mkdir(parents=True, exist_ok=True)
    for testigo in group_testigos(mentions, tz, before=before, after=after):
        first = testigo.first
        at = timeutil.parse_iso(first.at_utc)
        target = outputs.check_target(config, folder / testigo.name)
        written, error, plan = False, None, None
        try:
            plan = clips.plan_window(archive, clips.anchor_recording(archive, first), at, testigo.start, testigo.end)
            if not plan.pieces:
                raise clips.ClipError(f"mention {first.id}: no audio around it to cut")
            if not _up_to_date(target, plan):
                keywords = _joined(m.keyword for m in testigo.mentions)
                quote = " … ".join(dict.fromkeys(m.context for m in testigo.mentions if m.context))
                metadata = clips.clip_metadata(clips.station_name(config, first.station), timeutil.local(at, tz),
                                               keywords, quote)
                clips.encode(plan, target, "mp3", metadata)
                written = True
        except (clips.ClipError, AudioError) as err:
            log.info("testigo %s skipped: %s", testigo.name, err)
            error = str(err)
        start, end = (plan.start, plan.end) if plan else (testigo.start, testigo.end)
        rows.append(TestigoRow(
            file=testigo.name if error is None else "",
            station=clips.station_name(config, first.station),
            program=archive.title_at(first.station, first.at_utc) or "",
            date=f"{timeutil.local(at, tz):%Y-%m-%d}",
            time=f"{timeutil.local(start, tz):%H:%M:%S}–{timeutil.local(end, tz):%H:%M:%S}",
            duration=round(plan.duration, 1) if plan else 0.0,
            group=_joined(labels.get(m.group_id, m.group_id) for m in testigo.mentions),
            keyword=_joined(m.keyword for m in testigo.mentions),
            quote=" … ".join(dict.fromkeys(m.context for m in testigo.mentions if m.context)),
            written=written, error=error, stopped_at_gap=bool(plan and plan.stopped_at_gap),
        ))
    cue_sheet = folder / CUE_SHEET
    outputs.check_target(config, cue_sheet)
    _write_atomic(cue_sheet, cue_sheet_text([r for r in rows if r.error is None]))
    return TestigosResult(folder, cue_sheet, tuple(rows))


def _up_to_date(target: Path, plan: clips.ClipPlan) -> bool:
    """A clip already in the folder is kept when it is as long as planned: a rerun cuts nothing
    again, but a clip that grew (a new overlapping mention, audio registered since) is cut anew."""
    if not target.is_file():
        return False
    try:
        return abs(media.probe_duration(target) - plan.duration) < clips.CLIP_LENGTH_TOLERANCE
    except AudioError:  # a clip cut short by a crash: cut it again
        return False


def cue_sheet_text(rows: Sequence[TestigoRow]) -> str:
    """The cue sheet as CSV text (the BOM is added on writing, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CUE_COLUMNS)
    for r in rows:
        writer.writerow([r.file, r.station, r.program, r.date, r.time, f"{r.duration:.1f}", r.group, r.keyword,
                         r.quote])
    return buffer.getvalue()


def _write_atomic(path: Path, text: str) -> None:
    # utf-8-sig: the byte-order mark is how Excel knows the file is UTF-8 (accents, ñ).
    outputs.write_bytes(path, text.encode("utf-8-sig"))


__all__ = ["CUE_SHEET", "Testigo", "TestigoRow", "TestigosResult", "cue_sheet_text", "group_testigos", "slug",
           "testigo_name", "testigo_names", "write_testigos"]
