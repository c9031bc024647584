"""The weekly report by department: how radio and the press covered each municipal department this week.

The departments are the terms of the ``dependencias`` group of keywords.yml
(DIF Moroleón, Obras Públicas, …), one each, plus every group marked
``report: true`` as a whole, plus the presidency (the ``presidencia``
group: the mayor's and the cabildo's mentions), which comes first. An
overall summary opens the report (totals, radio and press, the busiest
department, the station and outlet that covered most, the week's tone).
:func:`build_weekly` is pure (mention rows of this week and the week before
in, a :class:`WeeklyReport` out); the writers draw a department's chart from
its counts per day only where there is something to chart (two days or
more with mentions; the empty days are left out of it).

Tone (set by staff on the síntesis and kept on each mention: positiva,
negativa, neutral; none set is neutral) is counted per department and per
station or outlet, from :meth:`radiomon.archive.Archive.tone_counts`.

Press mentions (issue 27) count in each department's figures beside
radio's, and are also told apart: radio and press totals, a table per
outlet beside the table per station, the outlets with most mentions beside
the stations. A week without press reads as it did before the press.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from radiomon import timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.archive.reports import TONES, ToneCount
from radiomon.config import Config, OfficeConfig
from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.keywords import KeywordSet
from radiomon.reports import spanish
from radiomon.reports.digest import load_keyword_set, outlet_display_names, select, station_display_names

TITLE = "Informe semanal"
DEPARTMENTS_GROUP = "dependencias"
PRESIDENCY_GROUP = "presidencia"  # the mayor (presidenta/presidente municipal) and the cabildo
TONE_LABELS = {"positiva": "Positiva", "negativa": "Negativa", "neutral": "Neutral"}
TOP_QUOTES = 3
BUSIEST = 5


@dataclass(frozen=True)
class StationRow:
    station: str
    counts: tuple[int, ...]  # Monday … Sunday
    total: int


@dataclass(frozen=True)
class Quote:
    when: str  # "mié 18, 08:01"
    station: str
    keyword: str
    text: str


@dataclass(frozen=True)
class Department:
    key: str  # "dependencias:Obras Públicas" or a group id
    title: str
    total: int
    previous_total: int
    by_day: tuple[int, ...]  # Monday … Sunday
    by_station: tuple[StationRow, ...]  # radio
    top_quotes: tuple[Quote, ...]  # radio and press (``station`` holds the outlet's name for press)
    radio_total: int = 0
    press_total: int = 0
    by_outlet: tuple[StationRow, ...] = ()  # press: one row per outlet (``station`` holds its name)

    @property
    def has_chart(self) -> bool:
        """A chart says something only with two days or more that have mentions."""
        return sum(1 for c in self.by_day if c) >= 2

    @property
    def change_text(self) -> str:
        diff = self.total - self.previous_total
        if diff == 0:
            return "sin cambio"
        if self.previous_total == 0:
            return f"+{diff} (sin menciones la semana anterior)"
        return f"{diff:+d} ({diff / self.previous_total:+.0%})".replace("%", " %")


@dataclass(frozen=True)
class ToneRow:
    """Mentions by tone of one department, station or outlet."""

    name: str
    positiva: int = 0
    negativa: int = 0
    neutral: int = 0

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.positiva, self.negativa, self.neutral

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class StationCount:
    station: str
    count: int


@dataclass(frozen=True)
class ProgramCount:
    program: str  # what the station announced (now playing) when the mentions were heard
    station: str
    count: int


@dataclass(frozen=True)
class WeeklyReport:
    title: str
    municipality: str
    office: str
    coordinator: str
    date_text: str  # "Moroleón, Guanajuato, a 30 de noviembre de 2026"
    period_text: str  # "Semana 47 de 2026: del lunes 16 al domingo 22 de noviembre de 2026"
    week: str  # "2026-W47"
    days: tuple[str, ...]  # ISO dates, Monday … Sunday
    day_headings: tuple[str, ...]  # "lun 16" …
    departments: tuple[Department, ...]
    busiest_stations: tuple[StationCount, ...]
    busiest_programs: tuple[ProgramCount, ...] = ()
    busiest_outlets: tuple[StationCount, ...] = ()  # ``station`` holds the outlet's name
    tone_by_department: tuple[ToneRow, ...] = ()  # in the departments' order
    tone_by_source: tuple[ToneRow, ...] = ()  # stations and outlets, the most mentions first

    @property
    def total(self) -> int:
        return sum(d.total for d in self.departments)

    @property
    def previous_total(self) -> int:
        return sum(d.previous_total for d in self.departments)

    @property
    def tone_totals(self) -> ToneRow:
        rows = self.tone_by_department
        return ToneRow("Semana", *(sum(r.counts[i] for r in rows) for i in range(3)))

    @property
    def tone_headings(self) -> tuple[str, ...]:
        return tuple(TONE_LABELS[t] for t in TONES)

    @property
    def has_tone_chart(self) -> bool:
        """The week's tone is worth a chart when two tones or more were given."""
        return sum(1 for c in self.tone_totals.counts if c) >= 2

    @property
    def overview(self) -> tuple[tuple[str, str], ...]:
        """The overall summary that opens the report: (label, value) lines."""
        rows = [("Menciones en la semana", f"{self.total} (semana anterior: {self.previous_total})")]
        if self.has_press:
            rows += [("Radio", str(sum(d.radio_total for d in self.departments))),
                     ("Prensa", str(sum(d.press_total for d in self.departments)))]
        departments = [d for d in self.departments if d.key != PRESIDENCY_GROUP and d.total]
        if departments:
            top = max(departments, key=lambda d: d.total)
            rows.append(("Dependencia con más menciones", f"{top.title} ({top.total})"))
        presidency = next((d for d in self.departments if d.key == PRESIDENCY_GROUP), None)
        if presidency is not None:
            rows.append((presidency.title, str(presidency.total)))
        if self.busiest_stations:
            rows.append(("Estación con más menciones",
                         f"{self.busiest_stations[0].station} ({self.busiest_stations[0].count})"))
        if self.busiest_outlets:
            rows.append(("Medio impreso con más menciones",
                         f"{self.busiest_outlets[0].station} ({self.busiest_outlets[0].count})"))
        if self.total:
            tone = self.tone_totals
            rows.append(("Tono", f"{spanish.plural(tone.positiva, 'positiva', 'positivas')}, "
                                 f"{spanish.plural(tone.negativa, 'negativa', 'negativas')}, "
                                 f"{spanish.plural(tone.neutral, 'neutral', 'neutrales')}"))
        return tuple(rows)

    @property
    def tone_table(self) -> list[list]:
        return [[r.name, *r.counts, r.total] for r in self.tone_by_department if r.total]

    @property
    def tone_source_table(self) -> list[list]:
        return [[r.name, *r.counts, r.total] for r in self.tone_by_source]

    @property
    def has_press(self) -> bool:
        """Press mentions this week (radio and press are then counted apart in the tables)."""
        return any(d.press_total for d in self.departments)

    @property
    def department_headings(self) -> tuple[str, ...]:
        media = ("Radio", "Prensa") if self.has_press else ()
        return ("Dependencia", *media, "Esta semana", "Semana anterior", "Cambio")

    @property
    def department_table(self) -> list[list]:
        """The summary by department, cell by cell under :attr:`department_headings`."""
        media = (lambda d: [d.radio_total, d.press_total]) if self.has_press else (lambda d: [])
        return [[d.title, *media(d), d.total, d.previous_total, d.change_text] for d in self.departments]


