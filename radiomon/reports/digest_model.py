"""The síntesis informativa's document model: plain dataclasses in the order and wording of the printed
document, built by :func:`radiomon.reports.digest.build_digest` and turned into DOCX, HTML, Markdown or
JSON by :mod:`radiomon.reports.writers` (and shown by the web UI's Síntesis page)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from radiomon import wording

TITLE = "Síntesis informativa — Radio"
TITLE_WITH_PRESS = "Síntesis informativa — Radio y prensa"
PRESS_HEADING = wording.MEDIUM_LABELS["press"]
RADIO_HEADING = wording.MEDIUM_LABELS["radio"]


@dataclass(frozen=True)
class QuotePart:
    text: str
    bold: bool = False  # the words heard


@dataclass(frozen=True)
class DigestItem:
    """One story on one station: a sentence heard (or a run of adjacent ones) with every mention in it,
    of every group; the same text aired again on the station (a repeated spot) is the same item."""

    time: str  # local "08:01": when it was first heard
    at_utc: str
    station_id: str
    station: str  # display name
    program: str | None  # what the station announced then (now playing), when known
    group_id: str  # the section's group: the highest-priority group of its mentions
    keyword: str  # the section group's term heard first
    matched: str
    quote: tuple[QuotePart, ...]
    review: str  # machine field (Spanish label): confirmed only when every one of its mentions is
    count: int  # times aired (1, or a repeated spot's airings)
    mention_ids: tuple[int, ...]
    testigo: str | None = None  # the clip's file name (radiomon clips), of the first airing
    link: str | None = None  # the recording at the mention in the web UI, when office.base_url is set
    groups: tuple[str, ...] = ()  # every group of its mentions, the section's first
    terms: tuple[str, ...] = ()  # the canonical keywords heard, the section's first
    airings: tuple[str, ...] = ()  # local "08:01" of each airing
    testigos: tuple[str, ...] = ()  # the clip of each airing

    @property
    def quote_text(self) -> str:
        return "".join(p.text for p in self.quote)

    @property
    def aired_text(self) -> str:
        """``transmitida 3 veces (08:01, 09:01, 10:01)`` for a repeated spot; '' for one airing."""
        if self.count < 2:
            return ""
        return f"transmitida {self.count} veces ({', '.join(self.airings)})"


@dataclass(frozen=True)
class DigestSection:
    group_id: str
    title: str
    priority: str
    items: tuple[DigestItem, ...]

    @property
    def mentions(self) -> int:
        """The mentions of its items (of every group heard in them)."""
        return sum(len(i.mention_ids) for i in self.items)


@dataclass(frozen=True)
class AlsoIn:
    """Another outlet's article of the same story."""

    outlet: str  # display name
    title: str
    url: str


@dataclass(frozen=True)
class PressItem:
    """One story in one group: the article that printed it first among those with mentions."""

    time: str  # local "08:01", when the article was published
    at_utc: str
    article_id: int
    story: int
    outlet_id: str
    outlet: str  # display name
    title: str  # the headline
    url: str  # the article on the outlet's site
    group_id: str
    keyword: str
    matched: str
    quote: tuple[QuotePart, ...]
    review: str  # machine field (Spanish label): confirmed only when every one of its mentions is
    count: int  # mentions of the group in the story's articles
    mention_ids: tuple[int, ...]
    also_in: tuple[AlsoIn, ...] = ()  # the story's other outlets
    link: str | None = None  # the article page of the web UI, when office.base_url is set

    @property
    def quote_text(self) -> str:
        return "".join(p.text for p in self.quote)

    @property
    def also_in_text(self) -> str:
        """``También en: El Sol del Bajío, AM Celaya`` ('' when no other outlet has the story)."""
        return f"{wording.ALSO_IN}: {', '.join(a.outlet for a in self.also_in)}" if self.also_in else ""


@dataclass(frozen=True)
class PressSection:
    group_id: str
    title: str
    priority: str
    items: tuple[PressItem, ...]

    @property
    def mentions(self) -> int:
        return sum(i.count for i in self.items)


@dataclass(frozen=True)
class SummaryRow:
    group: str  # the group's title
    counts: tuple[int, ...]  # per station, in Digest.stations order
    total: int  # radio and press
    radio: int = 0
    press: int = 0


@dataclass(frozen=True)
class GapNote:
    """A stretch of a station that was not recorded (so no mention there means nothing)."""

    station: str
    start: str  # local HH:MM
    end: str
    reason: str  # Spanish


@dataclass(frozen=True)
class Digest:
    municipality: str
    office: str
    title: str
    date_text: str  # "miércoles 25 de noviembre de 2026"
    period_text: str  # what was recorded: "3 h 20 min grabadas de 06:00 a 14:00 en 2 estaciones"
    generated_text: str
    day: str  # ISO local date
    since_utc: str
    until_utc: str
    stations: tuple[str, ...]  # display names, the summary's columns
    summary: tuple[SummaryRow, ...]
    not_recorded: tuple[GapNote, ...]
    sections: tuple[DigestSection, ...]  # radio
    reviewed_only: bool = False
    press: tuple[PressSection, ...] = ()
    outlets: tuple[str, ...] = ()  # display names of the outlets with items, in order of appearance

    @property
    def has_press(self) -> bool:
        return bool(self.press)

    @property
    def radio_total(self) -> int:
        return sum(s.mentions for s in self.sections)

    @property
    def press_total(self) -> int:
        return sum(s.mentions for s in self.press)

    @property
    def total(self) -> int:
        return self.radio_total + self.press_total

    @property
    def empty(self) -> bool:
        return not self.sections and not self.press

    @property
    def summary_headings(self) -> tuple[str, ...]:
        """The summary table's columns: the stations, then (with press) radio and press apart, then the total."""
        media = (RADIO_HEADING, PRESS_HEADING) if self.has_press else ()
        return ("Grupo", *self.stations, *media, "Total")

    @property
    def summary_table(self) -> list[list]:
        """The summary's rows, cell by cell under :attr:`summary_headings`."""
        media = (lambda r: [r.radio, r.press]) if self.has_press else (lambda r: [])
        return [[r.group, *r.counts, *media(r), r.total] for r in self.summary]

    @property
    def empty_text(self) -> str:
        what = "menciones confirmadas" if self.reviewed_only else "menciones"
        return f"No se registraron {what} en el periodo monitoreado."

    def as_json(self) -> dict:
        data = asdict(self)
        data["total"] = self.total
        data["radio_total"], data["press_total"] = self.radio_total, self.press_total
        for section, raw in zip(self.sections, data["sections"]):
            raw["mentions"] = section.mentions
            for item, raw_item in zip(section.items, raw["items"]):
                raw_item["quote_text"] = item.quote_text
                raw_item["aired_text"] = item.aired_text
        for section, raw in zip(self.press, data["press"]):
            raw["mentions"] = section.mentions
            for item, raw_item in zip(section.items, raw["items"]):
                raw_item["quote_text"] = item.quote_text
        return data
