"""The síntesis editions' job layer: what the CLI, the web editor, the daemon and delivery call.

:func:`day_edition` opens the newest version of a day's (or a cut's)
edition; while it is a draft, its candidate items are first brought up to
date with the archive's mentions (only when they changed since the last
time: a fingerprint of the period's mentions). :func:`document` makes what
a reader gets; :func:`approve` freezes it as sent. A correction of an
approved edition is :func:`correct`: a new numbered version, a draft again.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from radiomon import outputs, timeutil
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.keywords import KeywordSet
from radiomon.reports import digest as digests
from radiomon.reports import spanish
from radiomon.reports.items import group_order
from radiomon.sintesis.candidates import candidates
from radiomon.sintesis.model import (
    FEATURED_TITLE,
    KIND_LABELS,
    NOTES_SECTION,
    NOTES_TITLE,
    TONE_LABELS,
    DocItem,
    DocSection,
    Edition,
    Item,
    SintesisDocument,
)

TITLE = "Síntesis informativa"
_CUT = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def parse_cut(text: str | None) -> str:
    """'' (the whole day) or an intraday cut as 'HH:MM'."""
    if not text or not text.strip():
        return ""
    found = _CUT.fullmatch(text.strip())
    if not found:
        raise QueryError(f"--cut {text}: not a time of day; use HH:MM like 14:00")
    return f"{int(found.group(1)):02d}:{found.group(2)}"


def day_edition(config: Config, archive: Archive, day: date, cut: str = "") -> Edition:
    """The newest version of the day's edition (created when there is none), candidates up to date."""
    edition = archive.open_edition(day.isoformat(), cut)
    if not edition.approved:
        refresh_candidates(config, archive, edition, day)
    return archive.edition(edition.id)


def refresh_candidates(config: Config, archive: Archive, edition: Edition, day: date) -> tuple[int, int]:
    """Rebuild a draft's candidates from the archive when its mentions changed; (added, removed)."""
    since, until = digests.day_period(day, config.timezone, None, edition.cut or None)
    fingerprint = archive.edition_fingerprint(timeutil.to_iso(since), timeutil.to_iso(until))
    if archive.edition_synced(edition.id) == fingerprint:
        return 0, 0
    digest = digests.collect_digest(config, archive, day=day, until=edition.cut or None)
    rows = archive.list_mentions(Filters(since=since, until=until))
    mentions = {m.id: m for m in rows}
    articles = archive.articles_by_id(sorted({m.article_id for m in rows if m.article_id is not None}))
    found = candidates(digest, mentions=mentions, articles=articles)
    return archive.sync_candidates(edition.id, found, fingerprint, digest.period_text)


def find_edition(archive: Archive, day: date, cut: str = "") -> Edition:
    found = archive.latest_edition(day.isoformat(), cut)
    if found is None:
        what = f"{day.isoformat()} {cut}".strip()
        raise QueryError(f"no síntesis edition of {what} yet; open it in the web UI or run "
                         f"`radiomon digest approve --date {day.isoformat()}`")
    return archive.edition(found.id)


# -- the document ----------------------------------------------------------------------------------
def section_order(keywords: KeywordSet | None, section: str) -> tuple:
    """Sort key of a section: the groups by priority and keywords.yml's order, free notes last."""
    if section == NOTES_SECTION:
        return (9, "")
    return group_order(keywords, section)


def section_title(keywords: KeywordSet | None, section: str) -> str:
    return NOTES_TITLE if section == NOTES_SECTION else digests.group_info(keywords, section)[0]


def doc_item(item: Item, keywords: KeywordSet | None, base_url: str = "") -> DocItem:
    source = item.source
    path = source.get("path", "")
    return DocItem(
        id=item.id, kind=item.kind, kind_label=KIND_LABELS[item.kind], headline=item.headline, summary=item.summary,
        tone=item.tone, tone_label=TONE_LABELS[item.tone], featured=item.featured, section=item.section,
        section_title=section_title(keywords, item.section), time=source.get("time", ""),
        where=source.get("where", ""), program=source.get("program", ""), url=source.get("url", ""),
        link=f"{base_url.rstrip('/')}{path}" if base_url and path else "", testigo=source.get("testigo", ""),
        also_in=source.get("also_in", ""), airings=source.get("airings", ""), groups=item.groups, terms=item.terms,
    )


def document(config: Config, edition: Edition, *, base_url: str | None = None,
             keywords: KeywordSet | None = None) -> SintesisDocument:
    """What a reader gets of ``edition``: the included items, the featured ones first, then each section.

    An approved edition is its frozen document, exactly as it was sent."""
    if edition.approved and edition.frozen:
        return SintesisDocument.from_json(edition.frozen)
    keywords = keywords if keywords is not None else digests.load_keyword_set(config)
    base = config.office.base_url if base_url is None else base_url
    included = [i for i in edition.items if i.included]
    featured = tuple(doc_item(i, keywords, base) for i in included if i.featured)
    by_section: dict[str, list[DocItem]] = {}
    for item in included:
        if not item.featured:
            by_section.setdefault(item.section, []).append(doc_item(item, keywords, base))
    sections = tuple(DocSection(s, section_title(keywords, s), tuple(items))
                     for s, items in sorted(by_section.items(), key=lambda kv: section_order(keywords, kv[0])))
    if featured:
        sections = (DocSection("destacadas", FEATURED_TITLE, featured), *sections)
    tones = {t: sum(1 for i in included if i.tone == t) for t in TONE_LABELS}
    day = date.fromisoformat(edition.day)
    return SintesisDocument(
        municipality=config.office.municipality, office=config.office.office, title=TITLE, day=edition.day,
        date_text=spanish.long_date(day), cut_text=edition.cut_text, version=edition.version, state=edition.state,
        approved_text=approved_text(config, edition), coverage_text=edition.coverage, featured=featured,
        sections=sections, web_link=f"{base.rstrip('/')}/sintesis?dia={edition.day}" if base else "", tones=tones,
    )