# -- pure parts ------------------------------------------------------------------------------------
def parse_week(text: str | None, *, today: date) -> date:
    """The Monday of ``2026-W47``; without one, of the last complete week before ``today``."""
    if text is None:
        return today - timedelta(days=today.weekday() + 7)
    found = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text.strip(), re.IGNORECASE)
    try:
        if not found:
            raise ValueError
        return date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    except ValueError:
        raise QueryError(f"--week {text}: not an ISO week; use e.g. 2026-W47") from None


def week_period(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(monday, time(0), tzinfo=tz)
    return start.astimezone(timeutil.UTC), (start + timedelta(days=7)).astimezone(timeutil.UTC)


def department_key(group_id: str, keyword: str, keywords: KeywordSet | None) -> str | None:
    """The department a mention of ``group_id``/``keyword`` counts for, or None."""
    if group_id == DEPARTMENTS_GROUP:
        return f"{DEPARTMENTS_GROUP}:{keyword}"
    if group_id == PRESIDENCY_GROUP:
        return group_id
    if keywords is not None:
        try:
            if keywords.group(group_id).report:
                return group_id
        except KeyError:
            return None
    return None


def department_of(mention: MentionRow, keywords: KeywordSet | None) -> str | None:
    """The department a mention counts for, or None."""
    return department_key(mention.group_id, mention.keyword, keywords)


def _title(key: str, keywords: KeywordSet | None) -> str:
    if key.startswith(f"{DEPARTMENTS_GROUP}:"):
        return key.split(":", 1)[1]
    if keywords is not None:
        try:
            return keywords.group(key).title
        except KeyError:
            pass
    return key


def _period_text(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    year, week, _ = monday.isocalendar()
    first = f"{spanish.DAYS[0]} {monday.day}"
    if monday.month != sunday.month:
        first += f" de {spanish.MONTHS[monday.month - 1]}"
        if monday.year != sunday.year:
            first += f" de {monday.year}"
    return f"Semana {week} de {year}: del {first} al {spanish.DAYS[6]} {spanish.short_date(sunday)}"


def _source(mention: MentionRow, names: dict[str, str], outlets: dict[int, str]) -> str:
    """Where a mention was heard or printed: the station's name, or the article's outlet's."""
    if mention.article_id is not None:
        return outlets.get(mention.article_id, "")
    return names.get(mention.station, mention.station)


def _per_day(rows: Sequence[MentionRow], tz: ZoneInfo, key) -> tuple[StationRow, ...]:
    counts: dict[str, list[int]] = {}
    for mention in rows:
        counts.setdefault(key(mention), [0] * 7)[timeutil.local(mention.at_utc, tz).weekday()] += 1
    return tuple(sorted((StationRow(name, tuple(c), sum(c)) for name, c in counts.items()),
                        key=lambda r: (-r.total, r.station)))


def _quotes(mentions: Sequence[MentionRow], tz: ZoneInfo, names: dict[str, str],
            outlets: dict[int, str] | None = None) -> tuple[Quote, ...]:
    """Confirmed ones first, then the surest matches; one quote per sentence."""
    ranked = sorted(mentions, key=lambda m: (m.review != "confirmed", -m.score, m.at_utc))
    chosen, seen = [], set()
    for mention in ranked:
        text = (mention.context or mention.matched).strip()
        if text in seen:
            continue
        seen.add(text)
        local = timeutil.local(mention.at_utc, tz)
        chosen.append((mention.at_utc, Quote(f"{spanish.day_and_number(local.date())}, {local:%H:%M}",
                                             _source(mention, names, outlets or {}), mention.keyword, text)))
        if len(chosen) == TOP_QUOTES:
            break
    return tuple(quote for _, quote in sorted(chosen, key=lambda pair: pair[0]))


def build_weekly(mentions: Sequence[MentionRow], previous: Sequence[MentionRow], *, monday: date, tz: ZoneInfo,
                 generated_at: datetime, office: OfficeConfig = OfficeConfig(), keywords: KeywordSet | None = None,
                 station_names: dict[str, str] | None = None, titles: dict[int, str] | None = None,
                 article_outlets: dict[int, str] | None = None, tones: Sequence[ToneCount] = (),
                 outlet_names: dict[str, str] | None = None) -> WeeklyReport:
    """The report of the week starting ``monday`` from its mentions and the week before's (pure).

    Rejected mentions never count, in either week. ``titles``: what the
    station announced when each mention (by id) was heard, where known;
    ``article_outlets``: the outlet's name of each press mention's article (by article id);
    ``tones``: the week's mentions counted by tone (:meth:`Archive.tone_counts`), ``outlet_names``
    the outlets' names by id.
    """
    names = station_names or {}
    titles = titles or {}
    outlets = article_outlets or {}
    days = [monday + timedelta(days=i) for i in range(7)]
    this_week: dict[str, list[MentionRow]] = {}
    for mention in select(mentions, False):
        key = department_of(mention, keywords)
        if key is not None:
            this_week.setdefault(key, []).append(mention)
    before = Counter(k for m in select(previous, False) if (k := department_of(m, keywords)) is not None)

    departments = []
    for key in sorted(set(this_week) | set(before),
                      key=lambda k: (k != PRESIDENCY_GROUP, -len(this_week.get(k, ())), _title(k, keywords))):
        rows = this_week.get(key, [])
        radio = [m for m in rows if m.article_id is None]
        press = [m for m in rows if m.article_id is not None]
        by_station = _per_day(radio, tz, lambda m: names.get(m.station, m.station))
        by_outlet = _per_day(press, tz, lambda m: outlets.get(m.article_id, ""))
        by_day = tuple(sum(r.counts[i] for r in (*by_station, *by_outlet)) for i in range(7))
        departments.append(Department(key, _title(key, keywords), len(rows), before.get(key, 0), by_day,
                                      by_station, _quotes(rows, tz, names, outlets), len(radio), len(press),
                                      by_outlet))

    stations = Counter(m.station for rows in this_week.values() for m in rows if m.article_id is None)
    by_outlet_name = Counter(outlets.get(m.article_id, "") for rows in this_week.values() for m in rows
                             if m.article_id is not None)
    busiest = tuple(StationCount(names.get(s, s), n)
                    for s, n in sorted(stations.items(), key=lambda kv: (-kv[1], kv[0]))[:BUSIEST])
    busiest_outlets = tuple(StationCount(o, n) for o, n in sorted(by_outlet_name.items(),
                                                                  key=lambda kv: (-kv[1], kv[0]))[:BUSIEST])
    programs = Counter((titles[m.id], m.station) for rows in this_week.values() for m in rows if m.id in titles)
    busiest_programs = tuple(ProgramCount(p, names.get(s, s), n)
                             for (p, s), n in sorted(programs.items(), key=lambda kv: (-kv[1], kv[0]))[:BUSIEST])
    tone_by_department, tone_by_source = _tones(tones, [d.key for d in departments], keywords, names,
                                                outlet_names or {})
    generated_local = timeutil.local(generated_at, tz)
    year, week, _ = monday.isocalendar()
    return WeeklyReport(
        title=TITLE,
        municipality=office.municipality,
        office=office.office,
        coordinator=office.coordinator,
        date_text=f"{office.municipality}, a {spanish.short_date(generated_local)}",
        period_text=_period_text(monday),
        week=f"{year}-W{week:02d}",
        days=tuple(d.isoformat() for d in days),
        day_headings=tuple(spanish.day_and_number(d) for d in days),
        departments=tuple(departments),
        busiest_stations=busiest,
        busiest_programs=busiest_programs,
        busiest_outlets=busiest_outlets,
        tone_by_department=tone_by_department,
        tone_by_source=tone_by_source,
    )


def _tones(tones: Sequence[ToneCount], order: Sequence[str], keywords: KeywordSet | None, names: dict[str, str],
           outlet_names: dict[str, str]) -> tuple[tuple[ToneRow, ...], tuple[ToneRow, ...]]:
    """Tone counts per department (in ``order``) and per station or outlet, of the departments' mentions."""
    by_department: dict[str, Counter] = {key: Counter() for key in order}
    by_source: dict[str, Counter] = {}
    for row in tones:
        key = department_key(row.group_id, row.keyword, keywords)
        if key is None:
            continue
        by_department.setdefault(key, Counter())[row.tone] += row.count
        source = names.get(row.station, row.station) if row.outlet is None else outlet_names.get(row.outlet,
                                                                                                 row.outlet)
        by_source.setdefault(source or "", Counter())[row.tone] += row.count

    def tone_row(name: str, counts: Counter) -> ToneRow:
        return ToneRow(name, *(counts.get(t, 0) for t in TONES))

    departments = tuple(tone_row(_title(k, keywords), c) for k, c in by_department.items())
    sources = sorted((tone_row(n, c) for n, c in by_source.items()), key=lambda r: (-r.total, r.name))
    return departments, tuple(sources)


# -- from the archive ------------------------------------------------------------------------------
def collect_weekly(config: Config, archive: Archive, *, week: str | None = None,
                   now: datetime | None = None) -> WeeklyReport:
    """The weekly report of an ISO week of the configured time zone (default: the last complete one)."""
    tz = config.timezone
    now = now or datetime.now(timeutil.UTC)
    monday = parse_week(week, today=timeutil.local(now, tz).date())
    start, end = week_period(monday, tz)
    previous_start, _ = week_period(monday - timedelta(days=7), tz)
    mentions = archive.list_mentions(Filters(since=start, until=end))
    outlet_names = outlet_display_names(config, archive)
    names = station_display_names(config, archive)
    articles = archive.articles_by_id(sorted({m.article_id for m in mentions if m.article_id is not None}))
    return build_weekly(
        mentions,
        archive.list_mentions(Filters(since=previous_start, until=start)),
        monday=monday, tz=tz, generated_at=now, office=config.office, keywords=load_keyword_set(config),
        station_names=names,
        titles={m.id: t for m in mentions if m.review != "rejected" and m.article_id is None
                and (t := archive.title_at(m.station, m.at_utc))},
        article_outlets={a.id: outlet_names.get(a.outlet) or a.outlet for a in articles.values()},
        tones=archive.tone_counts(start, end), outlet_names=outlet_names,
    )


__all__ = ["Department", "ToneRow", "WeeklyReport", "build_weekly", "collect_weekly", "department_key",
           "parse_week"]
