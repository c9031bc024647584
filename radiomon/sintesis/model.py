"""An edition of the síntesis and the document made from it (pure dataclasses).

An :class:`Edition` is what staff edit: its :class:`Item` rows in their
order, each with the words a person wrote or accepted. A
:class:`SintesisDocument` is what a reader gets: the included items in
sections, the featured ones first, with the office's letterhead; it is
what the writers render (HTML, PDF, DOCX, the e-mail body) and what an
approved edition keeps, frozen, as JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

TONES = ("positiva", "neutral", "negativa")
TONE_LABELS = {"positiva": "Positiva", "neutral": "Neutral", "negativa": "Negativa"}
KINDS = ("radio", "press", "note")
KIND_LABELS = {"radio": "Radio", "press": "Prensa", "note": "Nota"}
NOTES_SECTION = "notas"  # the section of a free note nobody placed in a group
NOTES_TITLE = "Otras notas"
FEATURED_TITLE = "Lo más importante"
STATE_LABELS = {"draft": "Borrador", "approved": "Aprobada"}


@dataclass(frozen=True)
class Item:
    """One item of an edition, as stored."""

    id: int
    edition_id: int
    key: str
    kind: str  # radio, press, note
    section: str  # a group id of keywords.yml, or NOTES_SECTION
    position: int
    included: bool
    headline: str
    summary: str
    tone: str  # positiva, neutral, negativa
    featured: bool
    mention_ids: tuple[int, ...]
    groups: tuple[str, ...]  # every group of its mentions (the recipients' filter)
    terms: tuple[str, ...]  # their canonical terms
    source: dict  # the candidate as built: time, where, program, url, link, testigo, quote, airings…
    edited: bool  # a person changed it: rebuilding the candidates keeps their words and place
    rev: int
    updated_by: str | None = None
    updated_utc: str | None = None

    @property
    def time(self) -> str:
        return self.source.get("time", "")

    @property
    def where(self) -> str:
        """The station or outlet's name ('' for a note)."""
        return self.source.get("where", "")


@dataclass(frozen=True)
class Edition:
    id: int
    day: str  # ISO local date
    cut: str  # '' for the whole day, 'HH:MM' for an intraday cut
    version: int
    state: str  # draft, approved
    rev: int
    created_utc: str
    updated_utc: str
    approved_utc: str | None = None
    approved_by: str | None = None
    frozen: dict | None = None  # the approved SintesisDocument as JSON
    coverage: str = ""  # what was monitored, as the document says it
    items: tuple[Item, ...] = ()

    @property
    def approved(self) -> bool:
        return self.state == "approved"

    @property
    def cut_text(self) -> str:
        return f"Corte de las {self.cut}" if self.cut else ""


@dataclass(frozen=True)
class Candidate:
    """An item the archive proposes: a story on the radio or in the press (see :mod:`.candidates`)."""

    key: str
    kind: str
    section: str
    headline: str
    summary: str
    mention_ids: tuple[int, ...]
    groups: tuple[str, ...]
    terms: tuple[str, ...]
    source: dict
    order: tuple = ()  # where it goes among the candidates: (section rank, time)


@dataclass(frozen=True)
class DocItem:
    """One item as a reader sees it."""

    id: int
    kind: str
    kind_label: str  # Radio, Prensa, Nota
    headline: str
    summary: str
    tone: str
    tone_label: str
    featured: bool
    section: str  # group id
    section_title: str
    time: str = ""  # local HH:MM
    where: str = ""  # station or outlet
    program: str = ""  # what the station announced then
    url: str = ""  # the article on the outlet's site (press)
    link: str = ""  # the web UI (the recording at its second, the article page)
    testigo: str = ""  # the clip's file name
    also_in: str = ""  # "También en: …" (press)
    airings: str = ""  # "transmitida 3 veces (08:01, 09:01, 10:01)"
    groups: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocSection:
    id: str
    title: str
    items: tuple[DocItem, ...]


@dataclass(frozen=True)
class SintesisDocument:
    """What is sent: letterhead, date, the featured items, then the sections in order."""

    municipality: str
    office: str
    title: str
    day: str
    date_text: str  # "miércoles 25 de noviembre de 2026"
    cut_text: str  # "Corte de las 14:00" or ''
    version: int
    state: str
    approved_text: str  # "Aprobada por Luz Pérez el 26/11/2026 a las 07:05", or ''
    coverage_text: str  # what was monitored: "3 h 20 min grabadas de 06:00 a 14:00 en 2 estaciones"
    featured: tuple[DocItem, ...] = ()
    sections: tuple[DocSection, ...] = ()
    recipient: str = ""  # the reader it was filtered for ('' for the whole edition)
    web_link: str = ""  # the edition in the web UI, when the address is known
    tones: dict = field(default_factory=dict)  # tone → items

    @property
    def items(self) -> tuple[DocItem, ...]:
        return tuple(i for s in self.sections for i in s.items)

    @property
    def empty(self) -> bool:
        return not self.items

    @property
    def index(self) -> tuple[tuple[str, int], ...]:
        """The index: each section's title and how many items it has."""
        return tuple((s.title, len(s.items)) for s in self.sections)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> SintesisDocument:
        known = {f.name for f in fields(DocItem)}

        def item(raw: dict) -> DocItem:
            raw = {k: v for k, v in raw.items() if k in known}
            return DocItem(**{**raw, "groups": tuple(raw.get("groups", ())), "terms": tuple(raw.get("terms", ()))})

        top = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in top}
        return cls(**{
            **data,
            "featured": tuple(item(i) for i in data.get("featured", ())),
            "sections": tuple(DocSection(s["id"], s["title"], tuple(item(i) for i in s["items"]))
                              for s in data.get("sections", ())),
        })

    def dumps(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, sort_keys=True)