def approved_text(config: Config, edition: Edition) -> str:
    if not edition.approved or not edition.approved_utc:
        return ""
    when = timeutil.local(edition.approved_utc, config.timezone)
    return f"Aprobada por {edition.approved_by} el {when:%d/%m/%Y} a las {when:%H:%M}"


# -- approval ----------------------------------------------------------------------------------------
def approve(config: Config, archive: Archive, edition: Edition, *, by: str, rev: int | None = None,
            base_url: str | None = None) -> Edition:
    """Approve a draft: its document is frozen as it will be sent (with its approval line)."""
    if edition.approved:
        raise QueryError(f"version {edition.version} of {edition.day} is already approved "
                         f"(by {edition.approved_by}); a correction is a new version")
    if rev is None:  # a script approves what is there now: bring the candidates up to date first
        edition = day_edition(config, archive, date.fromisoformat(edition.day), edition.cut)
    now = datetime.now(timeutil.UTC)
    approved = Edition(**{**edition.__dict__, "state": "approved", "approved_by": by,
                          "approved_utc": timeutil.to_iso(now), "frozen": None})
    frozen = document(config, approved, base_url=base_url)
    return archive.approve_edition(edition.id, rev=rev, by=by, frozen=frozen.dumps())


def correct(archive: Archive, edition: Edition, *, by: str) -> Edition:
    """A correction of an approved edition: the next version, a draft with the same items."""
    return archive.new_version(edition.id, by=by)


def approver(config: Config, archive: Archive, by: str | None) -> str:
    """Who approves from the command line: ``--by`` must be a coordinator's account when accounts exist;
    without it, the office's coordinator (office.coordinator), else "Coordinación"."""
    if by is None:
        return config.office.coordinator or "Coordinación"
    user = archive.user(by)
    if user is None:
        if archive.user_count():
            raise QueryError(f"--by {by}: no such user; `radiomon users list` shows who exists")
        return by
    if user["role"] != "coordinador":
        raise QueryError(f"--by {user['name']}: a {user['role']} user cannot approve the síntesis; "
                         f"make them a coordinator first (radiomon users role {user['name']} coordinador)")
    return user["name"]


def edition_records(config: Config, archive: Archive, day: date | None = None) -> list[dict]:
    """The editions as `digest editions` lists them (JSON: one object per edition version)."""
    records = []
    for edition in archive.editions(day=day.isoformat() if day else None):
        counts = archive.edition_item_counts(edition.id)
        approved = timeutil.local(edition.approved_utc, config.timezone).strftime("%Y-%m-%d %H:%M") \
            if edition.approved_utc else ""
        records.append({"id": edition.id, "day": edition.day, "cut": edition.cut, "version": edition.version,
                        "state": edition.state, "items": counts["included"], "candidates": counts["total"],
                        "approved_by": edition.approved_by, "approved_utc": edition.approved_utc,
                        "approved": approved, "updated_utc": edition.updated_utc})
    return records


DOCUMENT_FORMATS = ("pdf", "docx", "html")


def edition_bytes(doc: SintesisDocument, fmt: str) -> bytes:
    """The document as a PDF, an (editable) DOCX or the HTML the PDF is printed from."""
    from radiomon.sintesis import docx, pdf, render

    if fmt == "pdf":
        return pdf.document_pdf(doc)
    if fmt == "docx":
        return docx.document_docx(doc)
    if fmt == "html":
        return render.document_html(doc).encode("utf-8")
    raise QueryError(f"--format {fmt}: use {', '.join(DOCUMENT_FORMATS)}")


def write_document(config: Config, archive: Archive, *, day: date, cut: str = "", version: int | None = None,
                   out: Path, fmt: str) -> Edition:
    """Write a day's edition to ``out``: the given version, else the newest (a draft as it stands now,
    an approved one exactly as sent). Returns the edition written."""
    target = outputs.check_target(config, out)
    if version is None:
        edition = day_edition(config, archive, day, cut)
    else:
        found = [e for e in archive.editions(day=day.isoformat()) if e.cut == cut and e.version == version]
        if not found:
            raise QueryError(f"--version {version}: {day.isoformat()} {cut} has no such version; "
                             "`radiomon digest editions` lists them")
        edition = archive.edition(found[0].id)
    outputs.write_bytes(target, edition_bytes(document(config, edition), fmt))
    return edition
