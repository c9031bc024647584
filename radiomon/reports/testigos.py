"""Testigos: a clip for every item of a day (proof of broadcast) and the cue sheet that lists them.

One testigo per airing (:func:`radiomon.reports.items.airings`, the same
grouping the síntesis' items are made of): a sentence, or a run of adjacent
sentences of one recording with mentions, with every mention heard in it.
It is named ``YYYYMMDD_HHMMSS_<station>_<term>`` after its item — local time
of the first mention, so a file browser sorts them by time, and the term of
the item's section (its highest-priority group), never another mention's
keyword that happened to overlap — and cut to cover the sentences. Each is
cut like any clip (:mod:`~radiomon.reports.clips`); :func:`write_testigos`
keeps those already in the folder, goes on past one whose audio is gone,
and writes ``cue-sheet.csv`` for Excel.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from radiomon import media, outputs, timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.config import Config
from radiomon.errors import AudioError
from radiomon.filters import Filters
from radiomon.keywords import KeywordSet
from radiomon.reports import clips, items

log = logging.getLogger(__name__)

# -- naming and grouping (pure) --------------------------------------------------------------------
CUE_SHEET = "cue-sheet.csv"
CUE_COLUMNS = ("archivo", "estación", "programa", "fecha", "horario", "duración", "grupo", "palabra clave", "cita")


def slug(text: str) -> str:
    """``Protección Civil`` → ``proteccion-civil``: safe in a file name on any system."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "mencion"


def testigo_file_name(station: str, at_utc: str, term: str, tz: ZoneInfo, fmt: str = "mp3") -> str:
    """``YYYYMMDD_HHMMSS_<station>_<term>.mp3`` in local time: sorts by time in any file browser."""
    return f"{timeutil.local(at_utc, tz):%Y%m%d_%H%M%S}_{station}_{slug(term)}.{fmt}"


def testigo_name(mention: MentionRow, tz: ZoneInfo, fmt: str = "mp3") -> str:
    """The file name of a clip of one mention (the web UI's download of a mention's audio)."""
    return testigo_file_name(mention.station, mention.at_utc, mention.keyword, tz, fmt)


@dataclass(frozen=True)
class Testigo:
    """One clip of the day: an airing of an item, with the mentions it proves."""

    name: str
    mentions: tuple[MentionRow, ...]
    start: datetime  # the stretch asked for, before gaps are taken into account
    end: datetime
    keyword: str = ""  # the term of the item's section, as in the name
    groups: tuple[str, ...] = ()  # the item's groups, its section's first
    quote: str = ""  # the sentences heard

    @property
    def first(self) -> MentionRow:
        return self.mentions[0]


def group_testigos(mentions: Sequence[MentionRow], tz: ZoneInfo, *, before: float = 5.0, after: float = 20.0,
                   fmt: str = "mp3", sentences: Mapping[int, items.Sentence] | None = None,
                   keywords: KeywordSet | None = None) -> list[Testigo]:
    """One testigo per airing, in time order (pure).

    The cut covers the airing's sentences and at least ``before`` seconds
    before its first mention and ``after`` after its last. A testigo is
    audio: press mentions (an article's, no station) have none and are left out.
    """
    testigos = []
    for airing in items.airings(mentions, sentences):
        lead = items.lead_mention(airing.mentions, keywords)
        first = timeutil.parse_iso(airing.at_utc)
        last = timeutil.parse_iso(airing.mentions[-1].at_utc)
        start = min(timeutil.parse_iso(airing.start_utc), first - timedelta(seconds=before))
        end = max(timeutil.parse_iso(airing.end_utc), last + timedelta(seconds=after))
        testigos.append(Testigo(testigo_file_name(airing.station, airing.at_utc, lead.keyword, tz, fmt),
                                airing.mentions, start, end, lead.keyword,
                                items.ordered_groups(airing.mentions, keywords), airing.text))
    return testigos


def testigo_names(mentions: Sequence[MentionRow], tz: ZoneInfo, *,
                  sentences: Mapping[int, items.Sentence] | None = None, keywords: KeywordSet | None = None,
                  **window) -> dict[int, str]:
    """Each mention's testigo file name (the digest names them)."""
    return {m.id: t.name for t in group_testigos(mentions, tz, sentences=sentences, keywords=keywords, **window)
            for m in t.mentions}


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
    """A clip for every radio item ``filters`` selects that staff did not reject, plus ``cue-sheet.csv``.

    Items are made of all the period's mentions, whatever ``filters.groups``
    (so a clip is the síntesis item's, named and cut the same), and those
    with a mention of the groups asked for are cut. Clips already in
    ``folder`` are kept, not cut again; an item whose audio is gone is
    reported in the result and the others go on.
    """
    clips.check_window(before, after, "mp3")
    tz = config.timezone
    mentions = [m for m in archive.list_mentions(replace(filters, groups=())) if m.review != "rejected"]
    keywords = items.load_keyword_set(config)
    labels = group_labels or {}
    rows = []
    folder.mkdir(parents=True, exist_ok=True)
    for testigo in group_testigos(mentions, tz, before=before, after=after, sentences=items.sentences_of(
            archive, mentions), keywords=keywords):
        if filters.groups and not set(filters.groups) & set(testigo.groups):
            continue
        first = testigo.first
        at = timeutil.parse_iso(first.at_utc)
        target = outputs.check_target(config, folder / testigo.name)
        written, error, plan = False, None, None
        try:
            plan = clips.plan_window(archive, clips.anchor_recording(archive, first), at, testigo.start, testigo.end)
            if not plan.pieces:
                raise clips.ClipError(f"mention {first.id}: no audio around it to cut")
            if not _up_to_date(target, plan):
                keywords_heard = _joined([testigo.keyword, *(m.keyword for m in testigo.mentions)])
                metadata = clips.clip_metadata(clips.station_name(config, first.station), timeutil.local(at, tz),
                                               keywords_heard, testigo.quote)
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
            group=_joined(labels.get(g, g) for g in testigo.groups),
            keyword=_joined([testigo.keyword, *(m.keyword for m in testigo.mentions)]),
            quote=testigo.quote,
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
           "testigo_file_name", "testigo_name", "testigo_names", "write_testigos"]
